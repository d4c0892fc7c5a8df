"""The library API: everything a face (the command line, the TUI) can do, as one object.

Faces stay thin: they parse arguments and print. Anything a user can ask for is a method here,
with pydantic models in and out, so it can be scripted and tested without a terminal. Each
method hands its work to the composer of the domain it belongs to; this module only binds them
to one pattern folder and one store. The faces import nothing else of the library: what they
need beyond a workspace (the types its methods return, the helpers that print or schedule them)
is re-exported here, so the packages behind it can be recut without touching a face.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tosanalyzer import alerts, analysis, tracking
from tosanalyzer.alerts import (
    Channel,
    ChannelError,
    CheckOptions,
    Compared,
    IntervalError,
    RunDigest,
    parse_interval,
    plural,
    render_alerts,
    run_every,
    stop_on_signals,
)
from tosanalyzer.analysis import (
    Analyzer,
    DocumentDiff,
    JudgedSetError,
    LabelledSetError,
    PatternFileError,
    PatternFolder,
    Reviewer,
    SourceError,
    UrlError,
)
from tosanalyzer.base import Settings, SettingsError, patterns_dir
from tosanalyzer.change import (
    DEFAULT_CONTEXT,
    ClauseDiff,
    DiffError,
    DiffLine,
    Hunk,
    TextDiff,
    unified_lines,
)
from tosanalyzer.export import (
    DEFAULT_HISTORY_PAIRS,
    Export,
    ExportFormat,
    gather_export,
    schema_json,
)
from tosanalyzer.export import write as write_export
from tosanalyzer.judgement import (
    CarriedDecision,
    Checklist,
    ChecklistFileError,
    HomeJurisdictionError,
    Lang,
    MaterialChange,
    ReportFormat,
)
from tosanalyzer.models import (
    AnalysisResult,
    Assessment,
    ChangeClass,
    DecisionKind,
    DocumentHistory,
    EvalReport,
    ExampleFailure,
    JudgedReport,
    PatternLibrary,
    StoredDecision,
    TrackedService,
)
from tosanalyzer.store import Store, StoreError, demo_db_path
from tosanalyzer.tracking import (
    DeclarationError,
    DocumentFetch,
    ExtractError,
    FetchSettings,
    LoadedHistory,
    OtaImport,
    ServiceLookupError,
    StoredText,
)

__all__ = [
    "USER_ERRORS",
    "CarriedDecision",
    "CheckOptions",
    "ClauseDiff",
    "DiffLine",
    "DocumentDiff",
    "DocumentFetch",
    "Export",
    "ExportFormat",
    "Hunk",
    "IntervalError",
    "Lang",
    "ReportFormat",
    "RunDigest",
    "TextDiff",
    "UrlError",
    "Workspace",
    "demo_db_path",
    "parse_interval",
    "plural",
    "render_alerts",
    "run_every",
    "schema_json",
    "stop_on_signals",
    "unified_lines",
    "write_export",
]

USER_ERRORS = (
    SourceError,
    ExtractError,
    PatternFileError,
    LabelledSetError,
    JudgedSetError,
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
        self._patterns = PatternFolder(self.patterns_dir)
        self._reviewer = Reviewer(self._patterns, db)

    @contextmanager
    def store(self, create: bool = False) -> Iterator[Store]:
        """The SQLite store (``db``, else ``$TOSANALYZER_DB``, else the user data folder).

        Only what records something passes ``create``: reading a store that is not there is an
        error ("no store at PATH"), not a new empty store at a mistyped path.
        """
        with Store.open(self.db, create=create) as store:
            yield store

    # --- analysis -------------------------------------------------------------------------------

    @property
    def analyzer(self) -> Analyzer:
        return self._patterns.analyzer

    @property
    def library(self) -> PatternLibrary:
        return self._patterns.library

    @property
    def checklist(self) -> Checklist:
        """The red-flag checklist shipped beside the pattern library (read once)."""
        return self._patterns.checklist

    def analyze_path(self, path: Path) -> AnalysisResult:
        """Analyse a local .txt, .md or .html file."""
        return analysis.analyze_path(self._patterns, path)

    def analyze_text(self, text: str, source: str = "<text>") -> AnalysisResult:
        return self.analyzer.analyze_text(text, source)

    def analyze_url(self, url: str, allow_private: bool = False) -> AnalysisResult:
        """Fetch a page through the safe fetcher, extract its text and analyse it."""
        settings = tracking.fetch_settings(self.fetch_settings, allow_private)
        return analysis.analyze_url(self._patterns, url, settings)

    def test_patterns(self) -> tuple[int, list[ExampleFailure]]:
        """Run every pattern file's examples; returns (examples run, failures)."""
        return analysis.run_pattern_examples(self._patterns)

    def evaluate(
        self,
        labels: Path,
        with_errors: bool = False,
        split: str | None = None,
        leave_one_out: bool = False,
    ) -> EvalReport:
        """Score tagging against a CLAUDETTE or ToS;DR labelled JSONL file."""
        return analysis.score_labelled_set(
            self._patterns, labels, with_errors, split, leave_one_out
        )

    def is_judged(self, labels: Path) -> bool:
        """Whether a labelled file holds a reviewer's verdicts on findings (judged sets)."""
        return analysis.is_judged_file(labels)

    def evaluate_judged(self, labels: Path) -> JudgedReport:
        """Score today's findings on whole documents against a reviewer's verdicts."""
        return analysis.score_judged_set(self._patterns, labels)

    # --- tracking -------------------------------------------------------------------------------

    def track(self, paths: list[Path]) -> list[TrackedService]:
        """Declare services from declaration files (all are checked before any is stored)."""
        return tracking.track_declarations(self.db, paths)

    def import_ota(self, folder: Path) -> tuple[OtaImport, list[TrackedService]]:
        """Declare every service of an Open Terms Archive declarations folder that imports."""
        return tracking.import_ota_folder(self.db, folder)

    def tracked(self) -> list[TrackedService]:
        return tracking.tracked_services(self.db)

    def fetch(
        self,
        services: list[str],
        allow_private: bool = False,
        on_done: Callable[[DocumentFetch], None] | None = None,
    ) -> list[DocumentFetch]:
        """Fetch the documents of ``services`` (all tracked ones when empty) and record them."""
        return tracking.fetch_tracked(
            self.db, services, self.fetch_settings, allow_private, on_done
        )

    def history(self, service: str, document: str | None = None) -> list[DocumentHistory]:
        return tracking.document_histories(self.db, service, document)

    def load_versions(self, folder: Path) -> list[LoadedHistory]:
        """Replay version histories recorded by Open Terms Archive into the store."""
        return tracking.load_versions(self.db, folder)

    def load_demo(self) -> str:
        """Load the bundled fictional vendor into this workspace's store; return its name."""
        return tracking.load_demo(self.db)

    # --- judgement ------------------------------------------------------------------------------

    def assess(self, target: str, home: str | None = None) -> Assessment:
        """Judge a local document (a path) or a tracked service's latest good versions;
        ``home`` defaults to the settings file's home jurisdiction."""
        return self._reviewer.assess(target, home)

    def assess_version(
        self, service: str, document: str, version_id: int, home: str | None = None
    ) -> Assessment:
        """The checklist judged on one stored version alone (what a reviewer sees beside a
        diff)."""
        return self._reviewer.assess_version(service, document, version_id, home)

    def report(
        self,
        target: str,
        fmt: ReportFormat = "markdown",
        lang: Lang = "en",
        home: str | None = None,
    ) -> str:
        """The vendor report of ``target`` (a path or a tracked service) as text, with the
        latest material change of a tracked service."""
        return analysis.vendor_report(self._reviewer, target, fmt, lang, home)

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
        return analysis.decide_finding(
            self._reviewer, service, document, version_id, finding_index, decision, note
        )

    def decisions(self, service: str, document: str, version_id: int) -> list[CarriedDecision]:
        """The decisions that apply to a version's findings: made on it, or carried from the
        version before."""
        return analysis.carried_decisions(self._reviewer, service, document, version_id)

    # --- change ---------------------------------------------------------------------------------

    def diff(
        self,
        service: str,
        document: str,
        old: str | None = None,
        new: str | None = None,
        context: int = DEFAULT_CONTEXT,
    ) -> DocumentDiff:
        """Text and clause diff of two versions (ids or date prefixes; default: the last two),
        both analysed now, with the current pattern library."""
        return analysis.diff_versions(self._reviewer, service, document, old, new, context)

    def change_class(self, service: str, document: str, old: str, new: str) -> ChangeClass:
        """The class of a pair alone (a timeline's badge): no text diff to compute."""
        return analysis.version_change_class(self._reviewer, service, document, old, new)

    def latest_material_change(self, service: str, look_back: int = 10) -> MaterialChange | None:
        """The newest material change among the last ``look_back`` version pairs of any document
        of ``service`` (suspect versions skipped)."""
        return analysis.latest_material_change(self._reviewer, service, look_back)

    # --- told to others -------------------------------------------------------------------------

    def export(
        self,
        services: list[str],
        history: int = DEFAULT_HISTORY_PAIRS,
        home: str | None = None,
    ) -> Export:
        """``services`` (every tracked one when empty) as one export: assessments, findings with
        quotes, every version, and the change class of the last ``history`` pairs."""
        return gather_export(self.db, self._reviewer, services, history, home)

    def check(
        self,
        options: CheckOptions | None = None,
        on_fetched: Callable[[DocumentFetch], None] | None = None,
    ) -> RunDigest:
        """One pass of the watcher: fetch every tracked document that has a declaration, find
        the changes since the last check, and send one digest per channel and to the alert log.
        Each step is recorded as it is done, so a pass stopped anywhere announces nothing twice
        and loses nothing."""
        return alerts.run_check(self.db, options, self.fetch_settings, self._compare, on_fetched)

    def _compare(self, before: StoredText, after: StoredText) -> Compared:
        return alerts.compared(self._reviewer, before, after)

    def alert_channels(
        self, options: CheckOptions, settings: Settings | None = None
    ) -> list[Channel]:
        """The channels a check sends to, each checked here, so a URL Apprise cannot use stops a
        check before any fetch."""
        return alerts.alert_channels(options, settings)

    def last_check(self) -> str | None:
        """When the latest check on the store started (ISO 8601 UTC), if one ever did."""
        return alerts.last_check(self.db)
