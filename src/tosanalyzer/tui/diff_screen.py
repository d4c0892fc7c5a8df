"""Two versions compared: the text diff (inline or side by side), the clause-diff summary and the
checklist of the newer version, whose quotes take the reviewer to their clause."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from tosanalyzer.models import Evidence
from tosanalyzer.tui.background import Background
from tosanalyzer.tui.base import BackScreen, attempt, show_failure, title_bar
from tosanalyzer.tui.checklist_entries import Entry, checklist_entries
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
    checklist: list[Entry]
    """The newer version's checklist, items and their quotes."""
    new_text: str


def render(diff: DocumentDiff, checklist: list[Entry], new_text: str) -> Rendered:
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
        checklist=checklist,
        new_text=new_text,
    )


class DiffScreen(BackScreen):
    """`s` toggles inline / side by side; `n` and `p` jump between changes; `c` goes to the
    checklist, where enter on a quote scrolls the diff to its clause — or, when the clause did
    not change between the two versions, opens the newer version's reading view there."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "toggle_side", "Side by side", id="toggle_side"),
        Binding("n", "next_change", "Next change", id="next_change"),
        Binding("p", "previous_change", "Prev change", id="previous_change"),
        Binding("c", "focus_checklist", "Checklist", id="focus_checklist"),
    ]

    side_by_side: reactive[bool] = reactive(False, init=False)
    current: reactive[int] = reactive(-1, init=False)
    """Index of the change the reviewer is on (among change blocks), -1 before the first."""

    def __init__(
        self, workspace: Workspace, service: str, document: str, old: int, new: int
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.background = Background(workspace)
        self.service = service
        self.document = document
        self.old, self.new = old, new
        self.rendered: Rendered | None = None
        self.block_widgets: list[Widget] = []
        """One widget per block of ``rendered.blocks``, as built now."""

    def compose(self) -> ComposeResult:
        yield title_bar("Vendors", self.service, self.document, f"{self.old} → {self.new}")
        yield Static(Text("Comparing… (analysing both versions)"), id="summary", classes="status")
        with Horizontal(id="diff-body"):
            yield VerticalScroll(id="diff")
            with Vertical(id="panel"):
                with VerticalScroll(id="clauses-scroll"):
                    yield Static(Text(""), id="clauses")
                title = Text(f"Checklist of version {self.new}", style="bold")
                yield Static(title, id="checklist-title")
                yield OptionList(id="checklist")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#diff-body").loading = True
        self.compute()

    @work(thread=True, exclusive=True, group="diff")
    def compute(self) -> None:
        """Diff and analysis of both versions take seconds: never on the UI thread."""
        got = attempt(
            self,
            lambda: self.background.diff_view(self.service, self.document, self.old, self.new),
            self._failed,
        )
        if got is None:
            return
        diff, judged, new_text = got
        rendered = render(diff, checklist_entries(judged), new_text)
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
        checklist = self.query_one("#checklist", OptionList)
        checklist.add_options(
            [
                Option(entry.prompt, id=str(i), disabled=entry.evidence is None)
                for i, entry in enumerate(rendered.checklist)
            ]
        )
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
        self.block_widgets = widgets if rendered.blocks else []
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

    def action_focus_checklist(self) -> None:
        self.query_one("#checklist", OptionList).focus()

    @on(OptionList.OptionSelected, "#checklist")
    def _quote_selected(self, event: OptionList.OptionSelected) -> None:
        if self.rendered is not None:
            evidence = self.rendered.checklist[event.option_index].evidence
            if evidence is not None:
                self.go_to_quote(evidence)

    def go_to_quote(self, evidence: Evidence) -> None:
        """Scroll the diff to the block showing the quote's first line (a change block becomes
        the current change, so `n` / `p` go on from there); a clause outside every hunk is
        shown in the reading view of the newer version."""
        rendered = self.rendered
        if rendered is None:
            return
        offset = rendered.new_text.find(evidence.quote)  # quotes are verbatim from this text
        if offset < 0:
            self.notify("That quote is no longer in the text.", severity="warning")
            return
        line = rendered.new_text.count("\n", 0, offset) + 1
        for index, block in enumerate(rendered.blocks):
            if any(shown.new_number == line for shown in block.lines):
                self._show_block(index)
                return
        from tosanalyzer.tui.reading import ReadingScreen

        self.notify("That clause did not change here: showing it in the reading view.")
        self.app.push_screen(
            ReadingScreen(self.workspace, self.service, self.document, rendered.diff.new, offset)
        )

    def _show_block(self, index: int) -> None:
        rendered = self.rendered
        if rendered is None or index >= len(self.block_widgets):
            return
        for widget in self.block_widgets:
            widget.set_class(widget is self.block_widgets[index], "-located")
        if rendered.blocks[index].kind == "change":
            change = sum(1 for b in rendered.blocks[:index] if b.kind == "change")
            if change == self.current:
                self._show_current()
            self.current = change
            return
        self.query_one("#diff", VerticalScroll).scroll_to_widget(
            self.block_widgets[index], animate=False, top=True
        )
