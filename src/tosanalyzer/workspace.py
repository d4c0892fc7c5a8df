"""The library API: everything the CLI (and later the TUI and alerts) can do, as functions.

Faces stay thin: they parse arguments and print. Anything a user can ask for is reachable here
with pydantic models in and out, so it can be scripted and tested without a terminal.
"""

from __future__ import annotations

import functools
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property
from itertools import pairwise
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from tosanalyzer.alerts.check import CheckOptions, CheckRun, Compared
from tosanalyzer.alerts.messages import (
    RunDigest,
)
from tosanalyzer.alerts.notify import (
    Channel,
    ChannelError,
    channel,
)
from tosanalyzer.analysis.analyzer import Analyzer, analyzer_for
from tosanalyzer.analysis.documents import SourceError, read_source
from tosanalyzer.analysis.evaluation import (
    Explain,
    LabelledSetError,
    Tracing,
    dataset_kind,
    estimate_unseen_claudette,
    estimate_unseen_tosdr,
    evaluate_claudette,
    evaluate_tosdr,
    read_jsonl,
)
from tosanalyzer.analysis.nlp.library import PatternFileError
from tosanalyzer.base.bundled import corpora_dir, patterns_dir
from tosanalyzer.base.settings import Settings, SettingsError, config_path, load_settings
from tosanalyzer.change import (
    DEFAULT_CONTEXT,
    ChangeClass,
    ClauseDiff,
    DiffError,
    TextDiff,
    VersionFacts,
    diff_clauses,
    diff_text,
    normalise,
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
from tosanalyzer.judgement.assess import (
    DEFAULT_CHECKLIST,
    Checklist,
    ChecklistFileError,
    VendorDocument,
    assess,
    load_checklist,
)
from tosanalyzer.judgement.decisions import CarriedDecision, carry_decisions, finding_key
from tosanalyzer.judgement.places import HomeJurisdictionError, normalise_home
from tosanalyzer.judgement.report import Lang, MaterialChange, ReportFormat, render
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
    SourcePage,
    TrackedDocument,
    TrackedService,
    VersionInfo,
)
from tosanalyzer.store import (
    DecisionKind,
    Store,
    StoredDecision,
    StoredDocument,
    StoredService,
    StoreError,
)
from tosanalyzer.tracking.declarations import (
    DeclarationError,
    OtaImport,
    ServiceLookupError,
    load_declaration,
    scan_ota_folder,
    unsupported_features,
    unsupported_filters,
)
from tosanalyzer.tracking.extract import ExtractError, extract_snapshot
from tosanalyzer.tracking.fetch import FetchSettings
from tosanalyzer.tracking.fetch import fetch as fetch_page
from tosanalyzer.tracking.tracker import (
    DocumentFetch,
    LoadedHistory,
    fetch_documents,
    load_histories,
)


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
        self._reviews: dict[tuple[str, str], tuple[AnalysisResult, str | None]] = {}
        self._reviews_lock = threading.Lock()

    @contextmanager
    def store(self, create: bool = False) -> Iterator[Store]:
        """The SQLite store (``db``, else ``$TOSANALYZER_DB``, else the user data folder).

        Only what records something passes ``create``: reading a store that is not there is an
        error ("no store at PATH"), not a new empty store at a mistyped path.
        """
        with Store.open(self.db, create=create) as store:
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
        outcome = fetch_page(url, settings=self._fetch_settings(allow_private))
        if isinstance(outcome, FetchFailure):
            raise UrlError(f"cannot fetch {url}: {outcome.kind}: {outcome.message}")
        page = extract_snapshot(outcome, SourcePage(fetch=url))
        return self.analyzer.analyze_text(page.markdown, url, "html")

    # --- tracking -------------------------------------------------------------------------------

    def track(self, paths: list[Path]) -> list[TrackedService]:
        """Declare services from declaration files (all are checked before any is stored)."""
        declarations = [load_declaration(path) for path in paths]
        with self.store(create=True) as store:
            for declaration in declarations:
                store.upsert_service(declaration)
            return [self._tracked(store, d.name) for d in declarations]

    def import_ota(self, folder: Path) -> tuple[OtaImport, list[TrackedService]]:
        """Declare every service of an Open Terms Archive declarations folder that imports."""
        scan = scan_ota_folder(folder)
        with self.store(create=True) as store:
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
        with self.store(create=True) as store:
            documents = [
                document
                for service in (services or [s.name for s in store.list_services()])
                for document in store.list_documents(self._service(store, service).name)
            ]
            return fetch_documents(
                store, documents, self._fetch_settings(allow_private), on_done=on_done
            )

    def _fetch_settings(
        self, allow_private: bool, settings: Settings | None = None
    ) -> FetchSettings:
        """The fetcher's settings: what the workspace was built with, the settings file for the
        fields it left unset (networks to allow, time limits), and ``--allow-private``. Only the
        person running the tool opens the address guard, so no declaration takes part."""
        settings = settings or load_settings()
        given = self.fetch_settings or FetchSettings()
        from_file = {
            "allowed_networks": tuple(settings.allow_networks),
            "document_deadline": settings.fetch_document_deadline,
            "run_budget": settings.fetch_run_budget,
        }
        update: dict[str, object] = {
            key: value
            for key, value in from_file.items()
            if value is not None and key not in given.model_fields_set
        }
        if allow_private:
            update["allow_private"] = True
        return given.model_copy(update=update)

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
        name, found, before, after = self._pair(service, document, old, new)
        return DocumentDiff(
            service=name,
            document=found,
            old=before[0],
            new=after[0],
            text=diff_text(before[1], after[1], context=context),
            clauses=self._clause_diff(before, after),
        )

    def change_class(self, service: str, document: str, old: str, new: str) -> ChangeClass:
        """The class of a pair alone (a timeline's badge): no text diff to compute."""
        _, _, before, after = self._pair(service, document, old, new)
        return self._clause_diff(before, after).change_class

    def _pair(
        self, service: str, document: str, old: str | None, new: str | None
    ) -> tuple[str, str, tuple[VersionInfo, str], tuple[VersionInfo, str]]:
        """Service and document names, and the two versions with their texts."""
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
        return name, found.name, (before, texts[0]), (after, texts[1])

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
        with self.store(create=True) as store, store.exclusive("check"):
            fetch_settings = self._fetch_settings(options.allow_private, settings)
            run = CheckRun(store, options, settings, channels, fetch_settings, self._compare)
            return run.run(on_fetched)

    def _compare(self, before: tuple[VersionInfo, str], after: tuple[VersionInfo, str]) -> Compared:
        """A check's view of a new version: the clause diff, and each version's own grade."""
        grades = (self._reviewed(*before)[1].grade, self._reviewed(*after)[1].grade)
        return Compared(diff=self._clause_diff(before, after), grades=grades, library=self.library)

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
        """When the latest check on the store started (ISO 8601 UTC), if one ever did. Creates
        the store: ``watch`` asks, before it checks into it."""
        with self.store(create=True) as store:
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
        pairs, and analysing a long document takes a good part of a second. Keyed by the
        pattern library too: an edited rule reviews the version again."""
        analyzer = self.analyzer  # one library for the key and the analysis
        key = (version.text_sha256, analyzer.library.version)
        with self._reviews_lock:
            cached = self._reviews.get(key)
        if cached is None:
            result = analyzer.analyze_text(text, "stored version", "md")
            document = VendorDocument(name="version", result=result)
            cached = (result, assess([document], self.checklist).grade.letter)
            with self._reviews_lock:
                self._reviews[key] = cached
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
        with self.store(create=True) as store:
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
        self,
        labels: Path,
        with_errors: bool = False,
        split: str | None = None,
        leave_one_out: bool = False,
    ) -> EvalReport:
        """Score tagging against a CLAUDETTE or ToS;DR labelled JSONL file.

        CLAUDETTE labels mark the unfair form of a clause, so only findings not judged fair
        count for it; ToS;DR labels name the clause whatever its form, so every finding counts.
        """
        rows = read_jsonl(labels)
        analyzer = self.analyzer

        def analyze(text: str) -> AnalysisResult:
            return analyzer.analyze_text(text, str(labels), assume_language="en")

        claudette = dataset_kind(rows, labels) == "claudette"
        if split is not None and not claudette:
            raise LabelledSetError(f"{labels}: --split applies to CLAUDETTE files only")
        if leave_one_out and with_errors:
            raise LabelledSetError(f"{labels}: --leave-one-out is scored without --errors")
        if leave_one_out:

            @functools.lru_cache(maxsize=4)  # one compile per document or service
            def less(rules: frozenset[str]) -> Analyzer:
                return analyzer.without(set(rules))

            def analyze_without(text: str, rules: frozenset[str]) -> AnalysisResult:
                return less(rules).analyze_text(text, str(labels), assume_language="en")

            if claudette:
                tracing = Tracing(
                    analyzer.trace, analyze_without, self._claudette_labels, self._claudette_of
                )
                return estimate_unseen_claudette(
                    rows, labels, tracing, analyzer.provenance, split
                )
            tracing = Tracing(
                analyzer.trace, analyze_without, self._clause_type_labels, self._tosdr_of
            )
            return estimate_unseen_tosdr(rows, labels, tracing, analyzer.provenance)
        if claudette:
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
