"""Stored versions read with today's pattern library, each analysed and graded on its own.

A version recorded years ago is judged by the rules of now, so a rule change never reads as a
change of the terms. The same version is met many times (a timeline's badges and the export's
look-back meet each one in two neighbouring pairs), and analysing a long document takes a good
part of a second, so each is analysed once and kept for a while.
"""

from __future__ import annotations

import threading
from pathlib import Path

from tosanalyzer.analysis.folder import PatternFolder
from tosanalyzer.analysis.reading import analyze_path
from tosanalyzer.base import home_or_settings
from tosanalyzer.change import ClauseDiff, VersionFacts, diff_clauses
from tosanalyzer.judgement import Checklist, VendorDocument, assess
from tosanalyzer.models import AnalysisResult, Assessment, PatternLibrary, Provenance, VersionInfo
from tosanalyzer.store import Store, StoredService, StoreError
from tosanalyzer.tracking import StoredText, service_named, stored_version

REVIEWS_KEPT = 64
"""Analysed versions a reviewer keeps (by text hash) for diffs of neighbouring pairs."""


class Reviewer:
    """Judges what one store holds with the pattern library in one folder. It is what the export
    asks for as its ``Judge`` (hence the library, provenance and checklist it lends)."""

    def __init__(self, patterns: PatternFolder, db: Path | None) -> None:
        self.patterns = patterns
        self.db = db
        self._reviews: dict[tuple[str, str], tuple[AnalysisResult, str | None]] = {}
        self._reviews_lock = threading.Lock()

    @property
    def library(self) -> PatternLibrary:
        return self.patterns.library

    @property
    def provenance(self) -> Provenance:
        return self.patterns.analyzer.provenance

    @property
    def checklist(self) -> Checklist:
        return self.patterns.checklist

    def reviewed(self, version: VersionInfo, text: str) -> tuple[AnalysisResult, VersionFacts]:
        """A stored version analysed and graded on its own. Kept by text hash, and by the
        pattern library too: an edited rule reviews the version again."""
        analyzer = self.patterns.analyzer  # one library for the key and the analysis
        key = (version.text_sha256, analyzer.library.version)
        with self._reviews_lock:
            cached = self._reviews.get(key)
        if cached is None:
            result = analyzer.analyze_text(text, "stored version", "md")
            document = VendorDocument(name="version", result=result)
            cached = (result, assess([document], self.checklist).grade.letter)
            with self._reviews_lock:
                self._reviews[key] = cached
                while len(self._reviews) > REVIEWS_KEPT:
                    del self._reviews[next(iter(self._reviews))]
        result, letter = cached
        return result, VersionFacts(kind=version.kind, suspect=version.suspect, grade=letter)

    def clause_diff(self, before: StoredText, after: StoredText) -> ClauseDiff:
        """Clause diff of two stored versions; each version is also graded on its own, so a
        grade that moves makes the change material."""
        (old, old_facts), (new, new_facts) = self.reviewed(*before), self.reviewed(*after)
        return diff_clauses(old, new, self.library, old_version=old_facts, new_version=new_facts)

    def assess(self, target: str, home: str | None = None) -> Assessment:
        """Judge a local document (a path) or a tracked service's latest good versions.

        ``home`` defaults to the settings file's home jurisdiction.
        """
        home = home_or_settings(home)
        checklist = self.checklist
        path = Path(target)
        if path.is_file():
            document = VendorDocument(name=path.name, result=analyze_path(self.patterns, path))
            return assess([document], checklist, home, vendor=path.stem)
        with Store.open(self.db, create=False) as store:
            service = service_named(store, target)
            documents = self._latest_good(store, service)
        if not documents:
            raise StoreError(
                f"{service.name} has no recorded versions yet: run `tosanalyzer fetch`"
            )
        return assess(documents, checklist, home, vendor=service.name)

    def _latest_good(self, store: Store, service: StoredService) -> list[VendorDocument]:
        """Each document of ``service`` as its latest version that is not suspect reads."""
        return [
            VendorDocument(
                name=document.name,
                result=self.patterns.analyzer.analyze_text(
                    store.version_text(version.id),
                    f"{service.name} / {document.name} (version {version.id})",
                    "md",
                ),
                version=str(version.id),
                recorded_at=version.recorded_at,
            )
            for document in store.list_documents(service.name)
            if (version := store.latest_version(service.name, document.name, include_suspect=False))
        ]

    def assess_version(
        self, service: str, document: str, version_id: int, home: str | None = None
    ) -> Assessment:
        """The checklist judged on one stored version alone (what a reviewer sees beside a diff:
        absence items then speak for this document only)."""
        home = home_or_settings(home)
        with Store.open(self.db, create=False) as store:
            version = stored_version(store, service, document, version_id)
            text = store.version_text(version_id)
        result, _ = self.reviewed(version, text)
        judged = VendorDocument(
            name=document, result=result, version=str(version_id), recorded_at=version.recorded_at
        )
        return assess([judged], self.checklist, home, vendor=service)
