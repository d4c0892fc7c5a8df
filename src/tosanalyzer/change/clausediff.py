"""The clause diff: what a reviewer needs to judge a change, clause by clause.

The clauses of two analyses are aligned (unchanged ones in order, then identical ones that moved,
then lightly edited ones near where they were) and each change gets a class with its reasons:

- **material**: the clause carries a change the materiality policy counts (a finding gained or
  lost, a tracked attribute moved);
- **substantive**: words changed, or the clause moved;
- **cosmetic**: only what :func:`~tosanalyzer.change.normalisation.normalise` removes changed
  (whitespace, punctuation, letter case, numbering, Markdown markers, link targets, URL tokens),
  also when a sentence boundary moved but the stretch around it reads the same.

The whole diff takes the policy's class, capped when the policy says it may not be material.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, Field

from tosanalyzer.change.align import Pair, Side, align_clauses
from tosanalyzer.change.materiality import (
    AttributeDelta,
    FindingDelta,
    FindingKey,
    Tracked,
    VersionFacts,
    attribute_deltas,
    attribute_values,
    cap_reason,
    document_reasons,
    finding_deltas,
    finding_key,
    finding_label,
    finding_reasons,
    overall,
    sorted_keys,
    tracked_attributes,
)
from tosanalyzer.models import AnalysisResult, ChangeClass, ChangeKind, Finding, PatternLibrary


class DiffError(ValueError):
    """Two analyses that cannot be compared; the message says why and what to do."""


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


@dataclass(frozen=True)
class _Judge:
    """The document-level facts each clause change is judged against."""

    old: Side
    new: Side
    old_findings: dict[int, list[Finding]]
    new_findings: dict[int, list[Finding]]
    gained: frozenset[FindingKey]
    lost: frozenset[FindingKey]
    tracked: tuple[Tracked, ...]
    attributes: dict[str, str]
    cosmetic_old: frozenset[int]
    cosmetic_new: frozenset[int]

    def change(self, pair: Pair) -> ClauseChange | None:
        old = self.old.clauses[pair.old] if pair.old is not None else None
        new = self.new.clauses[pair.new] if pair.new is not None else None
        if old is not None and new is not None and old.text == new.text and not pair.moved:
            return None
        old_found = self.old_findings.get(pair.old, []) if pair.old is not None else []
        new_found = self.new_findings.get(pair.new, []) if pair.new is not None else []
        old_keys, new_keys = set(map(finding_key, old_found)), set(map(finding_key, new_found))
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
            findings_gained=[finding_label(k) for k in sorted_keys(new_keys - old_keys)],
            findings_lost=[finding_label(k) for k in sorted_keys(old_keys - new_keys)],
        )

    def _material(
        self,
        old_keys: set[FindingKey],
        new_keys: set[FindingKey],
        old: list[Finding],
        new: list[Finding],
    ) -> list[str]:
        """The document-level deltas this clause carries: a finding or an attribute it moved."""
        gained = sorted_keys((new_keys - old_keys) & self.gained)
        lost = sorted_keys((old_keys - new_keys) & self.lost)
        before, after = attribute_values(old, self.tracked), attribute_values(new, self.tracked)
        return [
            *finding_reasons(gained, lost),
            *(
                summary
                for key, summary in self.attributes.items()
                if before.get(key) != after.get(key)
            ),
        ]

    def _wording(self, pair: Pair) -> tuple[ChangeClass, list[str]]:
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


def _kind(pair: Pair) -> ChangeKind:
    if pair.old is None:
        return "added"
    if pair.new is None:
        return "removed"
    return "moved" if pair.moved else "modified"


def _cosmetic_regions(old: Side, new: Side, pairs: Sequence[Pair]) -> tuple[set[int], set[int]]:
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


def _joined(side: Side, indices: list[int]) -> list[str]:
    return [word for i in sorted(indices) for word in side.bag(i).words]


def _by_clause(findings: list[Finding]) -> dict[int, list[Finding]]:
    grouped: dict[int, list[Finding]] = defaultdict(list)
    for finding in findings:
        grouped[finding.clause_index].append(finding)
    return grouped


def diff_clauses(
    old: AnalysisResult,
    new: AnalysisResult,
    library: PatternLibrary,
    *,
    old_version: VersionFacts | None = None,
    new_version: VersionFacts | None = None,
) -> ClauseDiff:
    """Align the clauses of two analyses and classify every change and the whole diff.

    Both analyses must come from the same pattern library, or a rule change would read as a
    change of the terms: re-analyse the older text first. ``library`` is that library: its
    pattern files declare which attributes are tracked. ``old_version``/``new_version`` carry the
    store's facts: a ``technical_upgrade`` new version or a suspect version on either side caps
    the class at substantive; different grades make the diff material.
    """
    _check_comparable(old, new)
    old_facts, new_facts = old_version or VersionFacts(), new_version or VersionFacts()
    seen: dict[str, str] = {}
    old_side, new_side = Side.of(old.clauses, seen), Side.of(new.clauses, seen)
    pairs = align_clauses(old_side, new_side)
    gained, lost = finding_deltas(old.findings, new.findings)
    tracked = tracked_attributes(library)
    attributes = attribute_deltas(old.findings, new.findings, tracked)
    cosmetic_old, cosmetic_new = _cosmetic_regions(old_side, new_side, pairs)
    judge = _Judge(
        old=old_side,
        new=new_side,
        old_findings=_by_clause(old.findings),
        new_findings=_by_clause(new.findings),
        gained=frozenset((d.clause_type, d.fairness) for d in gained),
        lost=frozenset((d.clause_type, d.fairness) for d in lost),
        tracked=tracked,
        attributes={d.attribute: d.summary for d in attributes},
        cosmetic_old=frozenset(cosmetic_old),
        cosmetic_new=frozenset(cosmetic_new),
    )
    changes = [change for pair in pairs if (change := judge.change(pair)) is not None]
    reasons = document_reasons(gained, lost, attributes, old_facts, new_facts)
    cap = cap_reason(old_facts, new_facts)
    return ClauseDiff(
        pattern_library_version=new.provenance.pattern_library_version,
        change_class=overall(reasons, (change.change_class for change in changes), cap),
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


def _capped(change: ClauseChange, cap: str | None) -> ClauseChange:
    if cap is None or change.change_class != "material":
        return change
    return change.model_copy(
        update={"change_class": "substantive", "reasons": [*change.reasons, f"not material: {cap}"]}
    )
