"""`tosanalyzer export` and `tosanalyzer schema`: real exports of the demo store, validated against
the committed JSON Schema; the CSV read back as a spreadsheet would; docs/export.md kept honest."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from tosanalyzer import export
from tosanalyzer.cli import app
from tosanalyzer.store import Store
from tosanalyzer.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / export.SCHEMA_FILE
DOCS = (ROOT / "docs" / "export.md").read_text(encoding="utf-8")
RUNNER = CliRunner()
DEMO = "Quillfeather Notes"
REGENERATE = f"tosanalyzer schema > {export.SCHEMA_FILE}"


def committed_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


def validator(definition: str | None = None) -> Draft202012Validator:
    """The committed schema, or one of its definitions (a JSON Lines row is a DocumentExport)."""
    schema = committed_schema()
    if definition is not None:
        schema = {
            "$schema": schema["$schema"],
            "$defs": schema["$defs"],
            "$ref": f"#/$defs/{definition}",
        }
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("export") / "demo.db"
    Workspace(db=db).load_demo()
    return db


def run(*args: str) -> str:
    result = RUNNER.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


# --- the schema -----------------------------------------------------------------------------------


def test_committed_schema_is_the_one_the_code_generates() -> None:
    printed = run("schema")
    assert json.loads(printed)["$id"] == export.SCHEMA_ID
    committed = SCHEMA_PATH.read_text(encoding="utf-8") if SCHEMA_PATH.exists() else ""
    assert printed == committed, (
        f"{export.SCHEMA_FILE} is stale (the export model changed): regenerate it with "
        f"`{REGENERATE}`, and bump the schema version if a field was renamed or removed"
    )


# --- the demo store, exported ---------------------------------------------------------------------


def test_json_export_of_the_demo_validates_and_says_what_made_it(demo_db: Path) -> None:
    data = json.loads(run("export", "--db", str(demo_db), "--home", "JP"))
    validator().validate(data)
    assert data["$schema"] == export.SCHEMA_ID and data["schema_version"] == "1"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["generated_at"])
    assert data["home"] == "JP" and data["history_pairs"] == 10
    workspace = Workspace(db=demo_db)
    assert data["pattern_library_version"] == workspace.library.version
    (vendor,) = data["vendors"]
    # The vendor's assessment is exactly the report's.
    assert vendor["assessment"] == workspace.assess(DEMO, "JP").model_dump(mode="json")
    assert [d["document"] for d in vendor["documents"]] == ["Privacy Policy", "Terms of Service"]
    for document in vendor["documents"]:
        assert document["latest_version"] == document["versions"][-1]["id"]
        assert document["assessment"]["documents"][0]["version"] == str(
            document["latest_version"]
        )
        assert document["findings"] and all(f["quote"] for f in document["findings"])


def test_change_history_classes_the_last_pairs(demo_db: Path) -> None:
    export_all = Workspace(db=demo_db).export([DEMO])
    privacy, terms = export_all.vendors[0].documents
    assert [v.id for v in terms.versions] == sorted(v.id for v in terms.versions)
    assert len(terms.versions) == 5 and terms.unclassified_pairs == 0
    assert [c.change_class for c in terms.changes] == [
        "cosmetic",
        "material",
        "material",
        "material",
    ]
    cap = terms.changes[1]
    assert [(a.attribute, a.old, a.new) for a in cap.attribute_changes] == [
        ("liability_cap", "$100", "$50")
    ]
    assert cap.reasons == ["liability cap: $100 → $50"]
    last = privacy.changes[-1]
    assert (last.grade_before, last.grade_after) == ("A", "B")
    assert "grade: A → B" in last.reasons
    assert ("third_party_sharing", "gained") in {
        (f.clause_type, f.change) for f in last.finding_changes
    }
    upgrade = privacy.changes[1]  # a re-extraction: never material, and says why
    assert upgrade.change_class == "cosmetic" and upgrade.capped_because

    short = json.loads(run("export", DEMO, "--db", str(demo_db), "--history", "1"))
    terms_short = short["vendors"][0]["documents"][1]
    assert len(terms_short["versions"]) == 5
    assert [(c["old_version"], c["new_version"]) for c in terms_short["changes"]] == [
        (terms.versions[-2].id, terms.versions[-1].id)
    ]
    assert terms_short["unclassified_pairs"] == 3
    none = Workspace(db=demo_db).export([], history=0)
    assert all(not d.changes for d in none.vendors[0].documents)
    assert [d.unclassified_pairs for d in none.vendors[0].documents] == [3, 4]


def test_jsonl_is_one_valid_document_per_line(demo_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    result = RUNNER.invoke(
        app, ["export", "--db", str(demo_db), "--format", "jsonl", "--out", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and "2 documents" in result.stderr
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    documents = validator("DocumentExport")
    for line in lines:
        documents.validate(json.loads(line))
    assert [json.loads(line)["vendor"] for line in lines] == [DEMO, DEMO]
    assert not list(tmp_path.glob("*.partial"))


def test_csv_is_one_row_per_finding_with_the_documented_columns(demo_db: Path) -> None:
    data = json.loads(run("export", "--db", str(demo_db)))
    rows = list(csv.DictReader(io.StringIO(run("export", "--db", str(demo_db), "--format", "csv"))))
    findings = [f for d in data["vendors"][0]["documents"] for f in d["findings"]]
    assert len(rows) == len(findings)
    assert list(rows[0]) == documented_csv_columns()
    vendor = data["vendors"][0]
    cap = next(r for r in rows if r["clause_type"] == "liability_cap_amount")
    assert cap["money"] == "FIFTY U.S. DOLLARS (US$50)" and cap["money_rule"] == "greater_of"
    assert cap["vendor_grade"] == vendor["assessment"]["grade"]["letter"]
    assert "one_sided_liability" in cap["checklist_items"].split("; ")
    assert cap["version"] == str(vendor["documents"][1]["latest_version"])


TRICKY = (
    "# +Special Terms\n\n"
    'You grant us a "perpetual, irrevocable" licence\nto use your content.\n\n'
    "=1+1 Any dispute will be resolved by binding arbitration.\n\n"
    "@here These terms are governed by the laws of the State of California.\n"
)


def test_csv_round_trips_quotes_and_guards_formulas(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    with Store.open(db) as store:
        store.ensure_document("Acme", "Terms of Service")
        store.add_version("Acme", "Terms of Service", TRICKY, "2026-01-01T00:00:00Z")
    target = tmp_path / "acme.csv"
    out = RUNNER.invoke(
        app, ["export", "acme", "--db", str(db), "--format", "csv", "--bom", "--out", str(target)]
    )
    assert out.exit_code == 0, out.output
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    with target.open(encoding="utf-8-sig", newline="") as stream:
        rows = {row["clause_type"]: row for row in csv.DictReader(stream)}
    licence = rows["perpetual_license"]["quote"]
    assert licence == 'You grant us a "perpetual, irrevocable" licence\nto use your content.'
    assert rows["arbitration"]["quote"].startswith("'=1+1 Any dispute")
    assert rows["choice_of_law"]["quote"].startswith("'@here These terms")
    assert all(row["section"].startswith("'+Special Terms") for row in rows.values())
    assert rows["arbitration"]["start"].isdigit()  # numbers are not guarded


def test_services_not_yet_judged_are_exported_as_such(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    with Store.open(db) as store:
        store.ensure_document("Acme", "Terms of Service")
        store.add_version(
            "Acme", "Terms of Service", "Service Unavailable", "2026-01-01T00:00:00Z",
            suspect="error page",
        )
        store.ensure_document("Globex", "Privacy Policy")
    data = json.loads(run("export", "--db", str(db)))
    validator().validate(data)
    acme, globex = data["vendors"]
    assert acme["assessment"] is None and globex["assessment"] is None
    (document,) = acme["documents"]
    assert document["latest_version"] is None and document["findings"] == []
    assert [v["suspect"] for v in document["versions"]] == ["error page"]
    assert globex["documents"][0]["versions"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "globex"], "no tracked service 'globex'"),
        (["export", "--format", "xml"], "--format must be json, jsonl or csv"),
        (["export", "--bom"], "--bom applies to --format csv only"),
        (["export", "--home", "XX"], "XX"),
        (["export", "--history", "-1"], "--history"),
    ],
)
def test_bad_requests_are_one_line_and_exit_2(
    demo_db: Path, args: list[str], message: str
) -> None:
    result = RUNNER.invoke(app, [*args, "--db", str(demo_db)])
    assert result.exit_code == 2 and message in result.output


# --- docs/export.md -------------------------------------------------------------------------------


def doc_section(heading: str) -> str:
    assert f"\n{heading}\n" in DOCS, f"docs/export.md has no '{heading}' section"
    return DOCS.split(f"\n{heading}\n", 1)[1].split("\n#", 1)[0]


def documented_csv_columns() -> list[str]:
    return re.findall(r"^\| `([a-z_]+)` \|", doc_section("## CSV columns"), flags=re.MULTILINE)


def test_every_field_of_the_schema_is_documented() -> None:
    schema = committed_schema()
    models = {"Export": schema, **schema["$defs"]}
    documented = set(re.findall(r"^### `(\w+)`$", DOCS, flags=re.MULTILINE))
    assert documented == set(models), "docs/export.md: one '### `Model`' section per definition"
    for name, model in models.items():
        fields = re.findall(r"^\| `([$\w]+)` \|", doc_section(f"### `{name}`"), flags=re.MULTILINE)
        assert fields == list(model["properties"]), f"docs/export.md: fields of {name}"


def test_the_documented_example_validates() -> None:
    (example,) = re.findall(r"```json\n(.*?)```", doc_section("## Example"), flags=re.DOTALL)
    validator().validate(json.loads(example))


def test_csv_columns_and_formula_guard_are_documented() -> None:
    assert documented_csv_columns() == [name for name, _ in export.CSV_COLUMNS]
    guard = doc_section("## CSV columns")
    assert all(f"`{mark}`" in guard for mark in ("=", "+", "-", "@")) and "`'`" in guard
