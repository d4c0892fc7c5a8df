"""Attribute items: whether a liability cap is low enough to be a red flag.

A cap is read from its amounts, its "greater of" floor and its tie to the fees paid; a cap in a
currency the checklist sets no limit for, or with no amount the tool could read, is left to a
human rather than called safe.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from tosanalyzer.judgement.checklist import AttributeItem, CapLimit
from tosanalyzer.judgement.evidence import Context, Found, fair_only, item_result, quotes
from tosanalyzer.judgement.wording import localized, money_text, period_text
from tosanalyzer.models import Finding, ItemResult, ItemStatus, LocalizedText, Money, Period

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
        return "clear", localized(
            f"the cap is {amount}, above {cap}", f"賠償上限は{amount}で、{cap}を上回る"
        )
    if attributes.money:
        currency = attributes.money[0].currency
        return "unknown", localized(
            f"the cap is in {currency}, for which the checklist sets no limit",
            f"賠償上限の通貨（{currency}）にはチェックリストの基準額がない",
        )
    return "unknown", localized(
        "the clause states no amount or fee basis the tool could read",
        "上限額や算定根拠（支払済み料金など）を読み取れない",
    )


def _amount_and_limit(money: Money, limit: CapLimit) -> tuple[str, str]:
    """'$50', '$100': a cap and the checklist's limit in the cap's currency, as written."""
    return (
        money_text(money.amount, money.currency),
        money_text(limit.at_most[money.currency], money.currency),
    )


def _low_reason(amount: str, cap: str) -> LocalizedText:
    return localized(f"the cap of {amount} is at or below {cap}", f"賠償上限{amount}は{cap}以下")


def _joined_reasons(reasons: Sequence[LocalizedText]) -> LocalizedText:
    """Reasons as one clause: '; ' between them in English, '。' in Japanese (no final stop)."""
    return localized(
        "; ".join(dict.fromkeys(r.en for r in reasons)),
        "。".join(dict.fromkeys(r.ja for r in reasons)),
    )


def _floor_verdict(floor: Money, limit: CapLimit) -> tuple[CapVerdict, LocalizedText]:
    """'The greater of the fees paid and $X': for a free account the cap is $X."""
    amount, cap = _amount_and_limit(floor, limit)
    if floor.amount <= limit.at_most[floor.currency]:
        return "raised", localized(
            f"the cap can be as low as {amount}, at or below {cap}",
            f"賠償上限は最低{amount}まで下がり得る（{cap}以下）",
        )
    return "clear", localized(
        f"the cap is at least {amount}, above {cap}",
        f"賠償上限は最低でも{amount}で、{cap}を上回る",
    )


def _fees_reason(period: Period | None) -> LocalizedText:
    if period is None:
        return localized("the cap is tied to the fees you paid", "賠償上限が支払済み料金まで")
    span = period_text(period)
    return localized(
        f"the cap is tied to the fees you paid ({span.en})",
        f"賠償上限が支払済み料金（{span.ja}分）まで",
    )


def judge_cap(item: AttributeItem, ctx: Context) -> ItemResult:
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
        return item_result(item, "not_raised", fair_only(found), evidence=quotes(found))
    return item_result(item, "not_raised", ctx.nothing_found(" / ".join(item.clause_types)))


def _attribute_result(
    item: AttributeItem, status: ItemStatus, chosen: list[tuple[Found, LocalizedText]]
) -> ItemResult:
    reasons = _joined_reasons([reason for _, reason in chosen])
    if status == "not_applicable":
        reasons = localized(
            f"Not judged: {reasons.en}. Check the clause by hand",
            f"判定不能：{reasons.ja}。条項を目視で確認のこと",
        )
    explanation = localized(reasons.en[0].upper() + reasons.en[1:] + ".", reasons.ja + "。")
    evidence = [f.evidence() for f, _ in chosen]
    return item_result(item, status, explanation, evidence=evidence)
