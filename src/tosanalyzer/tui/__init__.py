"""The reviewer's terminal UI (Textual). The only package allowed to import textual.

Screens are grouped by area (``vendors``, ``timeline``, ``diff_screen``, ``reading``, ``help``),
pure rendering of diffs into Rich ``Text`` lives in ``render`` and of the reading view in
``reading_text`` (no Textual there), styles in ``styles/*.tcss``.
"""
