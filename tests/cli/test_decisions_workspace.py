"""Reviewer decisions through the workspace: made on one version, carried to the next."""

from __future__ import annotations

from pathlib import Path

from tosanalyzer.workspace import Workspace

DOC = "Terms of Service"


def test_a_decision_follows_its_clause_to_the_next_versions(tmp_path: Path) -> None:
    workspace = Workspace(db=tmp_path / "demo.db")
    service = workspace.load_demo()
    (terms,) = workspace.history(service, DOC)
    first, second = terms.versions[0].id, terms.versions[1].id
    with workspace.store() as store:
        text = store.version_text(first)
    findings = workspace.analyzer.analyze_text(text, "v", "md").findings
    index = next(i for i, f in enumerate(findings) if f.clause_type == "perpetual_license")
    made = workspace.decide(service, DOC, first, index, "dismiss", "accepted by legal, 2024")
    assert made.decision == "dismiss" and made.note == "accepted by legal, 2024"

    # a restart: a new workspace over the same file
    reopened = Workspace(db=tmp_path / "demo.db")
    on_first = reopened.decisions(service, DOC, first)
    assert [(d.clause_type, d.status) for d in on_first] == [("perpetual_license", "decided")]
    carried = reopened.decisions(service, DOC, second)
    assert [(d.clause_type, d.decision) for d in carried] == [("perpetual_license", "dismiss")]
    assert carried[0].status in {"carried", "carried_edited"}
