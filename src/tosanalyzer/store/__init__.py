"""The versioned store: every tracked document's history in one SQLite file.

A tracker runs for years, unattended, and is killed at odd moments (a laptop closed mid-fetch,
a cron job timed out, ``kill -9``). So the store leans on what SQLite already guarantees rather
than on care at the call site:

- **One fetch, one transaction.** ``record_fetch`` writes the fetch's snapshots, its log row and
  (when the text changed) its version inside a single ``BEGIN IMMEDIATE`` … ``COMMIT``. A process
  killed half way leaves the file as it was before the fetch: never a version without its text,
  never a log row pointing nowhere. WAL mode makes that hold under SIGKILL and lets readers (the
  TUI, ``history``) read while a fetch writes; the busy timeout makes two writers queue instead
  of failing.
- **A version only when the text changes.** The extracted text's SHA-256 is compared with the
  document's latest version inside the same transaction, so "unchanged" is decided on what is
  really stored, even with another writer about. A failed fetch is logged (with its snapshot,
  if it has one, for the post-mortem) and never touches a version.
- **Nothing a version depends on is deleted.** Snapshot retention: a snapshot taken by a fetch
  that recorded a version is kept forever, since it is the evidence behind that version and
  what a re-extraction (a technical upgrade) starts from. Every other snapshot (unchanged or
  failed fetches) is kept only while it is among the ``keep_snapshots`` newest such snapshots of
  its document (default 10); older ones are deleted in the transaction that records the next
  fetch of that document. A store watched for years thus grows with the number of real changes,
  not with the number of fetches.
- **Numbered migrations.** ``PRAGMA user_version`` holds the number of migrations applied; the
  list lives in ``MIGRATIONS`` below and only ever grows. Opening a store applies the missing
  ones in one transaction; a store written by a newer tosanalyzer is refused, not guessed at.

Versions are ordered by the order they were recorded (their id), not by ``recorded_at``: Open
Terms Archive histories replayed in their own order contain a few technical upgrades dated before
the version they follow.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import sys
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Literal, Self

import platformdirs
from pydantic import BaseModel, Field

from tosanalyzer.models import (
    GUARD_OPENER,
    OPEN_THE_GUARD,
    DocumentDeclaration,
    FetchFailure,
    FetchLogEntry,
    ServiceDeclaration,
    Snapshot,
    VersionInfo,
    VersionKind,
    slugify,
)

DB_ENV = "TOSANALYZER_DB"
DEFAULT_KEEP_SNAPSHOTS = 10
BUSY_TIMEOUT_SECONDS = 30.0

Migration = tuple[str, ...]

MIGRATIONS: tuple[Migration, ...] = (
    (
        """CREATE TABLE services (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            slug TEXT NOT NULL UNIQUE,
            declaration TEXT
        )""",
        """CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            service_id INTEGER NOT NULL REFERENCES services(id),
            name TEXT NOT NULL,
            slug TEXT NOT NULL,
            declaration TEXT,
            UNIQUE (service_id, slug)
        )""",
        """CREATE TABLE fetch_log (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            attempted_at TEXT NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('changed', 'unchanged', 'failed')),
            error TEXT,
            version_id INTEGER REFERENCES versions(id),
            CHECK ((outcome = 'failed') = (error IS NOT NULL))
        )""",
        """CREATE TABLE snapshots (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            fetch_id INTEGER NOT NULL REFERENCES fetch_log(id),
            fetched_at TEXT NOT NULL,
            url TEXT NOT NULL,
            final_url TEXT NOT NULL,
            status INTEGER NOT NULL,
            headers TEXT NOT NULL,
            not_modified INTEGER NOT NULL,
            content BLOB NOT NULL,
            content_sha256 TEXT NOT NULL
        )""",
        """CREATE TABLE versions (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            text TEXT NOT NULL,
            text_sha256 TEXT NOT NULL,
            characters INTEGER NOT NULL,
            words INTEGER NOT NULL,
            recorded_at TEXT NOT NULL,
            snapshot_id INTEGER REFERENCES snapshots(id),
            kind TEXT NOT NULL CHECK (kind IN ('first_record', 'change', 'technical_upgrade')),
            suspect TEXT
        )""",
        "CREATE INDEX versions_by_document ON versions(document_id, id)",
        "CREATE INDEX snapshots_by_document ON snapshots(document_id, id)",
        "CREATE INDEX snapshots_by_fetch ON snapshots(fetch_id)",
        "CREATE INDEX fetch_log_by_document ON fetch_log(document_id, id)",
    ),
    (
        # 2: reviewer decisions. A decision is made on a finding of one version; it is keyed by
        # the finding's clause type and the SHA-256 of its clause's normalised text, so that it
        # can follow the clause into later versions. Rows are only ever added: the latest row
        # for a key is the decision in force, the earlier ones its history.
        """CREATE TABLE decisions (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            version_id INTEGER NOT NULL REFERENCES versions(id),
            clause_type TEXT NOT NULL,
            clause_text_key TEXT NOT NULL,
            section_path TEXT NOT NULL,
            decision TEXT NOT NULL CHECK (decision IN ('accept', 'dismiss')),
            note TEXT NOT NULL DEFAULT '',
            decided_at TEXT NOT NULL
        )""",
        "CREATE INDEX decisions_by_document ON decisions(document_id, id)",
    ),
    (
        # 3: alert state, so that `check` announces each change once, across crashes, restarts
        # and several channels. A run is one `check`. An event is a change between two versions
        # (or a document that keeps failing, or that recovered), found once: the unique index
        # refuses the same pair twice. Each document's cursor is the last version a check has
        # looked at (set to the latest version the first time a check sees the document: its
        # history before that is a baseline, not news) and, while the document is announced as
        # failing, that event. A channel is known by the SHA-256 of its URL (the URL and its
        # secrets are never stored) and receives the events after `since_event_id`; a delivery
        # row is written once a channel has taken an event.
        """CREATE TABLE alert_runs (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            exit_mask INTEGER
        )""",
        """CREATE TABLE alert_events (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES alert_runs(id),
            document_id INTEGER NOT NULL REFERENCES documents(id),
            kind TEXT NOT NULL CHECK (kind IN ('change', 'failing', 'recovered')),
            old_version_id INTEGER REFERENCES versions(id),
            new_version_id INTEGER REFERENCES versions(id),
            announce INTEGER NOT NULL,
            payload TEXT NOT NULL,
            CHECK ((kind = 'change') = (new_version_id IS NOT NULL))
        )""",
        """CREATE UNIQUE INDEX alert_changes_once
            ON alert_events(document_id, old_version_id, new_version_id) WHERE kind = 'change'""",
        """CREATE TABLE alert_cursors (
            document_id INTEGER PRIMARY KEY REFERENCES documents(id),
            version_id INTEGER REFERENCES versions(id),
            failing_event_id INTEGER REFERENCES alert_events(id)
        )""",
        """CREATE TABLE alert_channels (
            key TEXT PRIMARY KEY,
            label TEXT NOT NULL,
            since_event_id INTEGER NOT NULL
        )""",
        """CREATE TABLE alert_deliveries (
            event_id INTEGER NOT NULL REFERENCES alert_events(id),
            channel_key TEXT NOT NULL,
            delivered_at TEXT NOT NULL,
            PRIMARY KEY (event_id, channel_key)
        )""",
    ),
)
"""Schema changes, in order; never edit or reorder one that has shipped, only append."""

Outcome = Literal["changed", "unchanged", "failed"]
DecisionKind = Literal["accept", "dismiss"]
AlertKind = Literal["change", "failing", "recovered"]
Timestamp = str | datetime


class StoreError(Exception):
    """The store cannot do what was asked; the message is one line, fit to show as it is."""


class StoredService(BaseModel):
    id: int
    name: str
    slug: str
    declaration: ServiceDeclaration | None = None
    declaration_error: str | None = Field(
        default=None, description="Why its documents must not be fetched as stored."
    )


class StoredDocument(BaseModel):
    id: int
    service: str
    service_slug: str
    name: str
    slug: str
    declaration: DocumentDeclaration | None = None


class AlertCursor(BaseModel):
    """How far alerting has got with one document."""

    version_id: int | None = Field(
        description="The last version a check looked at (None: the document had none)."
    )
    failing_event_id: int | None = Field(
        default=None, description="The 'failing' event announced, while the document fails."
    )


class NewAlertEvent(BaseModel):
    """An event to record: the store keeps its payload (the alert, as JSON) as it is given."""

    kind: AlertKind
    old_version_id: int | None = None
    new_version_id: int | None = None
    announce: bool = Field(description="Chosen by the filters of the run that found it.")
    payload: str


class StoredAlertEvent(NewAlertEvent):
    id: int
    run_id: int
    service: str
    document: str


class StoredDecision(BaseModel):
    """A reviewer's accept / dismiss of a finding, made on one version of a document."""

    id: int
    service: str
    document: str
    version_id: int = Field(description="The version the finding was read in.")
    clause_type: str
    clause_text_key: str = Field(
        description="SHA-256 (hex) of the finding's clause text, normalised as the diff does."
    )
    section_path: list[str]
    decision: DecisionKind
    note: str = ""
    decided_at: str = Field(description="ISO 8601 UTC.")


def default_db_path(explicit: Path | None = None) -> Path:
    """Where the store lives: ``explicit``, else ``$TOSANALYZER_DB``, else the user data dir."""
    if explicit is not None:
        return explicit
    from_env = os.environ.get(DB_ENV)
    if from_env:
        return Path(from_env).expanduser()
    return user_db_path()


def user_db_path() -> Path:
    """The store a command uses when given no ``--db`` and no ``$TOSANALYZER_DB``."""
    return Path(platformdirs.user_data_dir("tosanalyzer")) / "tosanalyzer.db"


def demo_db_path() -> Path:
    """The demo's own store: never the user's (``TOSANALYZER_DB`` does not apply to it)."""
    return Path(platformdirs.user_data_dir("tosanalyzer")) / "demo.db"


def migrate(connection: sqlite3.Connection, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Apply the migrations the file lacks, all in one transaction; return the schema version.

    An up-to-date file is only read, so opening a store never waits for a writer.
    """
    latest = len(migrations)
    if _schema_version(connection, latest) == latest:
        return latest
    connection.execute("BEGIN IMMEDIATE")
    try:
        # Read again under the write lock: another process may have migrated meanwhile.
        for number in range(_schema_version(connection, latest), latest):
            for statement in migrations[number]:
                connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {latest}")
        connection.execute("COMMIT")
    except BaseException:
        _rollback(connection)
        raise
    return latest


def _schema_version(connection: sqlite3.Connection, latest: int) -> int:
    version: int = connection.execute("PRAGMA user_version").fetchone()[0]
    if version > latest:
        raise StoreError(
            f"the store's schema is version {version}, newer than this tosanalyzer knows"
            f" ({latest}): upgrade tosanalyzer"
        )
    return version


def _rollback(connection: sqlite3.Connection) -> None:
    """Undo the open transaction, if SQLite has not already undone it after the error."""
    if connection.in_transaction:
        connection.execute("ROLLBACK")


class Store:
    """One open store file. Not shared between threads: each reader opens its own."""

    def __init__(self, connection: sqlite3.Connection, path: Path, keep_snapshots: int) -> None:
        self._db = connection
        self.path = path
        self.keep_snapshots = keep_snapshots

    @classmethod
    def open(
        cls,
        path: Path | None = None,
        *,
        keep_snapshots: int = DEFAULT_KEEP_SNAPSHOTS,
        create: bool = True,
    ) -> Store:
        """Open and migrate the store at ``path``, creating it and its folders if ``create``.

        Without ``create`` a missing store is an error, and nothing is made: a command that only
        reads, given a mistyped ``--db``, would otherwise leave folders and an empty store there
        and report an empty history as if it were true.
        """
        if keep_snapshots < 0:
            raise StoreError("keep_snapshots cannot be negative")
        path = default_db_path(path)
        if not create and not path.is_file():
            raise StoreError(f"no store at {path}")
        connection = _connect(path, create)
        try:
            migrate(connection)
        except sqlite3.Error as exc:
            connection.close()
            raise StoreError(f"cannot open the store {path}: {exc}") from exc
        except StoreError:
            connection.close()
            raise
        return cls(connection, path, keep_snapshots)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # --- services and documents ---------------------------------------------------------------

    def upsert_service(self, declaration: ServiceDeclaration) -> StoredService:
        """Add a service and its documents, or update their declarations (matched by slug).

        Documents no longer declared stay, with their history: nothing is deleted.
        """
        with self._transaction():
            service_id = self._put_service(declaration.name, declaration.model_dump_json())
            for name, document in declaration.terms.items():
                self._put_document(service_id, name, document.model_dump_json())
        found = self.find_service(declaration.name)
        assert found is not None
        return found

    def ensure_document(self, service: str, document: str) -> StoredDocument:
        """The document, created (with its service) without a declaration if it is not known.

        For histories imported from elsewhere, whose services are named but not declared. Known
        services and documents are found as ``find_document`` finds them, and left as they are.
        """
        with self._transaction():
            service_id = self._put_service(service, None)
            self._put_document(service_id, document, None)
        found = self.find_document(service, document)
        assert found is not None
        return found

    def list_services(self) -> list[StoredService]:
        rows = self._db.execute("SELECT id, name, slug, declaration FROM services ORDER BY slug")
        return [_service(row) for row in rows]

    def list_documents(self, service: str | None = None) -> list[StoredDocument]:
        """Every document, or those of one service (named by name or slug)."""
        if service is None:
            rows = self._db.execute(f"{_DOCUMENTS} ORDER BY s.slug, d.slug")
        else:
            service_id = self._service_id(service)
            rows = self._db.execute(f"{_DOCUMENTS} WHERE s.id = ? ORDER BY d.slug", (service_id,))
        return [_document(row) for row in rows]

    def find_service(self, query: str) -> StoredService | None:
        """The service named ``query`` (name or slug, any case: "Hugging Face" = hugging-face)."""
        row = self._db.execute(
            "SELECT id, name, slug, declaration FROM services WHERE slug = ?", (slugify(query),)
        ).fetchone()
        return None if row is None else _service(row)

    def find_document(self, service: str, document: str) -> StoredDocument | None:
        """The document named (by name or slug, ignoring case) in the service named likewise."""
        row = self._db.execute(
            f"{_DOCUMENTS} WHERE s.slug = ? AND d.slug = ?", (slugify(service), slugify(document))
        ).fetchone()
        return None if row is None else _document(row)

    # --- recording ------------------------------------------------------------------------------

    def record_fetch(
        self,
        service: str,
        document: str,
        snapshots: Sequence[Snapshot],
        text: str | None,
        error: str | FetchFailure | None,
        *,
        kind: VersionKind | None = None,
        suspect: str | None = None,
        at: Timestamp | None = None,
    ) -> FetchLogEntry:
        """Record one fetch of a document in one transaction; return its log entry.

        Give ``text`` (the extracted document) for a fetch that worked, ``error`` for one that
        failed, neither when every snapshot is a 304 (not modified). A version is written only
        when the text's hash differs from the latest version's; ``kind`` defaults to
        ``first_record`` for a document's first version and ``change`` afterwards. ``at``
        defaults to the first snapshot's fetch time, or now.
        """
        _check_fetch(snapshots, text, error)
        attempted_at = _utc(at if at is not None else _first_fetch_time(snapshots))
        compressed = [(snapshot, zlib.compress(snapshot.content)) for snapshot in snapshots]
        with self._transaction():
            document_id = self._document_id(service, document)
            fetch_id, outcome = self._log_fetch(document_id, attempted_at, text, error)
            snapshot_ids = [
                self._insert_snapshot(document_id, fetch_id, snapshot, content)
                for snapshot, content in compressed
            ]
            if outcome == "changed":
                assert text is not None
                first_snapshot = snapshot_ids[0] if snapshot_ids else None
                version_id = self._insert_version(
                    document_id, text, attempted_at, kind, suspect, first_snapshot
                )
                self._db.execute(
                    "UPDATE fetch_log SET version_id = ? WHERE id = ?", (version_id, fetch_id)
                )
            self._prune_snapshots(document_id)
        return self._fetch_entry(fetch_id)

    def add_version(
        self,
        service: str,
        document: str,
        text: str,
        recorded_at: Timestamp,
        *,
        kind: VersionKind | None = None,
        suspect: str | None = None,
    ) -> VersionInfo | None:
        """Append a version from an imported history; ``None`` when the text is unchanged.

        No fetch is logged and no snapshot kept: the text is all there is. Replay a history in
        its own order: versions are ordered as they are added.
        """
        _check_text(text)
        when = _utc(recorded_at)
        with self._transaction():
            document_id = self._document_id(service, document)
            if self._latest_sha256(document_id) == _sha256(text.encode()):
                return None
            version_id = self._insert_version(document_id, text, when, kind, suspect, None)
        return self._version(version_id)

    # --- reviewer decisions -----------------------------------------------------------------------

    def record_decision(
        self,
        service: str,
        document: str,
        *,
        version_id: int,
        clause_type: str,
        clause_text_key: str,
        section_path: Sequence[str],
        decision: DecisionKind,
        note: str = "",
        at: Timestamp | None = None,
    ) -> StoredDecision:
        """Record a reviewer's decision on a finding of ``version_id``, in one transaction.

        ``clause_text_key`` is the SHA-256 (hex) of the finding's clause text normalised as the
        diff normalises it (``decisions.clause_key`` computes it); the store only keeps it.
        Nothing is overwritten: a later decision on the same key supersedes the earlier one.
        """
        if decision not in ("accept", "dismiss"):
            raise StoreError(f"a decision is 'accept' or 'dismiss', not '{decision}'")
        if not _SHA256_HEX.match(clause_text_key):
            raise StoreError("clause_text_key must be a SHA-256 in lower-case hex")
        if not clause_type:
            raise StoreError("a decision needs the finding's clause type")
        decided_at = _utc(at if at is not None else datetime.now(UTC))
        with self._transaction():
            document_id = self._document_id(service, document)
            row = self._db.execute(
                "SELECT document_id FROM versions WHERE id = ?", (version_id,)
            ).fetchone()
            if row is None or row[0] != document_id:
                raise StoreError(f"version {version_id} is not a version of {service} {document}")
            decision_id = self._insert(
                "decisions",
                document_id=document_id,
                version_id=version_id,
                clause_type=clause_type,
                clause_text_key=clause_text_key,
                section_path=json.dumps(list(section_path), ensure_ascii=False),
                decision=decision,
                note=note,
                decided_at=decided_at,
            )
        row = self._db.execute(f"{_DECISIONS} WHERE r.id = ?", (decision_id,)).fetchone()
        return _decision(row)

    def decisions(self, service: str, document: str) -> list[StoredDecision]:
        """Every decision recorded on the document's versions, oldest first (as recorded)."""
        document_id = self._document_id(service, document)
        rows = self._db.execute(
            f"{_DECISIONS} WHERE r.document_id = ? ORDER BY r.id", (document_id,)
        )
        return [_decision(row) for row in rows]

    # --- reading --------------------------------------------------------------------------------

    def versions(self, service: str, document: str) -> list[VersionInfo]:
        """The document's versions, oldest first (in the order they were recorded)."""
        document_id = self._document_id(service, document)
        rows = self._db.execute(
            f"{_VERSIONS} WHERE v.document_id = ? ORDER BY v.id", (document_id,)
        )
        return [_version_info(row) for row in rows]

    def latest_version(
        self, service: str, document: str, *, include_suspect: bool = True
    ) -> VersionInfo | None:
        """The most recently recorded version (or the latest one not marked suspect)."""
        document_id = self._document_id(service, document)
        trusted = "" if include_suspect else " AND v.suspect IS NULL"
        row = self._db.execute(
            f"{_VERSIONS} WHERE v.document_id = ?{trusted} ORDER BY v.id DESC LIMIT 1",
            (document_id,),
        ).fetchone()
        return None if row is None else _version_info(row)

    def version_text(self, version_id: int) -> str:
        row = self._db.execute("SELECT text FROM versions WHERE id = ?", (version_id,)).fetchone()
        if row is None:
            raise StoreError(f"no version {version_id} in the store")
        text: str = row[0]
        return text

    def snapshot(self, snapshot_id: int) -> Snapshot:
        """A kept snapshot, decompressed (to re-extract a version after an extractor change)."""
        row = self._db.execute(
            "SELECT url, final_url, status, headers, content, fetched_at, not_modified"
            " FROM snapshots WHERE id = ?",
            (snapshot_id,),
        ).fetchone()
        if row is None:
            raise StoreError(f"no snapshot {snapshot_id} in the store (pruned, or never taken)")
        url, final_url, status, headers, content, fetched_at, not_modified = row
        return Snapshot(
            url=url,
            final_url=final_url,
            status=status,
            headers=json.loads(headers),
            content=zlib.decompress(content),
            fetched_at=fetched_at,
            not_modified=bool(not_modified),
        )

    def recent_failures(
        self, service: str, document: str | None = None, limit: int = 10
    ) -> list[FetchLogEntry]:
        """The latest failed fetches of a service (or one of its documents), newest first."""
        if document is None:
            scope, key = "s.id = ?", self._service_id(service)
        else:
            scope, key = "d.id = ?", self._document_id(service, document)
        rows = self._db.execute(
            f"{_FETCHES} WHERE {scope} AND f.outcome = 'failed' ORDER BY f.id DESC LIMIT ?",
            (key, limit),
        )
        return [_fetch_entry(row) for row in rows]

    def fetches(self, service: str, document: str, limit: int) -> list[FetchLogEntry]:
        """The latest ``limit`` fetches of a document, whatever their outcome, newest first."""
        rows = self._db.execute(
            f"{_FETCHES} WHERE d.id = ? ORDER BY f.id DESC LIMIT ?",
            (self._document_id(service, document), limit),
        )
        return [_fetch_entry(row) for row in rows]

    # --- alert state ------------------------------------------------------------------------------

    @contextmanager
    def exclusive(self, purpose: str) -> Iterator[None]:
        """Hold the lock file ``<store stem>.<purpose>.lock`` beside the store, or fail at once.

        Two overlapping checks (a cron job and a watch) would both announce the same pending
        changes, so a check runs alone. The operating system drops the lock when its process
        dies, so a killed check never blocks the next one.
        """
        path = self.path.with_name(f"{self.path.stem}.{purpose}.lock")
        try:
            handle = path.open("a+b")
        except OSError as exc:
            raise StoreError(f"cannot create {path}: {exc.strerror or exc}") from exc
        with handle:
            if not _try_lock(handle.fileno()):
                raise StoreError(f"another {purpose} is running on the store {self.path}")
            yield

    def start_run(self, at: Timestamp | None = None) -> int:
        """Record the start of a check; its events name it."""
        with self._transaction():
            return self._insert("alert_runs", started_at=_utc(at or datetime.now(UTC)))

    def end_run(self, run_id: int, exit_mask: int, at: Timestamp | None = None) -> None:
        with self._transaction():
            self._db.execute(
                "UPDATE alert_runs SET ended_at = ?, exit_mask = ? WHERE id = ?",
                (_utc(at or datetime.now(UTC)), exit_mask, run_id),
            )

    def last_run_start(self) -> str | None:
        """When the latest check started (ISO 8601 UTC), finished or not: a restarted watch
        keeps to its schedule from there."""
        row = self._db.execute("SELECT started_at FROM alert_runs ORDER BY id DESC LIMIT 1")
        found = row.fetchone()
        return None if found is None else str(found[0])

    def baseline_alerts(self) -> None:
        """Give each document a check has not seen yet a cursor at its latest version: the
        history recorded before that is the baseline, and is never announced."""
        with self._transaction():
            self._db.execute(
                "INSERT INTO alert_cursors (document_id, version_id)"
                " SELECT d.id, (SELECT max(v.id) FROM versions v WHERE v.document_id = d.id)"
                " FROM documents d WHERE d.id NOT IN (SELECT document_id FROM alert_cursors)"
            )

    def alert_cursor(self, service: str, document: str) -> AlertCursor:
        document_id = self._document_id(service, document)
        row = self._db.execute(
            "SELECT version_id, failing_event_id FROM alert_cursors WHERE document_id = ?",
            (document_id,),
        ).fetchone()
        if row is None:
            raise StoreError(f"{service} / {document} has no alert baseline yet")
        return AlertCursor(version_id=row[0], failing_event_id=row[1])

    def record_alert_events(
        self,
        service: str,
        document: str,
        run_id: int,
        events: Sequence[NewAlertEvent],
        through_version: int | None = None,
    ) -> list[StoredAlertEvent]:
        """Record what a check found for one document, in one transaction; return the events
        that are new.

        A change (document, old version, new version) already recorded is skipped. The cursor
        moves to ``through_version`` when given; a 'failing' event becomes the document's
        failing state and a 'recovered' one clears it. Killed before the commit, the next check
        finds the same events again.
        """
        added: list[int] = []
        with self._transaction():
            document_id = self._document_id(service, document)
            for event in events:
                cursor = self._db.execute(
                    "INSERT INTO alert_events (run_id, document_id, kind, old_version_id,"
                    " new_version_id, announce, payload) VALUES (?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (document_id, old_version_id, new_version_id)"
                    " WHERE kind = 'change' DO NOTHING",
                    (
                        run_id,
                        document_id,
                        event.kind,
                        event.old_version_id,
                        event.new_version_id,
                        event.announce,
                        event.payload,
                    ),
                )
                if not cursor.rowcount:
                    continue
                added.append(_row_id(cursor))
                if event.kind != "change":
                    failing = added[-1] if event.kind == "failing" else None
                    self._db.execute(
                        "UPDATE alert_cursors SET failing_event_id = ? WHERE document_id = ?",
                        (failing, document_id),
                    )
            if through_version is not None:
                self._db.execute(
                    "UPDATE alert_cursors SET version_id = ? WHERE document_id = ?",
                    (through_version, document_id),
                )
        marks = ", ".join("?" for _ in added)
        rows = self._db.execute(f"{_ALERT_EVENTS} WHERE e.id IN ({marks}) ORDER BY e.id", added)
        return [_alert_event(row) for row in rows]

    def alert_event(self, event_id: int) -> StoredAlertEvent:
        row = self._db.execute(f"{_ALERT_EVENTS} WHERE e.id = ?", (event_id,)).fetchone()
        if row is None:
            raise StoreError(f"no alert event {event_id} in the store")
        return _alert_event(row)

    def sync_alert_channels(self, channels: dict[str, str]) -> None:
        """Make ``channels`` (key → privacy-masked label) the channels alerts go to.

        A new channel receives the events found from now on, not the backlog; a channel no
        longer configured is forgotten, so adding it back later does not flood it with what it
        missed meanwhile. Call it before recording a run's events.
        """
        with self._transaction():
            since = self._db.execute("SELECT coalesce(max(id), 0) FROM alert_events").fetchone()[0]
            for key, label in channels.items():
                self._db.execute(
                    "INSERT INTO alert_channels (key, label, since_event_id) VALUES (?, ?, ?)"
                    " ON CONFLICT (key) DO UPDATE SET label = excluded.label",
                    (key, label, since),
                )
            marks = ", ".join("?" for _ in channels)
            self._db.execute(f"DELETE FROM alert_channels WHERE key NOT IN ({marks})", [*channels])

    def pending_alerts(self, channel_key: str) -> list[StoredAlertEvent]:
        """The events still to announce on a channel, oldest first: chosen to be announced,
        found since the channel was added, and not yet delivered to it."""
        rows = self._db.execute(
            f"{_ALERT_EVENTS} JOIN alert_channels c ON c.key = ?"
            " WHERE e.announce AND e.id > c.since_event_id AND NOT EXISTS ("
            "SELECT 1 FROM alert_deliveries r WHERE r.event_id = e.id AND r.channel_key = c.key"
            ") ORDER BY e.id",
            (channel_key,),
        )
        return [_alert_event(row) for row in rows]

    def record_delivery(
        self, channel_key: str, event_ids: Sequence[int], at: Timestamp | None = None
    ) -> None:
        """A channel took these events: they are never sent to it again."""
        when = _utc(at or datetime.now(UTC))
        with self._transaction():
            self._db.executemany(
                "INSERT OR IGNORE INTO alert_deliveries (event_id, channel_key, delivered_at)"
                " VALUES (?, ?, ?)",
                [(event_id, channel_key, when) for event_id in event_ids],
            )

    # --- internals ------------------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"cannot write to the store {self.path}: {exc}") from exc
        try:
            yield
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            _rollback(self._db)
            raise StoreError(f"cannot write to the store {self.path}: {exc}") from exc
        except BaseException:
            _rollback(self._db)
            raise

    def _put_service(self, name: str, declaration: str | None) -> int:
        row = self._db.execute(
            "SELECT id, name FROM services WHERE slug = ?", (slugify(name),)
        ).fetchone()
        if row is None:
            return self._insert("services", name=name, slug=_slug(name), declaration=declaration)
        service_id, stored_name = row
        if declaration is not None:
            _same_name("service", stored_name, name)
            self._db.execute(
                "UPDATE services SET name = ?, declaration = ? WHERE id = ?",
                (name, declaration, service_id),
            )
        return int(service_id)

    def _put_document(self, service_id: int, name: str, declaration: str | None) -> None:
        row = self._db.execute(
            "SELECT id, name FROM documents WHERE service_id = ? AND slug = ?",
            (service_id, slugify(name)),
        ).fetchone()
        if row is None:
            self._insert(
                "documents",
                service_id=service_id,
                name=name,
                slug=_slug(name),
                declaration=declaration,
            )
            return
        document_id, stored_name = row
        if declaration is not None:
            _same_name("document", stored_name, name)
            self._db.execute(
                "UPDATE documents SET name = ?, declaration = ? WHERE id = ?",
                (name, declaration, document_id),
            )

    def _insert(self, table: str, **values: object) -> int:
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        cursor = self._db.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(values.values())
        )
        return _row_id(cursor)

    def _service_id(self, service: str) -> int:
        found = self.find_service(service)
        if found is None:
            known = ", ".join(s.name for s in self.list_services()) or "none yet"
            raise StoreError(f"no service '{service}' in the store (known: {known})")
        return found.id

    def _document_id(self, service: str, document: str) -> int:
        self._service_id(service)
        found = self.find_document(service, document)
        if found is None:
            known = ", ".join(d.name for d in self.list_documents(service)) or "none"
            raise StoreError(f"service '{service}' has no document '{document}' (it has: {known})")
        return found.id

    def _latest_sha256(self, document_id: int) -> str | None:
        row = self._db.execute(
            "SELECT text_sha256 FROM versions WHERE document_id = ? ORDER BY id DESC LIMIT 1",
            (document_id,),
        ).fetchone()
        return None if row is None else str(row[0])

    def _latest_version_id(self, document_id: int) -> int | None:
        row = self._db.execute(
            "SELECT max(id) FROM versions WHERE document_id = ?", (document_id,)
        ).fetchone()
        return None if row[0] is None else int(row[0])

    def _log_fetch(
        self,
        document_id: int,
        attempted_at: str,
        text: str | None,
        error: str | FetchFailure | None,
    ) -> tuple[int, Outcome]:
        """Insert the fetch's log row; the version id of a change is filled in afterwards."""
        outcome: Outcome
        if error is not None:
            outcome, version_id = "failed", None
        elif text is not None and self._latest_sha256(document_id) != _sha256(text.encode()):
            outcome, version_id = "changed", None
        else:
            outcome, version_id = "unchanged", self._latest_version_id(document_id)
        fetch_id = self._insert(
            "fetch_log",
            document_id=document_id,
            attempted_at=attempted_at,
            outcome=outcome,
            error=_error_text(error),
            version_id=version_id,
        )
        return fetch_id, outcome

    def _insert_snapshot(
        self, document_id: int, fetch_id: int, snapshot: Snapshot, compressed: bytes
    ) -> int:
        return self._insert(
            "snapshots",
            document_id=document_id,
            fetch_id=fetch_id,
            fetched_at=_utc(snapshot.fetched_at),
            url=snapshot.url,
            final_url=snapshot.final_url,
            status=snapshot.status,
            headers=json.dumps(snapshot.headers, sort_keys=True),
            not_modified=snapshot.not_modified,
            content=compressed,
            content_sha256=_sha256(snapshot.content),
        )

    def _insert_version(
        self,
        document_id: int,
        text: str,
        recorded_at: str,
        kind: VersionKind | None,
        suspect: str | None,
        snapshot_id: int | None,
    ) -> int:
        if kind is None:
            kind = "change" if self._latest_sha256(document_id) else "first_record"
        return self._insert(
            "versions",
            document_id=document_id,
            text=text,
            text_sha256=_sha256(text.encode()),
            characters=len(text),
            words=len(text.split()),
            recorded_at=recorded_at,
            snapshot_id=snapshot_id,
            kind=kind,
            suspect=suspect,
        )

    def _prune_snapshots(self, document_id: int) -> None:
        """Apply the retention rule of the module docstring to one document."""
        self._db.execute(
            """DELETE FROM snapshots WHERE id IN (
                SELECT s.id FROM snapshots s JOIN fetch_log f ON f.id = s.fetch_id
                WHERE s.document_id = ? AND f.outcome != 'changed'
                ORDER BY s.id DESC LIMIT -1 OFFSET ?
            )""",
            (document_id, self.keep_snapshots),
        )

    def _version(self, version_id: int) -> VersionInfo:
        row = self._db.execute(f"{_VERSIONS} WHERE v.id = ?", (version_id,)).fetchone()
        return _version_info(row)

    def _fetch_entry(self, fetch_id: int) -> FetchLogEntry:
        row = self._db.execute(f"{_FETCHES} WHERE f.id = ?", (fetch_id,)).fetchone()
        return _fetch_entry(row)


_DOCUMENTS = (
    "SELECT d.id, s.name, s.slug, d.name, d.slug, d.declaration"
    " FROM documents d JOIN services s ON s.id = d.service_id"
)
_VERSIONS = (
    "SELECT v.id, s.name, d.name, v.recorded_at, v.text_sha256, v.characters, v.words, v.kind,"
    " v.suspect, v.snapshot_id"
    " FROM versions v JOIN documents d ON d.id = v.document_id"
    " JOIN services s ON s.id = d.service_id"
)
_VERSION_FIELDS = (
    "id", "service", "document", "recorded_at", "text_sha256", "characters", "words", "kind",
    "suspect", "snapshot_id",
)  # fmt: skip
_FETCHES = (
    "SELECT f.id, s.name, d.name, f.attempted_at, f.outcome, f.error, f.version_id"
    " FROM fetch_log f JOIN documents d ON d.id = f.document_id"
    " JOIN services s ON s.id = d.service_id"
)
_FETCH_FIELDS = (
    "id", "service", "document", "attempted_at", "outcome", "error", "version_id",
)  # fmt: skip
_DECISIONS = (
    "SELECT r.id, s.name, d.name, r.version_id, r.clause_type, r.clause_text_key,"
    " r.section_path, r.decision, r.note, r.decided_at"
    " FROM decisions r JOIN documents d ON d.id = r.document_id"
    " JOIN services s ON s.id = d.service_id"
)
_DECISION_FIELDS = (
    "id", "service", "document", "version_id", "clause_type", "clause_text_key",
    "section_path", "decision", "note", "decided_at",
)  # fmt: skip
_ALERT_EVENTS = (
    "SELECT e.id, e.run_id, s.name, d.name, e.kind, e.old_version_id, e.new_version_id,"
    " e.announce, e.payload"
    " FROM alert_events e JOIN documents d ON d.id = e.document_id"
    " JOIN services s ON s.id = d.service_id"
)
_ALERT_EVENT_FIELDS = (
    "id", "run_id", "service", "document", "kind", "old_version_id", "new_version_id",
    "announce", "payload",
)  # fmt: skip
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


def _connect(path: Path, create: bool) -> sqlite3.Connection:
    try:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        # Read-write without create: a store deleted since it was looked for is not made anew.
        target = str(path) if create else f"{path.absolute().as_uri()}?mode=rw"
        connection = sqlite3.connect(
            target, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, uri=not create
        )
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"cannot open the store {path}: {exc}") from exc
    try:
        _configure(connection)
    except sqlite3.Error as exc:
        connection.close()
        raise StoreError(f"cannot open the store {path}: {exc}") from exc
    return connection


def _configure(connection: sqlite3.Connection) -> None:
    mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if mode != "wal":
        raise sqlite3.OperationalError(f"WAL mode unavailable (journal mode is {mode})")
    # FULL: a commit that returned survives a power cut too, not only a killed process.
    connection.execute("PRAGMA synchronous = FULL")
    connection.execute("PRAGMA foreign_keys = ON")


def _check_fetch(
    snapshots: Sequence[Snapshot], text: str | None, error: str | FetchFailure | None
) -> None:
    if text is not None and error is not None:
        raise StoreError("a fetch gives a text or an error, not both")
    if text is not None:
        _check_text(text)
    elif error is None and not (snapshots and all(s.not_modified for s in snapshots)):
        raise StoreError("a fetch without text or error must consist of 304 (not modified) pages")


def _check_text(text: str) -> None:
    if not text.strip():
        raise StoreError("refusing to record an empty text as a version")


def _first_fetch_time(snapshots: Sequence[Snapshot]) -> Timestamp:
    return snapshots[0].fetched_at if snapshots else datetime.now(UTC)


def _utc(value: Timestamp) -> str:
    """ISO 8601 UTC to the second, as Open Terms Archive writes it: 2024-05-01T10:20:30Z."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError as exc:
            raise StoreError(f"not an ISO 8601 timestamp: '{value}'") from exc
    if value.tzinfo is None:
        raise StoreError(f"timestamp without a time zone: '{value.isoformat()}'")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _slug(name: str) -> str:
    slug = slugify(name)
    if not slug:
        raise StoreError(f"'{name}' has no letters or digits to name it by")
    return slug


def _same_name(what: str, stored: str, given: str) -> None:
    """Before a declaration replaces another: names that differ only in case are one thing
    renamed, other names merely share a slug and must not overwrite each other."""
    if stored.casefold() != given.casefold():
        raise StoreError(
            f"{what} '{given}' has the same slug '{slugify(given)}' as the stored {what}"
            f" '{stored}': rename one of them"
        )


def _error_text(error: str | FetchFailure | None) -> str | None:
    if isinstance(error, FetchFailure):
        return f"{error.kind} at {error.url}: {error.message}"
    return error


def _service(row: tuple[int, str, str, str | None]) -> StoredService:
    service_id, name, slug, declaration = row
    if declaration is None:
        return StoredService(id=service_id, name=name, slug=slug)
    data = json.loads(declaration)
    error = None
    # Older versions stored the field in every declaration, mostly false (which meant nothing);
    # a true one must neither open the guard nor be dropped without a word.
    if data.pop(GUARD_OPENER, False):
        error = (
            f"its stored declaration sets '{GUARD_OPENER}', which no longer opens the"
            f" private-address guard: add the declaration again without it (tosanalyzer track"
            f" add FILE) and allow the address with {OPEN_THE_GUARD}"
        )
    parsed = ServiceDeclaration.model_validate(data)
    return StoredService(
        id=service_id, name=name, slug=slug, declaration=parsed, declaration_error=error
    )


def _document(row: tuple[int, str, str, str, str, str | None]) -> StoredDocument:
    document_id, service, service_slug, name, slug, declaration = row
    parsed = None if declaration is None else DocumentDeclaration.model_validate_json(declaration)
    return StoredDocument(
        id=document_id,
        service=service,
        service_slug=service_slug,
        name=name,
        slug=slug,
        declaration=parsed,
    )


def _version_info(row: tuple[object, ...]) -> VersionInfo:
    return VersionInfo.model_validate(dict(zip(_VERSION_FIELDS, row, strict=True)))


def _fetch_entry(row: tuple[object, ...]) -> FetchLogEntry:
    return FetchLogEntry.model_validate(dict(zip(_FETCH_FIELDS, row, strict=True)))


def _alert_event(row: tuple[object, ...]) -> StoredAlertEvent:
    return StoredAlertEvent.model_validate(dict(zip(_ALERT_EVENT_FIELDS, row, strict=True)))


def _row_id(cursor: sqlite3.Cursor) -> int:
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def _try_lock(descriptor: int) -> bool:
    """Take an exclusive, non-blocking lock on an open file; False when another process has it."""
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _decision(row: tuple[object, ...]) -> StoredDecision:
    fields = dict(zip(_DECISION_FIELDS, row, strict=True))
    fields["section_path"] = json.loads(str(fields["section_path"]))
    return StoredDecision.model_validate(fields)
