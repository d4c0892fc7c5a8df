"""Render an Assessment as the vendor review our users know: Markdown, one HTML file, or JSON.

The shape follows the reviews procurement teams already circulate (header with the safety level,
executive summary, checklist with evidence, what changed, further checks), keeping only what a
quoted clause backs. Every label exists in English and Japanese, because our first readers work
in Japanese; document text is shown as written, and in HTML always escaped, since terms fetched
from the web are untrusted input. The HTML file carries its own CSS so it can be mailed, opened
offline and printed.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from typing import Literal

from pydantic import BaseModel, Field

from tosanalyzer.models import (
    Assessment,
    DocumentRef,
    Evidence,
    ItemResult,
    LocalizedText,
    Located,
    PlaceFact,
)

Lang = Literal["en", "ja"]
ReportFormat = Literal["markdown", "html", "json"]

QUOTES_SHOWN = 3
"""Quotes shown per checklist item; the JSON report keeps them all."""


class MaterialChange(BaseModel):
    """The latest material change, as the diff stage summarises it."""

    date: str = Field(description="ISO date of the newer version.")
    document: str
    lines: list[str] = Field(description="One line per change, e.g. 'liability cap: $100 → $50'.")


class VendorReport(BaseModel):
    """What the JSON report holds: the assessment and the latest material change, if any."""

    assessment: Assessment
    latest_change: MaterialChange | None = None


def _l(en: str, ja: str) -> LocalizedText:
    return LocalizedText(en=en, ja=ja)


LABELS: dict[str, LocalizedText] = {
    "title": _l("Terms of service review", "利用規約レビュー"),
    "vendor": _l("Vendor", "ベンダー"),
    "unnamed": _l("(unnamed vendor)", "（名称未設定）"),
    "safety_level": _l("Safety level", "安全性レベル"),
    "grade": _l("Grade", "評価"),
    "level_of": _l("{level} of 5 ({label})", "{level}／5（{label}）"),
    "summary": _l("Executive summary", "エグゼクティブ・サマリー"),
    "verdict": _l("Verdict", "法務判定"),
    "verdict_text": _l(
        "Grade {letter}: safety level {level} of 5 ({label})",
        "評価 {letter}：安全性レベル {level}／5（{label}）",
    ),
    "not_graded": _l(
        "Not graded: no checklist item could be judged", "評価不能：判定できる項目がない"
    ),
    "ratio": _l("Checklist ratio", "該当率"),
    "ratio_text": _l(
        "{raised}/{applicable} items = {ratio} %",
        "{applicable}項目中{raised}項目が該当（{ratio} %）",
    ),
    "score": _l("Safety score", "安全スコア"),
    "score_text": _l(
        "{score} / 100 (weight raised {raised} of {applicable})",
        "{score}／100（重み {applicable} 中 {raised} が該当）",
    ),
    "reason": _l("Reason for the verdict", "最終判定理由"),
    "driven_by": _l("Driven by: {items}.", "主な要因：{items}。"),
    "nothing_raised": _l("No checklist item was raised.", "該当するリスク項目はない。"),
    "weight_of": _l("weight {weight}", "重み {weight}"),
    "home": _l("Home jurisdiction", "所在法域"),
    "home_unset": _l(
        "not set: governing law and courts are reported, not judged",
        "未設定（準拠法・管轄は記載内容のみ示し、域外かどうかは判定しない）",
    ),
    "checklist_version": _l("Checklist", "チェックリスト"),
    "documents": _l("Documents analysed", "解析対象の文書"),
    "document": _l("Document", "文書"),
    "version": _l("Version", "版"),
    "recorded": _l("Recorded", "取得日時"),
    "effective": _l("Effective date", "施行日"),
    "language": _l("Language", "言語"),
    "analysed": _l("Analysed", "解析"),
    "yes": _l("yes", "済"),
    "not_analysed": _l("no: {reason}", "未解析：{reason}"),
    "library": _l("Pattern library", "パターンライブラリ"),
    "checklist": _l("Checklist", "チェックリスト"),
    "legend": _l(
        "✅ raised (red flag) · ❌ not raised · ➖ not judged (left out of the ratio)",
        "✅ 該当（リスクあり）・❌ 非該当・➖ 判定対象外（該当率の計算に含めない）",
    ),
    "raised": _l("raised", "該当"),
    "not_raised": _l("not raised", "非該当"),
    "not_applicable": _l("not judged", "判定対象外"),
    "searched": _l("Documents searched", "検索した文書"),
    "fair_form": _l("fair form", "公正な形"),
    "more_quotes": _l(
        "{count} more in the JSON report.", "ほか{count}件（JSON形式のレポートに全件を収録）。"
    ),
    "facts": _l("Extracted attributes", "抽出した契約条件"),
    "attribute": _l("Attribute", "項目"),
    "value": _l("Value", "内容"),
    "where": _l("Where", "該当箇所"),
    "cap": _l("Liability cap", "賠償責任の上限"),
    "governing_law": _l("Governing law", "準拠法"),
    "venue": _l("Venue", "管轄裁判所"),
    "not_placed": _l("not located", "所在地不明"),
    "notice": _l("Notice", "通知期間"),
    "days": _l("{days} days ({clause_type})", "{days}日（{clause_type}）"),
    "countries": _l("Countries named", "記載された国"),
    "not_stated": _l("not stated", "記載なし"),
    "change": _l("Latest material change", "直近の重要な変更"),
    "no_change": _l("None recorded.", "記録なし。"),
    "further": _l("Further checks", "追加調査項目"),
    "disclaimer": _l(
        "This report is an automated reading of the terms, not legal advice.",
        "本レポートは利用規約を機械的に読み取った結果であり、法的助言ではありません。",
    ),
}
_MARKS = {"raised": "✅", "not_raised": "❌", "not_applicable": "➖"}


def _t(key: str, lang: Lang, **values: object) -> str:
    text = _in(LABELS[key], lang)
    return text.format(**values) if values else text


def _in(text: LocalizedText, lang: Lang) -> str:
    return text.en if lang == "en" else text.ja


_COLON: dict[Lang, str] = {"en": ": ", "ja": "："}


def _aside(text: str, aside: str, lang: Lang) -> str:
    """'Japan (JP)' in English, '日本（JP）' in Japanese."""
    return f"{text} ({aside})" if lang == "en" else f"{text}（{aside}）"


# --- what both formats say (plain strings, escaped by the HTML writer) ------------------------


def _vendor(assessment: Assessment, lang: Lang) -> str:
    return assessment.vendor or _t("unnamed", lang)


def _verdict(assessment: Assessment, lang: Lang) -> str:
    grade = assessment.grade
    if grade.letter is None or grade.safety_label is None:
        return _t("not_graded", lang)
    label = _in(grade.safety_label, lang)
    return _t("verdict_text", lang, letter=grade.letter, level=grade.safety_level, label=label)


def _ratio(assessment: Assessment, lang: Lang) -> str:
    grade = assessment.grade
    if grade.ratio is None:
        return _t("not_graded", lang)
    return _t(
        "ratio_text", lang, raised=grade.raised, applicable=grade.applicable, ratio=grade.ratio
    )


def _score(assessment: Assessment, lang: Lang) -> str:
    grade = assessment.grade
    if grade.score is None:
        return _t("not_graded", lang)
    return _t(
        "score_text",
        lang,
        score=grade.score,
        raised=grade.raised_weight,
        applicable=grade.applicable_weight,
    )


def _reason(assessment: Assessment, lang: Lang) -> str:
    """The heaviest raised items (up to three): what a reader should look at first."""
    raised = [item for item in assessment.items if item.status == "raised"]
    if not raised:
        return _t("nothing_raised", lang)
    heaviest = sorted(raised, key=lambda item: -item.weight)[:3]
    separator = "; " if lang == "en" else "、"
    return _t("driven_by", lang, items=separator.join(_in(item.title, lang) for item in heaviest))


def _home(assessment: Assessment, lang: Lang) -> str:
    if assessment.home is None or assessment.home_name is None:
        return _t("home_unset", lang)
    return _aside(_in(assessment.home_name, lang), assessment.home, lang)


def _where(located: Located, lang: Lang) -> str:
    """'Terms of Service (3) › 7. Disputes › 7.4'."""
    document = located.document
    if located.version:
        document = _aside(document, located.version, lang)
    return " › ".join([document, *located.section_path])


def _analysed(doc: DocumentRef, lang: Lang) -> str:
    if doc.analysed:
        return _t("yes", lang)
    return _t("not_analysed", lang, reason=doc.not_analysed_reason or doc.language)


def _document_rows(assessment: Assessment, lang: Lang) -> list[list[str]]:
    return [
        [
            doc.name,
            doc.version or "—",
            doc.recorded_at or "—",
            doc.effective_date or "—",
            doc.language,
            _analysed(doc, lang),
            doc.pattern_library_version,
        ]
        for doc in assessment.documents
    ]


def _document_header(lang: Lang) -> list[str]:
    keys = ("document", "version", "recorded", "effective", "language", "analysed", "library")
    return [_t(key, lang) for key in keys]


def _place_value(fact: PlaceFact, lang: Lang) -> str:
    if fact.code is None or fact.name is None:
        return _aside(fact.place, _t("not_placed", lang), lang)
    return f"{fact.place} — {_aside(_in(fact.name, lang), fact.code, lang)}"


def _fact_rows(assessment: Assessment, lang: Lang) -> list[list[str]]:
    """(attribute, value, where) rows; an attribute no clause states says so."""
    facts = assessment.facts
    groups: list[tuple[str, list[tuple[str, str]]]] = [
        ("cap", [(_in(c.text, lang), _where(c, lang)) for c in facts.liability_caps]),
        ("governing_law", [(_place_value(p, lang), _where(p, lang)) for p in facts.governing_law]),
        ("venue", [(_place_value(p, lang), _where(p, lang)) for p in facts.venue]),
        (
            "notice",
            [
                (_t("days", lang, days=n.days, clause_type=n.clause_type), _where(n, lang))
                for n in facts.notice_days
            ],
        ),
        ("countries", [(", ".join(_in(c, lang) for c in facts.countries), "")]),
        (
            "effective",
            [(doc.effective_date, doc.name) for doc in assessment.documents if doc.effective_date],
        ),
    ]
    rows: list[list[str]] = []
    for key, values in groups:
        shown = [(value, where) for value, where in values if value]
        rows += [[_t(key, lang), value, where] for value, where in shown] or [
            [_t(key, lang), _t("not_stated", lang), ""]
        ]
    return rows


def _searched(item: ItemResult, lang: Lang) -> str:
    """'Documents searched: Terms of Service (3), Privacy Policy (7)' for a raised absence."""
    names = (
        _where(Located(document=doc.name, version=doc.version, section_path=[]), lang)
        for doc in item.searched
    )
    return _t("searched", lang) + _COLON[lang] + ", ".join(names)


def _quote_note(evidence: Evidence, lang: Lang) -> str:
    """Where a quote is, and whether it is the clause's fair form."""
    where = _where(evidence, lang)
    return f"{where} · {_t('fair_form', lang)}" if evidence.fairness == "fair" else where


# --- Markdown ---------------------------------------------------------------------------------


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md_cell(cell) for cell in row) + " |" for row in rows]
    return lines


def _md_quote(text: str, indent: str) -> list[str]:
    return [f"{indent}> {line}".rstrip() for line in text.splitlines()]


def _md_item(item: ItemResult, lang: Lang) -> list[str]:
    weight = _t("weight_of", lang, weight=item.weight)
    lines = [f"- {_MARKS[item.status]} {_aside(f'**{_in(item.title, lang)}**', weight, lang)}"]
    lines.append(f"  {_in(item.explanation, lang)}")
    if item.searched:
        lines.append(f"  {_searched(item, lang)}")
    for evidence in item.evidence[:QUOTES_SHOWN]:
        lines += ["", *_md_quote(evidence.quote, "  "), f"  > — *{_quote_note(evidence, lang)}*"]
    if len(item.evidence) > QUOTES_SHOWN:
        lines += ["", "  " + _t("more_quotes", lang, count=len(item.evidence) - QUOTES_SHOWN)]
    return [*lines, ""]


def render_markdown(
    assessment: Assessment, lang: Lang = "en", change: MaterialChange | None = None
) -> str:
    colon = _COLON[lang]
    checklist = _aside(_in(assessment.checklist_title, lang), assessment.checklist_id, lang)
    lines = [
        f"# {_t('title', lang)}{colon}{_vendor(assessment, lang)}",
        "",
        f"**{_t('safety_level', lang)}**{colon}{_safety(assessment, lang)}  ",
        f"**{_t('grade', lang)}**{colon}{assessment.grade.letter or '—'}  ",
        f"**{_t('home', lang)}**{colon}{_home(assessment, lang)}  ",
        f"**{_t('checklist_version', lang)}**{colon}{checklist}",
        "",
        f"## {_t('summary', lang)}",
        "",
        f"- **{_t('verdict', lang)}**{colon}{_verdict(assessment, lang)}",
        f"- **{_t('ratio', lang)}**{colon}{_ratio(assessment, lang)}",
        f"- **{_t('score', lang)}**{colon}{_score(assessment, lang)}",
        f"- **{_t('reason', lang)}**{colon}{_reason(assessment, lang)}",
        "",
        f"## {_t('documents', lang)}",
        "",
        *_md_table(_document_header(lang), _document_rows(assessment, lang)),
        "",
        f"## {_t('checklist', lang)}",
        "",
        _t("legend", lang),
        "",
    ]
    for item in assessment.items:
        lines += _md_item(item, lang)
    header = [_t(key, lang) for key in ("attribute", "value", "where")]
    lines += [f"## {_t('facts', lang)}", "", *_md_table(header, _fact_rows(assessment, lang)), ""]
    lines += [f"## {_t('change', lang)}", "", *_md_change(change, lang), ""]
    lines += [f"## {_t('further', lang)}", ""]
    lines += [f"- {_in(check, lang)}" for check in assessment.further_checks]
    lines += ["", "---", "", f"*{_t('disclaimer', lang)}*", ""]
    # Terms, headings and names come from the web: a Markdown viewer must not run their HTML.
    # The report's own Markdown never uses '<', so escaping it everywhere is safe.
    return "\n".join(lines).replace("<", "\\<")


def _md_change(change: MaterialChange | None, lang: Lang) -> list[str]:
    if change is None:
        return [_t("no_change", lang)]
    return [f"**{change.date}** — {change.document}", "", *(f"- {line}" for line in change.lines)]


def _safety(assessment: Assessment, lang: Lang) -> str:
    grade = assessment.grade
    if grade.safety_level is None or grade.safety_label is None:
        return _t("not_graded", lang)
    return _t("level_of", lang, level=grade.safety_level, label=_in(grade.safety_label, lang))


# --- HTML -------------------------------------------------------------------------------------

_CSS = """
:root { --ink: #1d2330; --muted: #5b6475; --line: #d9dde5; --paper: #ffffff;
  --raised: #b42318; --raised-bg: #fdecea; --clear: #1f7a3d; --clear-bg: #e9f6ee;
  --na: #6b7280; --na-bg: #f1f2f4; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f5f8; color: var(--ink);
  font: 15px/1.6 system-ui, -apple-system, "Segoe UI", "Hiragino Sans", "Noto Sans CJK JP",
  "Yu Gothic", Meiryo, sans-serif; }
main { max-width: 60rem; margin: 2rem auto; padding: 2rem 2.5rem; background: var(--paper);
  border: 1px solid var(--line); border-radius: 8px; }
h1 { font-size: 1.6rem; margin: 0 0 .75rem; line-height: 1.3; }
h2 { font-size: 1.15rem; margin: 2rem 0 .75rem; padding-bottom: .3rem;
  border-bottom: 2px solid var(--line); }
.badges { display: flex; flex-wrap: wrap; gap: .75rem; margin: 1rem 0; }
.badge { display: flex; align-items: center; gap: .6rem; padding: .5rem .9rem;
  border: 1px solid var(--line); border-radius: 6px; }
.badge .big { font-size: 1.9rem; font-weight: 700; line-height: 1; }
.badge .what { font-size: .8rem; color: var(--muted); }
.g-A, .g-B { color: var(--clear); } .g-C { color: #a15c07; } .g-D, .g-E { color: var(--raised); }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1.25rem; margin: 0; }
dl.meta dt { color: var(--muted); } dl.meta dd { margin: 0; }
table { width: 100%; border-collapse: collapse; font-size: .88rem; }
th, td { text-align: left; vertical-align: top; padding: .4rem .5rem;
  border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
th { background: #f7f8fa; font-weight: 600; }
table.facts td:first-child { white-space: nowrap; }
.legend { color: var(--muted); font-size: .85rem; }
ol.items { list-style: none; padding: 0; margin: 0; }
.item { border: 1px solid var(--line); border-left: 5px solid var(--na); border-radius: 6px;
  padding: .7rem 1rem; margin: .6rem 0; background: var(--paper); }
.item.raised { border-left-color: var(--raised); background: var(--raised-bg); }
.item.not_raised { border-left-color: var(--clear); }
.item.not_applicable { background: var(--na-bg); }
.item .head { display: flex; gap: .6rem; align-items: baseline; }
.item .title { font-weight: 600; flex: 1; }
.item .weight { color: var(--muted); font-size: .8rem; white-space: nowrap; }
.item .status { font-size: .75rem; font-weight: 600; padding: 0 .45rem; border-radius: 999px;
  border: 1px solid currentColor; white-space: nowrap; color: var(--na); }
.item.raised .status { color: var(--raised); } .item.not_raised .status { color: var(--clear); }
.item p { margin: .3rem 0; }
blockquote { margin: .5rem 0 .2rem; padding: .4rem .8rem; background: var(--paper);
  border-left: 3px solid var(--line); font-size: .9rem; white-space: pre-line; }
.where { color: var(--muted); font-size: .8rem; margin: 0 0 .5rem; }
.more { color: var(--muted); font-size: .85rem; }
footer { margin-top: 2rem; padding-top: 1rem; border-top: 1px solid var(--line);
  color: var(--muted); font-size: .85rem; }
@media print {
  @page { margin: 15mm; }
  body { background: none; font-size: 10.5pt; }
  main { margin: 0; padding: 0; border: 0; max-width: none; }
  .item, blockquote, tr { break-inside: avoid; }
  h2 { break-after: avoid; }
  .item.raised, .item.not_applicable, th { -webkit-print-color-adjust: exact;
    print-color-adjust: exact; }
}
"""


def _e(text: object) -> str:
    return html.escape(str(text))


_EMPHASIS = re.compile(r"\*\*|__")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


_LINE_BREAK = re.compile(r"[ \t]*(?<!\n)\n(?!\n)[ \t]*")


def _plain(markdown: str) -> str:
    """A quote for reading in a browser: no Markdown emphasis, link targets or hard wrapping."""
    return _LINE_BREAK.sub(" ", _EMPHASIS.sub("", _LINK.sub(r"\1", markdown)))


def _html_table(header: list[str], rows: list[list[str]], css_class: str = "") -> str:
    head = "".join(f"<th>{_e(cell)}</th>" for cell in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{_e(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f'<table class="{css_class}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _html_item(item: ItemResult, lang: Lang) -> str:
    parts = [
        f'<li class="item {item.status}"><div class="head">'
        f'<span class="mark">{_MARKS[item.status]}</span>'
        f'<span class="title">{_e(_in(item.title, lang))}</span>'
        f'<span class="status">{_e(_t(item.status, lang))}</span>'
        f'<span class="weight">{_e(_t("weight_of", lang, weight=item.weight))}</span></div>',
        f"<p>{_e(_in(item.explanation, lang))}</p>",
    ]
    if item.searched:
        parts.append(f"<p>{_e(_searched(item, lang))}</p>")
    for evidence in item.evidence[:QUOTES_SHOWN]:
        parts.append(f"<blockquote>{_e(_plain(evidence.quote))}</blockquote>")
        parts.append(f'<p class="where">{_e(_quote_note(evidence, lang))}</p>')
    if len(item.evidence) > QUOTES_SHOWN:
        more = _t("more_quotes", lang, count=len(item.evidence) - QUOTES_SHOWN)
        parts.append(f'<p class="more">{_e(more)}</p>')
    return "".join(parts) + "</li>"


def _html_badges(assessment: Assessment, lang: Lang) -> str:
    grade = assessment.grade
    letter = grade.letter or "—"
    level = str(grade.safety_level or "—")
    label = _in(grade.safety_label, lang) if grade.safety_label else _t("not_graded", lang)
    return (
        '<div class="badges">'
        f'<div class="badge g-{letter}"><span class="big">{_e(letter)}</span>'
        f'<span class="what">{_e(_t("grade", lang))}</span></div>'
        f'<div class="badge g-{letter}"><span class="big">{_e(level)}</span>'
        f'<span class="what">{_e(_t("safety_level", lang))}<br>{_e(label)}</span></div>'
        "</div>"
    )


def _html_dl(pairs: Iterable[tuple[str, str]]) -> str:
    return (
        '<dl class="meta">'
        + "".join(f"<dt>{_e(term)}</dt><dd>{_e(value)}</dd>" for term, value in pairs)
        + "</dl>"
    )


def _html_change(change: MaterialChange | None, lang: Lang) -> str:
    if change is None:
        return f"<p>{_e(_t('no_change', lang))}</p>"
    lines = "".join(f"<li>{_e(line)}</li>" for line in change.lines)
    return f"<p><strong>{_e(change.date)}</strong> — {_e(change.document)}</p><ul>{lines}</ul>"


def render_html(
    assessment: Assessment, lang: Lang = "en", change: MaterialChange | None = None
) -> str:
    title = f"{_t('title', lang)}{_COLON[lang]}{_vendor(assessment, lang)}"
    summary = [
        (_t("verdict", lang), _verdict(assessment, lang)),
        (_t("ratio", lang), _ratio(assessment, lang)),
        (_t("score", lang), _score(assessment, lang)),
        (_t("reason", lang), _reason(assessment, lang)),
    ]
    header = [
        (_t("vendor", lang), _vendor(assessment, lang)),
        (_t("home", lang), _home(assessment, lang)),
        (
            _t("checklist_version", lang),
            _aside(_in(assessment.checklist_title, lang), assessment.checklist_id, lang),
        ),
    ]
    items = "".join(_html_item(item, lang) for item in assessment.items)
    further = "".join(f"<li>{_e(_in(check, lang))}</li>" for check in assessment.further_checks)
    fact_header = [_t(key, lang) for key in ("attribute", "value", "where")]
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body><main>"
        f"<header><h1>{_e(title)}</h1>{_html_badges(assessment, lang)}{_html_dl(header)}</header>"
        f'<section id="summary"><h2>{_e(_t("summary", lang))}</h2>{_html_dl(summary)}</section>'
        f'<section id="documents"><h2>{_e(_t("documents", lang))}</h2>'
        f"{_html_table(_document_header(lang), _document_rows(assessment, lang))}</section>"
        f'<section id="checklist"><h2>{_e(_t("checklist", lang))}</h2>'
        f'<p class="legend">{_e(_t("legend", lang))}</p><ol class="items">{items}</ol></section>'
        f'<section id="facts"><h2>{_e(_t("facts", lang))}</h2>'
        f"{_html_table(fact_header, _fact_rows(assessment, lang), 'facts')}</section>"
        f'<section id="change"><h2>{_e(_t("change", lang))}</h2>'
        f"{_html_change(change, lang)}</section>"
        f'<section id="further"><h2>{_e(_t("further", lang))}</h2><ul>{further}</ul></section>'
        f"<footer>{_e(_t('disclaimer', lang))}</footer></main></body></html>\n"
    )


# --- JSON and the one entry point -------------------------------------------------------------


def render_json(assessment: Assessment, change: MaterialChange | None = None) -> str:
    """Both languages are in the data, so the JSON report does not depend on ``lang``."""
    report = VendorReport(assessment=assessment, latest_change=change)
    return report.model_dump_json(indent=2) + "\n"


_RENDERERS: dict[ReportFormat, Callable[[Assessment, Lang, MaterialChange | None], str]] = {
    "markdown": render_markdown,
    "html": render_html,
    "json": lambda assessment, _lang, change: render_json(assessment, change),
}


def render(
    assessment: Assessment,
    fmt: ReportFormat = "markdown",
    lang: Lang = "en",
    change: MaterialChange | None = None,
) -> str:
    """The report in one format and language (JSON holds both languages)."""
    return _RENDERERS[fmt](assessment, lang, change)
