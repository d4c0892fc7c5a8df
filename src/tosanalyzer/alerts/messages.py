"""What `check` tells people: alerts, the filters that choose them, and the digest of a run.

A reviewer does not read diffs all day; they want to be told, once, when a vendor's terms moved
in a way that matters, with enough in the message to judge it without opening anything: who,
which document, when, the grade before and after, the clauses gained and lost with their words,
the attributes that changed, and how to look closer. Operational news belongs in the same place:
a document that keeps failing is no longer being watched, which is worth saying (once), and so is
its recovery.

The models here are the alert's own, and also what the JSON Lines log holds, so their field names
are a contract. It composes over the diff stage (it reads ``ClauseDiff``); the workspace runs the
check and hands the diffs in. One digest per run and channel, never one message per document
(changedetection.io's lesson).
"""

from __future__ import annotations

import shlex
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, Field

from tosanalyzer.change import ClauseDiff, FindingDelta
from tosanalyzer.models import ChangeClass, PatternLibrary, Severity, VersionInfo, strip_controls

SEVERITIES: tuple[Severity, ...] = get_args(Severity)
"""From least to most severe."""

MATERIAL_FOUND = 1
"""Exit-mask bit: the run found a material change."""
DOCUMENTS_FAILED = 2
"""Exit-mask bit: some documents failed to fetch or extract in the run."""
CHANNEL_FAILED = 4
"""Exit-mask bit: a notification channel did not take its digest, even after retries."""

QUOTE_LIMIT = 400
"""Characters of a quote shown in a message; the store and `tosanalyzer diff` have the rest."""
QUOTES_SHOWN = 2
"""Quotes shown per clause type gained or lost."""


# --- alerts ----------------------------------------------------------------------------------


class DocumentRef(BaseModel):
    """A tracked document, by the names people read and the slugs commands take."""

    service: str
    service_slug: str
    document: str
    document_slug: str

    @property
    def title(self) -> str:
        return f"{self.service} — {self.document}"


class VersionRef(BaseModel):
    id: int
    recorded_at: str = Field(description="ISO 8601 UTC.")


class FindingNote(BaseModel):
    """A clause type the document gained or lost, with the clauses that show it."""

    clause_type: str
    title: str = Field(description="The clause type's English title.")
    severity: Severity
    fairness: Literal["unfair", "fair"] | None
    change: Literal["gained", "lost"]
    sections: list[str]
    quotes: list[str] = Field(description="Verbatim (new version if gained, old one if lost).")


class AttributeNote(BaseModel):
    """A tracked attribute that changed: 'liability cap: $100 → $50'."""

    attribute: str
    old: str
    new: str
    summary: str
    severity: Severity = Field(description="The most severe clause type that carries it.")


class ChangeAlert(BaseModel):
    """A change between two versions of a document."""

    type: Literal["change"] = "change"
    document: DocumentRef
    old: VersionRef
    new: VersionRef
    change_class: ChangeClass
    capped_because: str | None = None
    severity: Severity = Field(
        description="The most severe clause type gained or lost or behind a changed attribute"
        " ('info' when none)."
    )
    grade_before: str | None = Field(description="The older version graded on its own.")
    grade_after: str | None
    reasons: list[str]
    findings_gained: list[FindingNote]
    findings_lost: list[FindingNote]
    attributes: list[AttributeNote]
    diff_command: str = Field(description="The `tosanalyzer diff …` command showing the change.")
    tui: str = Field(description="The `tosanalyzer tui …` command that opens at this diff.")


class FailingAlert(BaseModel):
    """A document whose last fetches all failed: it is no longer being watched."""

    type: Literal["failing"] = "failing"
    document: DocumentRef
    failures: int = Field(description="Failed fetches in a row.")
    since: str = Field(description="When the first of them was attempted.")
    reason: str = Field(description="The latest failure, as the fetch log has it.")
    last_good: VersionRef | None
    history_command: str


class RecoveredAlert(BaseModel):
    """A document announced as failing that was fetched again."""

    type: Literal["recovered"] = "recovered"
    document: DocumentRef
    at: str = Field(description="When the successful fetch was made.")
    failing_since: str


Alert = Annotated[ChangeAlert | FailingAlert | RecoveredAlert, Field(discriminator="type")]


class AlertFilter(BaseModel):
    """Which changes are announced. Failing and recovered documents always are."""

    include_all: bool = Field(
        default=False, description="Announce substantive and cosmetic changes too."
    )
    min_severity: Severity = "info"

    def selects(self, alert: Alert) -> bool:
        if not isinstance(alert, ChangeAlert):
            return True
        wanted = self.include_all or alert.change_class == "material"
        return wanted and _rank(alert.severity) >= _rank(self.min_severity)


def change_alert(
    diff: ClauseDiff,
    document: DocumentRef,
    versions: tuple[VersionInfo, VersionInfo],
    grades: tuple[str | None, str | None],
    library: PatternLibrary,
    db: Path | None = None,
) -> ChangeAlert:
    """The alert for a clause diff of two stored versions. ``db`` is named in the commands it
    suggests when the store is not the default one."""
    old, new = versions

    def severity(clause_types: Iterable[str]) -> Severity:
        known = [library.get(t).severity for t in clause_types if t in library.files]
        return max(known, key=_rank, default="info")

    def notes(
        deltas: Sequence[FindingDelta], change: Literal["gained", "lost"]
    ) -> list[FindingNote]:
        return [
            FindingNote(
                clause_type=delta.clause_type,
                title=_title(library, delta.clause_type),
                severity=severity([delta.clause_type]),
                fairness=delta.fairness,
                change=change,
                sections=list(delta.section_paths),
                quotes=list(delta.quotes),
            )
            for delta in deltas
        ]

    gained, lost = notes(diff.findings_gained, "gained"), notes(diff.findings_lost, "lost")
    attributes = [
        AttributeNote(
            attribute=delta.attribute,
            old=delta.old,
            new=delta.new,
            summary=delta.summary,
            severity=severity(delta.clause_types),
        )
        for delta in diff.attribute_deltas
    ]
    store = f" --db {shlex.quote(str(db))}" if db else ""
    return ChangeAlert(
        document=document,
        old=VersionRef(id=old.id, recorded_at=old.recorded_at),
        new=VersionRef(id=new.id, recorded_at=new.recorded_at),
        change_class=diff.change_class,
        capped_because=diff.capped_because,
        severity=max(
            [n.severity for n in [*gained, *lost]] + [a.severity for a in attributes],
            key=_rank,
            default="info",
        ),
        grade_before=grades[0],
        grade_after=grades[1],
        reasons=list(diff.reasons),
        findings_gained=gained,
        findings_lost=lost,
        attributes=attributes,
        diff_command=(
            f"tosanalyzer diff {document.service_slug} {document.document_slug}"
            f" --from {old.id} --to {new.id}{store}"
        ),
        tui=(
            f"tosanalyzer tui{store} --open {document.service_slug}"
            f" --document {document.document_slug} --compare {old.id} {new.id}"
        ),
    )


def history_command(document: DocumentRef, db: Path | None = None) -> str:
    store = f" --db {shlex.quote(str(db))}" if db else ""
    return f"tosanalyzer history {document.service_slug} {document.document_slug}{store}"


def _rank(severity: Severity) -> int:
    return SEVERITIES.index(severity)


def _title(library: PatternLibrary, clause_type: str) -> str:
    return library.get(clause_type).title.en if clause_type in library.files else clause_type


# --- the digest of a run ------------------------------------------------------------------------


class Announced(BaseModel):
    """An alert as a run announces it."""

    event_id: int
    found_in_run: int = Field(description="Another run's id when this one carries it over.")
    alert: Alert


class ChangeCounts(BaseModel):
    material: int = 0
    substantive: int = 0
    cosmetic: int = 0


class DocumentFailure(BaseModel):
    service: str
    document: str
    error: str


class ChannelResult(BaseModel):
    """How one channel took its digest. ``channel`` is privacy-masked, ``error`` redacted."""

    channel: str
    ok: bool
    attempts: int
    alerts: int = Field(description="Alerts in the digest sent to it (0: nothing to send).")
    error: str | None = None


class RunSummary(BaseModel):
    """One `check`: what was fetched and found, how the channels took it, its exit mask."""

    run_id: int
    started_at: str
    ended_at: str
    documents: int = Field(description="Documents fetched.")
    changed: int
    unchanged: int
    failed: int
    changes_found: ChangeCounts = Field(description="Changes between versions found in this run.")
    not_announced: int = Field(description="Changes found in this run that the filters left out.")
    failures: list[DocumentFailure] = Field(description="Documents that failed in this run.")
    channels: list[ChannelResult] = Field(default_factory=list)
    exit_mask: int = Field(
        description="1 a material change found, 2 documents failed, 4 a channel failed."
    )


class RunDigest(RunSummary):
    """The run with its alerts: what `check --json` prints."""

    alerts: list[Announced] = Field(
        description="Announced in this run: found now, or found earlier and not yet delivered."
    )


class LoggedAlert(Announced):
    """A line of the alert log: an alert, written once."""

    record: Literal["alert"] = "alert"
    run_id: int = Field(description="The run that logged it.")


class LoggedRun(RunSummary):
    """A line of the alert log: a run, written when it ends."""

    record: Literal["run"] = "run"
    announced: list[int] = Field(description="Event ids of the alerts the run announced.")


def exit_mask(material_found: bool, documents_failed: bool, channel_failed: bool) -> int:
    return (
        MATERIAL_FOUND * material_found
        + DOCUMENTS_FAILED * documents_failed
        + CHANNEL_FAILED * channel_failed
    )


# --- rendering ------------------------------------------------------------------------------------

Format = Literal["markdown", "text"]
LineKind = Literal["text", "label", "item", "quote", "command"]


@dataclass
class _Block:
    """One alert, before it is written as Markdown or plain text."""

    heading: str
    lines: list[tuple[LineKind, str]] = field(default_factory=list)


Tone = Literal["info", "success", "warning", "failure"]
"""Apprise's notify types: services show them as colours or icons."""


class Message(BaseModel):
    title: str
    body: str
    tone: Tone = Field(
        description="failure: a document is no longer tracked; warning: a material change;"
        " success: only recoveries; info: anything else."
    )


def render(digest: RunDigest, alerts: Sequence[Alert], fmt: Format) -> Message:
    """The digest of ``alerts`` (what one channel is sent in a run), as Markdown or plain text.

    Quotes, names and reasons come from vendors' pages, and a version recorded before control
    characters were dropped may still hold some: none reaches a channel (or a terminal)."""
    blocks = [_block(alert) for alert in alerts]
    footer = (
        f"Run {digest.run_id} at {digest.started_at}: {plural(digest.documents, 'document')}"
        f" checked, {digest.failed} failed. An automated reading of the terms, not legal advice."
    )
    body = "\n\n".join([*(_write(block, fmt) for block in blocks), footer])
    return Message(title=_title_line(alerts), body=strip_controls(body + "\n"), tone=_tone(alerts))


def _tone(alerts: Sequence[Alert]) -> Tone:
    if any(isinstance(alert, FailingAlert) for alert in alerts):
        return "failure"
    if any(isinstance(a, ChangeAlert) and a.change_class == "material" for a in alerts):
        return "warning"
    if alerts and all(isinstance(alert, RecoveredAlert) for alert in alerts):
        return "success"
    return "info"


def plural(count: int, word: str) -> str:
    """'1 document', '2 documents'."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def _title_line(alerts: Sequence[Alert]) -> str:
    """'tosanalyzer: 2 material changes, 1 no longer tracked'."""
    counts = Counter(
        f"{alert.change_class} change" if isinstance(alert, ChangeAlert) else _STATE[alert.type]
        for alert in alerts
    )
    parts = [
        plural(n, what) if what.endswith("change") else f"{n} {what}" for what, n in counts.items()
    ]
    return "tosanalyzer: " + ", ".join(parts)


_STATE = {"failing": "no longer tracked", "recovered": "tracked again"}


def _block(alert: Alert) -> _Block:
    if isinstance(alert, ChangeAlert):
        return _change_block(alert)
    if isinstance(alert, FailingAlert):
        block = _Block(f"{alert.document.title}: no longer tracked: {alert.reason}")
        last = alert.last_good
        block.lines += [
            ("text", f"{alert.failures} fetches in a row failed, since {alert.since}."),
            (
                "text",
                f"Last good version: {last.id} ({last.recorded_at})."
                if last
                else "No version recorded yet.",
            ),
            ("label", "Fetch log"),
            ("command", alert.history_command),
        ]
        return block
    return _Block(
        f"{alert.document.title}: tracked again",
        [("text", f"Fetched at {alert.at}, after failing since {alert.failing_since}.")],
    )


def _change_block(alert: ChangeAlert) -> _Block:
    block = _Block(f"{alert.document.title}: {alert.change_class} change ({alert.severity})")
    grade = (
        f"grade of this document {alert.grade_before or '–'} → {alert.grade_after or '–'}"
        if alert.grade_before != alert.grade_after
        else f"grade of this document {alert.grade_after or '–'} (unchanged)"
    )
    block.lines.append(
        (
            "text",
            f"Version {alert.old.id} ({alert.old.recorded_at}) → version {alert.new.id}"
            f" ({alert.new.recorded_at}); {grade}.",
        )
    )
    if alert.capped_because:
        block.lines.append(("text", f"Not material: {alert.capped_because}."))
    for label, notes in (("Gained", alert.findings_gained), ("Lost", alert.findings_lost)):
        if notes:
            block.lines.append(("label", label))
        for note in notes:
            form = " (fair form)" if note.fairness == "fair" else ""
            where = f" in {'; '.join(note.sections)}" if note.sections else ""
            block.lines.append(("item", f"{note.title}{form} [{note.severity}]{where}"))
            block.lines += [("quote", _shorten(quote)) for quote in note.quotes[:QUOTES_SHOWN]]
            if len(note.quotes) > QUOTES_SHOWN:
                block.lines.append(("text", f"and {len(note.quotes) - QUOTES_SHOWN} more"))
    if alert.attributes:
        block.lines.append(("label", "Changed"))
        block.lines += [("item", f"{a.summary} [{a.severity}]") for a in alert.attributes]
    if not (alert.findings_gained or alert.findings_lost or alert.attributes):
        block.lines.append(("text", "No finding or tracked attribute moved."))
    block.lines += [
        ("label", "See the change"),
        ("command", alert.diff_command),
        ("text", f"In the TUI: {alert.tui}"),
    ]
    return block


def _shorten(quote: str) -> str:
    flat = " ".join(quote.split())
    return flat if len(flat) <= QUOTE_LIMIT else flat[: QUOTE_LIMIT - 1].rstrip() + "…"


_WRITTEN: dict[Format, dict[LineKind, str]] = {
    "markdown": {
        "text": "{}",
        "label": "**{}**",
        "item": "- {}",
        "quote": "  > {}",
        "command": "`{}`",
    },
    "text": {
        "text": "{}",
        "label": "{}:",
        "item": "  - {}",
        "quote": "      “{}”",
        "command": "  $ {}",
    },
}


def _write(block: _Block, fmt: Format) -> str:
    heading = f"### {block.heading}" if fmt == "markdown" else block.heading
    lines = [_WRITTEN[fmt][kind].format(text) for kind, text in block.lines]
    # Markdown joins adjacent lines into one paragraph: there, every line is a block of its own.
    return ("\n\n" if fmt == "markdown" else "\n").join([heading, *lines])
