"""A document's version timeline: pick two versions and open their diff."""

from __future__ import annotations

from typing import ClassVar
from weakref import WeakKeyDictionary

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Static
from textual.worker import get_current_worker

from tosanalyzer.models import ChangeClass, VersionInfo
from tosanalyzer.tui.background import Background
from tosanalyzer.tui.base import BackScreen, TypeAhead, attempt, title_bar, user_error
from tosanalyzer.tui.seen import PENDING, badge
from tosanalyzer.workspace import Workspace

KIND_LABEL = {"first_record": "first", "change": "change", "technical_upgrade": "tech upgrade"}

Pair = tuple[int, int]
"""(old version id, new version id) of one document."""

_CLASSES: WeakKeyDictionary[Workspace, dict[tuple[str, str, int, int], ChangeClass]] = (
    WeakKeyDictionary()
)
"""Change class of each pair already compared, per workspace, for the life of the process."""


def class_cache(workspace: Workspace) -> dict[tuple[str, str, int, int], ChangeClass]:
    return _CLASSES.setdefault(workspace, {})


def badge_pairs(versions: list[VersionInfo]) -> dict[int, Pair | None]:
    """Version id → the pair its badge compares: the version against the previous one not marked
    suspect; None (badge "—") for the first version, a suspect one or one with no good version
    before it."""
    pairs: dict[int, Pair | None] = {}
    previous: VersionInfo | None = None
    for version in versions:
        if version.suspect:
            pairs[version.id] = None
            continue
        pairs[version.id] = (previous.id, version.id) if previous is not None else None
        previous = version
    return pairs


class TimelineScreen(TypeAhead, BackScreen):
    """Versions newest first. Enter: the version under the cursor against the one before it;
    space marks up to two versions, `d` compares the marked pair (the last two if none); `r` reads
    the version under the cursor with its findings.

    The Change column is each version's class against the previous good version, computed in a
    worker for the rows in view only (newest first), again as the table scrolls; "…" until known.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "mark", "Mark", id="mark"),
        Binding("d", "diff_marked", "Diff marked", id="diff_marked"),
        Binding("r", "read", "Read", id="read"),
    ]

    def __init__(self, workspace: Workspace, service: str, document: str) -> None:
        super().__init__()
        self.workspace = workspace
        self.background = Background(workspace)
        self.service = service
        self.document = document
        self.versions: list[VersionInfo] = []
        """Oldest first, as the store keeps them; the table shows them newest first."""
        self.marked: list[int] = []
        self.pairs: dict[int, Pair | None] = {}
        self.first_screenful: set[Pair] = set()
        """Pairs the load worker is still classifying (a scroll meanwhile skips them)."""

    def compose(self) -> ComposeResult:
        yield title_bar("Vendors", self.service, self.document)
        table: DataTable[Text] = DataTable(id="timeline", cursor_type="row", zebra_stripes=True)
        table.add_column(Text(" "), key="mark")
        table.add_column(Text("Id", justify="right"), key="id")
        table.add_column(Text("Recorded"), key="date")
        table.add_column(Text("Characters", justify="right"), key="characters")
        table.add_column(Text("Words", justify="right"), key="words")
        table.add_column(Text("Change"), key="change")
        table.add_column(Text("Kind"), key="kind")
        table.add_column(Text("Suspect"), key="suspect")
        yield table
        yield Static(Text("Loading versions…"), id="status", classes="status")
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[Text] = self.query_one(DataTable)
        table.loading = True
        self.watch(table, "scroll_y", self._scrolled, init=False)
        self.load()

    @work(thread=True, exclusive=True, group="timeline")
    def load(self) -> None:
        found = attempt(
            self, lambda: self.workspace.history(self.service, self.document), self._failed
        )
        if found is None:
            return
        [history] = found
        wanted = self.app.call_from_thread(self._show, history.versions)
        self.first_screenful = set(wanted)
        try:
            self._classify(wanted)  # the first screenful, in this same worker
        finally:
            self.first_screenful = set()

    def _scrolled(self) -> None:
        wanted = self._visible_pairs()
        if wanted:
            self.classify(wanted)

    def _visible_pairs(self) -> list[Pair]:
        """The pairs of the rows in view (newest first) whose class is not known yet."""
        if not self.versions or not self.is_attached:
            return []
        table: DataTable[Text] = self.query_one("#timeline", DataTable)
        first = max(int(table.scroll_y), 0)
        height = table.size.height or 30
        cache = class_cache(self.workspace)
        wanted: list[Pair] = []
        for row in range(first, min(first + height, len(self.versions))):
            pair = self.pairs.get(self.versions[len(self.versions) - 1 - row].id)
            if (
                pair is not None
                and pair not in self.first_screenful
                and (self.service, self.document, *pair) not in cache
            ):
                wanted.append(pair)
        return wanted

    @work(thread=True, exclusive=True, group="timeline-badges")
    def classify(self, wanted: list[Pair]) -> None:
        self._classify(wanted)

    def _classify(self, wanted: list[Pair]) -> None:
        """Compare each pair (in a worker thread) and show its badge as soon as it is known."""
        worker = get_current_worker()
        cache = class_cache(self.workspace)
        for old, new in wanted:
            if worker.is_cancelled or not self.is_attached:
                return
            key = (self.service, self.document, old, new)
            if key not in cache:
                try:
                    cache[key] = self.background.change_class(self.service, self.document, old, new)
                except Exception as error:
                    if user_error(error) is None:
                        raise
                    continue
            self.app.call_from_thread(self._set_badge, new, cache[key])

    def _set_badge(self, version_id: int, change_class: ChangeClass) -> None:
        if not self.is_attached:
            return
        table: DataTable[Text] = self.query_one("#timeline", DataTable)
        table.update_cell(str(version_id), "change", badge(change_class), update_width=True)

    def _failed(self, message: str) -> None:
        self._status(message, "red")
        self.ready()

    def _status(self, message: str, style: str = "dim") -> None:
        if not self.is_attached:
            return  # the reviewer left the screen meanwhile
        self.query_one(DataTable).loading = False
        self.query_one("#status", Static).update(Text(message, style=style))

    def _show(self, versions: list[VersionInfo]) -> list[Pair]:
        """Fill the table; return the pairs whose badges the first screenful still needs."""
        if not self.is_attached:
            return []  # the reviewer left the screen meanwhile
        self.versions = versions
        self.pairs = badge_pairs(versions)
        cache = class_cache(self.workspace)
        table: DataTable[Text] = self.query_one("#timeline", DataTable)
        table.clear()
        for version in reversed(versions):
            pair = self.pairs[version.id]
            known = cache.get((self.service, self.document, *pair)) if pair else None
            table.add_row(
                Text(" "),
                Text(str(version.id), justify="right"),
                Text(version.recorded_at.replace("T", " ").rstrip("Z")),
                Text(f"{version.characters:,}", justify="right"),
                Text(f"{version.words:,}", justify="right"),
                badge(known) if known or pair is None else Text(PENDING, style="dim"),
                Text(KIND_LABEL.get(version.kind, version.kind)),
                Text(f"⚠ {version.suspect}", style="bold yellow") if version.suspect else Text(""),
                key=str(version.id),
            )
        self._status(
            f"{len(versions)} versions · Enter: compare with the previous one · "
            "space: mark two · d: diff the marked pair (default: the last two) · r: read"
        )
        table.focus()
        self.ready()
        return self._visible_pairs()

    def _under_cursor(self) -> VersionInfo | None:
        table: DataTable[Text] = self.query_one("#timeline", DataTable)
        if not self.versions or table.cursor_row < 0:
            return None
        return self.versions[len(self.versions) - 1 - table.cursor_row]

    def action_mark(self) -> None:
        version = self._under_cursor()
        if version is None:
            return
        if version.id in self.marked:
            self.marked.remove(version.id)
        else:
            self.marked = [*self.marked, version.id][-2:]
        table: DataTable[Text] = self.query_one("#timeline", DataTable)
        for other in self.versions:
            mark = Text("●", style="bold cyan") if other.id in self.marked else Text(" ")
            table.update_cell(str(other.id), "mark", mark)

    def action_diff_marked(self) -> None:
        if len(self.marked) == 2:
            old, new = sorted(self.marked)
            self.open_diff(old, new)
        elif len(self.versions) >= 2:
            self.open_diff(self.versions[-2].id, self.versions[-1].id)
        else:
            self.notify("This document has fewer than two versions to compare.")

    @on(DataTable.RowSelected, "#timeline")
    def _selected(self, event: DataTable.RowSelected) -> None:
        if len(self.marked) == 2:
            self.action_diff_marked()
            return
        version = self._under_cursor()
        if version is None:
            return
        index = self.versions.index(version)
        if index == 0:
            self.notify("The first version has nothing before it; mark two versions instead.")
            return
        self.open_diff(self.versions[index - 1].id, version.id)

    def action_read(self) -> None:
        version = self._under_cursor()
        if version is not None:
            self.open_reading(version)

    def open_reading(self, version: VersionInfo) -> None:
        from tosanalyzer.tui.reading import ReadingScreen

        self.app.push_screen(ReadingScreen(self.workspace, self.service, self.document, version))

    def open_diff(self, old: int, new: int) -> None:
        from tosanalyzer.tui.diff_screen import DiffScreen

        self.app.push_screen(DiffScreen(self.workspace, self.service, self.document, old, new))
