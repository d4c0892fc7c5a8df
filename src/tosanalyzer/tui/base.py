"""What every screen of the app shares: a title line, the footer, `escape` to go back."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from tosanalyzer.workspace import USER_ERRORS


class BackScreen(Screen[None]):
    """A screen pushed over another one: `escape` goes back to it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="back"),
    ]

    def action_back(self) -> None:
        self.app.pop_screen()


def title_bar(*parts: str, id: str = "title") -> Static:
    """A one-line title of literal parts (service and document names are never markup)."""
    text = Text(" › ".join(parts), style="bold")
    return Static(text, id=id, classes="title")


def user_error(error: BaseException) -> str | None:
    """The one-line message of an error the user caused, None for a bug."""
    return str(error) if isinstance(error, USER_ERRORS) else None


def show_failure(screen: Screen[None], body: str, status: str, message: str) -> None:
    """End a screen's loading state with a one-line error, if the reviewer is still there."""
    if not screen.is_attached:
        return
    screen.query_one(body).loading = False
    screen.query_one(status, Static).update(Text(message, style="red"))
