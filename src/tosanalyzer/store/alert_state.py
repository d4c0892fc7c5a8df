"""Alert state, so that `check` announces each change once, across crashes, restarts and
several channels.

What each table holds is said beside its schema (migration 3 in ``migrations``). Each step of a
check writes in a transaction of its own, so a killed check loses nothing, and finding the same
change again on the next run is harmless: the unique index on changes refuses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, Field

from tosanalyzer.store.catalog import Catalog
from tosanalyzer.store.connection import StoreError, Timestamp, row_id, utc_now

AlertKind = Literal["change", "failing", "recovered"]


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


class AlertState(Catalog):
    """The runs, events, cursors, channels and deliveries of `check`."""

    def start_run(self, at: Timestamp | None = None) -> int:
        """Record the start of a check; its events name it."""
        with self._transaction():
            return self._insert("alert_runs", started_at=utc_now(at))

    def end_run(self, run_id: int, exit_mask: int, at: Timestamp | None = None) -> None:
        with self._transaction():
            self._db.execute(
                "UPDATE alert_runs SET ended_at = ?, exit_mask = ? WHERE id = ?",
                (utc_now(at), exit_mask, run_id),
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
                added.append(row_id(cursor))
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
        when = utc_now(at)
        with self._transaction():
            self._db.executemany(
                "INSERT OR IGNORE INTO alert_deliveries (event_id, channel_key, delivered_at)"
                " VALUES (?, ?, ?)",
                [(event_id, channel_key, when) for event_id in event_ids],
            )


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


def _alert_event(row: tuple[object, ...]) -> StoredAlertEvent:
    return StoredAlertEvent.model_validate(dict(zip(_ALERT_EVENT_FIELDS, row, strict=True)))
