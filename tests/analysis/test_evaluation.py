"""The scorer counts what it says it counts.

Small labelled JSONL files and a three-type pattern library are written into ``tmp_path``, and
every expected figure below is worked out by hand from that data (the arithmetic sits next to
each assertion). All sentences are invented for these tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tosanalyzer.analysis.evaluation import LabelledSetError
from tosanalyzer.models import CLAUDETTE_CATEGORIES, EvalReport, Score
from tosanalyzer.workspace import Workspace

# --- a tiny pattern library -------------------------------------------------------------------


def pattern_file(
    clause_type: str, rule_id: str, phrases: list[str], **extra: Any
) -> dict[str, Any]:
    return {
        "id": clause_type,
        "title": {"en": clause_type.replace("_", " "), "ja": "テスト"},
        "description": f"Test clause type {clause_type}.",
        "severity": "high",
        "polarity": "bad",
        **extra,
        "patterns": [{"id": rule_id, "phrases": phrases}],
        "examples": {"match": [f"Here is {phrases[0]}."], "no_match": ["Nothing to see."]},
    }


PATTERNS = [
    pattern_file("arbitration", "binding", ["binding arbitration"], claudette="arbitration"),
    pattern_file(
        "unilateral_termination",
        "close-account",
        ["close your account"],
        claudette="unilateral_termination",
    ),
    # No CLAUDETTE category of its own; for ToS;DR it also stands for unilateral_termination.
    pattern_file(
        "silent_closure",
        "no-warning",
        ["without any warning"],
        implies=["unilateral_termination"],
    ),
]


@pytest.fixture()
def patterns_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "patterns"
    folder.mkdir()
    for data in PATTERNS:
        (folder / f"{data['id']}.yaml").write_text(
            yaml.safe_dump(data, allow_unicode=True), encoding="utf-8"
        )
    return folder


@pytest.fixture()
def workspace(patterns_dir: Path) -> Workspace:
    return Workspace(patterns=patterns_dir)


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tosanalyzer", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def counts(score: Score) -> tuple[int, int, int, int]:
    return score.tp, score.fp, score.fn, score.support


def prf(score: Score) -> tuple[float, float, float]:
    return score.precision, score.recall, score.f1


# --- CLAUDETTE --------------------------------------------------------------------------------

# Two documents, their rows interleaved and out of idx order in the file.
CLAUDETTE_ROWS: list[dict[str, Any]] = [
    {
        "doc": "alpha",
        "idx": 3,
        "labels": [],
        "text": "Later the parties might also pick binding arbitration together.",
    },  # FP arbitration
    {
        "doc": "beta",
        "idx": 1,
        "labels": ["arbitration"],
        "text": "They are settled only through binding arbitration.",
    },  # TP arbitration
    {
        "doc": "alpha",
        "idx": 0,
        "labels": ["arbitration"],
        "text": "Every disagreement goes to binding arbitration.",
    },  # TP arbitration
    # FN: the finding is in the next sentence (beta#1) and must not spill over onto this one
    {
        "doc": "beta",
        "idx": 0,
        "labels": ["arbitration"],
        "text": "Claims about these rules are handled as the next sentence says.",
    },
    {
        "doc": "alpha",
        "idx": 2,
        "labels": [],
        "text": "Your feedback helps us improve the app.",
    },  # nothing
    {
        "doc": "beta",
        "idx": 2,
        "labels": ["choice_of_law"],
        "text": "The law of Ruritania governs this agreement.",
    },  # FN choice_of_law (no rule)
    {
        "doc": "alpha",
        "idx": 1,
        "labels": ["unilateral_termination"],
        "text": "We may close your account without any warning.",
    },  # TP unilateral_termination
]


def test_claudette_per_category_micro_and_macro(workspace: Workspace, tmp_path: Path) -> None:
    report = workspace.evaluate(write_jsonl(tmp_path / "c.jsonl", CLAUDETTE_ROWS))
    assert report.dataset == "claudette"
    assert report.items == 7
    assert report.split is None
    assert report.false_tag_rate is None
    assert list(report.per_category) == sorted(CLAUDETTE_CATEGORIES)

    arbitration = report.per_category["arbitration"]
    # tp alpha#0, beta#1; fp alpha#3; fn beta#0 → P = R = F1 = 2/3
    assert counts(arbitration) == (2, 1, 1, 3)
    assert prf(arbitration) == (0.6667, 0.6667, 0.6667)

    termination = report.per_category["unilateral_termination"]
    # alpha#1; silent_closure fires there too, but has no CLAUDETTE category of its own
    assert counts(termination) == (1, 0, 0, 1)
    assert prf(termination) == (1.0, 1.0, 1.0)

    law = report.per_category["choice_of_law"]
    assert counts(law) == (0, 0, 1, 1)
    assert prf(law) == (0.0, 0.0, 0.0)

    for category in (
        "content_removal",
        "contract_by_using",
        "jurisdiction",
        "limitation_of_liability",
        "unilateral_change",
    ):
        assert counts(report.per_category[category]) == (0, 0, 0, 0), category  # no support
        assert prf(report.per_category[category]) == (0.0, 0.0, 0.0), category

    # micro: tp 3, fp 1, fn 2 → P 3/4, R 3/5, F1 2·0.75·0.6 / 1.35 = 2/3
    assert counts(report.micro) == (3, 1, 2, 5)
    assert prf(report.micro) == (0.75, 0.6, 0.6667)
    # macro over all 8 categories: (0.6667 + 1.0 + 0 × 6) / 8 = 0.2083 for P, R and F1
    assert prf(report.macro) == (0.2083, 0.2083, 0.2083)
    assert counts(report.macro) == counts(report.micro)


def test_claudette_errors_name_the_sentence_and_the_rule(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", CLAUDETTE_ROWS)
    assert workspace.evaluate(path).errors == []  # only listed when asked for
    report = workspace.evaluate(path, with_errors=True)
    found = {(e.item, e.clause_type, e.kind, e.pattern_id) for e in report.errors}
    assert found == {
        ("alpha#3", "arbitration", "false_positive", "arbitration/binding"),
        ("beta#0", "arbitration", "false_negative", None),
        ("beta#2", "choice_of_law", "false_negative", None),
    }
    texts = {e.item: e.text for e in report.errors}
    assert texts["alpha#3"].startswith("Later the parties")
    assert texts["beta#0"].startswith("Claims about these rules")
    misses = {e.item: e.nearest_miss for e in report.errors}
    assert misses["beta#0"] == "no rule of this type has a required word here"
    assert misses["beta#2"] == "no clause type stands for this label"
    assert misses["alpha#3"] is None  # false positives name the rule that fired instead


def test_claudette_counts_the_unfair_form_only_tosdr_counts_both(tmp_path: Path) -> None:
    folder = tmp_path / "patterns"
    folder.mkdir()
    data = pattern_file("arbitration", "binding", ["binding arbitration"], claudette="arbitration")
    data["fair_when"] = [{"id": "opt-out", "phrases": ["you may opt out"]}]
    data["examples"]["fair"] = ["Disputes go to binding arbitration unless you may opt out."]
    (folder / "arbitration.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    workspace = Workspace(patterns=folder)
    optional = "Disputes go to binding arbitration, but you may opt out within 30 days."
    claudette = workspace.evaluate(
        write_jsonl(
            tmp_path / "c.jsonl",
            [
                {"doc": "d", "idx": 0, "labels": [], "text": optional},
                {"doc": "d", "idx": 1, "labels": ["arbitration"], "text": optional},
            ],
        ),
        with_errors=True,
    )
    # the fair form stands for no CLAUDETTE label: no FP on idx 0, an FN on idx 1
    assert counts(claudette.per_category["arbitration"]) == (0, 0, 1, 1)
    (miss,) = claudette.errors
    assert miss.nearest_miss == ("arbitration/binding found the fair form (arbitration/opt-out)")
    tosdr = workspace.evaluate(
        write_jsonl(
            tmp_path / "t.jsonl",
            [{"service": "s", "quote": optional, "labels": ["arbitration"]}],
        )
    )
    assert counts(tosdr.per_category["arbitration"]) == (1, 0, 0, 1)


def test_claudette_split_keeps_one_lexglue_split(workspace: Workspace, tmp_path: Path) -> None:
    rows = [
        {**row, "lexglue_split": "train" if row["doc"] == "alpha" else "validation"}
        for row in CLAUDETTE_ROWS
    ]
    path = write_jsonl(tmp_path / "c.jsonl", rows)
    report = workspace.evaluate(path, split="validation")
    assert report.split == "validation"
    assert report.items == 3  # beta only
    assert counts(report.per_category["arbitration"]) == (1, 0, 1, 2)
    assert counts(report.per_category["unilateral_termination"]) == (0, 0, 0, 0)
    with pytest.raises(LabelledSetError, match="no rows of split 'test'"):
        workspace.evaluate(path, split="test")


# --- leave-one-out -----------------------------------------------------------------------------


@pytest.fixture()
def traced_workspace(tmp_path: Path) -> Workspace:
    """Arbitration with a rule used in two documents, and a rule, an exception and a cue
    each of which helps in one document only."""
    folder = tmp_path / "loo-patterns"
    folder.mkdir()
    data = pattern_file("arbitration", "binding", ["binding arbitration"], claudette="arbitration")
    data["patterns"].append({"id": "must-arbitrate", "phrases": ["must arbitrate"]})
    data["exceptions"] = [{"id": "opt-in", "phrases": ["may opt into"]}]
    data["fair_when"] = [{"id": "opt-out", "phrases": ["you may opt out"]}]
    data["examples"]["fair"] = ["Binding arbitration applies, but you may opt out."]
    (folder / "arbitration.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return Workspace(patterns=folder)


LOO_ROWS: list[dict[str, Any]] = [
    {
        "doc": "alpha",
        "idx": 0,
        "labels": ["arbitration"],
        "text": "Every disagreement goes to binding arbitration.",
    },  # binding: alpha
    {
        "doc": "alpha",
        "idx": 1,
        "labels": ["arbitration"],
        "text": "You must arbitrate every claim.",
    },  # must-arbitrate: alpha only
    {
        "doc": "alpha",
        "idx": 2,
        "labels": [],
        "text": "Adults may opt into binding arbitration.",
    },  # opt-in cancels: alpha only
    {
        "doc": "beta",
        "idx": 0,
        "labels": ["arbitration"],
        "text": "Claims are settled through binding arbitration.",
    },  # binding: beta
    {
        "doc": "beta",
        "idx": 1,
        "labels": [],
        "text": "Disputes go to binding arbitration, but you may opt out.",
    },  # opt-out: beta only
]


def test_leave_one_out_scores_each_document_without_its_own_rules(
    traced_workspace: Workspace, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", LOO_ROWS)
    plain = traced_workspace.evaluate(path)
    assert counts(plain.per_category["arbitration"]) == (3, 0, 0, 3)
    estimate = traced_workspace.evaluate(path, leave_one_out=True)
    assert estimate.leave_one_out and not plain.leave_one_out
    assert [(s.rule, s.role, s.document) for s in estimate.single_document_rules] == [
        ("arbitration/opt-in", "exception", "alpha"),
        ("arbitration/opt-out", "fair_cue", "beta"),
        ("arbitration/must-arbitrate", "finding", "alpha"),
    ]  # "binding" helps in both documents and stays everywhere
    # alpha#1 is missed without must-arbitrate, alpha#2 and beta#1 are tagged without the
    # exception and the cue; alpha#0 and beta#0 are still found by binding.
    assert counts(estimate.per_category["arbitration"]) == (2, 2, 1, 3)
    assert estimate.items == 5


def test_leave_one_out_counts_support_everywhere_but_scores_one_split(
    traced_workspace: Workspace, tmp_path: Path
) -> None:
    rows = [
        {**row, "lexglue_split": "train" if row["doc"] == "alpha" else "validation"}
        for row in LOO_ROWS
    ]
    path = write_jsonl(tmp_path / "c.jsonl", rows)
    estimate = traced_workspace.evaluate(path, split="validation", leave_one_out=True)
    assert estimate.items == 2
    # binding's support in alpha keeps it for beta; only beta's own cue goes
    assert counts(estimate.per_category["arbitration"]) == (1, 1, 0, 1)
    assert len(estimate.single_document_rules) == 3


def test_leave_one_out_refuses_errors_and_a_tosdr_split(
    traced_workspace: Workspace, tmp_path: Path
) -> None:
    claudette = write_jsonl(tmp_path / "c.jsonl", LOO_ROWS)
    tosdr = write_jsonl(tmp_path / "t.jsonl", LOO_QUOTES)
    with pytest.raises(LabelledSetError, match="without --errors"):
        traced_workspace.evaluate(claudette, with_errors=True, leave_one_out=True)
    with pytest.raises(LabelledSetError, match="--split applies to CLAUDETTE files only"):
        traced_workspace.evaluate(tosdr, split="train", leave_one_out=True)


LOO_QUOTES: list[dict[str, Any]] = [
    {
        "service": "alpha",
        "quote": "Every claim goes to binding arbitration.",
        "labels": ["arbitration"],
    },
    {"service": "alpha", "quote": "You must arbitrate every claim.", "labels": ["arbitration"]},
    {"service": "alpha", "quote": "Adults may opt into binding arbitration.", "labels": []},
    {
        "service": "beta",
        "quote": "Claims are settled through binding arbitration.",
        "labels": ["arbitration"],
    },
    {
        "service": "beta",
        "quote": "Disputes go to binding arbitration, but you may opt out.",
        "labels": ["arbitration"],
    },  # fair, but ToS;DR counts every form: binding helps in beta, the cue nowhere
    {
        "service": "beta",
        "quote": "Members may opt into binding arbitration.",
        "labels": ["class_action_waiver"],
    },  # cancelled on a labelled quote, where a tag would not count: no help to opt-in
]


def test_tosdr_leave_one_out_scores_each_service_without_its_own_rules(
    traced_workspace: Workspace, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "t.jsonl", LOO_QUOTES)
    plain = traced_workspace.evaluate(path)
    assert counts(plain.per_category["arbitration"]) == (4, 0, 0, 4)
    assert plain.false_tag_rate == 0.0
    estimate = traced_workspace.evaluate(path, leave_one_out=True)
    assert estimate.leave_one_out and estimate.dataset == "tosdr"
    assert [(s.rule, s.role, s.document) for s in estimate.single_document_rules] == [
        ("arbitration/opt-in", "exception", "alpha"),
        ("arbitration/must-arbitrate", "finding", "alpha"),
    ]
    # alpha's second quote is missed and its negative tagged; beta keeps every rule
    assert counts(estimate.per_category["arbitration"]) == (3, 1, 1, 4)
    assert estimate.false_tag_rate == 1.0
    assert counts(estimate.per_category["class_action_waiver"]) == (0, 0, 1, 1)


# --- ToS;DR -----------------------------------------------------------------------------------

LAST_UPDATE_CASE = "There is a date of the Last Update of the terms"
TOSDR_ROWS: list[dict[str, Any]] = [
    # 1: tp arbitration
    {
        "service": "alpha",
        "quote": "Every claim goes to binding arbitration.",
        "labels": ["arbitration"],
        "implied_labels": [],
        "cases": ["Arbitration"],
    },
    # 2: tp silent_closure and tp unilateral_termination (implied label, implied tag)
    {
        "service": "alpha",
        "quote": "We might stop things without any warning.",
        "labels": ["silent_closure"],
        "implied_labels": ["unilateral_termination"],
        "cases": ["Closure without notice"],
    },
    # 3: fn unilateral_termination
    {
        "service": "beta",
        "quote": "We can end the service whenever we wish.",
        "labels": ["unilateral_termination"],
        "cases": ["Termination"],
    },
    # 4: tp arbitration; the extra unilateral_termination tag is NOT a false positive
    {
        "service": "beta",
        "quote": "Disputes use binding arbitration and we may close your account.",
        "labels": ["arbitration"],
        "cases": ["Arbitration"],
    },
    # 5-9: the negative pool (labels == [])
    {
        "service": "gamma",
        "quote": "Revised on the first of March.",
        "labels": [],
        "cases": [LAST_UPDATE_CASE],
    },  # dated, untagged
    {
        "service": "gamma",
        "quote": "Revised in May: we may close your account at any time.",
        "labels": [],
        "cases": [LAST_UPDATE_CASE],
    },  # dated, tagged: fp unilateral_termination
    {
        "service": "delta",
        "quote": "Adults may opt into binding arbitration if both agree.",
        "labels": [],
        "cases": ["Minimum age"],
    },  # undated, tagged: fp arbitration
    {
        "service": "delta",
        "quote": "You must be at least thirteen years old.",
        "labels": [],
        "cases": ["Minimum age"],
    },  # undated, untagged
    {
        "service": "delta",
        "quote": "Keep your password to yourself.",
        "labels": [],
        "cases": ["Account security"],
    },  # undated, untagged
]


def test_tosdr_recall_false_tags_and_implied_labels(workspace: Workspace, tmp_path: Path) -> None:
    report = workspace.evaluate(write_jsonl(tmp_path / "t.jsonl", TOSDR_ROWS))
    assert report.dataset == "tosdr"
    assert report.items == 9
    # Categories are the ids that occur as gold (labels ∪ implied_labels).
    assert list(report.per_category) == ["arbitration", "silent_closure", "unilateral_termination"]

    arbitration = report.per_category["arbitration"]
    # tp rows 1, 4; fp row 7 (a negative) → P 2/3, R 1, F1 0.8
    assert counts(arbitration) == (2, 1, 0, 2)
    assert prf(arbitration) == (0.6667, 1.0, 0.8)

    silent = report.per_category["silent_closure"]
    assert counts(silent) == (1, 0, 0, 1)
    assert silent.recall == 1.0

    termination = report.per_category["unilateral_termination"]
    # tp row 2 (implied label counts as gold, implied tag as a hit); fn row 3;
    # fp row 6 (negative); row 4's extra tag is not counted → P 1/2, R 1/2
    assert counts(termination) == (1, 1, 1, 2)
    assert prf(termination) == (0.5, 0.5, 0.5)

    # micro: tp 4, fp 2, fn 1 → P 2/3, R 4/5, F1 (16/15) / (22/15) = 8/11
    assert counts(report.micro) == (4, 2, 1, 5)
    assert prf(report.micro) == (0.6667, 0.8, 0.7273)
    # macro: P (0.6667 + 1 + 0.5)/3, R (1 + 1 + 0.5)/3, F1 (0.8 + 1 + 0.5)/3
    assert prf(report.macro) == (0.7222, 0.8333, 0.7667)

    # 5 negatives, 2 tagged (rows 6, 7); 2 dated ("last update", any case), 1 of them tagged
    assert report.false_tag_rate == 0.4
    assert report.false_tag_rate_without_last_updated == 0.3333  # 1 of 3


def test_tosdr_errors_skip_extra_tags_on_labelled_rows(
    workspace: Workspace, tmp_path: Path
) -> None:
    report = workspace.evaluate(write_jsonl(tmp_path / "t.jsonl", TOSDR_ROWS), with_errors=True)
    found = {(e.item, e.clause_type, e.kind, e.pattern_id) for e in report.errors}
    assert found == {
        ("beta#3", "unilateral_termination", "false_negative", None),
        (
            "gamma#6",
            "unilateral_termination",
            "false_positive",
            "unilateral_termination/close-account",
        ),
        ("delta#7", "arbitration", "false_positive", "arbitration/binding"),
    }


def test_tosdr_without_negatives_has_no_false_tag_rate(
    workspace: Workspace, tmp_path: Path
) -> None:
    report = workspace.evaluate(write_jsonl(tmp_path / "t.jsonl", TOSDR_ROWS[:4]))
    assert report.false_tag_rate is None
    assert report.false_tag_rate_without_last_updated is None
    assert report.micro.fp == 0  # with no negatives nothing can be a false positive


def test_tosdr_rejects_split(workspace: Workspace, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "t.jsonl", TOSDR_ROWS)
    with pytest.raises(LabelledSetError, match="CLAUDETTE files only"):
        workspace.evaluate(path, split="train")


# --- bad labelled files -----------------------------------------------------------------------

GOOD_ROW = json.dumps({"doc": "a", "idx": 0, "text": "Fine.", "labels": []})


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (f"{GOOD_ROW}\nthis is not json\n", r"bad\.jsonl:2: not JSON"),
        (f"{GOOD_ROW}\n[1, 2]\n", r"bad\.jsonl:2: expected a JSON object"),
        ("", r"bad\.jsonl: holds no rows"),
        ("\n   \n", r"bad\.jsonl: holds no rows"),
        ('{"name": "x", "value": 1}\n', r"bad\.jsonl: unknown format"),
        (
            f'{GOOD_ROW}\n{{"doc": "a", "idx": 1, "text": "No labels."}}\n',
            r"bad\.jsonl: row 2: labels: Field required",
        ),
        (
            f'{GOOD_ROW}\n{{"doc": "a", "idx": "one", "text": "t", "labels": []}}\n',
            r"bad\.jsonl: row 2: idx: ",
        ),
        (
            '{"service": "s", "quote": "q", "labels": []}\n{"service": "s", "labels": []}\n',
            r"bad\.jsonl: row 2: quote: Field required",
        ),
        (b"\xff\xfe not utf-8", r"bad\.jsonl: cannot be read"),
    ],
    ids=[
        "not-json",
        "not-object",
        "empty",
        "blank",
        "unknown-format",
        "missing-field",
        "wrong-type",
        "tosdr-missing-field",
        "not-utf8",
    ],
)
def test_bad_labelled_file_names_file_and_line(
    workspace: Workspace, patterns_dir: Path, tmp_path: Path, content: str | bytes, message: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    with pytest.raises(LabelledSetError, match=message):
        workspace.evaluate(path)
    proc = run_cli("eval", str(path), "--patterns", str(patterns_dir))
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ")
    assert "bad.jsonl" in lines[0]
    assert "Traceback" not in proc.stderr


def test_missing_labelled_file_is_exit_code_2(tmp_path: Path, patterns_dir: Path) -> None:
    proc = run_cli("eval", str(tmp_path / "absent.jsonl"), "--patterns", str(patterns_dir))
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1


# --- the eval command -------------------------------------------------------------------------


def test_eval_json_shape_claudette(tmp_path: Path, patterns_dir: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", CLAUDETTE_ROWS)
    proc = run_cli("eval", str(path), "--json", "--patterns", str(patterns_dir))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data["per_category"]) == set(CLAUDETTE_CATEGORIES)
    fields = {"precision", "recall", "f1", "support", "tp", "fp", "fn"}
    for score in [*data["per_category"].values(), data["micro"], data["macro"]]:
        assert set(score) == fields
    assert data["per_category"]["arbitration"]["f1"] == 0.6667
    assert data["micro"]["recall"] == 0.6
    assert data["macro"]["f1"] == 0.2083
    assert data["false_tag_rate"] is None
    assert "errors" not in data
    EvalReport.model_validate(data)


def test_eval_json_shape_tosdr_with_errors(tmp_path: Path, patterns_dir: Path) -> None:
    path = write_jsonl(tmp_path / "t.jsonl", TOSDR_ROWS)
    proc = run_cli("eval", str(path), "--json", "--errors", "--patterns", str(patterns_dir))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["per_category"]["unilateral_termination"]["recall"] == 0.5
    assert data["micro"]["f1"] == 0.7273
    assert data["macro"]["recall"] == 0.8333
    assert data["false_tag_rate"] == 0.4
    assert data["false_tag_rate_without_last_updated"] == 0.3333
    assert len(data["errors"]) == 3
    assert {e["kind"] for e in data["errors"]} == {"false_positive", "false_negative"}


def error_lines(stdout: str) -> list[str]:
    return sorted(line for line in stdout.splitlines() if line.startswith(("FP ", "FN ")))


def test_eval_errors_text_lists_false_positives_and_negatives(
    tmp_path: Path, patterns_dir: Path
) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", CLAUDETTE_ROWS)
    plain = run_cli("eval", str(path), "--patterns", str(patterns_dir))
    assert plain.returncode == 0, plain.stderr
    assert error_lines(plain.stdout) == []

    proc = run_cli("eval", str(path), "--errors", "--patterns", str(patterns_dir))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("claudette · ") and "7 items" in lines[0]
    assert any(line.split()[:2] == ["micro", "0.750"] for line in lines)
    errors = error_lines(proc.stdout)
    assert errors[:2] == [
        "FN arbitration beta#0: Claims about these rules are handled as the next sentence says.",
        "FN choice_of_law beta#2: The law of Ruritania governs this agreement.",
    ]
    assert len(errors) == 3
    assert errors[2].startswith("FP arbitration ")
    assert errors[2].endswith(
        " alpha#3: Later the parties might also pick binding arbitration together."
    )


def test_eval_errors_text_names_the_rule_that_fired(tmp_path: Path, patterns_dir: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", CLAUDETTE_ROWS)
    proc = run_cli("eval", str(path), "--errors", "--patterns", str(patterns_dir))
    assert proc.returncode == 0, proc.stderr
    assert (
        "FP arbitration [arbitration/binding] alpha#3: "
        "Later the parties might also pick binding arbitration together."
    ) in proc.stdout.splitlines()
    lines = proc.stdout.splitlines()
    law = lines.index("FN choice_of_law beta#2: The law of Ruritania governs this agreement.")
    assert lines[law + 1] == "   nearest miss: no clause type stands for this label"


def test_eval_text_prints_false_tag_rates_for_tosdr(tmp_path: Path, patterns_dir: Path) -> None:
    path = write_jsonl(tmp_path / "t.jsonl", TOSDR_ROWS)
    proc = run_cli("eval", str(path), "--patterns", str(patterns_dir))
    assert proc.returncode == 0, proc.stderr
    assert "false_tag_rate 0.4000 (without 'last updated' rows: 0.3333)" in proc.stdout


def test_eval_leave_one_out_text_lists_single_document_rules(
    tmp_path: Path, traced_workspace: Workspace
) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", LOO_ROWS)
    folder = tmp_path / "loo-patterns"
    proc = run_cli("eval", str(path), "--leave-one-out", "--patterns", str(folder))
    assert proc.returncode == 0, proc.stderr
    assert "without the 3 rules that help in one document only" in proc.stdout
    assert "arbitration/must-arbitrate · finding · alpha" in proc.stdout
    quotes = write_jsonl(tmp_path / "t.jsonl", LOO_QUOTES)
    proc = run_cli("eval", str(quotes), "--leave-one-out", "--patterns", str(folder))
    assert proc.returncode == 0, proc.stderr
    assert "each service scored without the 2 rules that help in one service only" in proc.stdout
    refused = run_cli("eval", str(path), "--leave-one-out", "--errors", "--patterns", str(folder))
    assert refused.returncode == 2
    assert refused.stderr.startswith("error: ")
