"""Judge a vendor's analysed terms against a checklist of red flags, and grade the result.

A reviewer pays for a verdict they can defend, so every item carries its reason: the quotes that
raised it, the documents searched when an expected clause is missing, or why it stayed down. What
the tool cannot show it does not assert: an absence over a document that could not be read is
"not applicable", a court the tool cannot place is left to a human, and without a home
jurisdiction no law is called foreign. The checklist is data (YAML beside the clause patterns) so
a team can tune weights and wording without touching code; the formula that turns items into a
grade lives in ``grade`` alone and is documented in docs/grading.md.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import pycountry
from pydantic import BaseModel, Field, field_validator, model_validator

from tosanalyzer.base.yamlfiles import read_yaml_model
from tosanalyzer.judgement.places import (
    country_name,
    is_foreign,
    locate,
    normalise_home,
    place_name,
)
from tosanalyzer.models import (
    AnalysisResult,
    Assessment,
    Attributes,
    CapFact,
    DocumentRef,
    DocumentVersion,
    Evidence,
    Facts,
    Finding,
    Grade,
    ItemResult,
    ItemStatus,
    Letter,
    LocalizedText,
    Money,
    NoticeFact,
    Period,
    PlaceFact,
    Strict,
)

DEFAULT_CHECKLIST = Path("checklists") / "vendor-safety.yaml"
"""The shipped checklist, relative to the clause-pattern folder."""

_ID = re.compile(r"^[a-z][a-z0-9_-]*$")

# --- the checklist (data in clause_patterns/checklists/*.yaml) ---------------------------------


class CapLimit(Strict):
    """When a liability cap is a red flag: at or below an amount, or tied to the fees paid."""

    at_most: dict[str, float] = Field(
        min_length=1, description="Currency code → the highest cap that is still a red flag."
    )
    fees_paid: bool = Field(
        default=True, description="A cap at the fees the user paid is a red flag too."
    )

    @field_validator("at_most")
    @classmethod
    def _currency_codes(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = [code for code in value if pycountry.currencies.get(alpha_3=code) is None]
        if unknown:
            raise ValueError(f"not ISO 4217 currency codes: {', '.join(unknown)}")
        return value


class _Item(Strict):
    id: str
    title: LocalizedText
    weight: int = Field(ge=1, le=5, description="How much the item counts in the grade.")
    clause_types: list[str] = Field(
        min_length=1, description="The clause types whose findings count as evidence."
    )
    ask: LocalizedText | None = Field(
        default=None, description="What a human should ask the vendor when the item is raised."
    )

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("item ids are lower-case letters, digits, '-' and '_'")
        return value


class PresenceItem(_Item):
    """Raised when a clause of a listed type is found in its unfair form."""

    kind: Literal["presence"]


class AbsenceItem(_Item):
    """Raised when no analysed document holds a clause of a listed (good) type."""

    kind: Literal["absence"]


class AttributeItem(_Item):
    """Raised when a listed clause caps liability at or below the limit."""

    kind: Literal["attribute"]
    cap: CapLimit


class JurisdictionItem(_Item):
    """Raised when the law or courts a clause names lie outside the home jurisdiction."""

    kind: Literal["jurisdiction"]
    attribute: Literal["governing_law", "venue"]


ChecklistItem = Annotated[
    PresenceItem | AbsenceItem | AttributeItem | JurisdictionItem, Field(discriminator="kind")
]


class Checklist(Strict):
    id: str
    title: LocalizedText
    items: list[ChecklistItem] = Field(min_length=1)
    always_ask: list[LocalizedText] = Field(
        default_factory=list, description="Further checks listed in every report."
    )

    @model_validator(mode="after")
    def _unique_ids(self) -> Checklist:
        ids = [item.id for item in self.items]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"item ids must be unique: {', '.join(repeated)}")
        return self


class ChecklistFileError(ValueError):
    """A checklist file that cannot be used; the message names the file and the field."""


def _field_path(loc: tuple[int | str, ...], data: Any) -> str:
    """'items[one_sided_liability].cap.at_most' rather than 'items.2.attribute.cap.at_most'."""
    parts = [str(part) for part in loc]
    if len(loc) >= 2 and loc[0] == "items" and isinstance(loc[1], int):
        items = data.get("items") if isinstance(data, dict) else None
        item = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else None
        name = item.get("id", loc[1]) if isinstance(item, dict) else loc[1]
        kind = item.get("kind") if isinstance(item, dict) else None
        rest = parts[3:] if len(parts) > 2 and parts[2] == kind else parts[2:]
        parts = [f"items[{name}]", *rest]
    return ".".join(parts) or "(top)"


def load_checklist(path: Path, known_clause_types: Collection[str]) -> Checklist:
    """Read and validate a checklist file; every clause type it names must be in the library."""
    checklist = read_yaml_model(path, Checklist, ChecklistFileError, _field_path)
    unknown = [
        f"field 'items[{item.id}].clause_types': unknown clause type '{clause_type}'"
        for item in checklist.items
        for clause_type in item.clause_types
        if clause_type not in known_clause_types
    ]
    if unknown:
        raise ChecklistFileError(f"{path.name}: {'; '.join(unknown)} (not in the pattern library)")
    return checklist


# --- the assessment ---------------------------------------------------------------------------


class VendorDocument(BaseModel):
    """One analysed document of the vendor, with the version it was read from (if stored)."""

    name: str
    result: AnalysisResult
    version: str | None = Field(default=None, description="Version id or label in the store.")
    recorded_at: str | None = Field(default=None, description="ISO 8601: when it was fetched.")


# --- the grade: the one place the formula lives -----------------------------------------------

LETTER_FLOORS: tuple[tuple[Letter, int], ...] = (
    ("A", 85),
    ("B", 70),
    ("C", 50),
    ("D", 30),
    ("E", 0),
)
"""Lowest safety score (percent of applicable weight not raised) that earns each letter."""
SAFETY_LEVELS: dict[Letter, int] = {"A": 5, "B": 4, "C": 3, "D": 2, "E": 1}
SAFETY_LABELS: dict[int, LocalizedText] = {
    5: LocalizedText(en="safe", ja="安全"),
    4: LocalizedText(en="mostly safe", ja="概ね安全"),
    3: LocalizedText(en="caution", ja="要注意"),
    2: LocalizedText(en="dangerous", ja="危険"),
    1: LocalizedText(en="extremely dangerous", ja="極めて危険"),
}


def grade(items: Sequence[ItemResult]) -> Grade:
    """Raised / applicable items, and the weighted safety score mapped to A–E and 1–5.

    Not-applicable items leave both counts. The letter compares whole numbers (safe weight × 100
    against floor × applicable weight), so a score of exactly 85 % is an A on every machine.
    """
    applicable = [item for item in items if item.status != "not_applicable"]
    raised = [item for item in applicable if item.status == "raised"]
    applicable_weight = sum(item.weight for item in applicable)
    raised_weight = sum(item.weight for item in raised)
    if not applicable_weight:
        return Grade(
            raised=0, applicable=0, ratio=None, raised_weight=0, applicable_weight=0, score=None
        )
    safe_weight = applicable_weight - raised_weight
    letter = next(
        letter for letter, floor in LETTER_FLOORS if safe_weight * 100 >= floor * applicable_weight
    )
    level = SAFETY_LEVELS[letter]
    return Grade(
        raised=len(raised),
        applicable=len(applicable),
        ratio=round(100 * len(raised) / len(applicable), 1),
        raised_weight=raised_weight,
        applicable_weight=applicable_weight,
        score=round(100 * safe_weight / applicable_weight, 1),
        letter=letter,
        safety_level=level,
        safety_label=SAFETY_LABELS[level],
    )


# --- wording shared by the explanations -------------------------------------------------------


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _doc_label(doc: VendorDocument | DocumentVersion) -> LocalizedText:
    date = doc.recorded_at[:10] if doc.recorded_at else None
    en = [f"version {doc.version}" if doc.version else "", f"recorded {date}" if date else ""]
    ja = [f"版 {doc.version}" if doc.version else "", f"{date} 取得" if date else ""]
    en_details, ja_details = ", ".join(filter(None, en)), "、".join(filter(None, ja))
    return LocalizedText(
        en=f"{doc.name} ({en_details})" if en_details else doc.name,
        ja=f"{doc.name}（{ja_details}）" if ja_details else doc.name,
    )


def _joined(labels: Iterable[LocalizedText]) -> LocalizedText:
    items = list(labels)
    return LocalizedText(
        en=", ".join(label.en for label in items), ja="、".join(label.ja for label in items)
    )


def _money_text(amount: float, currency: str) -> str:
    symbol = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}.get(currency)
    number = f"{amount:,.0f}" if amount == int(amount) else f"{amount:,.2f}"
    return f"{symbol}{number}" if symbol else f"{currency} {number}"


_UNITS_JA = {"day": "日", "week": "週間", "month": "か月", "year": "年"}


def _period_text(period: Period) -> LocalizedText:
    return LocalizedText(
        en=_plural(period.value, period.unit), ja=f"{period.value}{_UNITS_JA[period.unit]}"
    )


def _text(en: str, ja: str) -> LocalizedText:
    return LocalizedText(en=en, ja=ja)


_RULES = {
    "greater_of": ("the greater of", "いずれか高い方"),
    "lesser_of": ("the lesser of", "いずれか低い方"),
}


def _cap_text(attributes: Attributes) -> LocalizedText:
    """'$50 / $100 (the greater of) · period 12 months', and its Japanese."""
    amounts = " / ".join(_money_text(m.amount, m.currency) for m in attributes.money)
    en, ja = [amounts] if amounts else [], [amounts] if amounts else []
    if attributes.money_rule:
        rule_en, rule_ja = _RULES[attributes.money_rule]
        en, ja = [*en, rule_en], [*ja, rule_ja]
    if attributes.period:
        span = _period_text(attributes.period)
        en, ja = [*en, f"period {span.en}"], [*ja, f"期間 {span.ja}"]
    return _text(" · ".join(en), "・".join(ja))


# --- evaluating the items ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Found:
    doc: VendorDocument
    finding: Finding

    @property
    def unfair(self) -> bool:
        return self.finding.fairness != "fair"

    def evidence(self, place_code: str | None = None) -> Evidence:
        finding = self.finding
        return Evidence(
            document=self.doc.name,
            version=self.doc.version,
            section_path=finding.section_path,
            clause_type=finding.clause_type,
            pattern_id=finding.pattern_id,
            quote=finding.quote,
            fairness=finding.fairness,
            fair_because=finding.fair_because,
            attributes=finding.attributes,
            place_code=place_code,
        )


@dataclass(frozen=True)
class _Context:
    read: list[VendorDocument]
    unread: list[VendorDocument]
    home: str | None

    def found(self, clause_types: Collection[str]) -> list[_Found]:
        """Findings of these types, one per quoted span (a clause can hold several types).

        When a span holds a fair and an unfair finding, the unfair one is kept: it decides.
        """
        kept: dict[tuple[int, int, int], _Found] = {}
        for number, doc in enumerate(self.read):
            for finding in doc.result.findings:
                if finding.clause_type not in clause_types:
                    continue
                span, found = (number, finding.start, finding.end), _Found(doc, finding)
                current = kept.get(span)
                if current is None or (found.unfair and not current.unfair):
                    kept[span] = found
        return list(kept.values())

    def nothing_found(self, what: LocalizedText | str) -> LocalizedText:
        """'No clause of type X in the N analysed documents (…)', naming any unread ones."""
        kind = what if isinstance(what, LocalizedText) else _text(what, what)
        count, docs = len(self.read), _joined(_doc_label(doc) for doc in self.read)
        text = _text(
            f"No {kind.en} clause in the {_plural(count, 'analysed document')} ({docs.en}).",
            f"解析した{count}件の文書（{docs.ja}）に{kind.ja}の条項は見当たらない。",
        )
        if not self.unread:
            return text
        unread = _joined(_doc_label(doc) for doc in self.unread)
        return _text(f"{text.en} Not analysed: {unread.en}.", f"{text.ja}未解析：{unread.ja}。")


def _where(found: list[_Found]) -> LocalizedText:
    """'2 clauses of Terms of Service (version 3)' for the explanations of raised items."""
    docs = _joined(_doc_label(doc) for doc in {id(f.doc): f.doc for f in found}.values())
    return _text(f"{_plural(len(found), 'clause')} of {docs.en}", f"{docs.ja}の{len(found)}か所")


def _fair_only(fair: list[_Found]) -> LocalizedText:
    because = ", ".join(sorted({f.finding.fair_because or f.finding.pattern_id for f in fair}))
    return _text(
        f"Found only in its fair form ({because}), which is not a red flag.",
        f"公正な形（{because}）でのみ記載されており、リスク項目には当たらない。",
    )


def _result(
    item: ChecklistItem, status: ItemStatus, explanation: LocalizedText, **more: Any
) -> ItemResult:
    return ItemResult(
        id=item.id,
        kind=item.kind,
        title=item.title,
        weight=item.weight,
        status=status,
        explanation=explanation,
        **more,
    )


def _presence(item: PresenceItem, ctx: _Context) -> ItemResult:
    found = ctx.found(item.clause_types)
    unfair = [f for f in found if f.unfair]
    if unfair:
        where = _where(unfair)
        explanation = _text(f"Found in {where.en}.", f"{where.ja}に該当条項あり。")
        return _result(item, "raised", explanation, evidence=_quotes(unfair))
    if found:
        return _result(item, "not_raised", _fair_only(found), evidence=_quotes(found))
    what = " / ".join(item.clause_types)
    return _result(item, "not_raised", ctx.nothing_found(what))


def _quotes(found: list[_Found]) -> list[Evidence]:
    return [f.evidence() for f in found]


def _absence(item: AbsenceItem, ctx: _Context) -> ItemResult:
    found = ctx.found(item.clause_types)
    what = " / ".join(item.clause_types)
    if found:
        where = _where(found)
        explanation = _text(f"Stated in {where.en}.", f"{where.ja}に記載あり。")
        return _result(item, "not_raised", explanation, evidence=_quotes(found))
    if ctx.unread:
        unread = _joined(_doc_label(doc) for doc in ctx.unread)
        explanation = _text(
            f"Not judged: {unread.en} could not be analysed, so the absence of a {what} clause"
            " cannot be shown.",
            f"{unread.ja}を解析できなかったため、{what}の条項がないとは判断できない。",
        )
        return _result(item, "not_applicable", explanation)
    searched = [DocumentVersion.model_validate(doc, from_attributes=True) for doc in ctx.read]
    docs = _joined(_doc_label(doc) for doc in ctx.read)
    scope = "the" if len(ctx.read) == 1 else "any of the"
    explanation = _text(
        f"No {what} clause in {scope} {_plural(len(ctx.read), 'document')} searched ({docs.en}).",
        f"検索した{len(ctx.read)}件の文書（{docs.ja}）のいずれにも{what}の条項が見当たらない。",
    )
    return _result(item, "raised", explanation, searched=searched)


# A cap "at the fees paid" can be nothing for a free account: the words that tie a cap to them.
_FEES_PAID = re.compile(r"\b(?:paid|payable|fees?|charges?|subscription)\b", re.IGNORECASE)
CapVerdict = Literal["raised", "clear", "unknown"]


def _cap_verdict(finding: Finding, limit: CapLimit) -> tuple[CapVerdict, LocalizedText]:
    """Whether one cap clause is a red flag under the limit, and the reasons in words."""
    attributes = finding.attributes
    comparable = [m for m in attributes.money if m.currency in limit.at_most]
    if attributes.money_rule == "greater_of" and comparable:
        return _floor_verdict(max(comparable, key=lambda m: m.amount), limit)
    low = [m for m in comparable if m.amount <= limit.at_most[m.currency]]
    reasons = [_low_reason(*_amount_and_limit(low[0], limit))] if low else []
    if limit.fees_paid and (attributes.period or _FEES_PAID.search(finding.quote)):
        reasons.append(_fees_reason(attributes.period))
    if reasons:
        return "raised", _joined_reasons(reasons)
    if comparable:
        amount, cap = _amount_and_limit(comparable[0], limit)
        return "clear", _text(
            f"the cap is {amount}, above {cap}", f"賠償上限は{amount}で、{cap}を上回る"
        )
    if attributes.money:
        currency = attributes.money[0].currency
        return "unknown", _text(
            f"the cap is in {currency}, for which the checklist sets no limit",
            f"賠償上限の通貨（{currency}）にはチェックリストの基準額がない",
        )
    return "unknown", _text(
        "the clause states no amount or fee basis the tool could read",
        "上限額や算定根拠（支払済み料金など）を読み取れない",
    )


def _amount_and_limit(money: Money, limit: CapLimit) -> tuple[str, str]:
    """'$50', '$100': a cap and the checklist's limit in the cap's currency, as written."""
    return (
        _money_text(money.amount, money.currency),
        _money_text(limit.at_most[money.currency], money.currency),
    )


def _low_reason(amount: str, cap: str) -> LocalizedText:
    return _text(f"the cap of {amount} is at or below {cap}", f"賠償上限{amount}は{cap}以下")


def _joined_reasons(reasons: Sequence[LocalizedText]) -> LocalizedText:
    """Reasons as one clause: '; ' between them in English, '。' in Japanese (no final stop)."""
    return _text(
        "; ".join(dict.fromkeys(r.en for r in reasons)),
        "。".join(dict.fromkeys(r.ja for r in reasons)),
    )


def _floor_verdict(floor: Money, limit: CapLimit) -> tuple[CapVerdict, LocalizedText]:
    """'The greater of the fees paid and $X': for a free account the cap is $X."""
    amount, cap = _amount_and_limit(floor, limit)
    if floor.amount <= limit.at_most[floor.currency]:
        return "raised", _text(
            f"the cap can be as low as {amount}, at or below {cap}",
            f"賠償上限は最低{amount}まで下がり得る（{cap}以下）",
        )
    return "clear", _text(
        f"the cap is at least {amount}, above {cap}",
        f"賠償上限は最低でも{amount}で、{cap}を上回る",
    )


def _fees_reason(period: Period | None) -> LocalizedText:
    if period is None:
        return _text("the cap is tied to the fees you paid", "賠償上限が支払済み料金まで")
    span = _period_text(period)
    return _text(
        f"the cap is tied to the fees you paid ({span.en})",
        f"賠償上限が支払済み料金（{span.ja}分）まで",
    )


def _attribute(item: AttributeItem, ctx: _Context) -> ItemResult:
    found = ctx.found(item.clause_types)
    unfair = [f for f in found if f.unfair]
    verdicts = [(f, *_cap_verdict(f.finding, item.cap)) for f in unfair]
    order: tuple[tuple[CapVerdict, ItemStatus], ...] = (
        ("raised", "raised"),
        ("unknown", "not_applicable"),
        ("clear", "not_raised"),
    )
    for wanted, status in order:
        chosen = [(f, reason) for f, verdict, reason in verdicts if verdict == wanted]
        if chosen:
            return _attribute_result(item, status, chosen)
    if found:
        return _result(item, "not_raised", _fair_only(found), evidence=_quotes(found))
    return _result(item, "not_raised", ctx.nothing_found(" / ".join(item.clause_types)))


def _attribute_result(
    item: AttributeItem, status: ItemStatus, chosen: list[tuple[_Found, LocalizedText]]
) -> ItemResult:
    reasons = _joined_reasons([reason for _, reason in chosen])
    if status == "not_applicable":
        reasons = _text(
            f"Not judged: {reasons.en}. Check the clause by hand",
            f"判定不能：{reasons.ja}。条項を目視で確認のこと",
        )
    explanation = _text(reasons.en[0].upper() + reasons.en[1:] + ".", reasons.ja + "。")
    evidence = [f.evidence() for f, _ in chosen]
    return _result(item, status, explanation, evidence=evidence)


_PLACE_KIND = {
    "governing_law": LocalizedText(en="governing-law", ja="準拠法"),
    "venue": LocalizedText(en="venue", ja="管轄裁判所"),
}


def _place_of(found: _Found, attribute: Literal["governing_law", "venue"]) -> str | None:
    attributes = found.finding.attributes
    return attributes.governing_law if attribute == "governing_law" else attributes.venue


_Placed = tuple[_Found, str | None, str | None]
"""A law or venue finding, the place it names (if read) and that place's ISO code (if placed)."""


def _places_text(placed: list[_Placed]) -> LocalizedText:
    """'State of New York (US-NY), Lyon (?)': each place as read, with its code if placed."""
    en = (f"{p} ({c or '?'})" if p else "no place read" for _, p, c in placed)
    ja = (f"{p}（{c or '?'}）" if p else "所在地の記載を読み取れず" for _, p, c in placed)
    return _text(", ".join(dict.fromkeys(en)), "、".join(dict.fromkeys(ja)))


def _jurisdiction(item: JurisdictionItem, ctx: _Context) -> ItemResult:
    found = ctx.found(item.clause_types)
    kind = _PLACE_KIND[item.attribute]
    placed: list[_Placed] = [
        (f, place, locate(place) if place else None)
        for f in found
        if f.unfair
        for place in [_place_of(f, item.attribute)]
    ]
    if ctx.home is None:
        evidence = [f.evidence(code) for f, _, code in placed] or _quotes(found)
        explanation = _no_home(ctx, kind, placed, found)
        return _result(item, "not_applicable", explanation, evidence=evidence)
    if not placed:
        said = _fair_only(found) if found else ctx.nothing_found(kind)
        return _result(item, "not_raised", said, evidence=_quotes(found))
    return _judge_places(item, kind, placed, ctx.home)


def _judge_places(
    item: JurisdictionItem, kind: LocalizedText, placed: list[_Placed], home: str
) -> ItemResult:
    """Raised when a named place is foreign; left to a human when one cannot be placed."""
    outside = [p for p in placed if p[2] and is_foreign(p[2], home)]
    unplaced = [p for p in placed if not p[2]]
    if outside:
        status: ItemStatus = "raised"
        shown, places = outside, _places_text(outside)
        explanation = _text(
            f"{places.en}: outside the home jurisdiction {home}.",
            f"{places.ja}は所在法域（{home}）の域外。",
        )
    elif unplaced:
        status, shown, places = "not_applicable", placed, _places_text(unplaced)
        explanation = _text(
            f"Not judged: the {kind.en} clause names no place the tool could locate"
            f" ({places.en}). Check it by hand.",
            f"判定不能：{kind.ja}の条項から所在地を特定できない（{places.ja}）。目視で確認のこと。",
        )
    else:
        status, shown, places = "not_raised", placed, _places_text(placed)
        explanation = _text(
            f"{places.en}: within the home jurisdiction {home}.",
            f"{places.ja}は所在法域（{home}）の域内。",
        )
    return _result(item, status, explanation, evidence=[f.evidence(c) for f, _, c in shown])


def _no_home(
    ctx: _Context, kind: LocalizedText, placed: list[_Placed], found: list[_Found]
) -> LocalizedText:
    """What a law or venue item found when no home is set: reported, never called foreign."""
    if placed:
        places = _places_text(placed)
        return _text(
            f"Found: {places.en}. No home jurisdiction is set, so it is not judged foreign.",
            f"記載あり：{places.ja}。所在法域が未設定のため、域外かどうかは判定していない。",
        )
    said = _fair_only(found) if found else ctx.nothing_found(kind)
    return _text(f"{said.en} No home jurisdiction is set.", f"{said.ja}所在法域は未設定。")


def _evaluate(item: ChecklistItem, ctx: _Context) -> ItemResult:
    if isinstance(item, PresenceItem):
        return _presence(item, ctx)
    if isinstance(item, AbsenceItem):
        return _absence(item, ctx)
    if isinstance(item, AttributeItem):
        return _attribute(item, ctx)
    return _jurisdiction(item, ctx)


def _nothing_read(item: ChecklistItem) -> ItemResult:
    return _result(
        item,
        "not_applicable",
        _text(
            "Not judged: no document of this vendor could be analysed.",
            "判定不能：このベンダーの文書をいずれも解析できなかった。",
        ),
    )


# --- facts and further checks -----------------------------------------------------------------


def _facts(ctx: _Context, checklist: Checklist) -> Facts:
    """Every attribute the findings carry, once per clause (two types may read the same one)."""
    cap_types = {
        t for item in checklist.items if item.kind == "attribute" for t in item.clause_types
    }
    facts = Facts()
    seen: set[tuple[int, int, str, str]] = set()
    countries: set[str] = set()

    def first(number: int, finding: Finding, kind: str, value: object) -> bool:
        key = (number, finding.start, kind, repr(value))
        new = key not in seen
        seen.add(key)
        return new

    for number, doc in enumerate(ctx.read):
        for finding in doc.result.findings:
            attrs, where = finding.attributes, _located(doc, finding)
            is_cap = finding.clause_type in cap_types and (attrs.money or attrs.period)
            if is_cap and first(number, finding, "cap", (attrs.money, attrs.period)):
                facts.liability_caps.append(
                    CapFact(
                        **where,
                        money=attrs.money,
                        money_rule=attrs.money_rule,
                        period=attrs.period,
                        text=_cap_text(attrs),
                    )
                )
            for kind, place, into in (
                ("law", attrs.governing_law, facts.governing_law),
                ("venue", attrs.venue, facts.venue),
            ):
                if place and first(number, finding, kind, place):
                    code = locate(place)
                    name = place_name(code) if code else None
                    into.append(PlaceFact(**where, place=place, code=code, name=name))
            if attrs.notice_days is not None and first(
                number, finding, "notice", attrs.notice_days
            ):
                facts.notice_days.append(
                    NoticeFact(**where, clause_type=finding.clause_type, days=attrs.notice_days)
                )
            countries.update(attrs.countries)
    facts.countries = [country_name(name) for name in sorted(countries)]
    return facts


def _located(doc: VendorDocument, finding: Finding) -> dict[str, Any]:
    return {"document": doc.name, "version": doc.version, "section_path": finding.section_path}


def _further_checks(
    ctx: _Context, checklist: Checklist, results: list[ItemResult]
) -> list[LocalizedText]:
    """Unread documents first, then the questions of raised or unjudged items, then the rest."""
    checks = [
        _text(
            f"Read {_doc_label(doc).en} by hand: it was not analysed"
            f" (language: {doc.result.document.language}).",
            f"{_doc_label(doc).ja}は解析されていない（言語：{doc.result.document.language}）ため、"
            "目視で確認する。",
        )
        for doc in ctx.unread
    ]
    status = {result.id: result.status for result in results}
    checks += [
        item.ask
        for item in checklist.items
        if item.ask is not None and status[item.id] != "not_raised"
    ]
    checks += checklist.always_ask
    return list(dict.fromkeys(checks))


def _document_ref(doc: VendorDocument) -> DocumentRef:
    meta, provenance = doc.result.document, doc.result.provenance
    return DocumentRef(
        name=doc.name,
        version=doc.version,
        recorded_at=doc.recorded_at,
        source=meta.source,
        language=meta.language,
        analysed=meta.analysed,
        not_analysed_reason=meta.not_analysed_reason,
        effective_date=meta.effective_date,
        characters=meta.characters,
        pattern_library_version=provenance.pattern_library_version,
        analyzer_version=provenance.analyzer_version,
    )


def assess(
    documents: Sequence[VendorDocument],
    checklist: Checklist,
    home: str | None = None,
    *,
    vendor: str | None = None,
) -> Assessment:
    """Judge one vendor's documents against the checklist and grade the outcome.

    ``home`` is an ISO 3166 code ("JP", "US-CA", "DE"); without it no law or court is called
    foreign. Raises HomeJurisdictionError for a code that names no country or subdivision.
    """
    home_code = normalise_home(home) if home is not None else None
    ctx = _Context(
        read=[doc for doc in documents if doc.result.document.analysed],
        unread=[doc for doc in documents if not doc.result.document.analysed],
        home=home_code,
    )
    results = [
        _evaluate(item, ctx) if ctx.read else _nothing_read(item) for item in checklist.items
    ]
    return Assessment(
        vendor=vendor,
        checklist_id=checklist.id,
        checklist_title=checklist.title,
        home=home_code,
        home_name=place_name(home_code) if home_code else None,
        documents=[_document_ref(doc) for doc in documents],
        items=results,
        grade=grade(results),
        facts=_facts(ctx, checklist),
        further_checks=_further_checks(ctx, checklist, results),
    )
