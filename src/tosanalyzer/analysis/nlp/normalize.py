"""The text the rules read: what a reader sees, with offsets that lead back to the text as stored.

Web pages hide characters inside words: a soft hyphen where the line may break
("arbi&shy;tration"), zero-width spaces and joiners, word joiners, direction marks. A reader
sees one word; the tokenizer sees two, and a rule written for the word no longer matches. Pages
also use compatibility forms (full-width letters, ligatures, no-break spaces) that read as the
plain letters. So the rules match a normalised text (every invisible format character removed,
each other character in its NFKC form), and every offset found in it is mapped back, so quotes
stay verbatim slices of the recorded text.

Characters are normalised one at a time, so a match boundary always falls on a boundary of the
recorded text; the rare combining sequence that NFKC would compose is left as written.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")


@dataclass(frozen=True)
class _Edit:
    """``original[start:end]`` became ``replacement``, which begins at ``at`` in the result."""

    start: int
    end: int
    at: int
    replacement: str

    @property
    def after(self) -> int:
        return self.at + len(self.replacement)


@dataclass(frozen=True)
class Normalised:
    """A normalised text and the way back to the text it was made from."""

    text: str
    edits: tuple[_Edit, ...]
    _at: tuple[int, ...]
    """Where each edit begins in the normalised text (sorted, for bisection)."""
    _start: tuple[int, ...]
    """Where each edit begins in the original text."""

    def start_in_original(self, position: int) -> int:
        """Where a span starting at ``position`` of the normalised text starts in the original."""
        edit = self._edit_at(position, self._at)
        if edit is None:
            return position
        if position < edit.after:
            return edit.start
        return edit.end + position - edit.after

    def end_in_original(self, position: int) -> int:
        """Where a span ending at ``position`` (exclusive) ends in the original: just after
        the original character its last character came from."""
        if position == 0:
            return self.start_in_original(0)
        last = position - 1
        edit = self._edit_at(last, self._at)
        if edit is not None and last < edit.after:
            return edit.end
        return self.start_in_original(last) + 1

    def in_normalised(self, position: int) -> int:
        """Where ``position`` of the original text lies in the normalised one."""
        edit = self._edit_at(position, self._start)
        if edit is None:
            return position
        if position < edit.end:
            return edit.at
        return edit.after + position - edit.end

    def _edit_at(self, position: int, keys: tuple[int, ...]) -> _Edit | None:
        index = bisect_right(keys, position) - 1
        return self.edits[index] if index >= 0 else None


def normalise(text: str) -> Normalised:
    """``text`` as the rules read it; plain ASCII (most documents) comes back as it is."""
    edits: list[_Edit] = []
    pieces: list[str] = []
    copied = 0  # characters of ``text`` already in ``pieces``
    shift = 0  # length of the result so far minus ``copied``
    for run in _NOT_ASCII.finditer(text):
        for position in range(run.start(), run.end()):
            replacement = _reading(text[position])
            if replacement == text[position]:
                continue
            pieces.append(text[copied:position])
            edits.append(_Edit(position, position + 1, position + shift, replacement))
            pieces.append(replacement)
            copied = position + 1
            shift += len(replacement) - 1
    if not edits:
        return Normalised(text, (), (), ())
    pieces.append(text[copied:])
    return Normalised(
        "".join(pieces),
        tuple(edits),
        tuple(e.at for e in edits),
        tuple(e.start for e in edits),
    )


@lru_cache(maxsize=4096)
def _reading(char: str) -> str:
    """What a reader sees of one character: nothing for an invisible format character (Unicode
    category Cf: soft hyphen, zero-width space and joiners, word joiner, byte-order mark,
    direction marks), else its NFKC form."""
    if unicodedata.category(char) == "Cf":
        return ""
    return unicodedata.normalize("NFKC", char)
