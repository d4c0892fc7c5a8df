"""Jurisdiction items: whether the law or the courts a clause names lie outside the home.

Without a home jurisdiction no law is called foreign, and a place the tool cannot locate is left
to a human: the item says what it found either way.
"""

from __future__ import annotations

from typing import Literal

from tosanalyzer.judgement.checklist import JurisdictionItem
from tosanalyzer.judgement.evidence import Context, Found, fair_only, item_result, quotes
from tosanalyzer.judgement.places import is_foreign, locate
from tosanalyzer.judgement.wording import localized
from tosanalyzer.models import ItemResult, ItemStatus, LocalizedText

_PLACE_KIND = {
    "governing_law": LocalizedText(en="governing-law", ja="準拠法"),
    "venue": LocalizedText(en="venue", ja="管轄裁判所"),
}


def _place_of(found: Found, attribute: Literal["governing_law", "venue"]) -> str | None:
    attributes = found.finding.attributes
    return attributes.governing_law if attribute == "governing_law" else attributes.venue


_Placed = tuple[Found, str | None, str | None]
"""A law or venue finding, the place it names (if read) and that place's ISO code (if placed)."""


def _places_text(placed: list[_Placed]) -> LocalizedText:
    """'State of New York (US-NY), Lyon (?)': each place as read, with its code if placed."""
    en = (f"{p} ({c or '?'})" if p else "no place read" for _, p, c in placed)
    ja = (f"{p}（{c or '?'}）" if p else "所在地の記載を読み取れず" for _, p, c in placed)
    return localized(", ".join(dict.fromkeys(en)), "、".join(dict.fromkeys(ja)))


def judge_jurisdiction(item: JurisdictionItem, ctx: Context) -> ItemResult:
    found = ctx.found(item.clause_types)
    kind = _PLACE_KIND[item.attribute]
    placed: list[_Placed] = [
        (f, place, locate(place) if place else None)
        for f in found
        if f.unfair
        for place in [_place_of(f, item.attribute)]
    ]
    if ctx.home is None:
        evidence = [f.evidence(code) for f, _, code in placed] or quotes(found)
        explanation = _no_home(ctx, kind, placed, found)
        return item_result(item, "not_applicable", explanation, evidence=evidence)
    if not placed:
        said = fair_only(found) if found else ctx.nothing_found(kind)
        return item_result(item, "not_raised", said, evidence=quotes(found))
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
        explanation = localized(
            f"{places.en}: outside the home jurisdiction {home}.",
            f"{places.ja}は所在法域（{home}）の域外。",
        )
    elif unplaced:
        status, shown, places = "not_applicable", placed, _places_text(unplaced)
        explanation = localized(
            f"Not judged: the {kind.en} clause names no place the tool could locate"
            f" ({places.en}). Check it by hand.",
            f"判定不能：{kind.ja}の条項から所在地を特定できない（{places.ja}）。目視で確認のこと。",
        )
    else:
        status, shown, places = "not_raised", placed, _places_text(placed)
        explanation = localized(
            f"{places.en}: within the home jurisdiction {home}.",
            f"{places.ja}は所在法域（{home}）の域内。",
        )
    return item_result(item, status, explanation, evidence=[f.evidence(c) for f, _, c in shown])


def _no_home(
    ctx: Context, kind: LocalizedText, placed: list[_Placed], found: list[Found]
) -> LocalizedText:
    """What a law or venue item found when no home is set: reported, never called foreign."""
    if placed:
        places = _places_text(placed)
        return localized(
            f"Found: {places.en}. No home jurisdiction is set, so it is not judged foreign.",
            f"記載あり：{places.ja}。所在法域が未設定のため、域外かどうかは判定していない。",
        )
    said = fair_only(found) if found else ctx.nothing_found(kind)
    return localized(f"{said.en} No home jurisdiction is set.", f"{said.ja}所在法域は未設定。")
