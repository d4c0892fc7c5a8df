"""A reviewer's decisions on the findings of stored versions: made on one, carried to the next.

A finding is known by its clause's normalised text, not its position, so a decision follows its
clause through the versions; which clause of the version before an edited one was is the clause
diff's alignment, and that needs both versions analysed with the same rules.
"""

from __future__ import annotations

from tosanalyzer.analysis.review.reviewer import Reviewer
from tosanalyzer.change import diff_clauses, normalise
from tosanalyzer.judgement import CarriedDecision, carry_decisions, finding_key
from tosanalyzer.models import DecisionKind, StoredDecision
from tosanalyzer.store import Store, StoreError
from tosanalyzer.tracking import stored_version


def decide_finding(
    reviewer: Reviewer,
    service: str,
    document: str,
    version_id: int,
    finding_index: int,
    decision: DecisionKind,
    note: str = "",
) -> StoredDecision:
    """Accept or dismiss one finding of a stored version, with an optional note."""
    with Store.open(reviewer.db, create=False) as store:
        version = stored_version(store, service, document, version_id)
        result, _ = reviewer.reviewed(version, store.version_text(version_id))
        if not 0 <= finding_index < len(result.findings):
            raise StoreError(f"version {version_id} has no finding #{finding_index}")
        finding = result.findings[finding_index]
        return store.record_decision(
            service,
            document,
            version_id=version_id,
            clause_type=finding.clause_type,
            clause_text_key=finding_key(finding, result.clauses, normalise),
            section_path=finding.section_path,
            decision=decision,
            note=note,
        )


def carried_decisions(
    reviewer: Reviewer, service: str, document: str, version_id: int
) -> list[CarriedDecision]:
    """The decisions that apply to a version's findings: made on it, or carried from the
    version before by the same clause text, or by the clause the diff aligned."""
    with Store.open(reviewer.db, create=False) as store:
        versions = store.versions(service, document)
        made = store.decisions(service, document)
        index = next((i for i, v in enumerate(versions) if v.id == version_id), None)
        if index is None:
            raise StoreError(f"no version {version_id} of {service} / {document}")
        pair = [(v, store.version_text(v.id)) for v in versions[max(index - 1, 0) : index + 1]]
    analyses = [reviewer.reviewed(*version)[0] for version in pair]
    old, new = analyses[0], analyses[-1]
    aligned = diff_clauses(old, new, reviewer.library).changes if len(analyses) == 2 else []
    return carry_decisions(
        [d for d in made if d.version_id <= version_id],
        old_clauses=old.clauses,
        new_clauses=new.clauses,
        new_findings=new.findings,
        aligned=aligned,
        normalise=normalise,
        new_version_id=version_id,
    )
