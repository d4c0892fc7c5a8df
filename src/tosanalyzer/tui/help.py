"""`?`: the keys of every screen, in one modal."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Everywhere",
        [
            ("?", "this help"),
            ("escape", "back to the previous screen"),
            ("ctrl+p", "command palette: open a vendor, every action"),
            ("q", "quit"),
        ],
    ),
    ("Vendors and documents", [("↑ ↓", "move"), ("enter", "open"), ("r", "reload vendors")]),
    (
        "Version timeline",
        [
            ("enter", "diff the version under the cursor with the one before it"),
            ("space", "mark a version (two at most)"),
            ("d", "diff the marked pair, or the last two versions"),
            ("r", "read the version under the cursor, findings highlighted"),
        ],
    ),
    (
        "Diff",
        [
            ("s", "toggle inline / side by side"),
            ("n / p", "next / previous change"),
            ("c", "the newer version's checklist: enter on a quote goes to its clause"),
            ("tab", "move between the diff and the checklist"),
            ("↑ ↓ pgup pgdn", "scroll"),
        ],
    ),
    (
        "Reading view",
        [
            ("↑ ↓ enter", "pick a finding: the text scrolls to its clause"),
            ("tab", "move between the findings and the text"),
            ("f", "filter findings by clause type (part of its name; empty: all)"),
            ("s", "lowest severity shown: all → low → medium → high → blocker"),
            ("/", "search the text (enter runs it, escape closes the prompt)"),
            ("n / N", "next / previous match"),
            ("a / x", "accept / dismiss the selected finding: a note, enter saves it"),
        ],
    ),
]


def help_table() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    for area, keys in KEYS:
        table.add_row(Text(area, style="bold underline"), Text(""))
        for key, what in keys:
            table.add_row(Text(key), Text(what))
        table.add_row(Text(""), Text(""))
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "app.pop_screen", "Close", id="close_help"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(Text("Keys", style="bold"), classes="title")
            yield Static(help_table())
            yield Static(Text("escape or ? closes this help", style="dim"))
