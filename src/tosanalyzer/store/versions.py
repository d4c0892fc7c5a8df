"""Each document's history: the fetch log, the snapshots fetches took, and the versions.

A tracker runs for years, unattended, and is killed at odd moments (a laptop closed mid-fetch,
a cron job timed out, ``kill -9``). So this leans on what SQLite already guarantees rather than
on care at the call site:

- **One fetch, one transaction.** ``record_fetch`` writes the fetch's snapshots, its log row and
  (when the text changed) its version inside a single ``BEGIN IMMEDIATE`` … ``COMMIT``. A process
  killed half way leaves the file as it was before the fetch: never a version without its text,
  never a log row pointing nowhere.
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

Versions are ordered by the order they were recorded (their id), not by ``recorded_at``: Open
Terms Archive histories replayed in their own order contain a few technical upgrades dated before
the version they follow.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Literal

from tosanalyzer.models import FetchFailure, FetchLogEntry, Snapshot, VersionInfo, VersionKind
from tosanalyzer.store.catalog import Catalog
from tosanalyzer.store.connection import StoreError, Timestamp, utc

DEFAULT_KEEP_SNAPSHOTS = 10

Outcome = Literal["changed", "unchanged", "failed"]


class VersionHistory(Catalog):
    """Recording fetches and imported versions, and reading a document's history back."""

    keep_snapshots: int
    """How many snapshots of unchanged or failed fetches each document keeps."""

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
        attempted_at = utc(at if at is not None else _first_fetch_time(snapshots))
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
        when = utc(recorded_at)
        with self._transaction():
            document_id = self._document_id(service, document)
            if self._latest_sha256(document_id) == _sha256(text.encode()):
                return None
            version_id = self._insert_version(document_id, text, when, kind, suspect, None)
        return self._version(version_id)

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
            fetched_at=utc(snapshot.fetched_at),
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


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _error_text(error: str | FetchFailure | None) -> str | None:
    if isinstance(error, FetchFailure):
        return f"{error.kind} at {error.url}: {error.message}"
    return error


def _version_info(row: tuple[object, ...]) -> VersionInfo:
    return VersionInfo.model_validate(dict(zip(_VERSION_FIELDS, row, strict=True)))


def _fetch_entry(row: tuple[object, ...]) -> FetchLogEntry:
    return FetchLogEntry.model_validate(dict(zip(_FETCH_FIELDS, row, strict=True)))
