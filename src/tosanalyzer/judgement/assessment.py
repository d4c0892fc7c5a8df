"""Judge a vendor's analysed terms against a checklist of red flags, and grade the result.

A reviewer pays for a verdict they can defend, so every item carries its reason: the quotes that
raised it, the documents searched when an expected clause is missing, or why it stayed down. What
the tool cannot show it does not assert: an absence over a document that could not be read is
"not applicable", a court the tool cannot place is left to a human, and without a home
jurisdiction no law is called foreign. The checklist is data (YAML beside the clause patterns) so
a team can tune weights and wording without touching code; the formula that turns items into a
grade lives in ``grading`` alone and is documented in docs/grading.md.
"""

from __future__ import annotations

from collections.abc import Sequence

from tosanalyzer.judgement.checklist import Checklist
from tosanalyzer.judgement.evidence import Context, VendorDocument, doc_label
from tosanalyzer.judgement.facts import gather_facts
from tosanalyzer.judgement.grading import grade
from tosanalyzer.judgement.items import evaluate, nothing_read
from tosanalyzer.judgement.places import normalise_home, place_name
from tosanalyzer.judgement.wording import localized
from tosanalyzer.models import Assessment, DocumentRef, ItemResult, LocalizedText


def _further_checks(
    ctx: Context, checklist: Checklist, results: list[ItemResult]
) -> list[LocalizedText]:
    """Unread documents first, then the questions of raised or unjudged items, then the rest."""
    checks = [
        localized(
            f"Read {doc_label(doc).en} by hand: it was not analysed"
            f" (language: {doc.result.document.language}).",
            f"{doc_label(doc).ja}は解析されていない（言語：{doc.result.document.language}）ため、"
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
    ctx = Context(
        read=[doc for doc in documents if doc.result.document.analysed],
        unread=[doc for doc in documents if not doc.result.document.analysed],
        home=home_code,
    )
    results = [evaluate(item, ctx) if ctx.read else nothing_read(item) for item in checklist.items]
    return Assessment(
        vendor=vendor,
        checklist_id=checklist.id,
        checklist_title=checklist.title,
        home=home_code,
        home_name=place_name(home_code) if home_code else None,
        documents=[_document_ref(doc) for doc in documents],
        items=results,
        grade=grade(results),
        facts=gather_facts(ctx, checklist),
        further_checks=_further_checks(ctx, checklist, results),
    )
