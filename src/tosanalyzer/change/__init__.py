"""What changed between two versions of a document, and whether it matters.

Two views of one change: the text diff is for reading (``textdiff``); the clause diff is for
judging (``clausediff``: clauses paired by ``align`` on their ``normalisation``, each change
classed by the ``materiality`` policy). Other packages import from this face only (an
import-linter contract keeps it so), so the modules behind it can be recut without touching
them. The plain types others share with it, ``ChangeClass`` and ``ChangeKind``, live in
``tosanalyzer.models``.
"""

from __future__ import annotations

from tosanalyzer.change.clausediff import ClauseDiff, DiffError, diff_clauses
from tosanalyzer.change.materiality import FindingDelta, VersionFacts
from tosanalyzer.change.normalisation import normalise
from tosanalyzer.change.textdiff import (
    DEFAULT_CONTEXT,
    DiffLine,
    Hunk,
    TextDiff,
    diff_text,
    inline_segments,
    unified_lines,
)

__all__ = [
    "DEFAULT_CONTEXT",
    "ClauseDiff",
    "DiffError",
    "DiffLine",
    "FindingDelta",
    "Hunk",
    "TextDiff",
    "VersionFacts",
    "diff_clauses",
    "diff_text",
    "inline_segments",
    "normalise",
    "unified_lines",
]
