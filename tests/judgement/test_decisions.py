"""Reviewer decisions: stored in SQLite, kept across restarts, carried to later versions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tosanalyzer.change import diff_clauses, normalise
from tosanalyzer.judgement.decisions import (
    CarriedDecision,
    carry_decisions,
    clause_key,
    finding_key,
)
from tosanalyzer.models import AnalysisResult, Finding
from tosanalyzer.store import MIGRATIONS, Store, StoreError, migrate
from tosanalyzer.workspace import Workspace

SERVICE = "Acme"
TOS = "Terms of Service"
WORKSPACE = Workspace()

V1 = """# Acme Terms

## Liability

Our total liability to you for any claim will not exceed $100.

## Disputes

Any dispute will be resolved by binding arbitration in San Francisco, California.

## Changes

We may modify these Terms at any time without notice.
"""

# Liability: reworded cosmetically only. Disputes: lightly edited. Changes: removed.
V2 = """# Acme Terms

## Liability

OUR TOTAL LIABILITY to you for any claim will not exceed $100!

## Disputes

Any dispute will be resolved by final and binding arbitration in San Francisco, California.
"""

SCHEMA_BEFORE_DECISIONS = MIGRATIONS[:1]
"""The migrations shipped before the decisions table (this test's 'previous schema')."""


def analyse(text: str) -> AnalysisResult:
    return WORKSPACE.analyze_text(text)


def finding(analysis: AnalysisResult, clause_type: str) -> Finding:
    return next(f for f in analysis.findings if f.clause_type == clause_type)


def new_store(path: Path) -> tuple[Store, int, int]:
    store = Store.open(path)
    store.ensure_document(SERVICE, TOS)
    first = store.add_version(SERVICE, TOS, V1, "2025-01-01T00:00:00Z")
    second = store.add_version(SERVICE, TOS, V2, "2025-06-01T00:00:00Z")
    assert first is not None and second is not None
    return store, first.id, second.id


def decide(
    store: Store,
    analysis: AnalysisResult,
    version_id: int,
    clause_type: str,
    decision: str,
    note: str = "",
) -> None:
    found = finding(analysis, clause_type)
    store.record_decision(
        SERVICE,
        TOS,
        version_id=version_id,
        clause_type=clause_type,
        clause_text_key=finding_key(found, analysis.clauses, normalise),
        section_path=found.section_path,
        decision=decision,  # type: ignore[arg-type]
        note=note,
    )


# --- the store ---------------------------------------------------------------------------------


def test_decisions_persist_across_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    old = analyse(V1)
    store, v1, _ = new_store(path)
    with store:
        decide(store, old, v1, "arbitration", "accept", "Fine for a B2B deal — legal, 2025-02")
        decide(store, old, v1, "changes_without_notice", "dismiss", "Überprüft: «ok» [bold]")
    with Store.open(path) as reopened:
        stored = reopened.decisions(SERVICE, "terms-of-service")
    assert [(d.clause_type, d.decision, d.note) for d in stored] == [
        ("arbitration", "accept", "Fine for a B2B deal — legal, 2025-02"),
        ("changes_without_notice", "dismiss", "Überprüft: «ok» [bold]"),
    ]
    arbitration = stored[0]
    assert arbitration.version_id == v1
    assert arbitration.service == SERVICE and arbitration.document == TOS
    assert arbitration.section_path == ["Acme Terms", "Disputes"]
    assert arbitration.clause_text_key == clause_key(
        "Any dispute will be resolved by binding arbitration in San Francisco, California.",
        normalise,
    )
    assert arbitration.decided_at.endswith("Z")


def test_a_later_decision_is_added_not_overwritten(tmp_path: Path) -> None:
    old = analyse(V1)
    store, v1, _ = new_store(tmp_path / "store.db")
    with store:
        decide(store, old, v1, "arbitration", "accept")
        decide(store, old, v1, "arbitration", "dismiss", "changed my mind")
        assert [d.decision for d in store.decisions(SERVICE, TOS)] == ["accept", "dismiss"]


def test_bad_decisions_are_refused_and_leave_nothing(tmp_path: Path) -> None:
    store, v1, _ = new_store(tmp_path / "store.db")
    key = clause_key("Any text.", normalise)

    def record(
        *,
        service: str = SERVICE,
        version_id: int = v1,
        clause_text_key: str = key,
        decision: str = "accept",
    ) -> None:
        store.record_decision(
            service,
            TOS,
            version_id=version_id,
            clause_type="arbitration",
            clause_text_key=clause_text_key,
            section_path=[],
            decision=decision,  # type: ignore[arg-type]
        )

    with store:
        store.ensure_document(SERVICE, "Privacy Policy")
        other = store.add_version(SERVICE, "Privacy Policy", "We sell data.", "2025-01-01T00:00Z")
        assert other is not None
        with pytest.raises(StoreError, match="not a version of"):
            record(version_id=other.id)
        with pytest.raises(StoreError, match="not a version of"):
            record(version_id=9999)
        with pytest.raises(StoreError, match="SHA-256"):
            record(clause_text_key="abc")
        with pytest.raises(StoreError, match="'accept' or 'dismiss'"):
            record(decision="maybe")
        with pytest.raises(StoreError, match="no service"):
            record(service="Nobody")
        assert store.decisions(SERVICE, TOS) == []


def test_a_store_of_the_previous_schema_gains_the_decisions_table(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    assert migrate(connection, SCHEMA_BEFORE_DECISIONS) == 1
    with Store(connection, path, keep_snapshots=10) as old_store:
        old_store.ensure_document(SERVICE, TOS)
        version = old_store.add_version(SERVICE, TOS, V1, "2025-01-01T00:00:00Z")
    assert version is not None
    with sqlite3.connect(path) as raw:
        tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master")}
    assert "decisions" not in tables

    analysis = analyse(V1)
    with Store.open(path) as store:
        assert [v.id for v in store.versions(SERVICE, TOS)] == [version.id]
        decide(store, analysis, version.id, "arbitration", "dismiss", "seen")
        assert [d.note for d in store.decisions(SERVICE, TOS)] == ["seen"]
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    finally:
        raw.close()


# --- carrying ----------------------------------------------------------------------------------


def carried(tmp_path: Path) -> tuple[list[CarriedDecision], AnalysisResult, int, int]:
    old, new = analyse(V1), analyse(V2)
    store, v1, v2 = new_store(tmp_path / "store.db")
    with store:
        decide(store, old, v1, "limitation_of_liability", "accept", "cap is standard")
        decide(store, old, v1, "arbitration", "dismiss", "we accept SF arbitration")
        decide(store, old, v1, "changes_without_notice", "dismiss", "gone in v2")
    with Store.open(tmp_path / "store.db") as store:
        decisions = store.decisions(SERVICE, TOS)
    diff = diff_clauses(old, new, WORKSPACE.library)
    result = carry_decisions(
        decisions,
        old_clauses=old.clauses,
        new_clauses=new.clauses,
        new_findings=new.findings,
        aligned=diff.changes,
        normalise=normalise,
        new_version_id=v2,
    )
    return result, new, v1, v2


def test_an_unchanged_clause_carries_its_decision(tmp_path: Path) -> None:
    result, new, v1, _ = carried(tmp_path)
    liability = [c for c in result if c.clause_type == "limitation_of_liability"]
    assert len(liability) == 1
    assert liability[0].status == "carried" and liability[0].label == "carried"
    assert liability[0].decision == "accept" and liability[0].note == "cap is standard"
    assert liability[0].decided_on_version == v1
    assert new.findings[liability[0].finding_index].clause_type == "limitation_of_liability"


def test_an_edited_clause_carries_its_decision_for_review(tmp_path: Path) -> None:
    result, new, _, _ = carried(tmp_path)
    arbitration = [c for c in result if c.clause_type == "arbitration"]
    assert len(arbitration) == 1
    assert arbitration[0].status == "carried_edited"
    assert arbitration[0].label == "carried, clause edited — review again"
    assert arbitration[0].decision == "dismiss"
    assert arbitration[0].section_path == ["Acme Terms", "Disputes"]
    assert "final and binding" in new.clauses[arbitration[0].clause_index].text


def test_a_removed_clause_carries_nothing(tmp_path: Path) -> None:
    result, new, _, _ = carried(tmp_path)
    assert not any(f.clause_type == "changes_without_notice" for f in new.findings)
    assert {c.clause_type for c in result} <= {
        "limitation_of_liability",
        "arbitration",
    }
    assert all(c.note != "gone in v2" for c in result)


def test_a_decision_made_on_the_version_reads_decided(tmp_path: Path) -> None:
    new = analyse(V2)
    store, _, v2 = new_store(tmp_path / "store.db")
    with store:
        decide(store, new, v2, "arbitration", "accept")
        decisions = store.decisions(SERVICE, TOS)
    result = carry_decisions(
        decisions,
        old_clauses=new.clauses,
        new_clauses=new.clauses,
        new_findings=new.findings,
        aligned=[],
        normalise=normalise,
        new_version_id=v2,
    )
    assert [(c.clause_type, c.status) for c in result] == [("arbitration", "decided")]


def test_the_latest_decision_on_a_clause_wins(tmp_path: Path) -> None:
    old, new = analyse(V1), analyse(V2)
    store, v1, v2 = new_store(tmp_path / "store.db")
    with store:
        decide(store, old, v1, "limitation_of_liability", "accept")
        decide(store, new, v2, "limitation_of_liability", "dismiss", "second look")
        decisions = store.decisions(SERVICE, TOS)
    result = carry_decisions(
        decisions,
        old_clauses=old.clauses,
        new_clauses=new.clauses,
        new_findings=new.findings,
        aligned=diff_clauses(old, new, WORKSPACE.library).changes,
        normalise=normalise,
    )
    liability = [c for c in result if c.clause_type == "limitation_of_liability"]
    assert [(c.decision, c.note, c.status) for c in liability] == [
        ("dismiss", "second look", "carried")
    ]
