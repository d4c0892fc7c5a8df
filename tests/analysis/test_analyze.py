"""Analysis of whole documents: findings quote their clause, offsets hold, output is stable."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tosanalyzer.analysis.nlp.library import PatternFileError, load_library
from tosanalyzer.analysis.nlp.pipeline import build_pipeline
from tosanalyzer.base.bundled import corpora_dir
from tosanalyzer.models import AnalysisResult
from tosanalyzer.workspace import Workspace

SAMPLE = corpora_dir() / "samples" / "northwind-terms.md"
WORKSPACE = Workspace()


@pytest.fixture(scope="module")
def sample() -> AnalysisResult:
    return WORKSPACE.analyze_path(SAMPLE)


def test_sample_is_english_with_its_effective_date(sample: AnalysisResult) -> None:
    assert sample.document.language == "en"
    assert sample.document.analysed
    assert sample.document.effective_date == "2026-03-03"
    assert sample.provenance.pattern_library_version == WORKSPACE.library.version


def test_every_finding_quotes_its_clause_verbatim(sample: AnalysisResult) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    assert sample.findings
    for finding in sample.findings:
        assert text[finding.start : finding.end] == finding.quote
        assert (
            finding.matched_text.replace(" ", "")
            in finding.quote.replace(" ", "").replace("\n", "")
            or finding.matched_text.split()[0] in finding.quote
        )
        clause_type, rule = finding.pattern_id.split("/")
        assert clause_type == finding.clause_type and rule
        assert finding.section_path


def test_sample_red_flags_are_found_with_attributes(sample: AnalysisResult) -> None:
    by_type = {f.clause_type: f for f in sample.findings}
    for expected in (
        "arbitration",
        "perpetual_license",
        "liability_cap_amount",
        "class_action_waiver",
        "jury_trial_waiver",
        "ai_training_on_user_content",
        "choice_of_law",
        "auto_renewal",
        "security_certification",
        "breach_notification",
    ):
        assert expected in by_type, f"{expected} not found"
    cap = by_type["liability_cap_amount"]
    assert cap.section_path[-1] == "6.3"
    assert [(m.amount, m.currency) for m in cap.attributes.money] == [(50.0, "USD")]
    assert cap.attributes.money_rule == "greater_of"
    assert cap.attributes.period is not None
    assert (cap.attributes.period.value, cap.attributes.period.unit) == (12, "month")
    assert by_type["choice_of_law"].attributes.governing_law == "State of Delaware"


def test_capitalised_text_matches_like_lower_case() -> None:
    lower = WORKSPACE.analyze_text("We may terminate your account at any time without notice.")
    upper = WORKSPACE.analyze_text("WE MAY TERMINATE YOUR ACCOUNT AT ANY TIME WITHOUT NOTICE.")
    assert [f.clause_type for f in lower.findings] == [f.clause_type for f in upper.findings]
    assert lower.findings


def test_output_is_deterministic() -> None:
    first = WORKSPACE.analyze_path(SAMPLE).model_dump_json()
    second = Workspace().analyze_path(SAMPLE).model_dump_json()
    assert first == second


def test_markdown_emphasis_does_not_hide_a_clause() -> None:
    plain = WORKSPACE.analyze_text("Our aggregate liability will not exceed $50.")
    marked = WORKSPACE.analyze_text("Our **aggregate liability** will not exceed **$50**.")
    types = {f.clause_type for f in plain.findings}
    assert types and types == {f.clause_type for f in marked.findings}
    cap = next(f for f in marked.findings if f.clause_type == "liability_cap_amount")
    assert cap.quote == "Our **aggregate liability** will not exceed **$50**."
    assert cap.attributes.money[0].amount == 50.0


@pytest.mark.parametrize(
    "text",
    [
        "**We** may decide to **close your account** whenever we like.",
        "We **may**  terminate   **your account** at any time.",
        "We  may  terminate  your  account  at  any  time.",
        "\u200dWe \u200bmay terminate your\xa0account at any time.",
    ],
)
def test_runs_of_spaces_left_by_markup_are_not_words(text: str) -> None:
    """Masked emphasis leaves runs of spaces, which spaCy keeps as tokens, and web pages leave
    zero-width characters beside spaces and no-break spaces: a rule must match across them as
    if they were one space, and quote the text as written."""
    plain = " ".join(re.sub("[\u200b\u200d]", "", text.replace("*", " ")).split())
    expected = [f.pattern_id for f in WORKSPACE.analyze_text(plain).findings]
    assert expected
    findings = WORKSPACE.analyze_text(text).findings
    assert [f.pattern_id for f in findings] == expected
    for finding in findings:
        assert text[finding.start : finding.end] == finding.quote
        assert finding.matched_text in finding.quote


def test_inline_enumerators_do_not_stretch_a_rule_gap() -> None:
    marked = "The operator may, at its discretion, (i) pause the app or (ii) alter its features."
    plain = "The operator may, at its discretion, pause the app or alter its features."
    assert [f.pattern_id for f in WORKSPACE.analyze_text(marked).findings] == [
        f.pattern_id for f in WORKSPACE.analyze_text(plain).findings
    ]
    assert WORKSPACE.analyze_text(plain).findings


def test_html_is_analysed_through_markdown(tmp_path: Path) -> None:
    page = tmp_path / "terms.html"
    page.write_text(
        "<html><head><title>x</title><script>var a=1;</script></head><body>"
        "<h1>Terms</h1><h2>Disputes</h2>"
        "<p>All disputes will be resolved by final and binding arbitration.</p>"
        "</body></html>",
        encoding="utf-8",
    )
    result = WORKSPACE.analyze_path(page)
    assert result.document.format == "html"
    arbitration = [f for f in result.findings if f.clause_type == "arbitration"]
    assert arbitration and arbitration[0].section_path == ["Terms", "Disputes"]


def test_a_non_english_document_is_not_graded_as_clean() -> None:
    text = (
        "Les présentes conditions générales régissent l'utilisation du service. "
        "Nous pouvons résilier votre compte à tout moment et sans préavis. "
        "Les litiges seront soumis aux tribunaux de Paris."
    )
    result = WORKSPACE.analyze_text(text)
    assert result.document.language == "fr"
    assert not result.document.analysed
    assert result.document.not_analysed_reason == "not analysed: language fr"
    assert result.findings == []


def test_the_json_round_trips_through_the_model(sample: AnalysisResult) -> None:
    again = AnalysisResult.model_validate_json(sample.model_dump_json())
    assert again == sample


LEGAL_BITS = st.sampled_from(
    [
        "We may terminate",
        "your account",
        "at any time",
        "without notice",
        "**$50**",
        "Inc.",
        "e.g.",
        "12.2",
        "(a)",
        "\n\n## 7. Disputes\n\n",
        "- ",
        "binding arbitration",
        "U.S.",
        "the greater of",
        "twelve (12) months",
        "[link](http://x.example/?utm_source=a)",
        "governed by the laws of Ireland",
        "# ",
        "|",
        "*",
        "_",
        "\n",
        ". ",
        "LICENSES",
    ]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(LEGAL_BITS, st.text(max_size=12)), max_size=40))
def test_any_text_analyses_without_error_and_offsets_hold(parts: list[str]) -> None:
    text = " ".join(parts)
    result = WORKSPACE.analyzer.analyze_text(text, assume_language="en")
    for finding in result.findings:
        assert text[finding.start : finding.end] == finding.quote
        assert finding.clause_type in {p.id for p in WORKSPACE.library.patterns}


def test_rules_can_require_or_forbid_a_section(tmp_path: Path) -> None:
    (tmp_path / "venue_words.yaml").write_text(
        'id: "venue_words"\ntitle: {en: "V", ja: "V"}\ndescription: "d"\nseverity: "low"\n'
        'polarity: "neutral"\npatterns:\n'
        '  - id: "in-disputes"\n    phrases: ["the courts"]\n    sections: ["dispute"]\n'
        '  - id: "anywhere-but-faq"\n    phrases: ["exclusive venue"]\n    not_sections: ["faq"]\n'
        'examples:\n  match: ["x"]\n  no_match: ["y"]\n',
        encoding="utf-8",
    )
    workspace = Workspace(tmp_path)
    text = (
        "# Resolving Disputes\n\nThe courts of Oslo decide.\n\n"
        "# Other Terms\n\nThe courts of Oslo decide. Exclusive venue is Oslo.\n\n"
        "# FAQ\n\nExclusive venue is Oslo.\n"
    )
    fired = [(f.section_path[-1], f.pattern_id) for f in workspace.analyze_text(text).findings]
    assert fired == [
        ("Resolving Disputes", "venue_words/in-disputes"),
        ("Other Terms", "venue_words/anywhere-but-faq"),
    ]


FAIR_FORMS = """\
id: "forced_forum"
title: {en: "Forum", ja: "裁判所"}
description: "Disputes go to one forum."
severity: "high"
polarity: "bad"
patterns:
  - id: "forum"
    phrases: ["courts of oslo"]
  - id: "home-forum"
    phrases: ["courts of your home town"]
    fair: true
exceptions:
  - id: "sample-text"
    phrases: ["for example only"]
    scope: "section"
fair_when:
  - id: "opt-out"
    phrases: ["you may opt out"]
  - id: "small-claims"
    phrases: ["small claims"]
    scope: "section"
examples:
  match: ["The courts of Oslo decide."]
  no_match: ["Nothing here."]
  fair: ["The courts of Oslo decide, but you may opt out."]
"""


def forms(tmp_path: Path, text: str) -> list[tuple[str, str | None, str | None]]:
    (tmp_path / "forced_forum.yaml").write_text(FAIR_FORMS, encoding="utf-8")
    findings = Workspace(tmp_path).analyze_text(text).findings
    return [(f.pattern_id.split("/")[1], f.fairness, f.fair_because) for f in findings]


def test_a_fair_cue_in_the_clause_marks_the_finding_fair(tmp_path: Path) -> None:
    text = "The courts of Oslo decide. The courts of Oslo decide, but you may opt out."
    assert forms(tmp_path, text) == [
        ("forum", "unfair", None),
        ("forum", "fair", "forced_forum/opt-out"),
    ]


def test_a_fair_rule_is_fair_unless_an_unfair_rule_also_fires(tmp_path: Path) -> None:
    text = (
        "Claims go to the courts of your home town.\n\n"
        "Claims go to the courts of your home town or the courts of Oslo."
    )
    assert forms(tmp_path, text) == [
        ("home-forum", "fair", "forced_forum/home-forum"),
        ("forum", "unfair", None),
    ]


def test_section_scope_reaches_every_clause_under_the_same_headings(tmp_path: Path) -> None:
    text = (
        "# Disputes\n\nThe courts of Oslo decide. Small claims stay local.\n\n"
        "# Venue\n\nThe courts of Oslo decide.\n\n"
        "# Samples\n\nThe courts of Oslo decide. This is for example only.\n"
    )
    assert forms(tmp_path, text) == [
        ("forum", "fair", "forced_forum/small-claims"),
        ("forum", "unfair", None),
    ]


def write_clause_type(folder: Path, name: str, rules: list[dict[str, Any]], **fields: Any) -> None:
    """A minimal clause-type file whose rules are the point of a test."""
    data = {
        "id": name,
        "title": {"en": "T", "ja": "T"},
        "description": "d",
        "severity": "low",
        "polarity": "neutral",
        **fields,
        "patterns": rules,
        "examples": {"match": ["x"], "no_match": ["y"]},
    }
    (folder / f"{name}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")


def phrase_rule(rule_id: str, phrase: str) -> dict[str, Any]:
    return {"id": rule_id, "phrases": [phrase]}


OWN_SETTINGS = [phrase_rule("own-settings", "your own settings")]


def test_exceptions_from_lets_a_general_type_cancel_a_narrower_one(tmp_path: Path) -> None:
    text = "We may change the service at any time. You may change your own settings at any time."
    plain = tmp_path / "plain"
    for folder, fields in [(tmp_path, {"exceptions_from": ["any_change"]}), (plain, {})]:
        folder.mkdir(exist_ok=True)
        general = [phrase_rule("rule", "may change")]
        write_clause_type(folder, "any_change", general, exceptions=OWN_SETTINGS)
        write_clause_type(folder, "silent_change", [phrase_rule("rule", "at any time")], **fields)
    workspace = Workspace(tmp_path)
    fired = [(f.clause_index, f.pattern_id) for f in workspace.analyze_text(text).findings]
    assert fired == [(0, "any_change/rule"), (0, "silent_change/rule")]
    miss = workspace.analyzer.explain_miss(text, 40, len(text), {"silent_change"})
    assert miss == "silent_change/rule matched, but exception any_change/own-settings cancelled it"
    # without the reference the narrower type fires in the second sentence too
    fired = [(f.clause_index, f.pattern_id) for f in Workspace(plain).analyze_text(text).findings]
    assert (1, "silent_change/rule") in fired


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # the exception after "except" carves a case out: the finding stands
        ("Disputes go to arbitration, except that small claims need not go to arbitration.", True),
        ("Disputes go to arbitration other than those that need not go to arbitration.", True),
        # no carve-out word in between, or the exception first: it cancels
        ("Disputes go to arbitration; small claims need not go to arbitration.", False),
        ("Except where claims need not go to arbitration, disputes go to arbitration.", False),
    ],
)
def test_an_exception_behind_except_carves_out_instead_of_cancelling(
    tmp_path: Path, text: str, found: bool
) -> None:
    rules = [phrase_rule("imposed", "go to arbitration")]
    excepted = [phrase_rule("not-required", "need not go to arbitration")]
    write_clause_type(tmp_path, "arbitration", rules, exceptions=excepted)
    findings = Workspace(tmp_path).analyze_text(text).findings
    assert [f.pattern_id for f in findings] == (["arbitration/imposed"] if found else [])


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # the exception rereads the only words that matched: cancelled, as at clause scope
        ("We may disable content.", []),
        # another match of the clause stands: the exception is not about it
        ("We may disable content and terminate accounts.", ["ends/terminate"]),
        ("We may terminate accounts and disable content.", ["ends/terminate"]),
    ],
)
def test_an_exception_of_scope_match_cancels_only_the_matches_it_overlaps(
    tmp_path: Path, text: str, found: list[str]
) -> None:
    rules = [phrase_rule("disable", "may disable"), phrase_rule("terminate", "terminate accounts")]
    rereading = [{**phrase_rule("content-not-account", "disable content"), "scope": "match"}]
    write_clause_type(tmp_path, "ends", rules, exceptions=rereading)
    workspace = Workspace(tmp_path)
    assert [f.pattern_id for f in workspace.analyze_text(text).findings] == found
    if not found:
        miss = workspace.analyzer.explain_miss(text, 0, len(text), {"ends"})
        assert miss == "ends/disable matched, but exception ends/content-not-account cancelled it"


@pytest.mark.parametrize("role", ["patterns", "fair_when"])
def test_only_an_exception_may_have_scope_match(tmp_path: Path, role: str) -> None:
    rule = {**phrase_rule("narrow", "may disable"), "scope": "match"}
    base = [phrase_rule("rule", "may disable")]
    fields = {"polarity": "bad", role: [rule]} if role == "fair_when" else {}
    write_clause_type(tmp_path, "ends", [rule] if role == "patterns" else base, **fields)
    with pytest.raises(PatternFileError, match="scope 'match' applies to exceptions only"):
        load_library(tmp_path)


@pytest.mark.parametrize("reference", ["no_such_type", "silent_change"])
def test_exceptions_from_must_name_another_clause_type(tmp_path: Path, reference: str) -> None:
    write_clause_type(tmp_path, "any_change", [phrase_rule("rule", "may change")])
    rules = [phrase_rule("rule", "at any time")]
    write_clause_type(tmp_path, "silent_change", rules, exceptions_from=[reference])
    with pytest.raises(
        PatternFileError, match=rf"silent_change\.yaml: exceptions_from: {reference} is not another"
    ):
        load_library(tmp_path)


def test_lower_words_also_match_contracted_forms_and_either_apostrophe(tmp_path: Path) -> None:
    def rule(rule_id: str, first: str, second: str) -> dict[str, Any]:
        tokens = [{"LOWER": first}, {"LOWER": second}, {"LEMMA": "refund"}]
        return {"id": rule_id, "tokens": tokens}

    rules = [
        rule("will-not-refund", "will", "not"),
        rule("can-not-refund", "can", "not"),
        rule("do-not-refund", "do", "n't"),  # the rule says n't with a straight apostrophe
    ]
    write_clause_type(tmp_path, "no_refund", rules)
    text = (
        "We will not refund fees. We won't refund fees. We won’t refund fees. "
        "We can't refund fees. We do not refund fees. We'd not refund fees. "
        "We don’t refund fees. WE WON'T REFUND FEES. WE DON’T REFUND FEES."
    )
    findings = Workspace(tmp_path).analyze_text(text).findings
    assert [(f.clause_index, f.pattern_id.split("/")[1]) for f in findings] == [
        (0, "will-not-refund"),
        (1, "will-not-refund"),
        (2, "will-not-refund"),
        (3, "can-not-refund"),
        (6, "do-not-refund"),
        (7, "will-not-refund"),  # spaCy keeps "WON'T" whole unless told otherwise
        (8, "do-not-refund"),
    ]


def test_capitals_split_like_lower_case_but_capital_words_stay_whole() -> None:
    doc = build_pipeline().make_doc("WE WON'T SHARE YOUR ID AND/OR DATA. We won't share it.")
    assert [t.text for t in doc] == [
        "WE", "WO", "N'T", "SHARE", "YOUR", "ID", "AND/OR", "DATA", ".",
        "We", "wo", "n't", "share", "it", ".",
    ]  # fmt: skip


def test_rules_read_british_and_american_spelling_alike(tmp_path: Path) -> None:
    lemmas = [{"LEMMA": "authorise"}, {"OP": "{0,3}"}, {"LEMMA": "licence"}]
    lower = [{"LOWER": "licensing"}, {"LOWER": "terms"}]
    rules = [{"id": "authorise-licence", "tokens": lemmas}, {"id": "terms", "tokens": lower}]
    write_clause_type(tmp_path, "licence_words", rules)
    text = (
        "You authorise us to grant licences. You authorized the license. "
        "They AUTHORIZE the LICENSES. You approve the licence. Read the licencing terms."
    )
    fired = [f.clause_index for f in Workspace(tmp_path).analyze_text(text).findings]
    assert fired == [0, 1, 2, 4]


def test_clause_types_that_are_not_bad_have_no_fairness(sample: AnalysisResult) -> None:
    for finding in sample.findings:
        assert (finding.fairness is None) == (finding.polarity != "bad")


def test_a_miss_is_explained_by_the_closest_rule() -> None:
    analyzer = WORKSPACE.analyzer
    text = "Any dispute will be settled by the courts. Disputes shall be arbitrated."
    miss = analyzer.explain_miss(text, 0, 42, {"arbitration"})
    assert miss.startswith("arbitration/")
    assert "required words present" in miss
    assert analyzer.explain_miss(text, 0, 42, set()) == "no clause type stands for this label"


ACROSS_SENTENCES = """\
id: "silent_changes"
title: {en: "Silent changes", ja: "無通知の変更"}
description: "Terms change and continued use binds the user."
severity: "medium"
polarity: "bad"
patterns:
  - id: "change-then-use-binds"
    scope: "paragraph"
    tokens:
      - {LOWER: "change"}
      - {LOWER: "these"}
      - {LOWER: "terms"}
      - {OP: "{0,12}"}
      - {LOWER: "continued"}
      - {LOWER: "use"}
fair_when:
  - id: "notice-in-paragraph"
    scope: "paragraph"
    phrases: ["we will email you"]
examples:
  match: ["We may change these terms. Your continued use means you accept."]
  no_match: ["We may change these terms.\\n\\nYour continued use means you accept."]
"""


def test_a_paragraph_rule_quotes_the_sentences_it_spans(tmp_path: Path) -> None:
    (tmp_path / "silent_changes.yaml").write_text(ACROSS_SENTENCES, encoding="utf-8")
    workspace = Workspace(tmp_path)
    text = (
        "We may change these terms. Your continued use means you accept. Thanks.\n\n"
        "We may change these terms.\n\nYour continued use means you accept.\n\n"
        "We may change these terms. We will email you first. Continued use binds you."
    )
    findings = workspace.analyze_text(text).findings
    assert [(f.quote, f.fairness) for f in findings] == [
        ("We may change these terms. Your continued use means you accept.", "unfair"),
        (
            "We may change these terms. We will email you first. Continued use binds you.",
            "fair",
        ),
    ]
    first = findings[0]
    assert text[first.start : first.end] == first.quote
    clauses = workspace.analyze_text(text).clauses
    assert clauses[0].paragraph == clauses[1].paragraph != clauses[3].paragraph


LEAD_IN = (
    "We shall not be liable to you for:\n\n"
    "(a) lost profits;\n\n(b) lost data; or\n\n(c) service outages.\n\n"
    "You may contact us at any time.\n"
)


@pytest.mark.parametrize("text", [LEAD_IN, LEAD_IN.upper()], ids=["as written", "in capitals"])
def test_a_lead_in_ending_with_a_colon_carries_its_finding_through_the_items(text: str) -> None:
    findings = [
        f
        for f in WORKSPACE.analyze_text(text).findings
        if f.clause_type == "limitation_of_liability"
    ]
    assert len(findings) == 1
    assert findings[0].quote.lower().startswith("we shall not be liable to you for:")
    assert findings[0].quote.lower().endswith("service outages.")
    assert text[findings[0].start : findings[0].end] == findings[0].quote


def test_a_hard_wrapped_line_does_not_hide_a_clause() -> None:
    text = "Any dispute will be resolved by binding\narbitration in Paris.\n"
    (finding,) = WORKSPACE.analyze_text(text).findings
    assert finding.clause_type == "arbitration"
    assert finding.quote == text.strip()
