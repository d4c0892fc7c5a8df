"""`tosanalyzer report` end to end: a local file or a tracked service's latest good versions."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tosanalyzer.base.bundled import corpora_dir
from tosanalyzer.cli import app
from tosanalyzer.store import Store

SAMPLE = corpora_dir() / "samples" / "northwind-terms.md"
RUNNER = CliRunner()
HARSH = (
    "# Terms\n\nYou grant us a perpetual, irrevocable licence to use your content.\n\n"
    "Any dispute will be resolved by binding arbitration.\n\n"
    "These terms are governed by the laws of the State of California.\n"
)
ERROR_PAGE = "Service Unavailable - DNS failure"


def test_report_on_a_file_in_every_format() -> None:
    markdown = RUNNER.invoke(app, ["report", str(SAMPLE)])
    assert markdown.exit_code == 0, markdown.output
    assert "## Checklist" in markdown.output and "not legal advice" in markdown.output
    html = RUNNER.invoke(app, ["report", str(SAMPLE), "--format", "html", "--lang", "ja"])
    assert html.exit_code == 0, html.output
    assert html.output.lstrip().startswith("<!DOCTYPE html>") and "チェックリスト" in html.output
    data = json.loads(RUNNER.invoke(app, ["report", str(SAMPLE), "--json"]).output)
    assert data["assessment"]["grade"]["letter"] in {"A", "B", "C", "D", "E"}


def test_home_jurisdiction_from_the_option_or_the_settings_file(tmp_path: Path) -> None:
    no_settings = {"TOSANALYZER_CONFIG": str(tmp_path / "absent.toml")}

    def law_item(*options: str) -> str:
        out = RUNNER.invoke(app, ["report", str(SAMPLE), "--json", *options], env=no_settings)
        assert out.exit_code == 0, out.output
        items = json.loads(out.output)["assessment"]["items"]
        return str(next(i["status"] for i in items if i["kind"] == "jurisdiction"))

    config = tmp_path / "config.toml"
    config.write_text('home = "JP"\n', encoding="utf-8")
    assert law_item() == "not_applicable"
    assert law_item("--home", "JP") == "raised"
    env = {"TOSANALYZER_CONFIG": str(config)}
    out = RUNNER.invoke(app, ["report", str(SAMPLE), "--json"], env=env)
    items = json.loads(out.output)["assessment"]["items"]
    assert "raised" in {i["status"] for i in items if i["kind"] == "jurisdiction"}
    bad = RUNNER.invoke(app, ["report", str(SAMPLE), "--home", "XX"])
    assert bad.exit_code == 2 and "XX" in bad.output


def test_report_on_a_service_reads_its_latest_good_version(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    with Store.open(db) as store:
        store.ensure_document("Acme", "Terms of Service")
        store.add_version("Acme", "Terms of Service", HARSH, "2026-01-01T00:00:00Z")
        store.add_version(
            "Acme", "Terms of Service", ERROR_PAGE, "2026-02-01T00:00:00Z", suspect="error page"
        )
    out = RUNNER.invoke(app, ["report", "acme", "--db", str(db), "--json"])
    assert out.exit_code == 0, out.output
    assessment = json.loads(out.output)["assessment"]
    (document,) = assessment["documents"]
    assert document["version"] == "1"
    raised = {i["id"] for i in assessment["items"] if i["status"] == "raised"}
    assert {"perpetual_licence", "forced_arbitration"} <= raised
    unknown = RUNNER.invoke(app, ["report", "globex", "--db", str(db)])
    assert unknown.exit_code == 2 and "no tracked service 'globex'" in unknown.output
