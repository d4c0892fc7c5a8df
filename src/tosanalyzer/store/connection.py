"""The one SQLite connection every table family of a store shares, and how it is written to.

WAL mode keeps a transaction whole under SIGKILL and lets readers (the TUI, ``history``) read
while a fetch writes; the busy timeout makes two writers queue instead of failing. Every write
goes through ``Connected._transaction``, so a failure leaves the file as it was and reaches the
caller as one ``StoreError``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

BUSY_TIMEOUT_SECONDS = 30.0

Timestamp = str | datetime


class StoreError(Exception):
    """The store cannot do what was asked; the message is one line, fit to show as it is."""


class Connected:
    """What the table families of ``Store`` share: the connection, the file, the write path."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path

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
            rollback(self._db)
            raise StoreError(f"cannot write to the store {self.path}: {exc}") from exc
        except BaseException:
            rollback(self._db)
            raise

    def _insert(self, table: str, **values: object) -> int:
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        cursor = self._db.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(values.values())
        )
        return row_id(cursor)


def connect(path: Path, create: bool) -> sqlite3.Connection:
    """Open the file in WAL mode; without ``create``, only a file that is there."""
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


def rollback(connection: sqlite3.Connection) -> None:
    """Undo the open transaction, if SQLite has not already undone it after the error."""
    if connection.in_transaction:
        connection.execute("ROLLBACK")


def row_id(cursor: sqlite3.Cursor) -> int:
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def utc(value: Timestamp) -> str:
    """ISO 8601 UTC to the second, as Open Terms Archive writes it: 2024-05-01T10:20:30Z."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError as exc:
            raise StoreError(f"not an ISO 8601 timestamp: '{value}'") from exc
    if value.tzinfo is None:
        raise StoreError(f"timestamp without a time zone: '{value.isoformat()}'")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_now(at: Timestamp | None) -> str:
    """``at`` as ``utc`` writes it, or the present moment when none is given."""
    return utc(at if at is not None else datetime.now(UTC))
