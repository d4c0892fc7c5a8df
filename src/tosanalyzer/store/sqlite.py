"""``Store``: one SQLite file, opened, migrated, and seen through one object.

Each table family is a class of its own over the one shared connection: ``Catalog`` (services
and documents), ``VersionHistory`` (fetch log, snapshots, versions), ``DecisionLog`` (reviewer
decisions) and ``AlertState`` (runs, events, cursors, channels, deliveries). ``Store`` joins them,
so a caller holds one object and every method it calls writes through the same transactions;
a family reads its neighbours only through ``Catalog``'s lookups. What is SQLite's alone (the
file, WAL, the lock file beside it) stays in this module, ``connection`` and ``lock``.
"""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from pathlib import Path
from types import TracebackType
from typing import Self

from tosanalyzer.store import lock
from tosanalyzer.store.alert_state import AlertState
from tosanalyzer.store.connection import StoreError, connect
from tosanalyzer.store.decisions import DecisionLog
from tosanalyzer.store.migrations import migrate
from tosanalyzer.store.paths import default_db_path
from tosanalyzer.store.versions import DEFAULT_KEEP_SNAPSHOTS, VersionHistory


class Store(VersionHistory, DecisionLog, AlertState):
    """One open store file. Not shared between threads: each reader opens its own."""

    def __init__(self, connection: sqlite3.Connection, path: Path, keep_snapshots: int) -> None:
        super().__init__(connection, path)
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
        connection = connect(path, create)
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

    def exclusive(self, purpose: str) -> AbstractContextManager[None]:
        """Hold the lock file ``<store stem>.<purpose>.lock`` beside the store, or fail at once.

        Two overlapping checks (a cron job and a watch) would both announce the same pending
        changes, so a check runs alone (see ``lock``).
        """
        return lock.exclusive(self.path, purpose)
