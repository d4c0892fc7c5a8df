"""What every screen of the app shares: a title line, the footer, `escape` to go back."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, TypeVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from tosanalyzer.workspace import USER_ERRORS

T = TypeVar("T")


class BackScreen(Screen[None]):
    """A screen pushed over another one: `escape` goes back to it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="back"),
    ]

    def action_back(self) -> None:
        self.app.pop_screen()


NEVER_HELD = frozenset({"escape", "q", "question_mark", "ctrl+p", "ctrl+c", "ctrl+q"})


class TypeAhead(Screen[None]):
    """A screen whose rows arrive from a worker keeps the keys typed before they do, and
    replays them when ``ready`` is called: a reviewer who knows the way (enter, down, enter)
    does not lose keys to a loading table. Keys that leave, quit or open help are never held."""

    AUTO_FOCUS = None
    """Nothing has focus until the rows are there, so keys reach the screen."""

    def __init__(self) -> None:
        super().__init__()
        self.held: list[str] | None = []
        """Keys typed while loading; None once ready."""

    def on_key(self, event: events.Key) -> None:
        if self.held is not None and event.key not in NEVER_HELD:
            self.held.append(event.key)
            event.stop()
            event.prevent_default()

    def ready(self) -> None:
        """The rows are shown and focused: replay the keys held meanwhile."""
        held, self.held = self.held or [], None
        for key in held:
            self.app.simulate_key(key)


def title_bar(*parts: str, id: str = "title") -> Static:
    """A one-line title of literal parts (service and document names are never markup)."""
    text = Text(" › ".join(parts), style="bold")
    return Static(text, id=id, classes="title")


def user_error(error: BaseException) -> str | None:
    """The one-line message of an error the user caused, None for a bug."""
    return str(error) if isinstance(error, USER_ERRORS) else None


def attempt(
    screen: Screen[None], work: Callable[[], T], failed: Callable[[str], object]
) -> T | None:
    """``work()`` in a worker thread. An error the user caused is handed, as one line, to
    ``failed`` on the UI thread, and gives None; a bug is raised (the app shows its traceback)."""
    try:
        return work()
    except Exception as error:
        message = user_error(error)
        if message is None:
            raise
        screen.app.call_from_thread(failed, message)
        return None


def show_failure(screen: Screen[None], body: str, status: str, message: str) -> None:
    """End a screen's loading state with a one-line error, if the reviewer is still there."""
    if not screen.is_attached:
        return
    screen.query_one(body).loading = False
    screen.query_one(status, Static).update(Text(message, style="red"))
