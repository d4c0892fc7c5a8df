"""Who may do what, read from the trained parse: the questions a token window cannot answer
(whose power, affirmed or denied, under which condition), on sentences written for the test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tosanalyzer.analysis.frames import MODEL_DIR, load_parser, read_frame
from tosanalyzer.cli import app
from tosanalyzer.models.frames import Frame


def _frame(sentence: str, matched: str) -> Frame:
    start = sentence.index(matched)
    return read_frame(sentence, (start, start + len(matched)))


@pytest.mark.parametrize(
    ("sentence", "matched", "actor", "modality", "polarity"),
    [
        (
            "We may terminate your account at any time.",
            "terminate your account",
            "provider",
            "may",
            "affirmed",
        ),
        (
            "You may not use the Service to train any machine learning model.",
            "train any machine",
            "user",
            "may",
            "denied",
        ),
        (
            "Acme does not use Customer Content to train its models.",
            "use Customer Content",
            "provider",
            "none",
            "denied",
        ),
        (
            "We will never sell your personal information.",
            "sell your personal",
            "provider",
            "will",
            "denied",
        ),
        (
            "Upon termination, you must delete all copies of the Materials.",
            "delete all copies",
            "user",
            "must",
            "affirmed",
        ),
        (
            "Either party may end this Agreement for convenience.",
            "end this Agreement",
            "both",
            "may",
            "affirmed",
        ),
        (
            "Your content may be used by us to improve the Services.",
            "used by us",
            "provider",
            "may",
            "affirmed",
        ),
        (
            "Our partners may show you advertising based on your activity.",
            "show you advertising",
            "third_party",
            "may",
            "affirmed",
        ),
        (
            "The Company shall not be liable for indirect damages.",
            "liable for indirect",
            "provider",
            "must",
            "denied",
        ),
    ],
)
def test_who_may_do_what(
    sentence: str, matched: str, actor: str, modality: str, polarity: str
) -> None:
    frame = _frame(sentence, matched)
    assert (frame.actor, frame.modality, frame.polarity) == (actor, modality, polarity)


@pytest.mark.parametrize(
    ("sentence", "notice", "days", "cause"),
    [
        (
            "We may suspend your access by giving you at least 30 days' notice.",
            "given",
            30,
            "unstated",
        ),
        (
            "We may suspend your access without prior notice if you breach these Terms.",
            "without",
            None,
            "for_cause",
        ),
        ("We may close your account for any reason or no reason.", "unstated", None, "any_reason"),
        ("We may change these terms with reasonable prior notice.", "given", None, "unstated"),
    ],
)
def test_the_conditions_of_an_act(sentence: str, notice: str, days: int | None, cause: str) -> None:
    frame = _frame(sentence, sentence.split()[2])
    assert (frame.notice, frame.notice_days, frame.cause) == (notice, days, cause)


def test_definitions_examples_and_references_grant_nothing() -> None:
    assert (
        _frame('"Materials" means content used to train models.', "used to train").form
        == "definition"
    )
    assert _frame("For example, we may share data with a courier.", "share data").form == "example"
    assert (
        _frame("See Section 12 for how we may end the service.", "end the service").form
        == "cross_reference"
    )
    assert _frame("We may end the service.", "end the service").form == "clause"


def test_discretion_and_opt_out() -> None:
    frame = _frame("We may remove content in our sole discretion.", "remove content")
    assert frame.sole_discretion and not frame.opt_out
    assert _frame("You can opt out of arbitration within 30 days.", "arbitration").opt_out


def test_the_frame_in_a_reviewers_words() -> None:
    frame = _frame("We may suspend your access by giving you at least 30 days' notice.", "suspend")
    assert frame.says() == "provider may suspend (with 30 days' notice)"
    denied = _frame("You may not copy the software.", "copy the software")
    assert denied.says() == "user may not copy"


def test_the_shipped_parser_says_what_it_was_trained_on() -> None:
    meta = json.loads((MODEL_DIR / "meta.json").read_text(encoding="utf-8"))
    assert meta["license"] == "CC BY-SA 4.0"
    assert "English Web Treebank" in meta["description"]
    assert meta["test_scores"]["dep_uas"] > 0.8
    assert load_parser().pipe_names == ["tok2vec", "tagger", "parser"]


def test_hard_wrapped_clauses_read_as_one_line() -> None:
    frame = _frame("We may close your account without prior\nnotice to you.", "close your account")
    assert (frame.actor, frame.notice) == ("provider", "without")


def test_analyze_gives_each_finding_its_frame(tmp_path: Path) -> None:
    terms = tmp_path / "terms.md"
    terms.write_text(
        "# Terms\n\nWe may terminate your account at any time without notice.\n\n"
        "You may not use the Service to train any artificial intelligence model.\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    data = json.loads(runner.invoke(app, ["analyze", str(terms), "--json"]).stdout)
    frames = {f["clause_type"]: f["frame"] for f in data["findings"]}
    assert frames["unilateral_termination"]["actor"] == "provider"
    assert frames["unilateral_termination"]["notice"] == "without"
    text = runner.invoke(app, ["analyze", str(terms)]).stdout
    assert "who may do what: provider may terminate (without notice)" in text
