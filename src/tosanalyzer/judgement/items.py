"""Each checklist item judged on the evidence, by its kind.

Presence and absence items only ask whether a clause is there; caps and jurisdictions read the
clause's attributes and have modules of their own.
"""

from __future__ import annotations

from tosanalyzer.judgement.caps import judge_cap
from tosanalyzer.judgement.checklist import AbsenceItem, AttributeItem, ChecklistItem, PresenceItem
from tosanalyzer.judgement.evidence import (
    Context,
    doc_label,
    fair_only,
    found_in,
    item_result,
    quotes,
)
from tosanalyzer.judgement.jurisdiction import judge_jurisdiction
from tosanalyzer.judgement.wording import joined, localized, plural
from tosanalyzer.models import DocumentVersion, ItemResult


def _presence(item: PresenceItem, ctx: Context) -> ItemResult:
    found = ctx.found(item.clause_types)
    unfair = [f for f in found if f.unfair]
    if unfair:
        where = found_in(unfair)
        explanation = localized(f"Found in {where.en}.", f"{where.ja}に該当条項あり。")
        return item_result(item, "raised", explanation, evidence=quotes(unfair))
    if found:
        return item_result(item, "not_raised", fair_only(found), evidence=quotes(found))
    what = " / ".join(item.clause_types)
    return item_result(item, "not_raised", ctx.nothing_found(what))


def _absence(item: AbsenceItem, ctx: Context) -> ItemResult:
    found = ctx.found(item.clause_types)
    what = " / ".join(item.clause_types)
    if found:
        where = found_in(found)
        explanation = localized(f"Stated in {where.en}.", f"{where.ja}に記載あり。")
        return item_result(item, "not_raised", explanation, evidence=quotes(found))
    if ctx.unread:
        unread = joined(doc_label(doc) for doc in ctx.unread)
        explanation = localized(
            f"Not judged: {unread.en} could not be analysed, so the absence of a {what} clause"
            " cannot be shown.",
            f"{unread.ja}を解析できなかったため、{what}の条項がないとは判断できない。",
        )
        return item_result(item, "not_applicable", explanation)
    searched = [DocumentVersion.model_validate(doc, from_attributes=True) for doc in ctx.read]
    docs = joined(doc_label(doc) for doc in ctx.read)
    scope = "the" if len(ctx.read) == 1 else "any of the"
    explanation = localized(
        f"No {what} clause in {scope} {plural(len(ctx.read), 'document')} searched ({docs.en}).",
        f"検索した{len(ctx.read)}件の文書（{docs.ja}）のいずれにも{what}の条項が見当たらない。",
    )
    return item_result(item, "raised", explanation, searched=searched)


def evaluate(item: ChecklistItem, ctx: Context) -> ItemResult:
    """``item`` judged by the rule of its kind."""
    if isinstance(item, PresenceItem):
        return _presence(item, ctx)
    if isinstance(item, AbsenceItem):
        return _absence(item, ctx)
    if isinstance(item, AttributeItem):
        return judge_cap(item, ctx)
    return judge_jurisdiction(item, ctx)


def nothing_read(item: ChecklistItem) -> ItemResult:
    """``item`` when no document could be analysed: nothing can be shown either way."""
    return item_result(
        item,
        "not_applicable",
        localized(
            "Not judged: no document of this vendor could be analysed.",
            "判定不能：このベンダーの文書をいずれも解析できなかった。",
        ),
    )
