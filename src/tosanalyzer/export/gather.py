"""Gather the export from a store: every vendor's assessment, each document's latest good
version judged alone, every version, and the change class of the last pairs.

Judging needs the analysis, a sibling layer the export may not import; the library hands in a
``Judge`` (what the review of stored versions offers), so the export grades a vendor exactly as
``report`` does and a pair exactly as ``diff`` does.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Protocol

from tosanalyzer.base import home_or_settings
from tosanalyzer.change import ClauseDiff, VersionFacts
from tosanalyzer.export.contract import (
    DocumentExport,
    Export,
    JudgedVersion,
    VendorExport,
    build_export,
    document_export,
    version_change,
)
from tosanalyzer.judgement import Checklist, normalise_home
from tosanalyzer.models import AnalysisResult, Assessment, PatternLibrary, Provenance, VersionInfo
from tosanalyzer.store import Store, StoredDocument, StoredService
from tosanalyzer.tracking import StoredText, service_named


class Judge(Protocol):
    """Stored versions judged with today's pattern library."""

    @property
    def library(self) -> PatternLibrary: ...

    @property
    def provenance(self) -> Provenance: ...

    @property
    def checklist(self) -> Checklist: ...

    def reviewed(self, version: VersionInfo, text: str) -> tuple[AnalysisResult, VersionFacts]:
        """A version analysed and graded on its own."""
        ...

    def clause_diff(self, before: StoredText, after: StoredText) -> ClauseDiff: ...

    def assess(self, target: str, home: str | None = None) -> Assessment:
        """A tracked service judged on its latest good versions, as ``report`` judges it."""
        ...

    def assess_version(
        self, service: str, document: str, version_id: int, home: str | None = None
    ) -> Assessment: ...


def gather_export(
    db: Path | None, judge: Judge, services: list[str], history: int, home: str | None
) -> Export:
    """``services`` (every tracked one when empty) as one export. The look-back ``history``
    bounds the work: each pair is a clause diff over two analysed versions."""
    home = home_or_settings(home)
    home_code = normalise_home(home) if home else None
    with Store.open(db, create=False) as store:
        vendors = [service_named(store, name) for name in dict.fromkeys(services)]
        vendors = vendors or store.list_services()
        documents = {vendor.name: store.list_documents(vendor.name) for vendor in vendors}
    exported = [
        _vendor(db, judge, vendor, documents[vendor.name], history, home) for vendor in vendors
    ]
    return build_export(exported, judge.provenance, judge.checklist.id, home_code, history)


def _vendor(
    db: Path | None,
    judge: Judge,
    vendor: StoredService,
    documents: list[StoredDocument],
    history: int,
    home: str | None,
) -> VendorExport:
    """A vendor's record; its assessment is the report's."""
    records = [_document(db, judge, document, history, home) for document in documents]
    judged = any(record.assessment is not None for record in records)
    return VendorExport(
        vendor=vendor.name,
        slug=vendor.slug,
        assessment=judge.assess(vendor.name, home) if judged else None,
        documents=records,
    )


def _document(
    db: Path | None, judge: Judge, document: StoredDocument, history: int, home: str | None
) -> DocumentExport:
    """A document's record: every version listed, the last ``history`` pairs classed (suspect
    versions too: the diff caps them, as the TUI's timeline shows), the latest good version
    judged on its own."""
    service, name = document.service, document.name
    with Store.open(db, create=False) as store:
        versions = store.versions(service, name)
        latest = store.latest_version(service, name, include_suspect=False)
        looked_back = versions[-(history + 1) :]
        wanted = [*looked_back, latest] if latest else looked_back
        texts = {version.id: store.version_text(version.id) for version in wanted}
    changes = [
        version_change(
            old,
            new,
            judge.clause_diff((old, texts[old.id]), (new, texts[new.id])),
            judge.reviewed(old, texts[old.id])[1].grade,
            judge.reviewed(new, texts[new.id])[1].grade,
        )
        for old, new in pairwise(looked_back)
    ]
    judged = None
    if latest is not None:
        findings = judge.reviewed(latest, texts[latest.id])[0].findings
        assessment = judge.assess_version(service, name, latest.id, home)
        judged = JudgedVersion(latest.id, assessment, findings)
    return document_export(
        (service, document.service_slug),
        (name, document.slug),
        versions,
        judged,
        changes,
        judge.library,
    )
