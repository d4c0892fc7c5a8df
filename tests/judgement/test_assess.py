"""The checklist judges real analyses: every verdict carries its evidence or its reason.

The vendor texts are our own; the real Hugging Face terms are read in place from
../shared/corpora (that test skips when the corpus is absent).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tosanalyzer.base import patterns_dir
from tosanalyzer.judgement import (
    DEFAULT_CHECKLIST,
    ChecklistFileError,
    HomeJurisdictionError,
    VendorDocument,
    assess,
    grade,
    load_checklist,
)
from tosanalyzer.judgement.places import is_foreign, locate
from tosanalyzer.models import Assessment, ItemResult, ItemStatus, LocalizedText
from tosanalyzer.workspace import Workspace

WORKSPACE = Workspace()
KNOWN = {pattern.id for pattern in WORKSPACE.library.patterns}
CHECKLIST = load_checklist(patterns_dir() / DEFAULT_CHECKLIST, KNOWN)
REPO = Path(__file__).resolve().parents[2]
HUGGING_FACE = REPO.parent / "shared" / "corpora" / "ota" / "hugging-face" / "terms-of-service"

HARSH = """# Acme Notes Terms

## 1. Your content

You grant Acme a perpetual, irrevocable, worldwide licence to use, copy and publish your content.

We may use your content to train our machine learning models.

## 2. Liability

Our aggregate liability will not exceed the amount you paid us in the twelve (12) months before
the claim, or $20 if you use a free plan.

## 3. Disputes

These Terms are governed by the laws of the State of California.

Any claim shall be brought exclusively in the state or federal courts located in
Santa Clara County, California.
"""

FAIR = """# Birch Docs Terms

## 1. Your content

You keep all rights in your documents. We host them only to run the service for you.

## 2. Liability

Our total liability to you is limited to the sum of $1,000,000.

## 3. Disputes

You may opt for arbitration instead of court; if you do, the dispute will be
resolved by binding arbitration.

These Terms are governed by the laws of Japan.

Any dispute shall be brought exclusively before the Tokyo District Court.

## 4. Privacy and security

You can opt out of marketing e-mails at any time.

We use subprocessors to host data; the list of subprocessors is published on our website.

We hold an ISO/IEC 27001 certification for the systems that run the service.

We will notify you of any personal data breach within 72 hours.
"""

JAPANESE = """# 利用規約

第1条（適用）本規約は、当社が提供するサービスの利用条件を定めるものです。

第2条（禁止事項）利用者は、法令に違反する行為をしてはなりません。
"""

ABSENCE_ITEMS = ("no_opt_out", "opaque_subprocessors", "no_security_certification")


def document(text: str, name: str = "Terms of Service", version: str = "3") -> VendorDocument:
    return VendorDocument(
        name=name,
        result=WORKSPACE.analyze_text(text, f"{name}.md"),
        version=version,
        recorded_at="2026-04-01T08:00:00Z",
    )


HARSH_DOC = document(HARSH)
FAIR_DOC = document(FAIR)
UNREAD_DOC = document(JAPANESE, name="プライバシーポリシー", version="1")


def item(assessment: Assessment, item_id: str) -> ItemResult:
    return next(result for result in assessment.items if result.id == item_id)


# --- the checklist file -----------------------------------------------------------------------


def test_shipped_checklist_covers_every_red_flag_of_the_issue() -> None:
    kinds = {result.id: result.kind for result in CHECKLIST.items}
    assert kinds == {
        "perpetual_licence": "presence",
        "broad_licence": "presence",
        "one_sided_liability": "attribute",
        "no_opt_out": "absence",
        "bundled_consent": "presence",
        "opaque_subprocessors": "absence",
        "third_party_sharing": "presence",
        "ai_training": "presence",
        "change_without_notice": "presence",
        "termination_without_notice": "presence",
        "forced_arbitration": "presence",
        "foreign_governing_law": "jurisdiction",
        "foreign_venue": "jurisdiction",
        "cross_border_transfer": "presence",
        "government_access": "presence",
        "renewal_and_refunds": "presence",
        "no_security_certification": "absence",
        "no_breach_notification": "absence",
    }
    forced = next(i for i in CHECKLIST.items if i.id == "forced_arbitration")
    assert set(forced.clause_types) == {"arbitration", "class_action_waiver", "jury_trial_waiver"}


def test_every_item_has_a_japanese_title_written_in_japanese() -> None:
    japanese = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    for result in CHECKLIST.items:
        assert japanese.search(result.title.ja), result.id
        assert result.title.ja != result.title.en


def write(tmp_path: Path, text: str, name: str = "vendor-safety.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


SMALL = """id: "vendor-safety"
title: {en: "Review", ja: "レビュー"}
items:
  - id: "perpetual"
    kind: "presence"
    title: {en: "Perpetual licence", ja: "永続的な利用許諾"}
    weight: 3
    clause_types: ["perpetual_license"]
"""


def test_a_small_checklist_loads(tmp_path: Path) -> None:
    checklist = load_checklist(write(tmp_path, SMALL), KNOWN)
    assert [result.id for result in checklist.items] == ["perpetual"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("weight: 3", "wieght: 3"), "field 'items[perpetual].wieght': Extra inputs"),
        (('"perpetual_license"', '"perpetual_licence"'), "unknown clause type 'perpetual_licence'"),
        (("weight: 3", "weight: 9"), "field 'items[perpetual].weight'"),
        (('kind: "presence"', 'kind: "maybe"'), "field 'items[perpetual]'"),
        (('id: "vendor-safety"', 'id: "other"'), "must equal the file name"),
        (("title: {en", "titel: {en"), "field 'titel'"),
    ],
)
def test_a_bad_checklist_names_the_file_and_the_field(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    path = write(tmp_path, SMALL.replace(*change, 1))
    with pytest.raises(ChecklistFileError) as error:
        load_checklist(path, KNOWN)
    assert str(error.value).startswith("vendor-safety.yaml: ")
    assert message in str(error.value)


def test_a_cap_limit_needs_currency_codes(tmp_path: Path) -> None:
    text = SMALL.replace(
        'kind: "presence"', 'kind: "attribute"\n    cap: {at_most: {"DOLLARS": 1}}'
    )
    with pytest.raises(ChecklistFileError, match=r"items\[perpetual\]\.cap\.at_most.*DOLLARS"):
        load_checklist(write(tmp_path, text), KNOWN)


def test_repeated_item_ids_are_refused(tmp_path: Path) -> None:
    repeated = SMALL + SMALL[SMALL.index("  - id:") :]
    with pytest.raises(ChecklistFileError, match="item ids must be unique: perpetual"):
        load_checklist(write(tmp_path, repeated), KNOWN)


# --- presence, attribute and absence items ----------------------------------------------------


def test_raised_presence_item_quotes_its_clause_with_section_and_document() -> None:
    result = item(assess([HARSH_DOC], CHECKLIST), "perpetual_licence")
    assert result.status == "raised"
    [evidence] = result.evidence
    assert "perpetual, irrevocable" in evidence.quote
    assert evidence.document == "Terms of Service"
    assert evidence.version == "3"
    assert evidence.section_path[-1] == "1. Your content"
    assert "Terms of Service (version 3, recorded 2026-04-01)" in result.explanation.en


def test_presence_item_not_found_says_where_it_looked() -> None:
    result = item(assess([FAIR_DOC], CHECKLIST), "perpetual_licence")
    assert result.status == "not_raised"
    assert result.explanation.en.startswith(
        "No perpetual_license clause in the 1 analysed document"
    )
    assert "解析した1件の文書" in result.explanation.ja
    assert not result.evidence


def test_a_fair_form_does_not_raise_but_is_shown() -> None:
    result = item(assess([FAIR_DOC], CHECKLIST), "forced_arbitration")
    assert result.status == "not_raised"
    assert "fair form (arbitration/" in result.explanation.en
    assert [e.fairness for e in result.evidence] == ["fair"]
    assert "opt for arbitration" in result.evidence[0].quote


def test_an_unfair_finding_outweighs_a_fair_one_in_the_same_clause() -> None:
    fair = next(f for f in FAIR_DOC.result.findings if f.clause_type == "arbitration")
    waiver = fair.model_copy(
        update={"clause_type": "class_action_waiver", "fairness": "unfair", "fair_because": None}
    )
    result = FAIR_DOC.result.model_copy(update={"findings": [fair, waiver]})
    both = VendorDocument(name="Terms of Service", result=result)
    raised = item(assess([both], CHECKLIST), "forced_arbitration")
    assert raised.status == "raised"
    assert [(e.clause_type, e.fairness) for e in raised.evidence] == [
        ("class_action_waiver", "unfair")
    ]


def test_liability_cap_at_fees_paid_or_a_small_sum_is_raised_with_its_figures() -> None:
    result = item(assess([HARSH_DOC], CHECKLIST), "one_sided_liability")
    assert result.status == "raised"
    assert result.explanation.en == (
        "The cap of $20 is at or below $100; the cap is tied to the fees you paid (12 months)."
    )
    assert "支払済み料金（12か月分）" in result.explanation.ja
    [evidence] = result.evidence
    assert [(m.amount, m.currency) for m in evidence.attributes.money] == [(20.0, "USD")]


def test_a_high_liability_cap_is_not_raised_and_says_why() -> None:
    result = item(assess([FAIR_DOC], CHECKLIST), "one_sided_liability")
    assert result.status == "not_raised"
    assert result.explanation.en == "The cap is $1,000,000, above $100."
    assert "$1,000,000" in result.evidence[0].quote


def test_raised_absence_item_lists_the_documents_searched() -> None:
    other = document("# Acceptable Use\n\nDo not break the law.\n", "Acceptable Use", "7")
    assessment = assess([HARSH_DOC, other], CHECKLIST)
    for item_id in (*ABSENCE_ITEMS, "no_breach_notification"):
        result = item(assessment, item_id)
        assert result.status == "raised", item_id
        assert [(d.name, d.version) for d in result.searched] == [
            ("Terms of Service", "3"),
            ("Acceptable Use", "7"),
        ]
        assert "in any of the 2 documents searched (Terms of Service" in result.explanation.en
        assert "Acceptable Use (version 7" in result.explanation.en
        assert not result.evidence


def test_absence_item_not_raised_quotes_the_clause_found() -> None:
    result = item(assess([FAIR_DOC], CHECKLIST), "no_opt_out")
    assert result.status == "not_raised"
    assert "opt out of marketing" in result.evidence[0].quote


def test_an_unread_document_makes_absence_items_not_applicable() -> None:
    assessment = assess([HARSH_DOC, UNREAD_DOC], CHECKLIST)
    for item_id in ABSENCE_ITEMS:
        result = item(assessment, item_id)
        assert result.status == "not_applicable", item_id
        assert "プライバシーポリシー (version 1" in result.explanation.en
        assert "cannot be shown" in result.explanation.en
    assert item(assessment, "perpetual_licence").status == "raised"
    unraised = item(assessment, "third_party_sharing")
    assert "Not analysed: プライバシーポリシー" in unraised.explanation.en
    assert any("by hand" in check.en for check in assessment.further_checks)
    assert [d.analysed for d in assessment.documents] == [True, False]


def test_nothing_readable_gives_no_grade() -> None:
    assessment = assess([UNREAD_DOC], CHECKLIST)
    assert {result.status for result in assessment.items} == {"not_applicable"}
    assert assessment.grade.letter is None
    assert assessment.grade.ratio is None


# --- home jurisdiction ------------------------------------------------------------------------


def test_without_home_law_and_venue_are_reported_not_judged() -> None:
    assessment = assess([HARSH_DOC], CHECKLIST)
    law, venue = item(assessment, "foreign_governing_law"), item(assessment, "foreign_venue")
    assert law.status == venue.status == "not_applicable"
    assert law.explanation.en == (
        "Found: State of California (US-CA). No home jurisdiction is set, so it is not judged"
        " foreign."
    )
    assert "Santa Clara County, California (US-CA)" in venue.explanation.en
    assert law.evidence[0].place_code == "US-CA"
    assert "foreign" not in " ".join(check.en for check in assessment.further_checks)


@pytest.mark.parametrize(
    ("home", "status"),
    [("JP", "raised"), ("US-NY", "raised"), ("US-CA", "not_raised"), ("us", "not_raised")],
)
def test_home_jurisdiction_decides_law_and_venue(home: str, status: ItemStatus) -> None:
    assessment = assess([HARSH_DOC], CHECKLIST, home=home)
    assert item(assessment, "foreign_governing_law").status == status
    assert item(assessment, "foreign_venue").status == status
    assert assessment.home == home.upper()


def test_a_raised_venue_quotes_the_clause_and_names_the_home() -> None:
    result = item(assess([HARSH_DOC], CHECKLIST, home="JP"), "foreign_venue")
    assert result.explanation.en == (
        "Santa Clara County, California (US-CA): outside the home jurisdiction JP."
    )
    assert (
        result.explanation.ja == "Santa Clara County, California（US-CA）は所在法域（JP）の域外。"
    )
    assert "courts located in\nSanta Clara County" in result.evidence[0].quote


def test_japanese_law_and_tokyo_court_are_home_for_jp_and_foreign_for_de() -> None:
    at_home = assess([FAIR_DOC], CHECKLIST, home="JP")
    abroad = assess([FAIR_DOC], CHECKLIST, home="DE")
    assert item(at_home, "foreign_venue").status == "not_raised"
    assert "within the home jurisdiction JP" in item(at_home, "foreign_venue").explanation.en
    assert item(abroad, "foreign_venue").status == "raised"
    assert item(abroad, "foreign_governing_law").status == "raised"


def test_a_home_jurisdiction_must_be_an_iso_code() -> None:
    with pytest.raises(HomeJurisdictionError, match="'Japan' is not an ISO 3166"):
        assess([HARSH_DOC], CHECKLIST, home="Japan")


def test_a_court_the_tool_cannot_place_is_left_to_a_human() -> None:
    text = "## Disputes\n\nAny claim shall be brought exclusively in the courts of Lyon.\n"
    result = item(assess([document(text)], CHECKLIST, home="FR"), "foreign_venue")
    assert result.status == "not_applicable"
    assert "Lyon (?)" in result.explanation.en
    assert "Check it by hand" in result.explanation.en


@pytest.mark.parametrize(
    ("place", "code"),
    [
        ("State of New York", "US-NY"),
        ("Wilmington, Delaware", "US-DE"),
        ("Tokyo District Court", "JP-13"),
        ("England and Wales", "GB"),
        ("Dublin, Ireland", "IE-D"),
        ("the city of New York, United States of America", "US-NY"),
        ("Munich, Germany", "DE-BY"),
        ("State of Georgia", "US-GA"),
        ("Ireland or the United States", None),
        ("Lyon", None),
    ],
)
def test_places_are_read_as_iso_codes(place: str, code: str | None) -> None:
    assert locate(place) == code


def test_containment_decides_foreign() -> None:
    assert not is_foreign("US-CA", "US")
    assert not is_foreign("US", "US-CA")
    assert not is_foreign("GB-YOR", "GB-ENG")
    assert is_foreign("US-NY", "US-CA")
    assert is_foreign("IE", "JP")


# --- facts ------------------------------------------------------------------------------------


def test_facts_gather_cap_law_venue_and_dates() -> None:
    facts = assess([HARSH_DOC], CHECKLIST).facts
    [cap] = facts.liability_caps
    assert cap.period is not None and (cap.period.value, cap.period.unit) == (12, "month")
    assert cap.text.en == "$20 · period 12 months"
    assert cap.text.ja == "$20・期間 12か月"
    assert [(p.place, p.code) for p in facts.governing_law] == [("State of California", "US-CA")]
    assert facts.governing_law[0].name == LocalizedText(
        en="California, United States", ja="米国・カリフォルニア"
    )
    assert [p.code for p in facts.venue] == ["US-CA"]


# --- the grade --------------------------------------------------------------------------------


def results(weights: list[int], statuses: list[ItemStatus]) -> list[ItemResult]:
    return [
        ItemResult(
            id=f"i{n}",
            kind="presence",
            title=LocalizedText(en="t", ja="t"),
            weight=weight,
            status=status,
            explanation=LocalizedText(en="e", ja="e"),
        )
        for n, (weight, status) in enumerate(zip(weights, statuses, strict=True))
    ]


def first_raised(count: int, of: int) -> list[ItemStatus]:
    return ["raised" if n < count else "not_raised" for n in range(of)]


@pytest.mark.parametrize(
    ("raised", "score", "letter", "level"),
    [
        (0, 100.0, "A", 5),
        (3, 85.0, "A", 5),
        (4, 80.0, "B", 4),
        (6, 70.0, "B", 4),
        (7, 65.0, "C", 3),
        (10, 50.0, "C", 3),
        (11, 45.0, "D", 2),
        (14, 30.0, "D", 2),
        (15, 25.0, "E", 1),
        (20, 0.0, "E", 1),
    ],
)
def test_grade_boundaries(raised: int, score: float, letter: str, level: int) -> None:
    result = grade(results([1] * 20, first_raised(raised, 20)))
    assert (result.score, result.letter, result.safety_level) == (score, letter, level)
    assert result.ratio == round(100 * raised / 20, 1)


def test_not_applicable_items_leave_the_ratio() -> None:
    result = grade(results([3, 1, 1, 5], [*first_raised(1, 3), "not_applicable"]))
    assert (result.raised, result.applicable) == (1, 3)
    assert (result.raised_weight, result.applicable_weight) == (3, 5)
    assert result.score == 40.0 and result.letter == "D"
    assert result.safety_label == LocalizedText(en="dangerous", ja="危険")


def test_grading_doc_worked_example_is_what_the_code_computes() -> None:
    doc = (REPO / "docs" / "grading.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \| (\w+) \| (\d) \| ([a-z ]+) \|$", doc, re.MULTILINE)
    weights = {result.id: result.weight for result in CHECKLIST.items}
    assert {row[0]: int(row[2]) for row in rows} == weights
    statuses: dict[str, ItemStatus] = {
        "raised": "raised",
        "not raised": "not_raised",
        "not applicable": "not_applicable",
    }
    g = grade(results([int(row[2]) for row in rows], [statuses[row[3]] for row in rows]))
    assert g.safety_label is not None
    line = (
        f"Result: {g.raised}/{g.applicable} items = {g.ratio} %; safety score {g.score}"
        f" ({g.raised_weight} of {g.applicable_weight} weight raised); grade {g.letter};"
        f" safety level {g.safety_level} ({g.safety_label.en}, {g.safety_label.ja})."
    )
    assert line in doc


def test_assessment_round_trips_through_json() -> None:
    assessment = assess([HARSH_DOC, FAIR_DOC], CHECKLIST, home="JP", vendor="Acme")
    data = json.loads(assessment.model_dump_json())
    assert Assessment.model_validate(data) == assessment
    assert data["documents"][0]["pattern_library_version"] == WORKSPACE.library.version


# --- real terms, read in place ----------------------------------------------------------------


def latest_hugging_face_terms() -> Path | None:
    history = HUGGING_FACE / "history.json"
    if not history.is_file():
        return None
    versions: list[dict[str, Any]] = json.loads(history.read_text(encoding="utf-8"))
    latest: str = max(versions, key=lambda v: int(v["version_index"]))["file"]
    return HUGGING_FACE / latest


@pytest.mark.skipif(latest_hugging_face_terms() is None, reason="../shared/corpora is absent")
def test_hugging_face_terms_raise_perpetual_licence_and_the_cap() -> None:
    path = latest_hugging_face_terms()
    assert path is not None
    terms = VendorDocument(
        name="Terms of Service", result=WORKSPACE.analyze_path(path), version=path.stem
    )
    assessment = assess([terms], CHECKLIST, home="JP", vendor="Hugging Face")
    licence = item(assessment, "perpetual_licence")
    assert licence.status == "raised"
    assert any("irrevocable" in e.quote for e in licence.evidence)
    cap = item(assessment, "one_sided_liability")
    assert cap.status == "raised"
    assert "$50" in cap.explanation.en and "12 months" in cap.explanation.en
    [evidence] = cap.evidence
    assert [(m.amount, m.currency) for m in evidence.attributes.money] == [(50.0, "USD")]
    assert evidence.attributes.period is not None
    assert (evidence.attributes.period.value, evidence.attributes.period.unit) == (12, "month")
    assert any("liability" in part.lower() for part in evidence.section_path)
    assert item(assessment, "foreign_governing_law").status == "raised"
