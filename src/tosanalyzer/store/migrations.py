"""The store's schema: numbered migrations, applied when a store is opened.

``PRAGMA user_version`` holds the number of migrations applied; the list lives in
``MIGRATIONS`` below and only ever grows. Opening a store applies the missing ones in one
transaction; a store written by a newer tosanalyzer is refused, not guessed at.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from tosanalyzer.store.connection import StoreError, rollback

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
        rollback(connection)
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
