"""`TosApp`: the reviewer's terminal UI over a `Workspace`.

Vendors → a vendor's documents → a document's version timeline → the diff of two versions.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import ClassVar

from rich.segment import Segment
from textual.app import App
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.filter import LineFilter
from textual.screen import Screen

from tosanalyzer.models import TrackedService, strip_controls
from tosanalyzer.tui import background
from tosanalyzer.tui.commands import TosCommands
from tosanalyzer.tui.diff_screen import DiffScreen
from tosanalyzer.tui.help import HelpScreen
from tosanalyzer.tui.timeline import TimelineScreen
from tosanalyzer.tui.vendors import VendorScreen, VendorsScreen
from tosanalyzer.workspace import Workspace


@dataclass(frozen=True)
class OpenAt:
    """Where the app opens (an alert says "tosanalyzer tui --open … --compare 3 5"): a vendor,
    a document's timeline, or a diff; escape goes back up the usual way."""

    service: TrackedService
    document: str | None = None
    compare: tuple[int, int] | None = None


class _PlainText(LineFilter):
    """Drops control characters from every line the app draws.

    Names, reasons, quotes and whole texts come from vendors' pages, and versions stored before
    text was cleaned on its way in may hold ESC sequences or C1 controls, which Textual passes to
    the terminal. Filtering the drawn lines covers every widget, so none has to remember; the
    characters take no cells, so the layout does not move.
    """

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        cleaned = (
            segment if segment.control else Segment(strip_controls(segment.text), segment.style)
            for segment in segments
        )
        return [segment for segment in cleaned if segment.text or segment.control]


_PLAIN_TEXT = _PlainText()
"""One instance: strips cache what a filter made of them, by filter."""


class TosApp(App[None]):
    TITLE = "tosanalyzer"
    CSS_PATH: ClassVar[list[str | PurePath]] = [
        "styles/app.tcss",
        "styles/diff.tcss",
        "styles/reading.tcss",
    ]
    COMMANDS = App.COMMANDS | {TosCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Help", key_display="?", id="help"),
    ]

    def __init__(self, workspace: Workspace | None = None, open_at: OpenAt | None = None) -> None:
        super().__init__()
        self.workspace = workspace if workspace is not None else Workspace()
        self.open_at = open_at
        background.start()

    def on_mount(self) -> None:
        at = self.open_at
        if at is None:
            return
        self.push_screen(VendorScreen(self.workspace, at.service))
        if at.document is not None:
            name = at.service.name
            self.push_screen(TimelineScreen(self.workspace, name, at.document))
            if at.compare is not None:
                old, new = at.compare
                self.push_screen(DiffScreen(self.workspace, name, at.document, old, new))

    def get_line_filters(self) -> Sequence[LineFilter]:
        return [*super().get_line_filters(), _PLAIN_TEXT]

    def get_default_screen(self) -> Screen[None]:
        return VendorsScreen(self.workspace)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def run_in_terminal(self) -> None:
        """Run until the reviewer quits or SIGTERM comes, then end the helper processes.

        Textual leaves SIGTERM to Python, which ends the process on the spot: the terminal stays
        in raw mode and the helpers wait for work that never comes. Here SIGTERM quits as `q`
        does. Not in ``on_mount``: an app under test must not take the test run's signals.
        """

        async def run() -> None:
            with contextlib.suppress(NotImplementedError):  # Windows has no signal handlers
                asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, self.exit)
            await self.run_async()

        try:
            asyncio.run(run())
        finally:
            background.stop()
