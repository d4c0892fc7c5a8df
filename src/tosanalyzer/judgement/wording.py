"""Wording the explanations share, in English and Japanese side by side.

Every explanation is written in both languages at once, so the report can switch language without
judging again; amounts, periods and lists are put into words here the same way for every item.
"""

from __future__ import annotations

from collections.abc import Iterable

from tosanalyzer.models import Attributes, LocalizedText, Period


def plural(count: int, word: str) -> str:
    """'1 clause', '2 clauses' (English only: Japanese nouns do not change)."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def joined(labels: Iterable[LocalizedText]) -> LocalizedText:
    """A list in either language, with its own separator."""
    items = list(labels)
    return LocalizedText(
        en=", ".join(label.en for label in items), ja="、".join(label.ja for label in items)
    )


def money_text(amount: float, currency: str) -> str:
    """'$50', 'EUR 1,000.50': an amount as a reader expects it, whole amounts without cents."""
    symbol = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}.get(currency)
    number = f"{amount:,.0f}" if amount == int(amount) else f"{amount:,.2f}"
    return f"{symbol}{number}" if symbol else f"{currency} {number}"


_UNITS_JA = {"day": "日", "week": "週間", "month": "か月", "year": "年"}


def period_text(period: Period) -> LocalizedText:
    """'12 months', '12か月'."""
    return LocalizedText(
        en=plural(period.value, period.unit), ja=f"{period.value}{_UNITS_JA[period.unit]}"
    )


def localized(en: str, ja: str) -> LocalizedText:
    """Both languages by position: every explanation names them, so the keywords would crowd it."""
    return LocalizedText(en=en, ja=ja)


_RULES = {
    "greater_of": ("the greater of", "いずれか高い方"),
    "lesser_of": ("the lesser of", "いずれか低い方"),
}


def cap_text(attributes: Attributes) -> LocalizedText:
    """'$50 / $100 (the greater of) · period 12 months', and its Japanese."""
    amounts = " / ".join(money_text(m.amount, m.currency) for m in attributes.money)
    en, ja = [amounts] if amounts else [], [amounts] if amounts else []
    if attributes.money_rule:
        rule_en, rule_ja = _RULES[attributes.money_rule]
        en, ja = [*en, rule_en], [*ja, rule_ja]
    if attributes.period:
        span = period_text(attributes.period)
        en, ja = [*en, f"period {span.en}"], [*ja, f"期間 {span.ja}"]
    return localized(" · ".join(en), "・".join(ja))
