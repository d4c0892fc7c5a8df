"""Which item of the old version is which item of the new: the part both diffs share.

A reader's line diff and a reviewer's clause diff ask the same question first, and both must
answer it fast on 300 KB documents with hundreds of repeated lines: patience anchors (items found
once on each side) cut the problem into stretches a slower aligner can afford. Clauses then need
two more passes a line diff does not: an identical clause that moved elsewhere, and a lightly
edited clause near where the anchors say it should be, so that an edit reads as one changed
clause rather than one removed and one added.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import pairwise

from tosanalyzer.change.normalisation import normalise
from tosanalyzer.models import Clause

Pairs = list[tuple[int, int]]
_GapAligner = Callable[[Sequence[str], Sequence[str]], Pairs]


def patience(old: Sequence[str], new: Sequence[str], gap: _GapAligner) -> Pairs:
    """Positions of equal items in both sequences, in order (patience diff).

    Items that occur once in each sequence anchor the alignment (the longest in-order run of
    them); the stretches between anchors are aligned the same way, down to stretches without such
    items, which ``gap`` aligns. Near-linear on documents, where a plain longest common
    subsequence over thousands of lines or clauses, with hundreds of blank lines, repeated headings
    and bare section numbers, costs length × differences.
    """
    found: Pairs = []
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
) -> Pairs:
    """Items found once in each stretch, paired, reduced to their longest in-order run."""
    old_count, new_count = Counter(old[a0:a1]), Counter(new[b0:b1])
    new_at = {new[j]: j for j in range(b0, b1) if new_count[new[j]] == 1}
    candidates = [
        (i, new_at[old[i]]) for i in range(a0, a1) if old_count[old[i]] == 1 and old[i] in new_at
    ]
    return _longest_increasing(candidates)


def _longest_increasing(pairs: Pairs) -> Pairs:
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


def _sequence_matcher_gap(old: Sequence[str], new: Sequence[str]) -> Pairs:
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    return [(m.a + k, m.b + k) for m in matcher.get_matching_blocks() for k in range(m.size)]


def dice(a: Counter[str], b: Counter[str]) -> float:
    """Share of words two texts have in common, repeats counted (the Dice coefficient)."""
    total = a.total() + b.total()
    return 2 * (a & b).total() / total if total else 0.0


SIMILARITY_THRESHOLD = 0.6
"""Word similarity (Dice coefficient over the words counted with repeats) from which an unpaired
old and new clause are one edited clause. Word order is ignored: it is cheap (a clause diff of
the largest real documents must stay well under 300 ms) and an edit rarely reorders a sentence."""
_JACCARD_FLOOR = 0.3
"""Word-set overlap below which the (costlier) word-count similarity is not computed."""
WINDOW = 40
"""How far (in clauses) from its expected place an edited clause is looked for."""


@dataclass
class Side:
    """One version's clauses with their normal forms; word bags only for the clauses that need
    them (unpaired ones), as building them for thousands of unchanged clauses is most of the cost.
    """

    clauses: list[Clause]
    norms: list[str]
    bags: dict[int, _Bag] = field(default_factory=dict)

    @classmethod
    def of(cls, clauses: list[Clause], seen: dict[str, str]) -> Side:
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
class Pair:
    old: int | None
    new: int | None
    moved: bool = False
    similarity: float = 1.0


def align_clauses(old: Side, new: Side) -> list[Pair]:
    """Every clause of both sides once: in-order pairs, moved pairs, edited pairs, the rest alone.

    1. Unchanged clauses: equal normalised texts in order (:func:`patience`): the anchors.
    2. Moved: an unpaired clause whose normalised text equals an unpaired one elsewhere.
    3. Edited: unpaired clauses near where the anchors say they should be, paired best-first by
       word similarity above :data:`SIMILARITY_THRESHOLD`.
    """
    anchors = patience(old.norms, new.norms, _sequence_matcher_gap)
    pairs = [Pair(i, j) for i, j in anchors]
    old_free = sorted(set(range(len(old.norms))) - {i for i, _ in anchors})
    new_free = sorted(set(range(len(new.norms))) - {j for _, j in anchors})
    place = _Placement(anchors, len(old.norms), len(new.norms))
    for matcher in (_same_text, _similar_text):
        found = matcher(old, new, old_free, new_free, place)
        pairs += [
            Pair(i, j, moved=not place.in_place(i, j), similarity=score) for i, j, score in found
        ]
        old_free = sorted(set(old_free) - {i for i, _, _ in found})
        new_free = sorted(set(new_free) - {j for _, j, _ in found})
    pairs += [Pair(i, None) for i in old_free] + [Pair(None, j) for j in new_free]
    return _in_reading_order(pairs)


def _in_reading_order(pairs: list[Pair]) -> list[Pair]:
    """New-document order; a removed clause just after the clause that preceded it, if kept."""
    kept = sorted(
        (p.old, p.new) for p in pairs if p.old is not None and p.new is not None and not p.moved
    )
    kept_old = [i for i, _ in kept]

    def key(pair: Pair) -> tuple[float, int]:
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
    old: Side, new: Side, old_free: list[int], new_free: list[int], place: _Placement
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
    old: Side, new: Side, old_free: list[int], new_free: list[int], place: _Placement
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


def _similarity(old: Side, new: Side, i: int, j: int) -> float:
    a, b = old.bag(i), new.bag(j)
    if not b.words or len(a.distinct & b.distinct) < _JACCARD_FLOOR * len(a.distinct | b.distinct):
        return 0.0
    return dice(a.counts, b.counts)
