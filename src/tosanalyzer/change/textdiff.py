"""The text diff: what a reader sees changed between two versions, down to the word.

diff-match-patch compares lines first (each line hashed to one character, so a 300 KB document is
a diff of a few thousand symbols), then refines only the changed blocks: an edited line word by
word, and short replaced runs of words character by character, so a reader sees the two words
that changed inside a long paragraph. One deadline bounds the whole computation: past it,
diff-match-patch gives a coarser but still correct diff, and the result says so. Whether the
change matters is the clause diff's question, not this one's.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from diff_match_patch import diff_match_patch  # type: ignore[import-untyped]
from pydantic import BaseModel, Field

from tosanalyzer.change.align import Pairs, dice, patience
from tosanalyzer.change.normalisation import WORD

DEFAULT_TIMEOUT = 1.0
"""Seconds a text diff may take before it goes coarse (the largest real pairs take < 0.1 s)."""
DEFAULT_CONTEXT = 3
"""Unchanged lines shown around each change, as in ``diff -u``."""

SegmentOp = Literal["equal", "insert", "delete"]
_OPS: dict[int, SegmentOp] = {
    diff_match_patch.DIFF_EQUAL: "equal",
    diff_match_patch.DIFF_INSERT: "insert",
    diff_match_patch.DIFF_DELETE: "delete",
}


class Segment(BaseModel):
    """A run of characters inside a line: unchanged, inserted or deleted (colour is the face's)."""

    op: SegmentOp
    text: str


class DiffLine(BaseModel):
    op: SegmentOp = Field(description="'equal' is a context line, shown with a leading space.")
    old_number: int | None = Field(description="1-based line number in the old text.")
    new_number: int | None = Field(description="1-based line number in the new text.")
    text: str = Field(description="The line without its line break.")
    segments: list[Segment] = Field(
        default_factory=list,
        description="A changed line cut into equal and deleted (or inserted) runs: words and"
        " characters for an edited line, one run for a line without a similar counterpart, none"
        " for a context line.",
    )


class Hunk(BaseModel):
    old_start: int = Field(description="As in a unified diff header: 1-based, 0 when empty.")
    old_count: int
    new_start: int
    new_count: int
    lines: list[DiffLine]

    @property
    def header(self) -> str:
        old, new = _range(self.old_start, self.old_count), _range(self.new_start, self.new_count)
        return f"@@ -{old} +{new} @@"


class TextDiff(BaseModel):
    context: int
    timed_out: bool = Field(
        description="The deadline passed: parts of the diff may be coarser than minimal."
    )
    old_lines: int
    new_lines: int
    lines_added: int
    lines_removed: int
    hunks: list[Hunk]


@dataclass(frozen=True)
class _Block:
    """A stretch of the line diff: ``equal``, or a replacement of old lines by new lines."""

    equal: bool
    old_start: int
    old: list[str]
    new_start: int
    new: list[str]


class _Deadline:
    """One time budget shared by every diff-match-patch call of one diff."""

    def __init__(self, seconds: float) -> None:
        self.at = time.time() + seconds
        self.passed = False

    def diff(self, old: str, new: str) -> list[tuple[int, str]]:
        diffs: list[tuple[int, str]] = _DMP.diff_main(old, new, False, self.at)
        self.passed = self.passed or time.time() >= self.at
        return diffs


_DMP = diff_match_patch()


def diff_text(
    old: str, new: str, *, context: int = DEFAULT_CONTEXT, timeout: float = DEFAULT_TIMEOUT
) -> TextDiff:
    """Line diff of two texts, refined to words and characters in edited lines, in unified hunks.

    ``timeout`` bounds the whole computation: past it the diff stays correct but coarser.
    """
    deadline = _Deadline(timeout)
    blocks = _line_blocks(old, new, deadline)
    hunks = [_hunk(blocks, span, context, deadline) for span in _hunk_spans(blocks, context)]
    changed = [block for block in blocks if not block.equal]
    return TextDiff(
        context=context,
        timed_out=deadline.passed,
        old_lines=sum(len(block.old) for block in blocks),
        new_lines=sum(len(block.new) for block in blocks),
        lines_added=sum(len(block.new) for block in changed),
        lines_removed=sum(len(block.old) for block in changed),
        hunks=hunks,
    )


def unified_lines(
    diff: TextDiff, old_label: str | None = None, new_label: str | None = None
) -> list[str]:
    """The plain unified view: `---`/`+++` labels if given, `@@` headers, `-`/`+`/` ` lines."""
    marks = {"equal": " ", "delete": "-", "insert": "+"}
    header = [f"--- {old_label}", f"+++ {new_label}"] if old_label and new_label else []
    return header + [
        text
        for hunk in diff.hunks
        for text in (hunk.header, *(marks[line.op] + line.text for line in hunk.lines))
    ]


def _line_blocks(old: str, new: str, deadline: _Deadline) -> list[_Block]:
    """Line mode: each distinct line becomes one character (``diff_linesToChars``), lines found
    once in both texts anchor the alignment, and diff-match-patch aligns what lies between.

    Anchoring first keeps a 300 KB document whose every paragraph changed (a new company name)
    in tens of milliseconds: ``diff_main`` alone costs lines × changed lines there.
    """
    old_chars, new_chars, line_array = _DMP.diff_linesToChars(old, new)
    pairs = patience(old_chars, new_chars, lambda a, b: _dmp_gap(a, b, deadline))
    old_lines = [line_array[ord(char)] for char in old_chars]
    new_lines = [line_array[ord(char)] for char in new_chars]
    blocks: list[_Block] = []
    i = j = 0
    for a, b, size in [*_runs(pairs), (len(old_lines), len(new_lines), 0)]:
        if a > i or b > j:
            blocks.append(_Block(False, i, old_lines[i:a], j, new_lines[j:b]))
        if size:
            blocks.append(_Block(True, a, old_lines[a : a + size], b, new_lines[b : b + size]))
        i, j = a + size, b + size
    return blocks


def _dmp_gap(old: Sequence[str], new: Sequence[str], deadline: _Deadline) -> Pairs:
    """Equal positions in a stretch of encoded lines, by diff-match-patch under the deadline."""
    pairs: Pairs = []
    i = j = 0
    for op, chars in deadline.diff("".join(old), "".join(new)):
        if op == diff_match_patch.DIFF_EQUAL:
            pairs += [(i + k, j + k) for k in range(len(chars))]
        i += 0 if op == diff_match_patch.DIFF_INSERT else len(chars)
        j += 0 if op == diff_match_patch.DIFF_DELETE else len(chars)
    return pairs


def _runs(pairs: Pairs) -> list[tuple[int, int, int]]:
    """Consecutive pairs merged into runs: (old start, new start, length)."""
    runs: list[tuple[int, int, int]] = []
    for i, j in pairs:
        if runs and runs[-1][0] + runs[-1][2] == i and runs[-1][1] + runs[-1][2] == j:
            runs[-1] = (runs[-1][0], runs[-1][1], runs[-1][2] + 1)
        else:
            runs.append((i, j, 1))
    return runs


def _hunk_spans(blocks: list[_Block], context: int) -> list[tuple[int, int]]:
    """First and last changed block of each hunk: changes closer than twice the context share
    one hunk, as in ``diff -u``. Blocks alternate between equal and changed."""
    spans: list[tuple[int, int]] = []
    for index, block in enumerate(blocks):
        if block.equal:
            continue
        if spans and len(blocks[index - 1].old) <= 2 * context:
            spans[-1] = (spans[-1][0], index)
        else:
            spans.append((index, index))
    return spans


def _hunk(blocks: list[_Block], span: tuple[int, int], context: int, deadline: _Deadline) -> Hunk:
    """One hunk: its changed blocks, the equal lines between them and ``context`` lines around.

    Only the lines shown become models: a 300 KB document has thousands of unchanged lines.
    """
    first, last = span
    lead = len(blocks[first - 1].old) if first else 0
    trail = len(blocks[last + 1].old) if last + 1 < len(blocks) else 0
    lines = _equal_lines(blocks[first - 1], lead - min(context, lead), lead) if first else []
    for block in blocks[first : last + 1]:
        lines += _changed_lines(block, deadline) if not block.equal else _equal_lines(block)
    if trail:
        lines += _equal_lines(blocks[last + 1], 0, min(context, trail))
    old_count = sum(1 for line in lines if line.op != "insert")
    new_count = sum(1 for line in lines if line.op != "delete")
    return Hunk(
        old_start=blocks[first].old_start - min(context, lead) + (1 if old_count else 0),
        old_count=old_count,
        new_start=blocks[first].new_start - min(context, lead) + (1 if new_count else 0),
        new_count=new_count,
        lines=lines,
    )


def _equal_lines(block: _Block, start: int = 0, stop: int | None = None) -> list[DiffLine]:
    return [
        DiffLine(
            op="equal",
            old_number=block.old_start + offset + 1,
            new_number=block.new_start + offset + 1,
            text=line.rstrip("\n"),
        )
        for offset, line in enumerate(block.old[start:stop], start=start)
    ]


def _changed_lines(block: _Block, deadline: _Deadline) -> list[DiffLine]:
    old_segments, new_segments = _refine(block, deadline)
    deleted = [
        DiffLine(
            op="delete",
            old_number=block.old_start + offset + 1,
            new_number=None,
            text=line.rstrip("\n"),
            segments=segments,
        )
        for offset, (line, segments) in enumerate(zip(block.old, old_segments, strict=True))
    ]
    inserted = [
        DiffLine(
            op="insert",
            old_number=None,
            new_number=block.new_start + offset + 1,
            text=line.rstrip("\n"),
            segments=segments,
        )
        for offset, (line, segments) in enumerate(zip(block.new, new_segments, strict=True))
    ]
    return deleted + inserted


LINE_SIMILARITY = 0.7
"""Word similarity from which a deleted and an inserted line of one block are shown as one edited
line, with the changed words marked. Below it the line was rewritten, and a word diff of it would
be confetti that costs O(length × differences) in pure Python."""
LINE_WINDOW = 20
"""How many inserted lines ahead an edited line's new form is looked for."""


def _refine(block: _Block, deadline: _Deadline) -> tuple[list[list[Segment]], list[list[Segment]]]:
    """Segments for each line of a replaced block: edited lines word by word, the rest whole."""
    old = [line.rstrip("\n") for line in block.old]
    new = [line.rstrip("\n") for line in block.new]
    old_segments = [[Segment(op="delete", text=line)] if line else [] for line in old]
    new_segments = [[Segment(op="insert", text=line)] if line else [] for line in new]
    for i, j in _edited_lines(old, new):
        segments = _inline_segments(old[i], new[j], deadline)
        old_segments[i] = [s for s in segments if s.op != "insert"]
        new_segments[j] = [s for s in segments if s.op != "delete"]
    return old_segments, new_segments


def _edited_lines(old: list[str], new: list[str]) -> Iterator[tuple[int, int]]:
    """Pairs, in order, of a deleted and an inserted line similar enough to be one edited line.

    The line in the same place is the usual answer, and shared ends say so without counting
    words; otherwise the most similar line within :data:`LINE_WINDOW` by words, if one is.
    """
    bags: dict[int, Counter[str]] = {}
    start = 0
    for i, line in enumerate(old):
        window = range(start, min(len(new), start + LINE_WINDOW))
        if not window:
            return
        head, tail = _shared_ends(line, new[start])
        if head + tail >= LINE_SIMILARITY * max(len(line), len(new[start])):
            yield i, start
            start += 1
            continue
        bag = _bag_of_words(line)
        for k in window:
            if k not in bags:
                bags[k] = _bag_of_words(new[k])
        score, j = max((dice(bag, bags[k]), k) for k in window)
        if score >= LINE_SIMILARITY:
            yield i, j
            start = j + 1


def _shared_ends(old: str, new: str) -> tuple[int, int]:
    """Lengths of the common prefix and (after it) the common suffix of two texts."""
    head = _DMP.diff_commonPrefix(old, new)
    return head, _DMP.diff_commonSuffix(old[head:], new[head:])


def _bag_of_words(text: str) -> Counter[str]:
    return Counter(WORD.findall(text.lower()))


_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
_DIGIT = re.compile(r"\d")
CHAR_REFINE_LIMIT = 64
"""Longest replaced run of words (in characters) that is diffed character by character: a few
words ("licence" → "license"). Beyond that a character diff is confetti, and a random link token
of 150 characters costs tens of milliseconds of pure-Python bisection. Runs with digits stay
whole: "$100" → "$50" reads better than a shared trailing zero."""


def inline_segments(old: str, new: str, *, timeout: float = DEFAULT_TIMEOUT) -> list[Segment]:
    """The inline diff of two short texts (two versions of a clause, say): see below."""
    return _inline_segments(old, new, _Deadline(timeout))


def _inline_segments(old: str, new: str, deadline: _Deadline) -> list[Segment]:
    """Words first, then characters inside each replaced run of words, tidied for reading.

    The shared start and end (cut at word boundaries) are set aside first: most edited lines
    differ in a few words. The middle is diffed with ``diff_linesToChars``' trick one level down
    (each distinct word, space run or punctuation mark becomes one character), so a paragraph
    whose links carry new random tokens costs a few hundred symbols, not a character bisection.
    """
    head, tail = _word_bounded(old, new, *_shared_ends(old, new))
    old_middle, new_middle = old[head : len(old) - tail], new[head : len(new) - tail]
    old_chars, new_chars, tokens = _encode(_TOKEN.findall(old_middle), _TOKEN.findall(new_middle))
    middle = deadline.diff(old_chars, new_chars)
    _DMP.diff_charsToLines(middle, tokens)
    diffs = [
        (op, text)
        for op, text in (
            (diff_match_patch.DIFF_EQUAL, old[:head]),
            *_refine_characters(middle, deadline),
            (diff_match_patch.DIFF_EQUAL, old[len(old) - tail :]),
        )
        if text
    ]
    _DMP.diff_cleanupSemantic(diffs)
    return _merged(Segment(op=_OPS[op], text=text) for op, text in diffs if text)


def _merged(segments: Iterable[Segment]) -> list[Segment]:
    """Adjacent segments of one kind joined (the set-aside ends meet the middle's equal runs).

    Not ``diff_cleanupMerge``: it would pull a shared "0" out of "$100" → "$50" again.
    """
    merged: list[Segment] = []
    for segment in segments:
        if merged and merged[-1].op == segment.op:
            merged[-1] = Segment(op=segment.op, text=merged[-1].text + segment.text)
        else:
            merged.append(segment)
    return merged


def _word_bounded(old: str, new: str, head: int, tail: int) -> tuple[int, int]:
    """Shrink a shared start and end so that neither cuts a word of either text in two."""
    while head and _word_at(old, head - 1) and (_word_at(old, head) or _word_at(new, head)):
        head -= 1
    while (
        tail
        and _word_at(old, len(old) - tail)
        and (_word_at(old, len(old) - tail - 1) or _word_at(new, len(new) - tail - 1))
    ):
        tail -= 1
    return head, tail


def _word_at(text: str, index: int) -> bool:
    return 0 <= index < len(text) and (text[index].isalnum() or text[index] == "_")


def _encode(old: Iterable[str], new: Iterable[str]) -> tuple[str, str, list[str]]:
    """``diff_linesToChars``' trick for any units: each distinct unit becomes one character."""
    units: list[str] = [""]  # as in diff-match-patch: no unit is encoded as "\x00"
    index: dict[str, int] = {}

    def encode(items: Iterable[str]) -> str:
        chars = []
        for item in items:
            if item not in index:
                index[item] = len(units)
                units.append(item)
            chars.append(chr(index[item]))
        return "".join(chars)

    return encode(old), encode(new), units


def _refine_characters(diffs: list[tuple[int, str]], deadline: _Deadline) -> list[tuple[int, str]]:
    """Replace each short deleted-then-inserted run of words (without digits) by its character
    diff."""
    refined: list[tuple[int, str]] = []
    for op, text in diffs:
        previous = refined[-1] if refined else None
        if (
            op == diff_match_patch.DIFF_INSERT
            and previous is not None
            and previous[0] == diff_match_patch.DIFF_DELETE
            and max(len(previous[1]), len(text)) <= CHAR_REFINE_LIMIT
            and not _DIGIT.search(previous[1] + text)
        ):
            refined[-1:] = deadline.diff(previous[1], text)
        else:
            refined.append((op, text))
    return refined


def _range(start: int, count: int) -> str:
    """A unified-diff range: ``3`` for one line, ``3,4`` otherwise (difflib's convention)."""
    return str(start) if count == 1 else f"{start},{count}"
