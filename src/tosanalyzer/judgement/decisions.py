"""Reviewer decisions follow a clause from one version of a document to the next.

A reviewer accepts or dismisses a finding of one version. The decision is keyed by the finding's
clause type and by ``clause_key``: the SHA-256 of its clause's text in normal form (the diff's
``normalise``, passed in as a callable, since stages do not import each other). For a finding of
a newer version the decision that applies is, in this order:

1. the latest decision on the same clause type and the same normalised clause text, wherever the
   clause now stands: **carried** (or **decided**, when it was made on this very version);
2. else, when the clause diff aligned the finding's clause with an edited (or moved) clause of
   the older version, the latest decision on that older clause's text: **carried, clause edited —
   review again**.

A finding whose clause is new, or a decision whose clause was removed, carries nothing. The
decisions come from the store (``Store.decisions``) and the alignment from ``diff_clauses``
(``ClauseDiff.changes``): both are read here only through the few attributes they need.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from tosanalyzer.models import Clause, Finding

Normaliser = Callable[[str], str]
CarryStatus = Literal["decided", "carried", "carried_edited"]

STATUS_LABELS: dict[CarryStatus, str] = {
    "decided": "decided",
    "carried": "carried",
    "carried_edited": "carried, clause edited — review again",
}


class DecisionRecord(Protocol):
    """What a decision must tell: ``store.StoredDecision`` has these fields."""

    @property
    def id(self) -> int: ...
    @property
    def version_id(self) -> int: ...
    @property
    def clause_type(self) -> str: ...
    @property
    def clause_text_key(self) -> str: ...
    @property
    def decision(self) -> Literal["accept", "dismiss"]: ...
    @property
    def note(self) -> str: ...
    @property
    def decided_at(self) -> str: ...


class AlignedClauses(Protocol):
    """One aligned pair of clauses: ``diff.ClauseChange`` has these fields."""

    @property
    def old_index(self) -> int | None: ...
    @property
    def new_index(self) -> int | None: ...


class CarriedDecision(BaseModel):
    """The decision that applies to one finding of the newer version, and how it got there."""

    finding_index: int = Field(description="Position of the finding in the new analysis.")
    clause_index: int = Field(description="The finding's clause in the new analysis.")
    clause_type: str
    section_path: list[str] = Field(description="Where the finding stands now.")
    status: CarryStatus
    label: str = Field(description="The status in words: 'carried, clause edited — review again'.")
    decision: Literal["accept", "dismiss"]
    note: str
    decided_at: str
    decision_id: int
    decided_on_version: int = Field(description="The version the decision was made on.")


def clause_key(text: str, normalise: Normaliser) -> str:
    """The key a decision is stored under: SHA-256 (hex) of the clause text's normal form."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def finding_clause_text(finding: Finding, clauses: Sequence[Clause]) -> str:
    """The text of the clause a finding was made in (its quote, if the clause is not listed)."""
    if 0 <= finding.clause_index < len(clauses):
        clause = clauses[finding.clause_index]
        if clause.index == finding.clause_index:
            return clause.text
    for clause in clauses:
        if clause.index == finding.clause_index:
            return clause.text
    return finding.quote


def finding_key(finding: Finding, clauses: Sequence[Clause], normalise: Normaliser) -> str:
    """``clause_key`` of a finding's clause: what ``Store.record_decision`` wants."""
    return clause_key(finding_clause_text(finding, clauses), normalise)


def carry_decisions(
    decisions: Iterable[DecisionRecord],
    *,
    old_clauses: Sequence[Clause],
    new_clauses: Sequence[Clause],
    new_findings: Sequence[Finding],
    aligned: Iterable[AlignedClauses],
    normalise: Normaliser,
    new_version_id: int | None = None,
) -> list[CarriedDecision]:
    """The decision that applies to each finding of the newer version, in finding order.

    ``decisions``: the document's decisions, oldest first (``Store.decisions``); a later one on
    the same key supersedes an earlier one. Pass only those made up to the newer version when
    looking back in history. ``old_clauses``: the older version's clauses; ``new_clauses`` and
    ``new_findings``: the newer version's analysis. ``aligned``: the clause diff's changes
    (``ClauseDiff.changes``); pairs with both indexes (modified and moved clauses) are used.
    ``new_version_id``: the newer version's id, so that decisions made on it read "decided".
    Findings with no decision are left out.
    """
    latest: dict[tuple[str, str], DecisionRecord] = {}
    for record in sorted(decisions, key=lambda r: r.id):
        latest[(record.clause_type, record.clause_text_key)] = record
    if not latest:
        return []
    old_of_new = {
        pair.new_index: pair.old_index
        for pair in aligned
        if pair.old_index is not None and pair.new_index is not None
    }
    old_keys: dict[int, str] = {}
    carried: list[CarriedDecision] = []
    for position, finding in enumerate(new_findings):
        key = finding_key(finding, new_clauses, normalise)
        same_text = latest.get((finding.clause_type, key))
        status: CarryStatus
        if same_text is not None:
            record = same_text
            status = "decided" if record.version_id == new_version_id else "carried"
        else:
            old_index = old_of_new.get(finding.clause_index)
            if old_index is None or not 0 <= old_index < len(old_clauses):
                continue
            if old_index not in old_keys:
                old_keys[old_index] = clause_key(old_clauses[old_index].text, normalise)
            edited = latest.get((finding.clause_type, old_keys[old_index]))
            if edited is None:
                continue
            record, status = edited, "carried_edited"
        carried.append(
            CarriedDecision(
                finding_index=position,
                clause_index=finding.clause_index,
                clause_type=finding.clause_type,
                section_path=finding.section_path,
                status=status,
                label=STATUS_LABELS[status],
                decision=record.decision,
                note=record.note,
                decided_at=record.decided_at,
                decision_id=record.id,
                decided_on_version=record.version_id,
            )
        )
    return carried
