"""The library API: everything the CLI (and later the TUI and alerts) can do, as functions.

Faces stay thin: they parse arguments and print. Anything a user can ask for is reachable here
with pydantic models in and out, so it can be scripted and tested without a terminal.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from functools import cached_property
from itertools import pairwise
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, TypeAdapter

from tosanalyzer.alerts import (
    MATERIAL_FOUND,
    Alert,
    AlertFilter,
    Announced,
    ChangeAlert,
    ChangeCounts,
    ChannelResult,
    DocumentFailure,
    DocumentRef,
    FailingAlert,
    LoggedAlert,
    LoggedRun,
    RecoveredAlert,
    RunDigest,
    VersionRef,
    change_alert,
    exit_mask,
    history_command,
)
from tosanalyzer.alerts import render as render_alerts
from tosanalyzer.analyze import Analyzer, analyzer_for
from tosanalyzer.assess import (
    DEFAULT_CHECKLIST,
    Checklist,
    ChecklistFileError,
    HomeJurisdictionError,
    VendorDocument,
    assess,
    load_checklist,
    normalise_home,
)
from tosanalyzer.decisions import CarriedDecision, carry_decisions, finding_key
from tosanalyzer.declarations import (
    DeclarationError,
    OtaImport,
    ServiceLookupError,
    load_declaration,
    scan_ota_folder,
    unsupported_features,
    unsupported_filters,
)
from tosanalyzer.diff import (
    DEFAULT_CONTEXT,
    ClauseDiff,
    DiffError,
    TextDiff,
    VersionFacts,
    diff_clauses,
    diff_text,
    normalise,
)
from tosanalyzer.evaluation import (
    Explain,
    LabelledSetError,
    dataset_kind,
    evaluate_claudette,
    evaluate_tosdr,
    read_jsonl,
)
from tosanalyzer.export import (
    DEFAULT_HISTORY_PAIRS,
    DocumentExport,
    Export,
    JudgedVersion,
    VendorExport,
    build_export,
    document_export,
    version_change,
)
from tosanalyzer.extract import ExtractError, extract_snapshot
from tosanalyzer.fetch import FetchSettings
from tosanalyzer.fetch import fetch as fetch_page
from tosanalyzer.models import (
    CLAUDETTE_CATEGORIES,
    AnalysisResult,
    Assessment,
    DocumentHistory,
    EvalReport,
    ExampleFailure,
    FetchFailure,
    Finding,
    PatternLibrary,
    Severity,
    SourcePage,
    TrackedDocument,
    TrackedService,
    VersionInfo,
)
from tosanalyzer.nlp.library import PatternFileError
from tosanalyzer.notify import (
    Channel,
    ChannelError,
    Delivery,
    DeliveryPolicy,
    Outgoing,
    append_jsonl,
    channel,
    deliver,
)
from tosanalyzer.report import Lang, MaterialChange, ReportFormat, render
from tosanalyzer.resources import corpora_dir, patterns_dir
from tosanalyzer.settings import Settings, SettingsError, config_path, load_settings
from tosanalyzer.sources import SourceError, read_source
from tosanalyzer.store import (
    AlertCursor,
    DecisionKind,
    NewAlertEvent,
    Store,
    StoredAlertEvent,
    StoredDecision,
    StoredDocument,
    StoredService,
    StoreError,
    user_db_path,
)
from tosanalyzer.tracker import DocumentFetch, LoadedHistory, fetch_documents, load_histories


class UrlError(ValueError):
    """A URL given to analyse could not be fetched; the message says why."""


USER_ERRORS = (
    SourceError,
    ExtractError,
    PatternFileError,
    LabelledSetError,
    FileNotFoundError,
    DeclarationError,
    ServiceLookupError,
    StoreError,
    UrlError,
    ChecklistFileError,
    HomeJurisdictionError,
    SettingsError,
    DiffError,
    ChannelError,
)
"""Errors caused by what the user gave us: faces report them in one line, without a traceback."""


class Workspace:
    """Entry point bound to one pattern library (the shipped one unless told otherwise)."""

    def __init__(
        self,
        patterns: Path | None = None,
        db: Path | None = None,
        fetch_settings: FetchSettings | None = None,
    ) -> None:
        self.patterns_dir = (patterns or patterns_dir()).resolve()
        self.db = db
        self.fetch_settings = fetch_settings
        self._reviews: dict[str, tuple[AnalysisResult, str | None]] = {}
        self._reviews_lock = threading.Lock()

    @contextmanager
    def store(self) -> Iterator[Store]:
        """The SQLite store (``db``, else ``$TOSANALYZER_DB``, else the user data folder)."""
        with Store.open(self.db) as store:
            yield store

    @property
    def analyzer(self) -> Analyzer:
        return analyzer_for(self.patterns_dir)

    @property
    def library(self) -> PatternLibrary:
        return self.analyzer.library

    def analyze_path(self, path: Path) -> AnalysisResult:
        """Analyse a local .txt, .md or .html file."""
        return self.analyzer.analyze_source(read_source(path))

    def analyze_text(self, text: str, source: str = "<text>") -> AnalysisResult:
        return self.analyzer.analyze_text(text, source)

    def analyze_url(self, url: str, allow_private: bool = False) -> AnalysisResult:
        """Fetch a page through the safe fetcher, extract its text and analyse it."""
        outcome = fetch_page(url, allow_private=allow_private, settings=self.fetch_settings)
        if isinstance(outcome, FetchFailure):
            raise UrlError(f"cannot fetch {url}: {outcome.kind}: {outcome.message}")
        page = extract_snapshot(outcome, SourcePage(fetch=url))
        return self.analyzer.analyze_text(page.markdown, url, "html")

    # --- tracking -------------------------------------------------------------------------------

    def track(self, paths: list[Path]) -> list[TrackedService]:
        """Declare services from declaration files (all are checked before any is stored)."""
        declarations = [load_declaration(path) for path in paths]
        with self.store() as store:
            for declaration in declarations:
                store.upsert_service(declaration)
            return [self._tracked(store, d.name) for d in declarations]

    def import_ota(self, folder: Path) -> tuple[OtaImport, list[TrackedService]]:
        """Declare every service of an Open Terms Archive declarations folder that imports."""
        scan = scan_ota_folder(folder)
        with self.store() as store:
            for declaration in scan.declarations:
                store.upsert_service(declaration)
            return scan, [self._tracked(store, d.name) for d in scan.declarations]

    def tracked(self) -> list[TrackedService]:
        with self.store() as store:
            return [self._tracked(store, service.name) for service in store.list_services()]

    def fetch(
        self,
        services: list[str],
        allow_private: bool = False,
        on_done: Callable[[DocumentFetch], None] | None = None,
    ) -> list[DocumentFetch]:
        """Fetch the documents of ``services`` (all tracked ones when empty) and record them."""
        with self.store() as store:
            documents = [
                document
                for service in (services or [s.name for s in store.list_services()])
                for document in store.list_documents(self._service(store, service).name)
            ]
            return fetch_documents(
                store, documents, self.fetch_settings, allow_private=allow_private, on_done=on_done
            )

    def history(self, service: str, document: str | None = None) -> list[DocumentHistory]:
        with self.store() as store:
            name = self._service(store, service).name
            documents = [d.name for d in store.list_documents(name)]
            if document is not None:
                found = store.find_document(name, document)
                if found is None:
                    raise StoreError(
                        f"{name} has no document '{document}' (it has: {', '.join(documents)})"
                    )
                documents = [found.name]
            return [
                DocumentHistory(
                    service=name,
                    document=doc,
                    versions=store.versions(name, doc),
                    recent_failures=store.recent_failures(name, doc),
                )
                for doc in documents
            ]

    # --- judgement ------------------------------------------------------------------------------

    def assess(self, target: str, home: str | None = None) -> Assessment:
        """Judge a local document (a path) or a tracked service's latest good versions.

        ``home`` defaults to the settings file's home jurisdiction.
        """
        home = home if home is not None else load_settings().home
        checklist = self.checklist
        path = Path(target)
        if path.is_file():
            document = VendorDocument(name=path.name, result=self.analyze_path(path))
            return assess([document], checklist, home, vendor=path.stem)
        with self.store() as store:
            service = self._service(store, target)
            documents = [
                VendorDocument(
                    name=document.name,
                    result=self.analyzer.analyze_text(
                        store.version_text(version.id),
                        f"{service.name} / {document.name} (version {version.id})",
                        "md",
                    ),
                    version=str(version.id),
                    recorded_at=version.recorded_at,
                )
                for document in store.list_documents(service.name)
                if (
                    version := store.latest_version(
                        service.name, document.name, include_suspect=False
                    )
                )
            ]
        if not documents:
            raise StoreError(
                f"{service.name} has no recorded versions yet: run `tosanalyzer fetch`"
            )
        return assess(documents, checklist, home, vendor=service.name)

    def report(
        self,
        target: str,
        fmt: ReportFormat = "markdown",
        lang: Lang = "en",
        home: str | None = None,
    ) -> str:
        """The vendor report of ``target`` (a path or a tracked service) as text, with the
        latest material change of a tracked service."""
        assessment = self.assess(target, home)
        change = None if Path(target).is_file() else self.latest_material_change(target)
        return render(assessment, fmt, lang, change)

    def export(
        self,
        services: list[str],
        history: int = DEFAULT_HISTORY_PAIRS,
        home: str | None = None,
    ) -> Export:
        """``services`` (every tracked one when empty) as one export: per vendor the report's
        assessment; per document its latest good version judged alone, with findings and quotes,
        every version, and the change class of the last ``history`` consecutive pairs. The
        look-back bounds the work: each pair is a clause diff over two analysed versions."""
        home = home if home is not None else load_settings().home
        home_code = normalise_home(home) if home else None
        with self.store() as store:
            vendors = [self._service(store, name) for name in dict.fromkeys(services)]
            vendors = vendors or store.list_services()
            documents = {vendor.name: store.list_documents(vendor.name) for vendor in vendors}
        exported = [
            self._export_vendor(vendor, documents[vendor.name], history, home) for vendor in vendors
        ]
        return build_export(
            exported, self.analyzer.provenance, self.checklist.id, home_code, history
        )

    def _export_vendor(
        self,
        vendor: StoredService,
        documents: list[StoredDocument],
        history: int,
        home: str | None,
    ) -> VendorExport:
        """A vendor's record; its assessment comes from ``assess`` itself, so the export grades
        a vendor exactly as ``report`` does."""
        records = [self._export_document(document, history, home) for document in documents]
        judged = any(record.assessment is not None for record in records)
        return VendorExport(
            vendor=vendor.name,
            slug=vendor.slug,
            assessment=self.assess(vendor.name, home) if judged else None,
            documents=records,
        )

    def _export_document(
        self, document: StoredDocument, history: int, home: str | None
    ) -> DocumentExport:
        """A document's record: every version listed, the last ``history`` pairs classed (suspect
        versions too: the diff caps them, as the TUI's timeline shows), the latest good version
        judged on its own."""
        service, name = document.service, document.name
        with self.store() as store:
            versions = store.versions(service, name)
            latest = store.latest_version(service, name, include_suspect=False)
            looked_back = versions[-(history + 1) :]
            wanted = [*looked_back, latest] if latest else looked_back
            texts = {version.id: store.version_text(version.id) for version in wanted}
        changes = [
            version_change(
                old,
                new,
                self._clause_diff((old, texts[old.id]), (new, texts[new.id])),
                self._reviewed(old, texts[old.id])[1].grade,
                self._reviewed(new, texts[new.id])[1].grade,
            )
            for old, new in pairwise(looked_back)
        ]
        judged = None
        if latest is not None:
            findings = self._reviewed(latest, texts[latest.id])[0].findings
            assessment = self.assess_version(service, name, latest.id, home)
            judged = JudgedVersion(latest.id, assessment, findings)
        return document_export(
            (service, document.service_slug),
            (name, document.slug),
            versions,
            judged,
            changes,
            self.library,
        )

    # --- change --------------------------------------------------------------------------------

    def diff(
        self,
        service: str,
        document: str,
        old: str | None = None,
        new: str | None = None,
        context: int = DEFAULT_CONTEXT,
    ) -> DocumentDiff:
        """Text and clause diff of two versions (ids or date prefixes; default: the last two).

        Both texts are analysed now, with the current pattern library, so a rule change never
        reads as a change of the terms.
        """
        with self.store() as store:
            name = self._service(store, service).name
            found = store.find_document(name, document)
            if found is None:
                raise StoreError(f"{name} has no document '{document}'")
            versions = store.versions(name, found.name)
            if len(versions) < 2 and (old is None or new is None):
                raise StoreError(f"{name} / {found.name} has fewer than two versions to compare")
            before = _pick_version(versions, old) if old else versions[-2]
            after = _pick_version(versions, new) if new else versions[-1]
            texts = (store.version_text(before.id), store.version_text(after.id))
        return DocumentDiff(
            service=name,
            document=found.name,
            old=before,
            new=after,
            text=diff_text(*texts, context=context),
            clauses=self._clause_diff((before, texts[0]), (after, texts[1])),
        )

    def latest_material_change(self, service: str, look_back: int = 10) -> MaterialChange | None:
        """The newest material change among the last ``look_back`` version pairs of any document
        of ``service`` (suspect versions skipped)."""
        with self.store() as store:
            name = self._service(store, service).name
            histories = {
                document.name: [
                    (version, store.version_text(version.id))
                    for version in store.versions(name, document.name)[-(look_back + 1) :]
                    if version.suspect is None
                ]
                for document in store.list_documents(name)
            }
        latest: MaterialChange | None = None
        for document, history in histories.items():
            for before, after in reversed(list(pairwise(history))):
                if latest is not None and after[0].recorded_at <= latest.date:
                    break
                clauses = self._clause_diff(before, after)
                if clauses.change_class == "material":
                    latest = MaterialChange(
                        date=after[0].recorded_at, document=document, lines=clauses.reasons
                    )
                    break
        return latest

    # --- alerts ---------------------------------------------------------------------------------

    def check(
        self,
        options: CheckOptions | None = None,
        on_fetched: Callable[[DocumentFetch], None] | None = None,
    ) -> RunDigest:
        """One pass of the watcher: fetch every tracked document that has a declaration, find
        the changes since the last check (each new version against the good one before it),
        choose which to announce, and send one digest per channel and to the alert log.

        Each step is recorded as it is done, so a pass stopped anywhere leaves nothing announced
        twice and nothing lost: changes found but not delivered go out with the next check, and
        a channel that took its digest is not sent it again. Checks on one store run one at a
        time (another one running is an error).
        """
        options = options or CheckOptions()
        settings = load_settings()
        channels = self.alert_channels(options, settings)
        with self.store() as store, store.exclusive("check"):
            return _CheckRun(self, store, options, settings, channels).run(on_fetched)

    def alert_channels(
        self, options: CheckOptions, settings: Settings | None = None
    ) -> list[Channel]:
        """The channels a check sends to: the settings file's ``notify``, then the options'.
        Each is checked here, so a URL Apprise cannot use stops a check before any fetch."""
        settings = settings or load_settings()
        urls = [(url, f"{config_path()}: notify[{i}]") for i, url in enumerate(settings.notify)]
        urls += [
            (url.get_secret_value(), f"--notify #{i}") for i, url in enumerate(options.notify, 1)
        ]
        channels: dict[str, Channel] = {}
        for url, origin in urls:
            made = channel(url, origin)
            channels.setdefault(made.key, made)
        return list(channels.values())

    def last_check(self) -> str | None:
        """When the latest check on the store started (ISO 8601 UTC), if one ever did."""
        with self.store() as store:
            return store.last_run_start()

    # --- reviewer decisions -------------------------------------------------------------------

    def decide(
        self,
        service: str,
        document: str,
        version_id: int,
        finding_index: int,
        decision: DecisionKind,
        note: str = "",
    ) -> StoredDecision:
        """Accept or dismiss one finding of a stored version, with an optional note."""
        with self.store() as store:
            version = _stored_version(store, service, document, version_id)
            result, _ = self._reviewed(version, store.version_text(version_id))
            if not 0 <= finding_index < len(result.findings):
                raise StoreError(f"version {version_id} has no finding #{finding_index}")
            finding = result.findings[finding_index]
            return store.record_decision(
                service,
                document,
                version_id=version_id,
                clause_type=finding.clause_type,
                clause_text_key=finding_key(finding, result.clauses, normalise),
                section_path=finding.section_path,
                decision=decision,
                note=note,
            )

    def decisions(self, service: str, document: str, version_id: int) -> list[CarriedDecision]:
        """The decisions that apply to a version's findings: made on it, or carried from the
        version before by the same clause text, or by the clause the diff aligned."""
        with self.store() as store:
            versions = store.versions(service, document)
            made = store.decisions(service, document)
            index = next((i for i, v in enumerate(versions) if v.id == version_id), None)
            if index is None:
                raise StoreError(f"no version {version_id} of {service} / {document}")
            pair = [(v, store.version_text(v.id)) for v in versions[max(index - 1, 0) : index + 1]]
        analyses = [self._reviewed(*version)[0] for version in pair]
        old, new = analyses[0], analyses[-1]
        aligned = diff_clauses(old, new).changes if len(analyses) == 2 else []
        return carry_decisions(
            [d for d in made if d.version_id <= version_id],
            old_clauses=old.clauses,
            new_clauses=new.clauses,
            new_findings=new.findings,
            aligned=aligned,
            normalise=normalise,
            new_version_id=version_id,
        )

    def assess_version(
        self, service: str, document: str, version_id: int, home: str | None = None
    ) -> Assessment:
        """The checklist judged on one stored version alone (what a reviewer sees beside a diff:
        absence items then speak for this document only)."""
        home = home if home is not None else load_settings().home
        with self.store() as store:
            version = _stored_version(store, service, document, version_id)
            text = store.version_text(version_id)
        result, _ = self._reviewed(version, text)
        judged = VendorDocument(
            name=document, result=result, version=str(version_id), recorded_at=version.recorded_at
        )
        return assess([judged], self.checklist, home, vendor=service)

    @cached_property
    def checklist(self) -> Checklist:
        """The red-flag checklist shipped beside the pattern library (read once)."""
        known = {pattern.id for pattern in self.library.patterns}
        return load_checklist(self.patterns_dir / DEFAULT_CHECKLIST, known)

    def _clause_diff(
        self, before: tuple[VersionInfo, str], after: tuple[VersionInfo, str]
    ) -> ClauseDiff:
        """Clause diff of two stored versions; each version is also graded on its own, so a
        grade that moves makes the change material."""
        (old, old_facts), (new, new_facts) = self._reviewed(*before), self._reviewed(*after)
        return diff_clauses(old, new, old_version=old_facts, new_version=new_facts)

    def _reviewed(self, version: VersionInfo, text: str) -> tuple[AnalysisResult, VersionFacts]:
        """A stored version analysed and graded on its own. Kept by text hash for a while: a
        timeline's badges and the report's look-back meet each version in two neighbouring
        pairs, and analysing a long document takes a good part of a second."""
        with self._reviews_lock:
            cached = self._reviews.get(version.text_sha256)
        if cached is None:
            result = self.analyzer.analyze_text(text, "stored version", "md")
            document = VendorDocument(name="version", result=result)
            cached = (result, assess([document], self.checklist).grade.letter)
            with self._reviews_lock:
                self._reviews[version.text_sha256] = cached
                while len(self._reviews) > _REVIEWS_KEPT:
                    del self._reviews[next(iter(self._reviews))]
        result, letter = cached
        return result, VersionFacts(kind=version.kind, suspect=version.suspect, grade=letter)

    def load_demo(self) -> str:
        """Load the bundled fictional vendor into this workspace's store; return its name.

        Loading again is harmless: documents that already have versions are left as they are.
        """
        loaded = self.load_versions(corpora_dir() / "demo")
        return loaded[0].service

    def load_versions(self, folder: Path) -> list[LoadedHistory]:
        """Replay version histories recorded by Open Terms Archive into the store."""
        with self.store() as store:
            return load_histories(store, folder)

    @staticmethod
    def _service(store: Store, name_or_slug: str) -> StoredService:
        found = store.find_service(name_or_slug)
        if found is None:
            known = ", ".join(s.name for s in store.list_services()) or "none yet"
            raise StoreError(f"no tracked service '{name_or_slug}' (tracked: {known})")
        return found

    def _tracked(self, store: Store, service: str) -> TrackedService:
        found = self._service(store, service)
        filters = unsupported_filters(found.declaration) if found.declaration else {}
        features = unsupported_features(found.declaration) if found.declaration else {}
        documents = [
            TrackedDocument(
                name=document.name,
                slug=document.slug,
                pages=len(document.declaration.pages()) if document.declaration else 0,
                versions=len(store.versions(found.name, document.name)),
                notes=[
                    *(
                        f"JavaScript filter not run here: {f}"
                        for f in filters.get(document.name, [])
                    ),
                    *(f"not supported here: {f}" for f in features.get(document.name, [])),
                ],
            )
            for document in store.list_documents(found.name)
        ]
        return TrackedService(name=found.name, slug=found.slug, documents=documents)

    def test_patterns(self) -> tuple[int, list[ExampleFailure]]:
        """Run every pattern file's examples; returns (examples run, failures).

        A ``match`` example needs a finding that is not fair, a ``fair`` one a fair finding.
        """
        failures: list[ExampleFailure] = []
        run = 0
        for pattern in self.library.patterns:
            cases: list[tuple[Literal["match", "no_match", "fair"], str]] = [
                *(("match", t) for t in pattern.examples.match),
                *(("no_match", t) for t in pattern.examples.no_match),
                *(("fair", t) for t in pattern.examples.fair),
            ]
            for expected, text in cases:
                run += 1
                result = self.analyzer.analyze_text(text, "<example>", assume_language="en")
                found = [f for f in result.findings if f.clause_type == pattern.id]
                forms = {"fair" if f.fairness == "fair" else "match" for f in found}
                passed = expected in forms if expected != "no_match" else not found
                if not passed:
                    fired = [f.pattern_id for f in found]
                    failures.append(
                        ExampleFailure(
                            clause_type=pattern.id, expected=expected, text=text, fired=fired
                        )
                    )
        return run, failures

    def evaluate(
        self, labels: Path, with_errors: bool = False, split: str | None = None
    ) -> EvalReport:
        """Score tagging against a CLAUDETTE or ToS;DR labelled JSONL file.

        CLAUDETTE labels mark the unfair form of a clause, so only findings not judged fair
        count for it; ToS;DR labels name the clause whatever its form, so every finding counts.
        """
        rows = read_jsonl(labels)
        analyzer = self.analyzer

        def analyze(text: str) -> AnalysisResult:
            return analyzer.analyze_text(text, str(labels), assume_language="en")

        if dataset_kind(rows, labels) == "claudette":
            explain = self._explainer(self._claudette_of) if with_errors else None
            return evaluate_claudette(
                rows,
                labels,
                analyze,
                self._claudette_labels,
                analyzer.provenance,
                explain,
                split,
            )
        if split is not None:
            raise LabelledSetError(f"{labels}: --split applies to CLAUDETTE files only")
        explain = self._explainer(self._tosdr_of) if with_errors else None
        return evaluate_tosdr(
            rows, labels, analyze, self._clause_type_labels, analyzer.provenance, explain
        )

    def _claudette_labels(self, finding: Finding) -> set[str]:
        return set() if finding.fairness == "fair" else self._claudette_of(finding.clause_type)

    def _claudette_of(self, clause_type: str) -> set[str]:
        category = self.library.get(clause_type).claudette
        return {category} if category in CLAUDETTE_CATEGORIES else set()

    def _clause_type_labels(self, finding: Finding) -> set[str]:
        return self._tosdr_of(finding.clause_type)

    def _tosdr_of(self, clause_type: str) -> set[str]:
        return {clause_type, *self.library.get(clause_type).implies}

    def _explainer(self, labels_of: Callable[[str], set[str]]) -> Explain:
        """Explains a missed label by the clause types whose findings stand for it."""
        types_of: dict[str, set[str]] = defaultdict(set)
        for pattern in self.library.patterns:
            for label in labels_of(pattern.id):
                types_of[label].add(pattern.id)

        def explain(text: str, start: int, end: int, label: str) -> str:
            return self.analyzer.explain_miss(text, start, end, types_of[label])

        return explain


_REVIEWS_KEPT = 64
"""Analysed versions a workspace keeps (by text hash) for diffs of neighbouring pairs."""


class DocumentDiff(BaseModel):
    """Two versions of one document compared: the text for reading, the clauses for judging."""

    service: str
    document: str
    old: VersionInfo
    new: VersionInfo
    text: TextDiff
    clauses: ClauseDiff


class CheckOptions(BaseModel):
    """What one check does beyond the settings file (``None``: as the settings file says)."""

    notify: list[SecretStr] = Field(
        default_factory=list, description="Apprise URLs added to the settings file's."
    )
    include_all: bool = Field(
        default=False, description="Announce every change, not only material ones."
    )
    min_severity: Severity | None = None
    failing_after: int | None = Field(default=None, ge=1)
    alert_log: str | None = Field(
        default=None, description="The JSON Lines alert log; an empty string for none."
    )
    allow_private: bool = False
    delivery: DeliveryPolicy | None = Field(
        default=None, description="Tries and time limits per channel (default: the settings')."
    )


_ALERT = TypeAdapter[Alert](Alert)


class _CheckRun:
    """One check, step by step. Each step is committed to the store before the next starts."""

    def __init__(
        self,
        workspace: Workspace,
        store: Store,
        options: CheckOptions,
        settings: Settings,
        channels: list[Channel],
    ) -> None:
        self.workspace = workspace
        self.store = store
        self.options = options
        self.channels = channels
        self.filter = AlertFilter(
            include_all=options.include_all,
            min_severity=options.min_severity or settings.min_severity,
        )
        self.failing_after = options.failing_after or settings.failing_after
        self.delivery = options.delivery or DeliveryPolicy(
            attempts=settings.notify_attempts, timeout=settings.notify_timeout
        )
        here = store.path.resolve()
        log = options.alert_log if options.alert_log is not None else settings.alert_log
        self.log = _alert_log(here, log)
        self.log_key = "log:" + hashlib.sha256(str(self.log).encode()).hexdigest()
        self.db = None if here == user_db_path().resolve() else here
        """Named in the commands an alert suggests when the store is not the default one."""

    def run(self, on_fetched: Callable[[DocumentFetch], None] | None) -> RunDigest:
        started = _now()
        run_id = self.store.start_run(started)
        self.store.baseline_alerts()
        labels = {c.key: c.label for c in self.channels}
        self.store.sync_alert_channels(labels | ({self.log_key: str(self.log)} if self.log else {}))
        documents = [d for d in self.store.list_documents() if d.declaration is not None]
        fetched = fetch_documents(
            self.store,
            documents,
            self.workspace.fetch_settings,
            allow_private=self.options.allow_private,
            on_done=on_fetched,
        )
        found = [event for document in documents for event in self._find(run_id, document)]
        pending = {key: self.store.pending_alerts(key) for key in [*labels, self.log_key]}
        digest = self._digest(run_id, started, fetched, found, pending)
        results = self._write_log(digest, pending.pop(self.log_key)) + self._send(digest, pending)
        material = bool(digest.exit_mask & MATERIAL_FOUND)
        mask = exit_mask(material, bool(digest.failures), not all(r.ok for r in results))
        digest = digest.model_copy(
            update={"ended_at": _now(), "channels": results, "exit_mask": mask}
        )
        self.store.end_run(run_id, digest.exit_mask, digest.ended_at)
        if self.log:
            summary = digest.model_dump(exclude={"alerts"})
            announced = [a.event_id for a in digest.alerts]
            with suppress(OSError):  # a log that cannot be written is in the digest already
                self._append([LoggedRun.model_validate({**summary, "announced": announced})])
        return digest

    def _digest(
        self,
        run_id: int,
        started: str,
        fetched: list[DocumentFetch],
        found: list[StoredAlertEvent],
        pending: dict[str, list[StoredAlertEvent]],
    ) -> RunDigest:
        """The run before delivery: what it found, and every alert it is to announce (found
        now, or owed to a channel since an earlier run)."""
        alerts = {event.id: _announced(event) for event in found if event.announce}
        alerts |= {e.id: _announced(e) for events in pending.values() for e in events}
        changes = [
            alert
            for event in found
            if isinstance(alert := _ALERT.validate_json(event.payload), ChangeAlert)
        ]
        failures = [
            DocumentFailure(service=r.service, document=r.document, error=r.error or "")
            for r in fetched
            if r.outcome == "failed"
        ]
        material = any(change.change_class == "material" for change in changes)
        return RunDigest(
            run_id=run_id,
            started_at=started,
            ended_at=_now(),
            documents=len(fetched),
            changed=sum(r.outcome == "changed" for r in fetched),
            unchanged=sum(r.outcome == "unchanged" for r in fetched),
            failed=len(failures),
            changes_found=ChangeCounts.model_validate(Counter(c.change_class for c in changes)),
            not_announced=sum(not e.announce for e in found if e.kind == "change"),
            failures=failures,
            alerts=sorted(alerts.values(), key=lambda announced: announced.event_id),
            exit_mask=exit_mask(material, bool(failures), False),
        )

    # --- finding ----------------------------------------------------------------------------

    def _find(self, run_id: int, document: StoredDocument) -> list[StoredAlertEvent]:
        """Record the document's new events (one transaction); return those not seen before."""
        service, name = document.service, document.name
        cursor = self.store.alert_cursor(service, name)
        versions = self.store.versions(service, name)
        ref = DocumentRef(
            service=service,
            service_slug=document.service_slug,
            document=name,
            document_slug=document.slug,
        )
        unseen = [v for v in versions if cursor.version_id is None or v.id > cursor.version_id]
        events = [event for v in unseen if (event := self._change(ref, versions, v)) is not None]
        events += self._health(ref, cursor, versions)
        through = unseen[-1].id if unseen else None
        return self.store.record_alert_events(service, name, run_id, events, through)

    def _change(
        self, ref: DocumentRef, versions: list[VersionInfo], new: VersionInfo
    ) -> NewAlertEvent | None:
        """The change a fetched version makes against the good version before it. Imported
        histories (no snapshot) and suspect captures are never news."""
        if new.suspect is not None or new.snapshot_id is None:
            return None
        old = next((v for v in reversed(versions) if v.id < new.id and v.suspect is None), None)
        if old is None:
            return None
        before = (old, self.store.version_text(old.id))
        after = (new, self.store.version_text(new.id))
        grades = (
            self.workspace._reviewed(*before)[1].grade,
            self.workspace._reviewed(*after)[1].grade,
        )
        diff = self.workspace._clause_diff(before, after)
        alert = change_alert(diff, ref, (old, new), grades, self.workspace.library, self.db)
        return NewAlertEvent(
            kind="change",
            old_version_id=old.id,
            new_version_id=new.id,
            announce=self.filter.selects(alert),
            payload=alert.model_dump_json(),
        )

    def _health(
        self, ref: DocumentRef, cursor: AlertCursor, versions: list[VersionInfo]
    ) -> list[NewAlertEvent]:
        """A 'failing' event when the last ``failing_after`` fetches all failed, once; a
        'recovered' one at the first good fetch after it."""
        fetches = self.store.fetches(ref.service, ref.document, self.failing_after)
        alert: FailingAlert | RecoveredAlert
        if (
            cursor.failing_event_id is None
            and len(fetches) == self.failing_after
            and all(f.outcome == "failed" for f in fetches)
        ):
            good = next((v for v in reversed(versions) if v.suspect is None), None)
            alert = FailingAlert(
                document=ref,
                failures=len(fetches),
                since=fetches[-1].attempted_at,
                reason=fetches[0].error or "unknown",
                last_good=VersionRef(id=good.id, recorded_at=good.recorded_at) if good else None,
                history_command=history_command(ref, self.db),
            )
        elif cursor.failing_event_id is not None and fetches and fetches[0].outcome != "failed":
            failing = _ALERT.validate_json(self.store.alert_event(cursor.failing_event_id).payload)
            assert isinstance(failing, FailingAlert)
            alert = RecoveredAlert(
                document=ref, at=fetches[0].attempted_at, failing_since=failing.since
            )
        else:
            return []
        return [NewAlertEvent(kind=alert.type, announce=True, payload=alert.model_dump_json())]

    # --- telling ----------------------------------------------------------------------------

    def _write_log(self, digest: RunDigest, pending: list[StoredAlertEvent]) -> list[ChannelResult]:
        """The alert log takes its pending alerts first: it is local, so it rarely fails."""
        if self.log is None:
            return []
        lines = [
            LoggedAlert(run_id=digest.run_id, **_announced(event).model_dump()) for event in pending
        ]
        result = ChannelResult(
            channel=str(self.log), ok=True, attempts=int(bool(lines)), alerts=len(lines)
        )
        try:
            self._append(lines)
        except OSError as exc:
            error = f"cannot write {self.log}: {exc.strerror or exc}"
            return [result.model_copy(update={"ok": False, "error": error})]
        self.store.record_delivery(self.log_key, [event.id for event in pending])
        return [result]

    def _append(self, records: list[LoggedAlert] | list[LoggedRun]) -> None:
        assert self.log is not None
        append_jsonl(self.log, records)

    def _send(
        self, digest: RunDigest, pending: dict[str, list[StoredAlertEvent]]
    ) -> list[ChannelResult]:
        """Each channel its digest of what it is owed, all at once; each delivery recorded as
        soon as the channel has taken it."""
        owed = {key: [event.id for event in events] for key, events in pending.items()}
        alerts = {announced.event_id: announced.alert for announced in digest.alerts}
        outgoing = []
        for target in self.channels:
            if owed[target.key]:
                message = render_alerts(digest, [alerts[i] for i in owed[target.key]], "markdown")
                outgoing.append(Outgoing(target, message.title, message.body, message.tone))

        def record(delivery: Delivery) -> None:
            if delivery.ok:
                self.store.record_delivery(delivery.key, owed[delivery.key])

        sent = {d.key: d for d in deliver(outgoing, self.delivery, record)}
        return [
            _channel_result(target.label, sent.get(target.key), len(owed[target.key]))
            for target in self.channels
        ]


def _channel_result(label: str, delivery: Delivery | None, alerts: int) -> ChannelResult:
    """A channel's line in the digest; one that was owed nothing was not called."""
    if delivery is None:
        return ChannelResult(channel=label, ok=True, attempts=0, alerts=0)
    return ChannelResult(
        channel=label,
        ok=delivery.ok,
        attempts=delivery.attempts,
        alerts=alerts,
        error=delivery.error,
    )


def _alert_log(store: Path, setting: str | None) -> Path | None:
    """The alert log: as set (``""``: none), else beside the store, as the TUI's files are."""
    if setting == "":
        return None
    return Path(setting).expanduser().resolve() if setting else store.with_suffix(".alerts.jsonl")


def _announced(event: StoredAlertEvent) -> Announced:
    return Announced(
        event_id=event.id, found_in_run=event.run_id, alert=_ALERT.validate_json(event.payload)
    )


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _pick_version(versions: list[VersionInfo], wanted: str) -> VersionInfo:
    """A version by id ("42") or by the date it was recorded ("2024-05", the latest that day)."""
    if wanted.isdigit():
        for version in versions:
            if version.id == int(wanted):
                return version
        raise StoreError(f"no version {wanted} of this document")
    dated = [v for v in versions if v.recorded_at.startswith(wanted)]
    if not dated:
        raise StoreError(f"no version of this document recorded on '{wanted}'")
    return dated[-1]


def _stored_version(store: Store, service: str, document: str, version_id: int) -> VersionInfo:
    found = next((v for v in store.versions(service, document) if v.id == version_id), None)
    if found is None:
        raise StoreError(f"no version {version_id} of {service} / {document}")
    return found
