"""What changed between two versions of a document, and whether it matters.

Two views of one change. The *text diff* is for reading: diff-match-patch compares lines first
(each line hashed to one character, so a 300 KB document is a diff of a few thousand symbols),
then refines only the changed blocks: an edited line word by word, and short replaced runs of
words character by character, so a reader sees the two words that changed inside a long
paragraph. One deadline bounds the whole computation: past it, diff-match-patch gives a coarser
but still correct diff, and the result says so.

The *clause diff* is for judging: the clauses of the two analyses are aligned (unchanged ones in
order, then identical ones that moved, then lightly edited ones near where they were), and the
findings are compared by clause type and fairness, never by offsets, so a paragraph inserted above
a clause does not make its findings "new". Each change gets a class:

- **material**: a clause type (with its fairness) appears in or disappears from the document, a
  tracked attribute changes (liability cap, governing law, notice…), or the caller says the grade
  moved;
- **substantive**: words changed, no finding moved;
- **cosmetic**: only what :func:`normalise` removes changed (whitespace, punctuation, letter case,
  list and section numbering, Markdown heading and emphasis markers, link targets, URL query
  strings and per-request tokens).

A re-extraction (``technical_upgrade``) or a suspect capture on either side is never material: the
service did not change its terms, our view of the page did.
"""

from __future__ import annotations

import re
import time
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import pairwise
from typing import Literal
from urllib.parse import urlsplit

from diff_match_patch import diff_match_patch  # type: ignore[import-untyped]
from pydantic import BaseModel, Field

from tosanalyzer.models import AnalysisResult, Attributes, Clause, Finding, Money, VersionKind

DEFAULT_TIMEOUT = 1.0
"""Seconds a text diff may take before it goes coarse (the largest real pairs take < 0.1 s)."""
DEFAULT_CONTEXT = 3
"""Unchanged lines shown around each change, as in ``diff -u``."""

SegmentOp = Literal["equal", "insert", "delete"]
ChangeClass = Literal["material", "substantive", "cosmetic"]
ChangeKind = Literal["added", "removed", "modified", "moved"]
Fairness = Literal["unfair", "fair"] | None

_CLASS_RANK: dict[ChangeClass, int] = {"cosmetic": 0, "substantive": 1, "material": 2}
_OPS: dict[int, SegmentOp] = {
    diff_match_patch.DIFF_EQUAL: "equal",
    diff_match_patch.DIFF_INSERT: "insert",
    diff_match_patch.DIFF_DELETE: "delete",
}


class DiffError(ValueError):
    """Two analyses that cannot be compared; the message says why and what to do."""


# --- alignment shared by both diffs --------------------------------------------------------------

_Pairs = list[tuple[int, int]]
_GapAligner = Callable[[Sequence[str], Sequence[str]], _Pairs]


def _patience(old: Sequence[str], new: Sequence[str], gap: _GapAligner) -> _Pairs:
    """Positions of equal items in both sequences, in order (patience diff).

    Items that occur once in each sequence anchor the alignment (the longest in-order run of
    them); the stretches between anchors are aligned the same way, down to stretches without such
    items, which ``gap`` aligns. Near-linear on documents, where a plain longest common
    subsequence over thousands of lines or clauses, with hundreds of blank lines, repeated headings
    and bare section numbers, costs length × differences.
    """
    found: _Pairs = []
    stack = [(0, len(old), 0, len(new))]
    while stack:
        a0, a1, b0, b1 = stack.pop()
        while a0 < a1 and b0 < b1 and old[a0] == new[b0]:
            found.append((a0, b0))
            a0, b0 = a0 + 1, b0 + 1
        while a0 < a1 and b0 < b1 and old[a1 - 1] == new[b1 - 1]:
            a1, b1 = a1 - 1, b1 - 1
            found.append((a1, b1))
        if a0 == a1 or b0 == b1:
            continue
        unique = _unique_pairs(old, new, a0, a1, b0, b1)
        if not unique:
            found += [(a0 + i, b0 + j) for i, j in gap(old[a0:a1], new[b0:b1])]
            continue
        found += unique
        bounds = [(a0 - 1, b0 - 1), *unique, (a1, b1)]
        stack += [(i + 1, i2, j + 1, j2) for (i, j), (i2, j2) in pairwise(bounds)]
    return sorted(found)


def _unique_pairs(
    old: Sequence[str], new: Sequence[str], a0: int, a1: int, b0: int, b1: int
) -> _Pairs:
    """Items found once in each stretch, paired, reduced to their longest in-order run."""
    old_count, new_count = Counter(old[a0:a1]), Counter(new[b0:b1])
    new_at = {new[j]: j for j in range(b0, b1) if new_count[new[j]] == 1}
    candidates = [
        (i, new_at[old[i]]) for i in range(a0, a1) if old_count[old[i]] == 1 and old[i] in new_at
    ]
    return _longest_increasing(candidates)


def _longest_increasing(pairs: _Pairs) -> _Pairs:
    """The longest subsequence of ``pairs`` (sorted by old position) rising in new position."""
    tails: list[int] = []  # tails[k]: index in pairs of the smallest end of a run of length k+1
    tail_values: list[int] = []
    before: list[int] = [-1] * len(pairs)
    for index, (_, j) in enumerate(pairs):
        k = bisect_left(tail_values, j)
        before[index] = tails[k - 1] if k else -1
        tails[k : k + 1] = [index]
        tail_values[k : k + 1] = [j]
    run = []
    at = tails[-1] if tails else -1
    while at >= 0:
        run.append(pairs[at])
        at = before[at]
    return run[::-1]


def _sequence_matcher_gap(old: Sequence[str], new: Sequence[str]) -> _Pairs:
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    return [(m.a + k, m.b + k) for m in matcher.get_matching_blocks() for k in range(m.size)]


# --- text diff ---------------------------------------------------------------------------------


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
    pairs = _patience(old_chars, new_chars, lambda a, b: _dmp_gap(a, b, deadline))
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


def _dmp_gap(old: Sequence[str], new: Sequence[str], deadline: _Deadline) -> _Pairs:
    """Equal positions in a stretch of encoded lines, by diff-match-patch under the deadline."""
    pairs: _Pairs = []
    i = j = 0
    for op, chars in deadline.diff("".join(old), "".join(new)):
        if op == diff_match_patch.DIFF_EQUAL:
            pairs += [(i + k, j + k) for k in range(len(chars))]
        i += 0 if op == diff_match_patch.DIFF_INSERT else len(chars)
        j += 0 if op == diff_match_patch.DIFF_DELETE else len(chars)
    return pairs


def _runs(pairs: _Pairs) -> list[tuple[int, int, int]]:
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
        score, j = max((_dice(bag, bags[k]), k) for k in window)
        if score >= LINE_SIMILARITY:
            yield i, j
            start = j + 1


def _shared_ends(old: str, new: str) -> tuple[int, int]:
    """Lengths of the common prefix and (after it) the common suffix of two texts."""
    head = _DMP.diff_commonPrefix(old, new)
    return head, _DMP.diff_commonSuffix(old[head:], new[head:])


def _bag_of_words(text: str) -> Counter[str]:
    return Counter(_WORD.findall(text.lower()))


def _dice(a: Counter[str], b: Counter[str]) -> float:
    """Share of words two texts have in common, repeats counted (the Dice coefficient)."""
    total = a.total() + b.total()
    return 2 * (a & b).total() / total if total else 0.0


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


# --- normalisation -----------------------------------------------------------------------------

_LINK = re.compile(r"!?\[([^\]]*)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
_REFERENCE_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_URL = re.compile(r"<?\b(?:https?://|www\.)[^\s<>()\[\]]+>?")
_TOKEN_IN_PATH = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"  # a UUID
    r"|(?=[a-z_-]*\d)[a-z0-9_-]{20,}"  # a long run of letters mixed with digits
)
_ENUMERATOR = (
    r"(?:\(?(?:\d{1,3}(?:\\?\.\d{1,3})*|[a-z]|[ivx]{1,6})\\?[.):]\)?"  # 1.  1.2.  a)  (iv)  ii.
    r"|\((?:\d{1,3}|[a-z]|[ivx]{1,6})\)"
    r"|\d{1,3}(?:\\?\.\d{1,3})+)"  # 12.2 (no closing dot)
)
_LEAD = re.compile(
    r"^[\s>#*_+•·-]*(?:(?:section|article|clause|§)\s*)?"
    rf"(?:{_ENUMERATOR}[*_]*(?=\s|$)[\s*_]*)+",
    re.MULTILINE,
)
_CROSS_REFERENCE = re.compile(
    r"\b(sections?|articles?|clauses?|paragraphs?|§+)\s*\d{1,3}(?:\.\d{1,3})*(?:\([a-z0-9]{1,4}\))*"
)
_INLINE_ENUMERATOR = re.compile(r"(?<!\w)\((?:[ivx]{1,6}|[a-z]|\d{1,2})\)")
_WORD = re.compile(r"[^\W_]+")


def normalise(text: str) -> str:
    """The words of a text, without what a cosmetic edit may change.

    Two texts with the same normal form differ only in whitespace, punctuation, letter case,
    list and section numbering (also in cross-references: "see Section 12"), Markdown heading and
    emphasis markers, link targets (``[text](url)`` keeps the text) and, in URLs written out, query
    strings, fragments and per-request tokens (UUIDs, long mixed letter-digit runs).
    Each rewrite runs only when its cue is in the text: thousands of clauses per diff.
    """
    text = unicodedata.normalize("NFKC", text).lower()
    if "](" in text:
        text = _LINK.sub(r"\1", text)
    if "][" in text:
        text = _REFERENCE_LINK.sub(r"\1", text)
    if "http" in text or "www." in text:
        text = _URL.sub(lambda match: _bare_url(match.group()), text)
    text = _LEAD.sub(" ", text)
    if "(" in text:
        text = _INLINE_ENUMERATOR.sub(" ", text)
    text = _CROSS_REFERENCE.sub(r"\1", text)
    return " ".join(_WORD.findall(text))


def _bare_url(url: str) -> str:
    """A written-out URL as host and path, without query, fragment or token-like segments."""
    url = url.strip("<>")
    parts = urlsplit(url if "://" in url else f"http://{url}")
    path = "/".join(s for s in parts.path.split("/") if not _TOKEN_IN_PATH.search(s))
    return f" {parts.hostname or ''} {path} "


# --- clause diff: models -----------------------------------------------------------------------


class VersionFacts(BaseModel):
    """What the caller knows about a version beyond its analysis."""

    kind: VersionKind = "change"
    suspect: str | None = Field(
        default=None, description="Why the text looks like an error page (the store's flag)."
    )
    grade: str | None = Field(
        default=None, description="The version's grade, if assessed: a new grade is material."
    )


class ClauseChange(BaseModel):
    """One clause added, removed, edited or moved: its class and why, both texts and places."""

    kind: ChangeKind
    change_class: ChangeClass
    reasons: list[str] = Field(description="Why this class, in words.")
    old_index: int | None = None
    new_index: int | None = None
    old_section_path: list[str] | None = None
    new_section_path: list[str] | None = None
    old_text: str | None = None
    new_text: str | None = None
    similarity: float | None = Field(
        default=None, description="Word similarity of the normalised texts (0–1)."
    )
    findings_gained: list[str] = Field(default_factory=list, description="On this clause.")
    findings_lost: list[str] = Field(default_factory=list, description="On this clause.")


class FindingDelta(BaseModel):
    """A clause type (with its fairness) that the document gained or lost."""

    clause_type: str
    fairness: Fairness
    label: str
    change: Literal["gained", "lost"]
    section_paths: list[str] = Field(
        description="Where the findings are (new version if gained, old one if lost)."
    )
    quotes: list[str] = Field(
        default_factory=list,
        description="The findings' clauses, verbatim, in document order (the evidence a reader"
        " of an alert needs without opening the store).",
    )


class AttributeDelta(BaseModel):
    attribute: str
    label: str
    clause_types: list[str] = Field(
        default_factory=list,
        description="The clause types whose findings carry this attribute (how much it matters"
        " is theirs: an alert takes its severity from them).",
    )
    old: str = Field(description="'none' when the old version states nothing.")
    new: str
    summary: str = Field(description="'liability cap: $100 → $50'")


class ClauseDiff(BaseModel):
    pattern_library_version: str
    change_class: ChangeClass
    reasons: list[str] = Field(description="What makes the whole diff material, in words.")
    capped_because: str | None = Field(
        default=None, description="Why this diff may not be material whatever it contains."
    )
    changes: list[ClauseChange]
    findings_gained: list[FindingDelta]
    findings_lost: list[FindingDelta]
    attribute_deltas: list[AttributeDelta]

    def count(self, kind: ChangeKind) -> int:
        return sum(1 for change in self.changes if change.kind == kind)


# --- clause diff: tracked attributes -----------------------------------------------------------

_CURRENCY_SIGNS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


def _money(money: Money) -> str:
    amount = f"{money.amount:,.0f}" if money.amount.is_integer() else f"{money.amount:,.2f}"
    sign = _CURRENCY_SIGNS.get(money.currency)
    return f"{sign}{amount}" if sign else f"{amount} {money.currency}"


def _cap(attributes: Attributes) -> list[str]:
    if not attributes.money:
        return []
    amounts = " / ".join(_money(m) for m in attributes.money)
    rule = attributes.money_rule.replace("_", " ") if attributes.money_rule else None
    return [f"{rule} {amounts}" if rule and len(attributes.money) > 1 else amounts]


def _days(attributes: Attributes) -> list[str]:
    days = attributes.notice_days
    return [] if days is None else [f"{days} day{'s' if days != 1 else ''}"]


def _period(attributes: Attributes) -> list[str]:
    period = attributes.period
    if period is None:
        return []
    return [f"{period.value} {period.unit}{'s' if period.value != 1 else ''}"]


@dataclass(frozen=True)
class TrackedAttribute:
    """An attribute compared across versions: which findings carry it and how it reads."""

    key: str
    label: str
    clause_types: frozenset[str]
    read: Callable[[Attributes], list[str]]


TRACKED_ATTRIBUTES: tuple[TrackedAttribute, ...] = (
    TrackedAttribute("liability_cap", "liability cap", frozenset({"liability_cap_amount"}), _cap),
    TrackedAttribute(
        "liability_cap_period", "liability cap period", frozenset({"liability_cap_amount"}), _period
    ),
    TrackedAttribute(
        "governing_law",
        "governing law",
        frozenset({"choice_of_law"}),
        lambda a: [a.governing_law] if a.governing_law else [],
    ),
    TrackedAttribute(
        "venue", "venue", frozenset({"jurisdiction"}), lambda a: [a.venue] if a.venue else []
    ),
    TrackedAttribute(
        "change_notice",
        "notice of changes",
        frozenset({"unilateral_change", "changes_without_notice"}),
        _days,
    ),
    TrackedAttribute(
        "termination_notice",
        "notice of termination",
        frozenset({"unilateral_termination", "suspension_without_notice"}),
        _days,
    ),
    TrackedAttribute("renewal_period", "renewal period", frozenset({"auto_renewal"}), _period),
    TrackedAttribute("renewal_notice", "renewal notice", frozenset({"auto_renewal"}), _days),
    TrackedAttribute(
        "transfer_countries",
        "transfer countries",
        frozenset({"cross_border_transfer"}),
        lambda a: list(a.countries),
    ),
)
"""The attributes whose change is material, with the words a reviewer reads them in."""


def _attribute_values(findings: Iterable[Finding]) -> dict[str, frozenset[str]]:
    values: dict[str, set[str]] = defaultdict(set)
    for finding in findings:
        for tracked in TRACKED_ATTRIBUTES:
            if finding.clause_type in tracked.clause_types:
                values[tracked.key].update(tracked.read(finding.attributes))
    return {key: frozenset(found) for key, found in values.items() if found}


def _shown(values: frozenset[str] | None) -> str:
    return ", ".join(sorted(values)) if values else "none"


def _attribute_deltas(old: list[Finding], new: list[Finding]) -> list[AttributeDelta]:
    before, after = _attribute_values(old), _attribute_values(new)
    deltas = []
    for tracked in TRACKED_ATTRIBUTES:
        was, now = before.get(tracked.key), after.get(tracked.key)
        if was != now:
            deltas.append(
                AttributeDelta(
                    attribute=tracked.key,
                    label=tracked.label,
                    clause_types=sorted(tracked.clause_types),
                    old=_shown(was),
                    new=_shown(now),
                    summary=f"{tracked.label}: {_shown(was)} → {_shown(now)}",
                )
            )
    return deltas


# --- clause diff: findings ---------------------------------------------------------------------

_Key = tuple[str, Fairness]


def _key(finding: Finding) -> _Key:
    return finding.clause_type, finding.fairness


def _label(key: _Key) -> str:
    clause_type, fairness = key
    return f"{clause_type} (fair form)" if fairness == "fair" else clause_type


_NO_HEADING = "(before any heading)"


def _finding_deltas(
    old: list[Finding], new: list[Finding]
) -> tuple[list[FindingDelta], list[FindingDelta]]:
    """Clause types (with fairness) present in one version only: compared by type, not offset."""
    old_keys, new_keys = set(map(_key, old)), set(map(_key, new))

    def delta(key: _Key, change: Literal["gained", "lost"], where: list[Finding]) -> FindingDelta:
        found = [f for f in where if _key(f) == key]
        paths = sorted({" > ".join(f.section_path) or _NO_HEADING for f in found})
        return FindingDelta(
            clause_type=key[0],
            fairness=key[1],
            label=_label(key),
            change=change,
            section_paths=paths,
            quotes=list(dict.fromkeys(f.quote for f in sorted(found, key=lambda f: f.start))),
        )

    order = _sorted_keys(old_keys ^ new_keys)
    gained = [delta(k, "gained", new) for k in order if k in new_keys]
    lost = [delta(k, "lost", old) for k in order if k in old_keys]
    return gained, lost


# --- clause diff: alignment --------------------------------------------------------------------

SIMILARITY_THRESHOLD = 0.6
"""Word similarity (Dice coefficient over the words counted with repeats) from which an unpaired
old and new clause are one edited clause. Word order is ignored: it is cheap (a clause diff of
the largest real documents must stay well under 300 ms) and an edit rarely reorders a sentence."""
_JACCARD_FLOOR = 0.3
"""Word-set overlap below which the (costlier) word-count similarity is not computed."""
WINDOW = 40
"""How far (in clauses) from its expected place an edited clause is looked for."""


@dataclass
class _Side:
    """One version's clauses with their normal forms; word bags only for the clauses that need
    them (unpaired ones), as building them for thousands of unchanged clauses is most of the cost.
    """

    clauses: list[Clause]
    norms: list[str]
    bags: dict[int, _Bag] = field(default_factory=dict)

    @classmethod
    def of(cls, clauses: list[Clause], seen: dict[str, str]) -> _Side:
        """``seen`` shares normal forms between the two versions: most clauses are in both."""
        for clause in clauses:
            if clause.text not in seen:
                seen[clause.text] = normalise(clause.text)
        return cls(clauses, [seen[clause.text] for clause in clauses])

    def bag(self, i: int) -> _Bag:
        if i not in self.bags:
            self.bags[i] = _Bag.of(self.norms[i])
        return self.bags[i]


@dataclass(frozen=True)
class _Bag:
    words: list[str]
    distinct: frozenset[str]
    counts: Counter[str]

    @classmethod
    def of(cls, norm: str) -> _Bag:
        words = norm.split()
        return cls(words, frozenset(words), Counter(words))


@dataclass(frozen=True)
class _Pair:
    old: int | None
    new: int | None
    moved: bool = False
    similarity: float = 1.0


def _align(old: _Side, new: _Side) -> list[_Pair]:
    """Every clause of both sides once: in-order pairs, moved pairs, edited pairs, the rest alone.

    1. Unchanged clauses: equal normalised texts in order (:func:`_patience`): the anchors.
    2. Moved: an unpaired clause whose normalised text equals an unpaired one elsewhere.
    3. Edited: unpaired clauses near where the anchors say they should be, paired best-first by
       word similarity above :data:`SIMILARITY_THRESHOLD`.
    """
    anchors = _patience(old.norms, new.norms, _sequence_matcher_gap)
    pairs = [_Pair(i, j) for i, j in anchors]
    old_free = sorted(set(range(len(old.norms))) - {i for i, _ in anchors})
    new_free = sorted(set(range(len(new.norms))) - {j for _, j in anchors})
    place = _Placement(anchors, len(old.norms), len(new.norms))
    for matcher in (_same_text, _similar_text):
        found = matcher(old, new, old_free, new_free, place)
        pairs += [
            _Pair(i, j, moved=not place.in_place(i, j), similarity=score) for i, j, score in found
        ]
        old_free = sorted(set(old_free) - {i for i, _, _ in found})
        new_free = sorted(set(new_free) - {j for _, j, _ in found})
    pairs += [_Pair(i, None) for i in old_free] + [_Pair(None, j) for j in new_free]
    return _in_reading_order(pairs)


def _in_reading_order(pairs: list[_Pair]) -> list[_Pair]:
    """New-document order; a removed clause just after the clause that preceded it, if kept."""
    kept = sorted(
        (p.old, p.new) for p in pairs if p.old is not None and p.new is not None and not p.moved
    )
    kept_old = [i for i, _ in kept]

    def key(pair: _Pair) -> tuple[float, int]:
        if pair.new is not None:
            return pair.new, 0
        assert pair.old is not None
        k = bisect_left(kept_old, pair.old)
        return (kept[k - 1][1] if k else -1) + 0.5, pair.old

    return sorted(pairs, key=key)


class _Placement:
    """Where an old clause would sit in the new version, judging by the anchors around it."""

    def __init__(self, anchors: list[tuple[int, int]], old_size: int, new_size: int) -> None:
        self.old_at = [i for i, _ in anchors]
        self.new_at = [j for _, j in anchors]
        self.old_size, self.new_size = old_size, new_size

    def bounds(self, i: int) -> tuple[int, int]:
        """The new positions of the anchors before and after old clause ``i`` (exclusive)."""
        k = bisect_left(self.old_at, i)
        low = self.new_at[k - 1] if k else -1
        high = self.new_at[k] if k < len(self.new_at) else self.new_size
        return low, high

    def expected(self, i: int) -> int:
        k = bisect_left(self.old_at, i)
        return (self.new_at[k - 1] + i - self.old_at[k - 1]) if k else i

    def proportional(self, i: int) -> int:
        """Old clause ``i``'s place scaled into the new stretch between the same anchors."""
        k = bisect_left(self.old_at, i)
        old_low = self.old_at[k - 1] if k else -1
        old_high = self.old_at[k] if k < len(self.old_at) else self.old_size
        low, high = self.bounds(i)
        return low + round((i - old_low) * (high - low) / (old_high - old_low))

    def in_place(self, i: int, j: int) -> bool:
        low, high = self.bounds(i)
        return low < j < high


_Match = tuple[int, int, float]


def _same_text(
    old: _Side, new: _Side, old_free: list[int], new_free: list[int], place: _Placement
) -> list[_Match]:
    """Identical (normalised) clauses out of their place: moved, paired with the nearest one."""
    waiting: dict[str, list[int]] = defaultdict(list)
    for j in new_free:
        if new.norms[j]:
            waiting[new.norms[j]].append(j)
    found = []
    for i in old_free:
        candidates = waiting.get(old.norms[i])
        if candidates:
            j = min(candidates, key=lambda c: abs(c - place.expected(i)))
            candidates.remove(j)
            found.append((i, j, 1.0))
    return found


def _similar_text(
    old: _Side, new: _Side, old_free: list[int], new_free: list[int], place: _Placement
) -> list[_Match]:
    """Edited clauses: best-first pairs of similar clauses within :data:`WINDOW` of their place."""
    scored = []
    for i in old_free:
        if not old.norms[i]:
            continue
        expected = place.expected(i)
        for j in _near(new_free, (expected, place.proportional(i))):
            score = _similarity(old, new, i, j)
            if score >= SIMILARITY_THRESHOLD:
                scored.append((score, -abs(j - expected), i, j))
    taken_old: set[int] = set()
    taken_new: set[int] = set()
    found = []
    for score, _, i, j in sorted(scored, reverse=True):
        if i not in taken_old and j not in taken_new:
            taken_old.add(i)
            taken_new.add(j)
            found.append((i, j, score))
    return found


def _near(free: list[int], centres: Iterable[int]) -> set[int]:
    """The free positions within :data:`WINDOW` of any of the centres."""
    return {
        j
        for centre in centres
        for j in free[bisect_left(free, centre - WINDOW) : bisect_right(free, centre + WINDOW)]
    }


def _similarity(old: _Side, new: _Side, i: int, j: int) -> float:
    a, b = old.bag(i), new.bag(j)
    if not b.words or len(a.distinct & b.distinct) < _JACCARD_FLOOR * len(a.distinct | b.distinct):
        return 0.0
    return _dice(a.counts, b.counts)


# --- clause diff: classification ---------------------------------------------------------------


@dataclass(frozen=True)
class _Judge:
    """The document-level facts each clause change is judged against."""

    old: _Side
    new: _Side
    old_findings: dict[int, list[Finding]]
    new_findings: dict[int, list[Finding]]
    gained: frozenset[_Key]
    lost: frozenset[_Key]
    attributes: dict[str, str]
    cosmetic_old: frozenset[int]
    cosmetic_new: frozenset[int]

    def change(self, pair: _Pair) -> ClauseChange | None:
        old = self.old.clauses[pair.old] if pair.old is not None else None
        new = self.new.clauses[pair.new] if pair.new is not None else None
        if old is not None and new is not None and old.text == new.text and not pair.moved:
            return None
        old_found = self.old_findings.get(pair.old, []) if pair.old is not None else []
        new_found = self.new_findings.get(pair.new, []) if pair.new is not None else []
        old_keys, new_keys = set(map(_key, old_found)), set(map(_key, new_found))
        material = self._material(old_keys, new_keys, old_found, new_found)
        change_class, reasons = ("material", material) if material else self._wording(pair)
        return ClauseChange(
            kind=_kind(pair),
            change_class=change_class,
            reasons=reasons,
            old_index=pair.old,
            new_index=pair.new,
            old_section_path=old.section_path if old else None,
            new_section_path=new.section_path if new else None,
            old_text=old.text if old else None,
            new_text=new.text if new else None,
            similarity=round(pair.similarity, 3) if old and new else None,
            findings_gained=[_label(k) for k in _sorted_keys(new_keys - old_keys)],
            findings_lost=[_label(k) for k in _sorted_keys(old_keys - new_keys)],
        )

    def _material(
        self, old_keys: set[_Key], new_keys: set[_Key], old: list[Finding], new: list[Finding]
    ) -> list[str]:
        """The document-level deltas this clause carries: a finding or an attribute it moved."""
        gained = _sorted_keys((new_keys - old_keys) & self.gained)
        lost = _sorted_keys((old_keys - new_keys) & self.lost)
        before, after = _attribute_values(old), _attribute_values(new)
        return [
            *(f"finding gained: {_label(k)}" for k in gained),
            *(f"finding lost: {_label(k)}" for k in lost),
            *(
                summary
                for key, summary in self.attributes.items()
                if before.get(key) != after.get(key)
            ),
        ]

    def _wording(self, pair: _Pair) -> tuple[ChangeClass, list[str]]:
        """Cosmetic when the clause's words, or those of the stretch it lies in, are unchanged."""
        old_words = (
            pair.old is None or pair.old in self.cosmetic_old or not self.old.norms[pair.old]
        )
        new_words = (
            pair.new is None or pair.new in self.cosmetic_new or not self.new.norms[pair.new]
        )
        if pair.old is not None and pair.new is not None:
            same = self.old.norms[pair.old] == self.new.norms[pair.new]
            if pair.moved:
                return "substantive", ["moved" if same else "moved, words changed"]
            if same or (old_words and new_words):
                return "cosmetic", [_COSMETIC]
            return "substantive", ["words changed"]
        if old_words and new_words:
            return "cosmetic", [_COSMETIC]
        return "substantive", ["words removed" if pair.old is not None else "words added"]


_COSMETIC = "layout only: whitespace, punctuation, numbering, markup or link targets"


def _sorted_keys(keys: Iterable[_Key]) -> list[_Key]:
    return sorted(keys, key=lambda k: (k[0], k[1] or ""))


def _kind(pair: _Pair) -> ChangeKind:
    if pair.old is None:
        return "added"
    if pair.new is None:
        return "removed"
    return "moved" if pair.moved else "modified"


def _cosmetic_regions(old: _Side, new: _Side, pairs: Sequence[_Pair]) -> tuple[set[int], set[int]]:
    """Clauses between two unchanged anchors whose words, joined, are the same on both sides.

    A punctuation edit can move a sentence boundary: one old clause becomes two new ones, which
    align as an edit plus an addition. Read together, the stretch has not changed a word.
    """
    cosmetic_old: set[int] = set()
    cosmetic_new: set[int] = set()
    stretch_old: list[int] = []
    stretch_new: list[int] = []

    def close() -> None:
        if _joined(old, stretch_old) == _joined(new, stretch_new):
            cosmetic_old.update(stretch_old)
            cosmetic_new.update(stretch_new)
        stretch_old.clear()
        stretch_new.clear()

    for pair in pairs:
        if pair.moved:
            continue
        if (
            pair.old is not None
            and pair.new is not None
            and old.norms[pair.old] == new.norms[pair.new]
        ):
            close()  # an anchor, or a clause edited only in its layout
            continue
        stretch_old.extend([pair.old] if pair.old is not None else [])
        stretch_new.extend([pair.new] if pair.new is not None else [])
    close()
    return cosmetic_old, cosmetic_new


def _joined(side: _Side, indices: list[int]) -> list[str]:
    return [word for i in sorted(indices) for word in side.bag(i).words]


def _by_clause(findings: list[Finding]) -> dict[int, list[Finding]]:
    grouped: dict[int, list[Finding]] = defaultdict(list)
    for finding in findings:
        grouped[finding.clause_index].append(finding)
    return grouped


def _cap_reason(old: VersionFacts, new: VersionFacts) -> str | None:
    if new.kind == "technical_upgrade":
        return "technical_upgrade: a re-extraction of the same page, not a change by the service"
    for side, facts in (("old", old), ("new", new)):
        if facts.suspect:
            return f"the {side} version is suspect ({facts.suspect})"
    return None


def diff_clauses(
    old: AnalysisResult,
    new: AnalysisResult,
    *,
    old_version: VersionFacts | None = None,
    new_version: VersionFacts | None = None,
) -> ClauseDiff:
    """Align the clauses of two analyses and classify every change and the whole diff.

    Both analyses must come from the same pattern library, or a rule change would read as a
    change of the terms: re-analyse the older text first. ``old_version``/``new_version`` carry the
    store's facts: a ``technical_upgrade`` new version or a suspect version on either side caps
    the class at substantive; different grades make the diff material.
    """
    _check_comparable(old, new)
    old_facts, new_facts = old_version or VersionFacts(), new_version or VersionFacts()
    seen: dict[str, str] = {}
    old_side, new_side = _Side.of(old.clauses, seen), _Side.of(new.clauses, seen)
    pairs = _align(old_side, new_side)
    gained, lost = _finding_deltas(old.findings, new.findings)
    attributes = _attribute_deltas(old.findings, new.findings)
    cosmetic_old, cosmetic_new = _cosmetic_regions(old_side, new_side, pairs)
    judge = _Judge(
        old=old_side,
        new=new_side,
        old_findings=_by_clause(old.findings),
        new_findings=_by_clause(new.findings),
        gained=frozenset((d.clause_type, d.fairness) for d in gained),
        lost=frozenset((d.clause_type, d.fairness) for d in lost),
        attributes={d.attribute: d.summary for d in attributes},
        cosmetic_old=frozenset(cosmetic_old),
        cosmetic_new=frozenset(cosmetic_new),
    )
    changes = [change for pair in pairs if (change := judge.change(pair)) is not None]
    reasons = [f"finding gained: {d.label}" for d in gained]
    reasons += [f"finding lost: {d.label}" for d in lost]
    reasons += [d.summary for d in attributes]
    if old_facts.grade and new_facts.grade and old_facts.grade != new_facts.grade:
        reasons.append(f"grade: {old_facts.grade} → {new_facts.grade}")
    cap = _cap_reason(old_facts, new_facts)
    return ClauseDiff(
        pattern_library_version=new.provenance.pattern_library_version,
        change_class=_overall(reasons, changes, cap),
        reasons=reasons,
        capped_because=cap,
        changes=[_capped(change, cap) for change in changes],
        findings_gained=gained,
        findings_lost=lost,
        attribute_deltas=attributes,
    )


def _check_comparable(old: AnalysisResult, new: AnalysisResult) -> None:
    was = old.provenance.pattern_library_version
    now = new.provenance.pattern_library_version
    if was != now:
        raise DiffError(
            f"the two analyses come from different pattern libraries ({was} and {now}):"
            " re-analyse the older version with the current library before comparing,"
            " or a rule change would read as a change of the terms"
        )


def _overall(reasons: list[str], changes: list[ClauseChange], cap: str | None) -> ChangeClass:
    worst: ChangeClass = (
        "material"
        if reasons
        else max(
            (change.change_class for change in changes),
            key=_CLASS_RANK.__getitem__,
            default="cosmetic",
        )
    )
    return "substantive" if cap and worst == "material" else worst


def _capped(change: ClauseChange, cap: str | None) -> ClauseChange:
    if cap is None or change.change_class != "material":
        return change
    return change.model_copy(
        update={"change_class": "substantive", "reasons": [*change.reasons, f"not material: {cap}"]}
    )
