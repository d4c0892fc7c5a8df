"""`TosApp`: the reviewer's terminal UI over a `Workspace`.

Vendors → a vendor's documents → a document's version timeline → the diff of two versions.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from tosanalyzer.tui import background
from tosanalyzer.tui.commands import TosCommands
from tosanalyzer.tui.help import HelpScreen
from tosanalyzer.tui.vendors import VendorsScreen
from tosanalyzer.workspace import Workspace


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

    def __init__(self, workspace: Workspace | None = None) -> None:
        super().__init__()
        self.workspace = workspace if workspace is not None else Workspace()
        background.start()

    def get_default_screen(self) -> Screen[None]:
        return VendorsScreen(self.workspace)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())
