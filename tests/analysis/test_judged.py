"""Scoring findings against a reviewer's verdicts: which finding takes which verdict, what is not
judged yet, which missed clauses are found now, and the repository's own verdicts by hash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tosanalyzer.analysis.judged import JudgedSetError, quote_hash, score_judged
from tosanalyzer.cli import app
from tosanalyzer.models.judged import JudgedRow
from tosanalyzer.workspace import Workspace

WORKSPACE = Workspace()
SOURCE = "corpora/ota/acme/terms-of-service/2026-01-01T00-00-00Z.md"
TEXT = (
    "# Terms\n\n"
    "Any dispute will be resolved by binding arbitration.\n\n"
    "We may terminate your account at any time without notice.\n\n"
    "These terms are governed by the laws of the State of New York.\n"
)
SHARED_JUDGED = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "judged"


def _shared(tmp_path: Path, rows: list[dict[str, object]]) -> tuple[Path, Path]:
    document = tmp_path / SOURCE
    document.parent.mkdir(parents=True)
    document.write_text(TEXT, encoding="utf-8")
    judged = tmp_path / "judged.jsonl"
    judged.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return tmp_path, judged


def _row(
    clause_type: str, verdict: str, words: str | None = None, **more: object
) -> dict[str, object]:
    row: dict[str, object] = {"source": SOURCE, "clause_type": clause_type, "verdict": verdict}
    if words is not None:
        start = TEXT.index(words)
        row |= {"start": start, "end": start + len(words), "quote": words}
    return row | more


def test_findings_take_the_verdict_of_the_judged_span_they_overlap(tmp_path: Path) -> None:
    findings = WORKSPACE.analyze_text(TEXT).findings
    types = {f.clause_type for f in findings}
    assert {"arbitration", "unilateral_termination", "choice_of_law"} <= types
    shared, judged = _shared(
        tmp_path,
        [
            _row("arbitration", "C", "resolved by binding arbitration"),
            _row("unilateral_termination", "N", "We may terminate your account at any time"),
            _row("choice_of_law", "T", "governed by the laws of the State of New York"),
        ],
    )
    report = score_judged([judged], shared, WORKSPACE.analyze_path)
    assert report.findings == len(findings)
    assert report.verdicts == {"C": 1, "F": 0, "T": 1, "N": 1}
    assert report.judged == 3
    assert report.precision == pytest.approx(1 / 3, abs=1e-4)
    unjudged = {u.clause_type for u in report.unjudged}
    assert unjudged == types - {"arbitration", "unilateral_termination", "choice_of_law"}
    for finding in report.unjudged:
        assert finding.quote_sha256 == quote_hash(TEXT[finding.start : finding.end])


def test_a_verdict_on_another_type_or_far_away_does_not_count(tmp_path: Path) -> None:
    shared, judged = _shared(
        tmp_path,
        [
            _row("arbitration", "C", "We may terminate your account"),
            _row("choice_of_law", "C", "# Terms"),
        ],
    )
    report = score_judged([judged], shared, WORKSPACE.analyze_path)
    assert report.judged == 0 and report.precision is None
    assert len(report.unjudged) == report.findings


def test_missed_clauses_count_as_found_when_a_finding_of_their_type_covers_them(
    tmp_path: Path,
) -> None:
    shared, judged = _shared(
        tmp_path,
        [
            _row("arbitration", "MISS", quote="binding\n  arbitration."),
            _row("jurisdiction", "MISS", quote="the laws of the State of New York"),
            _row("arbitration", "MISS", quote="words that are not in the text"),
        ],
    )
    report = score_judged([judged], shared, WORKSPACE.analyze_path)
    assert (report.misses, report.misses_found) == (3, 1)
    assert report.documents[0].misses_unlocated == 1


def test_own_verdicts_count_only_while_their_words_are_unchanged(tmp_path: Path) -> None:
    words = "We may terminate your account at any time without notice."
    start = TEXT.index(words)
    shared, judged = _shared(
        tmp_path, [_row("arbitration", "C", "resolved by binding arbitration")]
    )
    own = JudgedRow(
        source=SOURCE,
        start=start,
        end=start + len(words),
        clause_type="unilateral_termination",
        quote_sha256=quote_hash(words),
        verdict="F",
    )
    stale = own.model_copy(
        update={"clause_type": "suspension_without_notice", "quote_sha256": "0" * 64}
    )
    report = score_judged([judged], shared, WORKSPACE.analyze_path, [own, stale])
    assert report.verdicts["F"] == 1
    assert "suspension_without_notice" in {u.clause_type for u in report.unjudged}


def test_a_broken_row_names_its_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"source": "x", "clause_type": "a", "verdict": "C"}\n{"verdict": "maybe"}\n')
    with pytest.raises(JudgedSetError, match=r"bad.jsonl:2"):
        score_judged([path], tmp_path, WORKSPACE.analyze_path)


@pytest.mark.skipif(not SHARED_JUDGED.is_dir(), reason="../shared/corpora/judged is not present")
def test_the_shared_set_it_was_judged_on_is_read_whole() -> None:
    """set-0 was judged on every finding of the library the judges saw: each finding of that
    set's documents today is either judged or listed as waiting for a verdict."""
    report = score_judged(
        [SHARED_JUDGED / "set-0.jsonl"], SHARED_JUDGED.parents[1], WORKSPACE.analyze_path
    )
    assert report.judged + len(report.unjudged) == report.findings > 100
    assert report.judged >= 100


def test_eval_reads_a_judged_file_and_lists_what_waits_for_a_verdict(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    _, judged = _shared(shared, [_row("arbitration", "C", "resolved by binding arbitration")])
    placed = shared / "corpora" / "judged" / "set.jsonl"
    placed.parent.mkdir(parents=True)
    judged.rename(placed)
    runner = CliRunner()
    text = runner.invoke(app, ["eval", str(placed), "--errors"])
    assert text.exit_code == 0, text.output
    assert "precision 1.000 (1 correct of 1 judged)" in text.output
    assert "not judged: corpora/ota/acme" in text.output
    data = json.loads(runner.invoke(app, ["eval", str(placed), "--json"]).stdout)
    assert data["verdicts"]["C"] == 1 and "unjudged" not in data
