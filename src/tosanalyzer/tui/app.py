"""`TosApp`: the reviewer's terminal UI over a `Workspace`.

Vendors → a vendor's documents → a document's version timeline → the diff of two versions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from tosanalyzer.models import TrackedService
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

    def get_default_screen(self) -> Screen[None]:
        return VendorsScreen(self.workspace)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())
