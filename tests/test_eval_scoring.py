"""The scorer counts what it says it counts: small labelled sets with hand-computed scores."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tosanalyzer.evaluation import LabelledSetError
from tosanalyzer.workspace import Workspace


def pattern(clause_type: str, phrase: str, extra: str = "") -> str:
    return (
        f'id: "{clause_type}"\ntitle: {{en: "T", ja: "T"}}\ndescription: "d"\n'
        f'severity: "high"\npolarity: "bad"\n{extra}'
        f'patterns:\n  - id: "p"\n    phrases: ["{phrase}"]\n'
        f'examples:\n  match: ["{phrase}"]\n  no_match: ["nothing"]\n'
    )


@pytest.fixture()
def workspace(tmp_path: Path) -> Workspace:
    folder = tmp_path / "patterns"
    folder.mkdir()
    files = {
        "arbitration": pattern("arbitration", "binding arbitration", 'claudette: "arbitration"\n'),
        "unilateral_termination": pattern(
            "unilateral_termination",
            "terminate your account",
            'claudette: "unilateral_termination"\n',
        ),
        "notice_free_termination": pattern(
            "notice_free_termination", "without notice", 'implies: ["unilateral_termination"]\n'
        ),
    }
    for name, text in files.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return Workspace(folder)


def jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


CLAUDETTE_ROWS: list[dict[str, object]] = [
    {"doc": "A", "idx": 2, "text": "You may be removed from the platform.",
     "labels": ["unilateral_termination"]},
    {"doc": "A", "idx": 0, "text": "Disputes go to binding arbitration.",
     "labels": ["arbitration"]},
    {"doc": "A", "idx": 1, "text": "We may terminate your account.", "labels": []},
    {"doc": "A", "idx": 3, "text": "Hello there.", "labels": []},
]


def test_claudette_scores_by_hand(workspace: Workspace, tmp_path: Path) -> None:
    report = workspace.evaluate(jsonl(tmp_path / "c.jsonl", CLAUDETTE_ROWS), with_errors=True)
    assert report.dataset == "claudette" and report.items == 4
    assert len(report.per_category) == 8
    arb = report.per_category["arbitration"]
    assert (arb.tp, arb.fp, arb.fn, arb.f1) == (1, 0, 0, 1.0)
    term = report.per_category["unilateral_termination"]
    assert (term.tp, term.fp, term.fn, term.f1) == (0, 1, 1, 0.0)
    assert (report.micro.precision, report.micro.recall, report.micro.f1) == (0.5, 0.5, 0.5)
    assert report.macro.f1 == 0.125  # (1.0 + 0 × 7) / 8
    kinds = {(e.item, e.clause_type, e.kind, e.pattern_id) for e in report.errors}
    assert kinds == {
        ("A#1", "unilateral_termination", "false_positive", "unilateral_termination/p"),
        ("A#2", "unilateral_termination", "false_negative", None),
    }


TOSDR_ROWS: list[dict[str, object]] = [
    {"service": "a", "quote": "Binding arbitration applies.", "labels": ["arbitration"]},
    {"service": "a", "quote": "We may terminate your account without notice.",
     "labels": ["notice_free_termination"], "implied_labels": ["unilateral_termination"]},
    {"service": "b", "quote": "We may terminate your account.", "labels": ["arbitration"]},
    {"service": "c", "quote": "Last updated: May 1, 2024.", "labels": [],
     "cases": ["There is a date of the last update of the terms"]},
    {"service": "d", "quote": "Binding arbitration is mentioned here.", "labels": [],
     "cases": ["Something else"]},
]


def test_tosdr_scores_by_hand(workspace: Workspace, tmp_path: Path) -> None:
    report = workspace.evaluate(jsonl(tmp_path / "t.jsonl", TOSDR_ROWS))
    assert report.dataset == "tosdr" and report.items == 5
    arb = report.per_category["arbitration"]
    # row 3's extra termination tag is not a false positive; row 5 (a negative) is.
    assert (arb.tp, arb.fp, arb.fn) == (1, 1, 1)
    term = report.per_category["unilateral_termination"]
    assert (term.tp, term.fp, term.fn, term.recall) == (1, 0, 0, 1.0)
    assert report.per_category["notice_free_termination"].recall == 1.0
    assert report.false_tag_rate == 0.5
    assert report.false_tag_rate_without_last_updated == 1.0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json\n", "c.jsonl:1: not JSON"),
        ("", "holds no rows"),
        ('{"x": 1}\n', "unknown format"),
        ('{"doc": "A", "idx": "zero", "text": "t", "labels": []}\n', "row 1"),
    ],
)
def test_bad_labelled_files(
    workspace: Workspace, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LabelledSetError, match=message):
        workspace.evaluate(path)
    proc = subprocess.run(
        [sys.executable, "-m", "tosanalyzer", "eval", str(path)],
        capture_output=True, text=True, check=False, timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: ")


def test_eval_json_shape(workspace: Workspace, tmp_path: Path) -> None:
    path = jsonl(tmp_path / "t.jsonl", TOSDR_ROWS)
    proc = subprocess.run(
        [sys.executable, "-m", "tosanalyzer", "eval", str(path), "--json",
         "--patterns", str(workspace.patterns_dir)],
        capture_output=True, text=True, check=False, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data["per_category"]["arbitration"]) >= {"precision", "recall", "f1"}
    assert set(data["micro"]) >= {"precision", "recall", "f1"}
    assert data["false_tag_rate"] == 0.5
    assert "errors" not in data
