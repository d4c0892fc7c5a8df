"""The vendors list and one vendor's documents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Static
from textual.worker import get_current_worker

from tosanalyzer.models import TrackedService
from tosanalyzer.tui.background import Background
from tosanalyzer.tui.base import (
    BackScreen,
    TypeAhead,
    attempt,
    show_failure,
    title_bar,
    user_error,
)
from tosanalyzer.tui.seen import SeenVersions, grade_cell, seen_path
from tosanalyzer.workspace import Workspace


@dataclass(frozen=True)
class VendorRow:
    """What the vendors list shows of one service besides its grade."""

    service: TrackedService
    newest_id: int
    """The highest version id of any of its documents (0 without versions)."""
    last_change: str
    """The date the newest version was recorded ("" without versions)."""
    unread: int


class VendorsScreen(TypeAhead):
    """Every tracked service: its grade, documents, versions, last change and unread versions.

    One background worker lists the services, then grades them one by one (each cell shows "…"
    until its letter is known); opening a vendor marks its versions as read.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "reload", "Reload", id="reload"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.background = Background(workspace)
        self.services: dict[str, TrackedService] = {}
        self.rows: dict[str, VendorRow] = {}
        self.seen: SeenVersions | None = None

    def compose(self) -> ComposeResult:
        yield title_bar("Vendors")
        table: DataTable[Text] = DataTable(id="vendors", cursor_type="row", zebra_stripes=True)
        table.add_column(Text("Vendor"), key="name")
        table.add_column(Text("Grade", justify="center"), key="grade")
        table.add_column(Text("Documents"), key="documents")
        table.add_column(Text("Versions", justify="right"), key="versions")
        table.add_column(Text("Last change"), key="last_change")
        table.add_column(Text("Unread", justify="right"), key="unread")
        yield table
        yield Static(Text("Loading vendors…"), id="status", classes="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).loading = True
        self.load()

    def action_reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="vendors")
    def load(self) -> None:
        worker = get_current_worker()
        rows = attempt(self, self._rows, self._failed)
        if rows is None:
            return
        self.app.call_from_thread(self._show, rows)
        for row in rows:  # grades last: the list is usable meanwhile
            if worker.is_cancelled:
                return
            if row.newest_id:
                self._grade(row.service.name)

    def _rows(self) -> list[VendorRow]:
        if self.seen is None:
            with self.workspace.store() as store:
                self.seen = SeenVersions(seen_path(store.path))
        return [self._row(service, self.seen) for service in self.workspace.tracked()]

    def _row(self, service: TrackedService, seen: SeenVersions) -> VendorRow:
        versions = [
            version
            for history in self.workspace.history(service.name)
            for version in history.versions
        ]
        newest = max(versions, key=lambda v: (v.recorded_at, v.id), default=None)
        return VendorRow(
            service=service,
            newest_id=max((v.id for v in versions), default=0),
            last_change=newest.recorded_at[:10] if newest else "",
            unread=seen.unread(service.name, versions),
        )

    def _grade(self, name: str) -> None:
        """Grade one vendor (latest good versions) and show its letter; runs in the worker."""
        try:
            letter = self.background.assess(name).grade.letter
        except Exception as error:
            if user_error(error) is None:
                raise
            self.app.call_from_thread(self._set_grade, name, Text("!", style="red"))
            return
        self.app.call_from_thread(self._set_grade, name, grade_cell(letter))

    def _set_grade(self, name: str, cell: Text) -> None:
        if not self.is_attached or name not in self.rows:
            return
        self.query_one("#vendors", DataTable).update_cell(name, "grade", cell)

    def _failed(self, message: str) -> None:
        show_failure(self, "#vendors", "#status", message)
        self.ready()

    def _show(self, rows: list[VendorRow]) -> None:
        if not self.is_attached:
            return  # the reviewer left the screen meanwhile
        table: DataTable[Text] = self.query_one("#vendors", DataTable)
        table.loading = False
        table.clear()
        services = [row.service for row in rows]
        self.services = {service.name: service for service in services}
        self.rows = {row.service.name: row for row in rows}
        for row in rows:
            service = row.service
            table.add_row(
                Text(service.name),
                grade_cell(None, pending=bool(row.newest_id), empty=not row.newest_id),
                Text(", ".join(d.name for d in service.documents)),
                Text(str(sum(d.versions for d in service.documents)), justify="right"),
                Text(row.last_change or "—", style="" if row.last_change else "dim"),
                _unread_cell(row.unread),
                key=service.name,
            )
        status = (
            f"{len(services)} vendors tracked · Enter opens one · ctrl+p for commands"
            if services
            else "No vendor tracked yet: run `tosanalyzer track` or `tosanalyzer import-ota`."
        )
        self.query_one("#status", Static).update(Text(status, style="dim"))
        table.focus()
        self.ready()

    @on(DataTable.RowSelected, "#vendors")
    def _open(self, event: DataTable.RowSelected) -> None:
        name = event.row_key.value
        if name in self.services:
            self.open_vendor(name)

    def open_vendor(self, name: str) -> None:
        row = self.rows.get(name)
        if row is not None and self.seen is not None and row.unread:
            self.seen.mark(name, row.newest_id)
            self.rows[name] = VendorRow(row.service, row.newest_id, row.last_change, 0)
            self.query_one("#vendors", DataTable).update_cell(name, "unread", _unread_cell(0))
        self.app.push_screen(VendorScreen(self.workspace, self.services[name]))


def _unread_cell(count: int) -> Text:
    if count:
        return Text(str(count), style="bold cyan", justify="right")
    return Text("0", style="dim", justify="right")


class VendorScreen(BackScreen):
    """One vendor's documents; Enter opens a document's version timeline."""

    def __init__(self, workspace: Workspace, service: TrackedService) -> None:
        super().__init__()
        self.workspace = workspace
        self.service = service

    def compose(self) -> ComposeResult:
        yield title_bar("Vendors", self.service.name)
        table: DataTable[Text] = DataTable(id="documents", cursor_type="row", zebra_stripes=True)
        table.add_column(Text("Document"), key="name")
        table.add_column(Text("Versions", justify="right"), key="versions")
        table.add_column(Text("Pages", justify="right"), key="pages")
        table.add_column(Text("Notes"), key="notes")
        for document in self.service.documents:
            table.add_row(
                Text(document.name),
                Text(str(document.versions), justify="right"),
                Text(str(document.pages), justify="right"),
                Text("; ".join(document.notes), style="yellow"),
                key=document.name,
            )
        yield table
        yield Static(Text("Enter opens the version timeline", style="dim"), classes="status")
        yield Footer()

    @on(DataTable.RowSelected, "#documents")
    def _open(self, event: DataTable.RowSelected) -> None:
        from tosanalyzer.tui.timeline import TimelineScreen

        if event.row_key.value is not None:
            self.app.push_screen(
                TimelineScreen(self.workspace, self.service.name, event.row_key.value)
            )
