"""What the items are judged on: the vendor's analysed documents and their findings, as quotes.

Every item result carries its reason, so the steps that gather the findings of an item's clause
types and turn them into quotes, and the wording of "where" and "only fair", are shared here.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field

from tosanalyzer.judgement.checklist import ChecklistItem
from tosanalyzer.judgement.wording import joined, localized, plural
from tosanalyzer.models import (
    AnalysisResult,
    DocumentVersion,
    Evidence,
    Finding,
    ItemResult,
    ItemStatus,
    LocalizedText,
)


class VendorDocument(BaseModel):
    """One analysed document of the vendor, with the version it was read from (if stored)."""

    name: str
    result: AnalysisResult
    version: str | None = Field(default=None, description="Version id or label in the store.")
    recorded_at: str | None = Field(default=None, description="ISO 8601: when it was fetched.")


def doc_label(doc: VendorDocument | DocumentVersion) -> LocalizedText:
    """'Terms (version 3, recorded 2024-05-01)': which text an explanation speaks of."""
    date = doc.recorded_at[:10] if doc.recorded_at else None
    en = [f"version {doc.version}" if doc.version else "", f"recorded {date}" if date else ""]
    ja = [f"版 {doc.version}" if doc.version else "", f"{date} 取得" if date else ""]
    en_details, ja_details = ", ".join(filter(None, en)), "、".join(filter(None, ja))
    return LocalizedText(
        en=f"{doc.name} ({en_details})" if en_details else doc.name,
        ja=f"{doc.name}（{ja_details}）" if ja_details else doc.name,
    )


@dataclass(frozen=True)
class Found:
    """A finding with the document it was read in, so its quote can name where it stands."""

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
class Context:
    """What every item is judged against: the documents read, those that could not be (an
    absence over them is not shown), and the home jurisdiction, if any."""

    read: list[VendorDocument]
    unread: list[VendorDocument]
    home: str | None

    def found(self, clause_types: Collection[str]) -> list[Found]:
        """Findings of these types, one per quoted span (a clause can hold several types).

        When a span holds a fair and an unfair finding, the unfair one is kept: it decides.
        """
        kept: dict[tuple[int, int, int], Found] = {}
        for number, doc in enumerate(self.read):
            for finding in doc.result.findings:
                if finding.clause_type not in clause_types:
                    continue
                span, found = (number, finding.start, finding.end), Found(doc, finding)
                current = kept.get(span)
                if current is None or (found.unfair and not current.unfair):
                    kept[span] = found
        return list(kept.values())

    def nothing_found(self, what: LocalizedText | str) -> LocalizedText:
        """'No clause of type X in the N analysed documents (…)', naming any unread ones."""
        kind = what if isinstance(what, LocalizedText) else localized(what, what)
        count, docs = len(self.read), joined(doc_label(doc) for doc in self.read)
        text = localized(
            f"No {kind.en} clause in the {plural(count, 'analysed document')} ({docs.en}).",
            f"解析した{count}件の文書（{docs.ja}）に{kind.ja}の条項は見当たらない。",
        )
        if not self.unread:
            return text
        unread = joined(doc_label(doc) for doc in self.unread)
        return localized(f"{text.en} Not analysed: {unread.en}.", f"{text.ja}未解析：{unread.ja}。")


def found_in(found: list[Found]) -> LocalizedText:
    """'2 clauses of Terms of Service (version 3)' for the explanations of raised items."""
    docs = joined(doc_label(doc) for doc in {id(f.doc): f.doc for f in found}.values())
    return localized(f"{plural(len(found), 'clause')} of {docs.en}", f"{docs.ja}の{len(found)}か所")


def fair_only(fair: list[Found]) -> LocalizedText:
    """Why an item whose clauses are all in their fair form stays down, naming the reasons."""
    because = ", ".join(sorted({f.finding.fair_because or f.finding.pattern_id for f in fair}))
    return localized(
        f"Found only in its fair form ({because}), which is not a red flag.",
        f"公正な形（{because}）でのみ記載されており、リスク項目には当たらない。",
    )


def item_result(
    item: ChecklistItem, status: ItemStatus, explanation: LocalizedText, **more: Any
) -> ItemResult:
    """The result of ``item``: its checklist fields, the status and the reason for it."""
    return ItemResult(
        id=item.id,
        kind=item.kind,
        title=item.title,
        weight=item.weight,
        status=status,
        explanation=explanation,
        **more,
    )


def quotes(found: list[Found]) -> list[Evidence]:
    """The evidence of findings no place code needs to be added to."""
    return [f.evidence() for f in found]
