"""One version read in full: the text with its findings painted inline, the findings panel,
filters by clause type and severity, `/` search within the text, and the reviewer's decisions:
`a` accepts, `x` dismisses the selected finding (with an optional note), stored in the store and
carried to later versions of the clause."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Input, Static
from textual.worker import get_current_worker

from tosanalyzer.models import DecisionKind, Finding, Severity, VersionInfo
from tosanalyzer.tui.background import Background
from tosanalyzer.tui.base import BackScreen, attempt, show_failure, title_bar
from tosanalyzer.tui.decision_text import finding_entry
from tosanalyzer.tui.document_view import DocumentView
from tosanalyzer.tui.findings_list import FindingsList
from tosanalyzer.tui.reading_commands import DecisionCommands
from tosanalyzer.tui.reading_text import (
    CURRENT_MATCH,
    MATCH_STYLE,
    SEVERITIES,
    Span,
    finding_spans,
    matches,
    visible,
)
from tosanalyzer.workspace import CarriedDecision, Workspace

PromptMode = Literal["filter", "search", "accept", "dismiss"]


@dataclass
class Loaded:
    """The version's text and its findings, built off the UI thread."""

    text: str
    findings: list[Finding]
    """In reading order (by offset)."""
    positions: dict[int, int]
    """``id(finding)`` → its position in the analysis (what the workspace's decisions use)."""
    analysed: bool
    reason: str | None

    def position(self, finding: Finding) -> int:
        return self.positions[id(finding)]


class ReadingScreen(BackScreen):
    """Enter on a finding scrolls the text to it; `f` filters by clause type, `s` cycles the
    lowest severity shown; `/` searches, `n` / `N` go to the next / previous match; `a` / `x`
    accept / dismiss the finding under the cursor."""

    COMMANDS = BackScreen.COMMANDS | {DecisionCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "filter_type", "Type filter", id="filter_type"),
        Binding("s", "cycle_severity", "Severity", id="cycle_severity"),
        Binding("slash", "search", "Search", key_display="/", id="search"),
        Binding("n", "next_match", "Next match", id="next_match", show=False),
        Binding(
            "N", "previous_match", "Prev match", key_display="N", id="previous_match", show=False
        ),
        Binding("a", "accept_finding", "Accept", id="accept_finding"),
        Binding("x", "dismiss_finding", "Dismiss", id="dismiss_finding"),
    ]

    def __init__(
        self,
        workspace: Workspace,
        service: str,
        document: str,
        version: VersionInfo,
        at: int | None = None,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.background = Background(workspace)
        self.service = service
        self.document = document
        self.version = version
        self.at = at
        """An offset in the text to open at (the finding there is selected, if one is)."""
        self.loaded: Loaded | None = None
        self.clause_filter = ""
        self.min_severity: Severity | None = None
        self.shown: list[Finding] = []
        """The findings the filters let through, in the panel's order."""
        self.current: Finding | None = None
        self.query_text = ""
        self.hits: list[tuple[int, int]] = []
        self.hit = -1
        self.prompt_mode: PromptMode | None = None
        self.decisions: dict[int, CarriedDecision] = {}
        """Finding position in the analysis → the decision that applies to it."""
        self.deciding: Finding | None = None
        """The finding the note prompt is for."""

    def compose(self) -> ComposeResult:
        yield title_bar(
            "Vendors",
            self.service,
            self.document,
            f"version {self.version.id} ({self.version.recorded_at[:10]})",
        )
        yield Static(Text("Analysing…"), id="reading-status", classes="status")
        with Horizontal(id="reading-body"):
            yield DocumentView(id="reading")
            with Vertical(id="findings-side"):
                yield Static(Text("Findings", style="bold"), id="findings-title")
                yield FindingsList(id="findings")
        yield Input(id="prompt", classes="-hidden")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#reading-body").loading = True
        self.load()
        self.load_decisions()

    # --- loading ---------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="reading")
    def load(self) -> None:
        """Reading the text and analysing it take seconds for a long document: off the UI."""
        got = attempt(self, lambda: self.background.read_version(self.version.id), self._failed)
        if got is None:
            return
        text, result = got
        ordered = sorted(
            enumerate(result.findings),
            key=lambda pair: (pair[1].start, pair[1].end, pair[1].clause_type),
        )
        loaded = Loaded(
            text=text,
            findings=[finding for _, finding in ordered],
            positions={id(finding): position for position, finding in ordered},
            analysed=result.document.analysed,
            reason=result.document.not_analysed_reason,
        )
        if get_current_worker().is_cancelled:
            return  # the reviewer left the screen meanwhile
        # textual's overload infers Never for a coroutine function returning None
        self.app.call_from_thread(self._show, loaded)  # type: ignore[arg-type]

    @work(thread=True, exclusive=True, group="decisions")
    def load_decisions(self) -> None:
        """The decisions made on this version or carried to it (this analyses the version and
        the one before it: off the UI)."""
        found = attempt(
            self,
            lambda: self.background.decisions(self.service, self.document, self.version.id),
            self._error,
        )
        if found is None:
            return
        if get_current_worker().is_cancelled:
            return
        self.app.call_from_thread(self._show_decisions, found)

    def _show_decisions(self, found: list[CarriedDecision]) -> None:
        if not self.is_attached:
            return
        self.decisions = {decision.finding_index: decision for decision in found}
        self._relabel()

    def decision_for(self, finding: Finding) -> CarriedDecision | None:
        if self.loaded is None:
            return None
        return self.decisions.get(self.loaded.position(finding))

    def _entry(self, finding: Finding) -> Text:
        return finding_entry(finding, self.decision_for(finding))

    def _relabel(self) -> None:
        """Rewrite the panel's entries in place (the cursor stays where it is)."""
        panel = self.query_one("#findings", FindingsList)
        if len(panel.entries) == len(self.shown):
            panel.relabel([self._entry(finding) for finding in self.shown])

    def _failed(self, message: str) -> None:
        show_failure(self, "#reading-body", "#reading-status", message)

    async def _show(self, loaded: Loaded) -> None:
        if not self.is_attached:
            return
        self.loaded = loaded
        self.query_one("#reading", DocumentView).show(loaded.text or "This version is empty.")
        self.query_one("#reading-body").loading = False
        self._refilter()
        self.query_one("#findings", FindingsList).focus()
        if self.at is not None:
            self.call_after_refresh(self._open_at, self.at)

    def _open_at(self, offset: int) -> None:
        """Select the first finding covering ``offset``, or just scroll there."""
        covering = [f for f in self.shown if f.start <= offset < f.end]
        if covering:
            index = self.shown.index(covering[0])
            self.query_one("#findings", FindingsList).highlighted = index
            self.select_finding(index)
        else:
            self.scroll_to_offset(offset)

    # --- painting ----------------------------------------------------------------------------

    def _spans(self) -> list[Span]:
        spans = finding_spans(self.shown, self.current)
        spans += [(start, end, MATCH_STYLE) for start, end in self.hits]
        if 0 <= self.hit < len(self.hits):
            spans.append((*self.hits[self.hit], CURRENT_MATCH))
        return spans

    def _repaint(self) -> None:
        self.query_one("#reading", DocumentView).paint(self._spans())

    def _refilter(self) -> None:
        loaded = self.loaded
        if loaded is None:
            return
        self.shown = visible(loaded.findings, self.clause_filter, self.min_severity)
        if self.current is not None and self.current not in self.shown:
            self.current = None
        current = self.shown.index(self.current) if self.current is not None else 0
        self.query_one("#findings", FindingsList).show(
            [self._entry(finding) for finding in self.shown], current
        )
        title = Text("Findings", style="bold")
        title.append(f" {len(self.shown)} of {len(loaded.findings)}", style="dim")
        if self.clause_filter:
            title.append("\ntype: ")
            title.append(self.clause_filter, style="cyan")
        if self.min_severity:
            title.append(f"\nseverity ≥ {self.min_severity}", style="cyan")
        self.query_one("#findings-title", Static).update(title)
        self._repaint()
        self._status()

    def _status(self) -> None:
        loaded = self.loaded
        if loaded is None:
            return
        status = Text()
        if not loaded.analysed:
            status.append(f"not analysed: {loaded.reason or 'unknown reason'} · ", style="yellow")
        status.append(
            f"{self.version.words:,} words · {len(loaded.findings)} findings · "
            "enter: go to a finding · f: clause type · s: severity · /: search"
        )
        if self.query_text:
            status.append(" · ")
            found = f"match {self.hit + 1} of {len(self.hits)}" if self.hits else "no match"
            status.append(f"{found} for “")
            status.append(self.query_text, style="bold")
            status.append("” (n / N)")
        self.query_one("#reading-status", Static).update(status)

    # --- moving around -------------------------------------------------------------------------

    def scroll_to_offset(self, offset: int) -> None:
        if self.loaded is not None:
            self.query_one("#reading", DocumentView).scroll_to_offset(offset)

    def select_finding(self, index: int) -> None:
        if not 0 <= index < len(self.shown):
            return
        self.current = self.shown[index]
        self._repaint()
        self.scroll_to_offset(self.current.start)

    @on(FindingsList.Selected, "#findings")
    def _selected(self, event: FindingsList.Selected) -> None:
        self.select_finding(event.index)

    def search(self, query: str) -> None:
        self.query_text = query
        self.hits = matches(self.loaded.text, query) if self.loaded else []
        self.hit = -1
        if self.hits:
            self._go_to_hit(0)
        else:
            self._repaint()
            self._status()
            if query:
                self.notify(f"No match for “{query}”", timeout=2)

    def _go_to_hit(self, index: int) -> None:
        self.hit = index % len(self.hits)
        self._repaint()
        self._status()
        self.scroll_to_offset(self.hits[self.hit][0])

    def action_next_match(self) -> None:
        if not self.hits:
            self.notify("Search first with /", timeout=1.5)
            return
        self._go_to_hit(self.hit + 1)

    def action_previous_match(self) -> None:
        if not self.hits:
            self.notify("Search first with /", timeout=1.5)
            return
        self._go_to_hit(self.hit - 1 if self.hit > 0 else len(self.hits) - 1)

    # --- filters and the prompt -------------------------------------------------------------

    def action_cycle_severity(self) -> None:
        """All → low and above → medium and above → high and above → blocker → all."""
        order: list[Severity | None] = [None, *SEVERITIES[1:]]
        self.min_severity = order[(order.index(self.min_severity) + 1) % len(order)]
        self._refilter()

    def set_clause_filter(self, value: str) -> None:
        self.clause_filter = value.strip()
        self._refilter()

    def clear_filters(self) -> None:
        self.clause_filter, self.min_severity = "", None
        self._refilter()

    def action_filter_type(self) -> None:
        self._open_prompt("filter", self.clause_filter, "clause type contains… (empty: all)")

    def action_search(self) -> None:
        self._open_prompt("search", self.query_text, "search the text… (enter; n / N)")

    def _open_prompt(self, mode: PromptMode, value: str, placeholder: str) -> None:
        prompt = self.query_one("#prompt", Input)
        self.prompt_mode = mode
        prompt.placeholder = placeholder
        prompt.value = value
        prompt.remove_class("-hidden")
        prompt.focus()

    def _close_prompt(self) -> None:
        self.prompt_mode = None
        self.deciding = None
        self.query_one("#prompt", Input).add_class("-hidden")
        self.query_one("#findings", FindingsList).focus()

    @on(Input.Submitted, "#prompt")
    def _submitted(self, event: Input.Submitted) -> None:
        mode, finding = self.prompt_mode, self.deciding
        self._close_prompt()
        if mode in ("accept", "dismiss") and finding is not None:
            self.decide(finding, "accept" if mode == "accept" else "dismiss", event.value)
        elif mode == "filter":
            self.set_clause_filter(event.value)
        elif mode == "search":
            self.search(event.value)

    # --- decisions -----------------------------------------------------------------------------

    def action_accept_finding(self) -> None:
        self._ask_note("accept")

    def action_dismiss_finding(self) -> None:
        self._ask_note("dismiss")

    def _ask_note(self, kind: DecisionKind) -> None:
        """Ask for an optional note on the finding under the cursor: enter saves, escape
        cancels."""
        highlighted = self.query_one("#findings", FindingsList).highlighted
        if self.loaded is None or highlighted is None or not 0 <= highlighted < len(self.shown):
            self.notify("No finding selected", timeout=1.5)
            return
        self.deciding = self.shown[highlighted]
        verb = "Accept" if kind == "accept" else "Dismiss"
        previous = self.decision_for(self.deciding)
        note = previous.note if previous is not None and previous.status == "decided" else ""
        self._open_prompt(
            kind,
            note,
            f"{verb} {self.deciding.clause_type}: note (optional; enter saves, escape cancels)",
        )

    def decide(self, finding: Finding, kind: DecisionKind, note: str) -> None:
        """Store the decision (in a worker), then reload the decisions shown."""
        if self.loaded is None:
            return
        self._store_decision(self.loaded.position(finding), kind, note.strip())

    @work(thread=True, group="decide")
    def _store_decision(self, position: int, kind: DecisionKind, note: str) -> None:
        stored = attempt(
            self,
            lambda: self.background.decide(
                self.service, self.document, self.version.id, position, kind, note
            ),
            self._error,
        )
        if stored is not None:
            self.app.call_from_thread(self._decided, kind)

    def _error(self, message: str) -> None:
        self.notify(message, severity="error")

    def _decided(self, kind: DecisionKind) -> None:
        if not self.is_attached:
            return
        self.notify("Accepted" if kind == "accept" else "Dismissed", timeout=1.5)
        self.load_decisions()

    def action_back(self) -> None:
        if self.prompt_mode is not None:
            self._close_prompt()  # escape closes the prompt first
            return
        super().action_back()
