"""Compose the tracking stages: declarations → fetch → extract → suspect check → store.

A document is recorded only whole: every page fetched, every page extracted, and the text not
an error page, a bot wall or a near-empty shell. Any failure on the way is logged as a failed
fetch with its reason, so no version is written from a broken page and the last good version is
never touched. Histories recorded elsewhere (Open Terms Archive) are replayed through the same
suspect check, where a suspect is kept as a marked version rather than refused, because the
history is what it is.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from tosanalyzer.models import FetchFailure, Snapshot, SourcePage, VersionKind, strip_controls
from tosanalyzer.store import Store, StoredDocument
from tosanalyzer.tracking.extract import ExtractError, NeedsJavaScript, combine, extract_snapshot
from tosanalyzer.tracking.fetch import Fetcher, FetchRequest, FetchSettings, fetch_many
from tosanalyzer.tracking.suspect import suspect_reason

Outcome = Snapshot | FetchFailure


class DocumentFetch(BaseModel):
    """What one fetch of one tracked document came to."""

    service: str
    document: str
    outcome: Literal["changed", "unchanged", "failed"]
    version_id: int | None = None
    error: str | None = None
    unsupported_filters: list[str] = Field(
        default_factory=list, description="JavaScript filters declared but not run here."
    )


class LoadedHistory(BaseModel):
    service: str
    document: str
    added: int = Field(description="Versions recorded (unchanged texts are skipped).")
    skipped: bool = Field(
        default=False, description="The document already had versions: not loaded again."
    )
    suspects: list[str] = Field(default_factory=list, description="'file: reason' per suspect.")


def fetch_documents(
    store: Store,
    documents: list[StoredDocument],
    settings: FetchSettings | None = None,
    per_host: int = 2,
    on_done: Callable[[DocumentFetch], None] | None = None,
) -> list[DocumentFetch]:
    """Fetch every page of ``documents`` concurrently and record each document as it completes.

    The addresses allowed and the time limits are the ``settings``' alone (what the person
    running the tool chose); nothing in a declaration widens them.
    """
    plans = [_Plan(store, document) for document in documents]
    by_request: dict[int, tuple[_Plan, int]] = {}
    requests: list[FetchRequest] = []
    for plan in plans:
        for index, request in enumerate(plan.requests):
            by_request[id(request)] = (plan, index)
            requests.append(request)
    results: list[DocumentFetch] = []

    def finish(plan: _Plan) -> None:
        result = plan.record(store)
        results.append(result)
        if on_done is not None:
            on_done(result)

    for plan in plans:
        if plan.invalid is not None:
            finish(plan)
    with Fetcher(settings) as fetcher:
        for request, outcome in fetch_many(requests, per_host=per_host, fetcher=fetcher):
            plan, index = by_request[id(request)]
            plan.outcomes[index] = outcome
            if plan.complete:
                finish(plan)
    return results


class _Plan:
    """The pages of one document, their fetch outcomes as they arrive, and how to record them."""

    def __init__(self, store: Store, document: StoredDocument) -> None:
        self.document = document
        self.invalid: str | None = None
        self.pages: list[SourcePage] = []
        service = store.find_service(document.service)
        if document.declaration is None:
            self.invalid = "the document has no declaration to fetch (it was loaded from a history)"
        elif service is not None and service.declaration_error is not None:
            self.invalid = service.declaration_error
        else:
            self.pages = document.declaration.pages()
        validators = _validators(store, document) if len(self.pages) == 1 else {}
        self.requests = [FetchRequest(url=page.fetch, **validators) for page in self.pages]
        self.outcomes: list[Outcome | None] = [None] * len(self.requests)

    @property
    def complete(self) -> bool:
        return all(outcome is not None for outcome in self.outcomes)

    def record(self, store: Store) -> DocumentFetch:
        service, name = self.document.service, self.document.name
        snapshots = [o for o in self.outcomes if isinstance(o, Snapshot)]
        failure = self.invalid or next(
            (_describe(o) for o in self.outcomes if isinstance(o, FetchFailure)), None
        )
        unsupported: list[str] = []
        text = None
        if failure is None and not all(s.not_modified for s in snapshots):
            try:
                pages = [extract_snapshot(s, p) for s, p in zip(snapshots, self.pages, strict=True)]
                unsupported = sorted({f for page in pages for f in page.unsupported_filters})
                text = combine([page.markdown for page in pages])
            except NeedsJavaScript as error:
                failure = f"needs_javascript: {error}"
            except ExtractError as error:
                failure = f"extraction failed: {error}"
        kind: VersionKind | None = None
        if text is not None:
            previous = store.latest_version(service, name, include_suspect=False)
            previous_text = store.version_text(previous.id) if previous else None
            reason = suspect_reason(text, previous_text)
            if reason is not None:
                failure, text = f"suspect page, not recorded: {reason}", None
            elif previous_text is not None and _only_cleaned(previous_text, text):
                kind = "technical_upgrade"
        entry = store.record_fetch(service, name, snapshots, text, failure, kind=kind)
        return DocumentFetch(
            service=service,
            document=name,
            outcome=entry.outcome,
            version_id=entry.version_id if entry.outcome == "changed" else None,
            error=entry.error,
            unsupported_filters=unsupported,
        )


def _validators(store: Store, document: StoredDocument) -> dict[str, str]:
    """ETag / Last-Modified of the page behind the latest version, for a conditional request."""
    latest = store.latest_version(document.service, document.name)
    if latest is None or latest.snapshot_id is None:
        return {}
    headers = store.snapshot(latest.snapshot_id).headers
    found = {"etag": headers.get("etag"), "last_modified": headers.get("last-modified")}
    return {key: value for key, value in found.items() if value}


def _only_cleaned(previous: str, text: str) -> bool:
    """Whether ``text`` is ``previous`` without the control characters that versions recorded
    before extraction dropped them may hold: the page did not change, our reading of it did."""
    return previous != text and strip_controls(previous) == text


def _describe(failure: FetchFailure) -> str:
    return f"{failure.kind} at {failure.url}: {failure.message}"


# --- histories recorded by Open Terms Archive ---------------------------------------------------


class _HistoryEntry(BaseModel):
    date: str
    file: str
    kind: VersionKind
    version_index: int


class _Meta(BaseModel):
    service: Annotated[str, AfterValidator(strip_controls)]
    document_type: Annotated[str, AfterValidator(strip_controls)]


def load_histories(store: Store, root: Path) -> list[LoadedHistory]:
    """Replay every ``<service>/<document>/history.json`` under ``root`` (or ``root`` itself
    when it is one service or one document folder) into the store, in ``version_index`` order."""
    folders = sorted(path.parent for path in root.glob("**/history.json"))
    if not folders:
        raise FileNotFoundError(f"{root}: no <service>/<document>/history.json found")
    return [_load_history(store, folder) for folder in folders]


def _load_history(store: Store, folder: Path) -> LoadedHistory:
    meta = _Meta.model_validate_json((folder / "meta.json").read_text(encoding="utf-8"))
    entries = _history(folder / "history.json")
    loaded = LoadedHistory(service=meta.service, document=meta.document_type, added=0)
    if store.find_document(meta.service, meta.document_type) is not None and store.versions(
        meta.service, meta.document_type
    ):
        return loaded.model_copy(update={"skipped": True})
    store.ensure_document(meta.service, meta.document_type)
    previous: str | None = None
    for entry in entries:
        text = strip_controls((folder / entry.file).read_text(encoding="utf-8"))
        reason = suspect_reason(text, previous)
        if reason is not None:
            loaded.suspects.append(f"{entry.file}: {reason}")
        else:
            previous = text
        added = store.add_version(
            meta.service,
            meta.document_type,
            text,
            entry.date,
            kind=entry.kind,
            suspect=reason,
        )
        loaded.added += added is not None
    return loaded


def _history(path: Path) -> list[_HistoryEntry]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    entries: Iterable[_HistoryEntry] = (_HistoryEntry.model_validate(item) for item in raw)
    return sorted(entries, key=lambda entry: entry.version_index)
