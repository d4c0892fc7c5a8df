"""Reports: every section in Markdown, HTML and JSON; Japanese throughout in ja; text escaped."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from tosanalyzer.base import patterns_dir
from tosanalyzer.judgement import (
    DEFAULT_CHECKLIST,
    MaterialChange,
    VendorDocument,
    assess,
    load_checklist,
    render,
)
from tosanalyzer.judgement.report import (
    LABELS,
    QUOTES_SHOWN,
    VendorReport,
    render_html,
    render_markdown,
)
from tosanalyzer.models import Assessment
from tosanalyzer.workspace import Workspace

WORKSPACE = Workspace()
CHECKLIST = load_checklist(
    patterns_dir() / DEFAULT_CHECKLIST, {p.id for p in WORKSPACE.library.patterns}
)

TERMS = """# Quill Terms

Last updated: May 2, 2026

## 1. Content

You grant Quill a perpetual, irrevocable, worldwide licence to use, copy and publish your content.

We may use your content <script>alert("x")</script> to train our machine learning models.

## 2. Liability

Our aggregate liability will not exceed the fees you paid us in the six (6) months before the
claim.

## 3. Changes

We may modify these Terms at any time without notice.

## 4. Disputes

These Terms are governed by the laws of England and Wales.

Any dispute shall be brought exclusively in the courts of London, England.

We may share your personal data with our partners.

Your data may be stored in the United States and in Singapore.
"""
CHANGE = MaterialChange(
    date="2026-05-02",
    document="Terms of Service",
    lines=[
        "liability cap: $100 → fees paid (6 months)",
        "governing law: Japan → England and Wales",
    ],
)


def quill(home: str | None = "JP", vendor: str = "Quill <b>Inc</b>") -> Assessment:
    result = WORKSPACE.analyze_text(TERMS, "quill.md")
    document = VendorDocument(
        name="Terms of Service", result=result, version="12", recorded_at="2026-05-03T07:00:00Z"
    )
    return assess([document], CHECKLIST, home=home, vendor=vendor)


ASSESSMENT = quill()


class _Text(HTMLParser):
    """The text a browser shows, and the tags it would run."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        if self.lasttag != "style":
            self.text.append(data)


def parse(page: str) -> _Text:
    parser = _Text()
    parser.feed(page)
    return parser


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_reports_show_every_section(fmt: str) -> None:
    page = render(ASSESSMENT, fmt, "en", CHANGE)  # type: ignore[arg-type]
    text = " ".join(parse(page).text) if fmt == "html" else page
    for heading in ("Executive summary", "Documents analysed", "Checklist"):
        assert heading in text
    assert "Extracted attributes" in text and "Latest material change" in text
    assert "Further checks" in text
    label = ASSESSMENT.grade.safety_label
    assert label is not None
    assert f"Grade {ASSESSMENT.grade.letter}: safety level {ASSESSMENT.grade.safety_level}" in text
    assert f"of 5 ({label.en})" in text
    assert f"{ASSESSMENT.grade.raised}/{ASSESSMENT.grade.applicable} items = " in text
    assert ASSESSMENT.documents[0].pattern_library_version in text
    assert "2026-05-03T07:00:00Z" in text and "2026-05-02" in text
    assert "✅" in text and "❌" in text
    assert "liability cap: $100 → fees paid (6 months)" in text
    assert "England and Wales — United Kingdom (GB)" in text
    assert "period 6 months" in text
    assert text.rstrip().endswith(
        "This report is an automated reading of the terms, not legal advice.*"
        if fmt == "markdown"
        else "This report is an automated reading of the terms, not legal advice."
    )


def test_markdown_is_the_default_and_says_when_no_change_is_recorded() -> None:
    page = render(ASSESSMENT)
    assert page.startswith("# Terms of service review: Quill \\<b>Inc\\</b>")
    assert "## Latest material change\n\nNone recorded." in page


def test_checklist_items_carry_their_evidence() -> None:
    page = render_markdown(ASSESSMENT)
    licence = page[page.index("✅ **Perpetual or irrevocable") :]
    licence = licence[: licence.index("\n- ")]
    assert "> You grant Quill a perpetual, irrevocable" in licence
    assert "— *Terms of Service (12) › Quill Terms › 1. Content*" in licence
    breach = page[page.index("**No breach notification stated**") :]
    assert "Documents searched: Terms of Service (12)" in breach.split("\n- ")[0]


def test_long_evidence_lists_are_cut_with_a_pointer_to_json() -> None:
    many = "\n\n".join(
        f"Section {n}. We may share your personal data with partner {n}." for n in range(5)
    )
    document = VendorDocument(name="Terms", result=WORKSPACE.analyze_text(many, "many.md"))
    assessment = assess([document], CHECKLIST)
    sharing = next(i for i in assessment.items if i.id == "third_party_sharing")
    assert len(sharing.evidence) > QUOTES_SHOWN
    page = render_markdown(assessment)
    assert page.count("with partner") == QUOTES_SHOWN
    assert f"{len(sharing.evidence) - QUOTES_SHOWN} more in the JSON report." in page


def test_document_text_is_escaped_in_html() -> None:
    page = render_html(ASSESSMENT, "en", CHANGE)
    parsed = parse(page)
    assert "script" not in parsed.tags
    assert "b" not in parsed.tags
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "Quill &lt;b&gt;Inc&lt;/b&gt;" in page
    assert '<script>alert("x")</script>' in " ".join(parsed.text)


def test_markdown_does_not_pass_html_through() -> None:
    page = render_markdown(ASSESSMENT)
    assert not re.search(r"(?<!\\)<", page)
    assert '\\<script>alert("x")\\</script>' in page


def test_html_is_one_printable_file() -> None:
    page = render_html(ASSESSMENT, "ja")
    assert page.startswith('<!DOCTYPE html>\n<html lang="ja">')
    assert "<style>" in page and "@media print" in page
    assert not re.search(r"<link|<script|src=|@import|url\(", page)
    assert '<meta charset="utf-8">' in page


def static_labels(lang: str) -> list[str]:
    return [getattr(label, lang) for label in LABELS.values() if "{" not in label.en]


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_japanese_report_uses_japanese_labels_and_titles_only(fmt: str) -> None:
    page = render(ASSESSMENT, fmt, "ja", CHANGE)  # type: ignore[arg-type]
    text = " ".join(parse(page).text) if fmt == "html" else page
    for heading in ("エグゼクティブ・サマリー", "チェックリスト", "追加調査項目", "安全性レベル"):
        assert heading in text
    assert "本レポートは利用規約を機械的に読み取った結果であり、法的助言ではありません。" in text
    assert f"{ASSESSMENT.grade.applicable}項目中{ASSESSMENT.grade.raised}項目が該当" in text
    assert "所在法域" in text and "日本（JP）" in text
    for item in ASSESSMENT.items:
        assert item.title.ja in text
        assert item.title.en not in text, item.id
        assert item.explanation.en not in text, item.id
    for check in ASSESSMENT.further_checks:
        assert check.ja in text and check.en not in text
    leaked = [label for label in static_labels("en") if re.search(rf"\b{re.escape(label)}\b", text)]
    assert leaked == []
    assert "England and Wales — 英国（GB）" in text
    assert "期間 6か月" in text


def test_english_report_holds_no_japanese_labels() -> None:
    page = render_markdown(ASSESSMENT, "en")
    assert [label for label in static_labels("ja") if label in page] == []
    assert not re.search(r"[\u3040-\u30ff]", page)


def test_json_report_is_the_assessment_and_the_change() -> None:
    page = render(ASSESSMENT, "json", "ja", CHANGE)
    data = json.loads(page)
    assert set(data) == {"assessment", "latest_change"}
    report = VendorReport.model_validate(data)
    assert report.assessment == ASSESSMENT
    assert report.latest_change == CHANGE
    assert render(ASSESSMENT, "json", "en", CHANGE) == page
    assert json.loads(render(ASSESSMENT, "json"))["latest_change"] is None


def test_report_without_home_says_law_is_not_judged() -> None:
    assessment = quill(home=None)
    page = render_markdown(assessment)
    assert "**Home jurisdiction**: not set" in page
    assert "➖ **Governing law outside your home jurisdiction**" in page
    assert "not judged foreign" in page


def test_ungraded_report_says_so() -> None:
    text = "# 利用規約\n\n第1条 本規約は、当社のサービスの利用条件を定めるものです。\n"
    document = VendorDocument(name="利用規約", result=WORKSPACE.analyze_text(text, "ja.md"))
    assessment = assess([document], CHECKLIST)
    page = render_markdown(assessment, "ja")
    assert "評価不能" in page
    assert "未解析" in page
    html_page = render_html(assessment, "en")
    assert "Not graded" in html_page
