"""`tosanalyzer diff` and the report's latest material change, over versions in a real store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tosanalyzer.cli import app
from tosanalyzer.store import Store

RUNNER = CliRunner()
CAP_100 = (
    "# Terms\n\n## Liability\n\nOur total liability to you will not exceed one hundred dollars"
    " ($100).\n\n## Disputes\n\nYou may bring claims in the courts of your place of residence.\n"
)
CAP_50 = (
    "# Terms\n\n## Liability\n\nOur total liability to you will not exceed fifty dollars"
    " ($50).\n\n## Disputes\n\nAny dispute will be resolved by binding arbitration.\n"
)
CAP_50_RESPACED = CAP_50.replace("\n\n## Disputes", "\n\n\n## Disputes").replace("(", " (")


@pytest.fixture
def db(tmp_path: Path) -> list[str]:
    path = tmp_path / "store.db"
    with Store.open(path) as store:
        store.ensure_document("Acme", "Terms of Service")
        for day, text in ((1, CAP_100), (2, CAP_50), (3, CAP_50_RESPACED)):
            store.add_version("Acme", "Terms of Service", text, f"2026-03-0{day}T09:00:00Z")
    return ["--db", str(path)]


def test_diff_defaults_to_the_last_two_versions(db: list[str]) -> None:
    out = RUNNER.invoke(app, ["diff", "acme", "terms-of-service", *db])
    assert out.exit_code == 0, out.output
    assert out.output.startswith("--- Terms of Service version 2")
    assert "cosmetic" in out.output


def test_a_lowered_cap_and_new_arbitration_are_material(db: list[str]) -> None:
    out = RUNNER.invoke(
        app, ["diff", "Acme", "Terms of Service", "--from", "1", "--to", "2026-03-02", *db]
    )
    assert out.exit_code == 0, out.output
    assert "\n-Our total liability to you will not exceed one hundred dollars" in out.output
    assert "material" in out.output
    data = json.loads(
        RUNNER.invoke(
            app, ["diff", "acme", "terms of service", "--from", "1", "--to", "2", "--json", *db]
        ).output
    )
    assert data["clauses"]["change_class"] == "material"
    assert [d["summary"] for d in data["clauses"]["attribute_deltas"]] == [
        "liability cap: $100 → $50"
    ]
    assert "arbitration" in {d["clause_type"] for d in data["clauses"]["findings_gained"]}
    grade_moves = [r for r in data["clauses"]["reasons"] if r.startswith("grade: ")]
    assert len(grade_moves) == 1  # each version graded on its own: the letter moved


def test_the_report_names_the_latest_material_change(db: list[str]) -> None:
    out = RUNNER.invoke(app, ["report", "acme", "--json", *db])
    assert out.exit_code == 0, out.output
    change = json.loads(out.output)["latest_change"]
    assert change["date"].startswith("2026-03-02") and change["document"] == "Terms of Service"
    assert any("$100 → $50" in line for line in change["lines"])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--from", "99"], "no version 99"),
        (["--from", "2025-01"], "no version of this document recorded on '2025-01'"),
    ],
)
def test_an_unknown_version_is_a_clear_error(
    db: list[str], options: list[str], message: str
) -> None:
    out = RUNNER.invoke(app, ["diff", "acme", "terms-of-service", *options, *db])
    assert out.exit_code == 2 and message in out.output
