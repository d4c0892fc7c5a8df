"""The demo vendor: our own fictional terms, loaded like a real history, showing every class."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from tosanalyzer.workspace import Workspace

DOC = "Terms of Service"


def test_the_demo_loads_once_and_shows_each_kind_of_change(tmp_path: Path) -> None:
    workspace = Workspace(db=tmp_path / "demo.db")
    service = workspace.load_demo()
    assert service == workspace.load_demo()  # loading again changes nothing
    (terms,) = workspace.history(service, DOC)
    ids = [str(v.id) for v in terms.versions]
    assert len(ids) == 5
    classes = [
        workspace.diff(service, DOC, old, new).clauses.change_class
        for old, new in pairwise(ids)
    ]
    assert classes == ["cosmetic", "material", "material", "material"]
    cap = workspace.diff(service, DOC, ids[1], ids[2]).clauses
    assert [d.summary for d in cap.attribute_deltas] == ["liability cap: $100 → $50"]
    change = workspace.latest_material_change(service)
    assert change is not None and change.date.startswith("2025-04-22")


def test_demo_command_prints_the_report_without_a_terminal(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from tosanalyzer.cli import app

    db = tmp_path / "demo.db"
    out = CliRunner().invoke(app, ["demo", "--no-tui", "--db", str(db)])
    assert out.exit_code == 0, out.output
    assert "Quillfeather Notes" in out.output
    assert "## Latest material change" in out.output and "2025-04-22" in out.output
    assert db.exists()
