"""One pass of the watcher (`tosanalyzer check`): fetch, find what changed, tell people.

Unattended runs must never announce a change twice nor lose one, even when stopped halfway, so
the pass is a sequence of steps each recorded in the store before the next starts: the run, the
fetches, the alert events found, and each channel's delivery as soon as it has taken its digest.
The workspace supplies what needs the analyzer (a clause diff and each version's grade).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr, TypeAdapter

from tosanalyzer.alerts.messages import (
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
from tosanalyzer.alerts.messages import render as render_alerts
from tosanalyzer.alerts.notify import (
    Channel,
    Delivery,
    DeliveryPolicy,
    Outgoing,
    append_jsonl,
    deliver,
)
from tosanalyzer.base import Settings
from tosanalyzer.change import ClauseDiff
from tosanalyzer.models import PatternLibrary, Severity, VersionInfo
from tosanalyzer.store import (
    AlertCursor,
    NewAlertEvent,
    Store,
    StoredAlertEvent,
    StoredDocument,
    user_db_path,
)
from tosanalyzer.tracking import DocumentFetch, FetchSettings, fetch_documents


class Compared(BaseModel):
    """A new version against the good one before it, as the check needs it."""

    diff: ClauseDiff
    grades: tuple[str | None, str | None]
    """Each version graded on its own."""
    library: PatternLibrary
    """The pattern library that judged them (loading it loads spaCy: a check that finds
    nothing new never pays for it)."""


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


class CheckRun:
    """One check, step by step. Each step is committed to the store before the next starts."""

    def __init__(
        self,
        store: Store,
        options: CheckOptions,
        settings: Settings,
        channels: list[Channel],
        fetch_settings: FetchSettings | None,
        compare: Callable[[tuple[VersionInfo, str], tuple[VersionInfo, str]], Compared],
    ) -> None:
        self.store = store
        self.fetch_settings = fetch_settings
        self.compare = compare
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
            self.fetch_settings,
            on_done=on_fetched,
        )
        found: list[StoredAlertEvent] = []
        unjudged: list[DocumentFailure] = []
        for document in documents:
            try:
                found += self._find(run_id, document)
            except Exception as exc:  # one document that cannot be judged never stops the rest
                error = f"its new version could not be judged ({type(exc).__name__}: {exc})"
                unjudged.append(
                    DocumentFailure(service=document.service, document=document.name, error=error)
                )
        pending = {key: self.store.pending_alerts(key) for key in [*labels, self.log_key]}
        digest = self._digest(run_id, started, fetched, (found, unjudged), pending)
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
        judged: tuple[list[StoredAlertEvent], list[DocumentFailure]],
        pending: dict[str, list[StoredAlertEvent]],
    ) -> RunDigest:
        """The run before delivery: what it found, and every alert it is to announce (found
        now, or owed to a channel since an earlier run); documents fetched but not judged are
        failures beside those that could not be fetched."""
        found, unjudged = judged
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
        ] + unjudged
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
        compared = self.compare(
            (old, self.store.version_text(old.id)), (new, self.store.version_text(new.id))
        )
        alert = change_alert(
            compared.diff, ref, (old, new), compared.grades, compared.library, self.db
        )
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
