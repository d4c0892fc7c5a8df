"""Two versions compared: the text diff (inline or side by side) and the clause-diff panel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from tosanalyzer.tui.base import BackScreen, show_failure, title_bar, user_error
from tosanalyzer.tui.render import (
    Block,
    Row,
    blocks,
    clause_panel,
    grid,
    header_text,
    inline_rows,
    side_rows,
)
from tosanalyzer.workspace import DocumentDiff, Workspace


@dataclass
class Rendered:
    """Everything the screen shows, built off the UI thread."""

    diff: DocumentDiff
    blocks: list[Block]
    inline: list[list[Row]]
    """Per block: gutter and text of each line (none for a hunk header)."""
    side: list[tuple[list[Row], list[Row]]]
    panel: Text
    summary: Text


def render(diff: DocumentDiff) -> Rendered:
    parts = blocks(diff.text)
    text, clauses = diff.text, diff.clauses
    summary = Text()
    summary.append(f"version {diff.old.id} ({diff.old.recorded_at[:10]}) → ")
    summary.append(f"version {diff.new.id} ({diff.new.recorded_at[:10]})")
    summary.append(f" · +{text.lines_added} −{text.lines_removed} lines", style="dim")
    summary.append(f" · {sum(1 for b in parts if b.kind == 'change')} changes", style="dim")
    summary.append(f" · {clauses.change_class}", style="bold")
    if text.timed_out:
        summary.append(" · diff coarsened (time limit)", style="yellow")
    return Rendered(
        diff=diff,
        blocks=parts,
        inline=[[] if b.kind == "header" else inline_rows(b) for b in parts],
        side=[([], []) if b.kind == "header" else side_rows(b) for b in parts],
        panel=clause_panel(clauses),
        summary=summary,
    )


class DiffScreen(BackScreen):
    """`s` toggles inline / side by side; `n` and `p` jump between changes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "toggle_side", "Side by side", id="toggle_side"),
        Binding("n", "next_change", "Next change", id="next_change"),
        Binding("p", "previous_change", "Previous change", id="previous_change"),
    ]

    side_by_side: reactive[bool] = reactive(False, init=False)
    current: reactive[int] = reactive(-1, init=False)
    """Index of the change the reviewer is on (among change blocks), -1 before the first."""

    def __init__(
        self, workspace: Workspace, service: str, document: str, old: int, new: int
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.service = service
        self.document = document
        self.old, self.new = old, new
        self.rendered: Rendered | None = None

    def compose(self) -> ComposeResult:
        yield title_bar("Vendors", self.service, self.document, f"{self.old} → {self.new}")
        yield Static(Text("Comparing… (analysing both versions)"), id="summary", classes="status")
        with Horizontal(id="diff-body"):
            yield VerticalScroll(id="diff")
            with VerticalScroll(id="panel"):
                yield Static(Text(""), id="clauses")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#diff-body").loading = True
        self.compute()

    @work(thread=True, exclusive=True, group="diff")
    def compute(self) -> None:
        """Diff and analysis of both versions take seconds: never on the UI thread."""
        try:
            diff = self.workspace.diff(self.service, self.document, str(self.old), str(self.new))
        except Exception as error:
            message = user_error(error)
            if message is None:
                raise
            self.app.call_from_thread(self._failed, message)
            return
        rendered = render(diff)
        if get_current_worker().is_cancelled:
            return  # the reviewer left the screen meanwhile
        # textual's overload infers Never for a coroutine function returning None
        self.app.call_from_thread(self._show, rendered)  # type: ignore[arg-type]

    def _failed(self, message: str) -> None:
        show_failure(self, "#diff-body", "#summary", message)

    async def _show(self, rendered: Rendered) -> None:
        if not self.is_attached:
            return
        self.rendered = rendered
        self.query_one("#diff-body").loading = False
        self.query_one("#summary", Static).update(rendered.summary)
        self.query_one("#clauses", Static).update(rendered.panel)
        await self._build()
        self.query_one("#diff").focus()

    @property
    def changes(self) -> list[Widget]:
        """The change blocks as shown now, in reading order."""
        return list(self.query_one("#diff").query(".-change"))

    async def _build(self) -> None:
        rendered = self.rendered
        if rendered is None:
            return
        container = self.query_one("#diff", VerticalScroll)
        await container.remove_children()
        widgets: list[Widget] = []
        if not rendered.blocks:
            widgets.append(Static(Text("The two texts are identical."), classes="block"))
        for block, inline, (left, right) in zip(
            rendered.blocks, rendered.inline, rendered.side, strict=True
        ):
            classes = f"block -{block.kind}"
            if block.kind == "header":
                widgets.append(Static(header_text(block), classes=classes))
            elif not self.side_by_side:
                widgets.append(Static(grid(inline), classes=classes))
            else:
                widgets.append(
                    Horizontal(
                        Static(grid(left), classes="side -old"),
                        Static(grid(right), classes="side -new"),
                        classes=f"pair {classes}",
                    )
                )
        await container.mount_all(widgets)
        self.call_after_refresh(self._show_current)

    async def watch_side_by_side(self) -> None:
        self.set_class(self.side_by_side, "-side-by-side")
        await self._build()

    def watch_current(self) -> None:
        self._show_current()

    def _show_current(self) -> None:
        changes = self.changes
        for i, widget in enumerate(changes):
            widget.set_class(i == self.current, "-current")
        if 0 <= self.current < len(changes):
            self.query_one("#diff", VerticalScroll).scroll_to_widget(
                changes[self.current], animate=False, top=True
            )

    def action_toggle_side(self) -> None:
        self.side_by_side = not self.side_by_side

    def action_next_change(self) -> None:
        count = len(self.changes)
        if not count:
            return
        if self.current >= count - 1:
            self.notify("Last change", timeout=1.5)
            return
        self.current += 1

    def action_previous_change(self) -> None:
        if not self.changes:
            return
        if self.current <= 0:
            self.notify("First change", timeout=1.5)
            self.current = 0
            return
        self.current -= 1
