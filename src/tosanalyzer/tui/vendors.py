"""The vendors list and one vendor's documents."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tosanalyzer.models import TrackedService
from tosanalyzer.tui.base import BackScreen, title_bar, user_error
from tosanalyzer.workspace import Workspace


class VendorsScreen(Screen[None]):
    """Every tracked service: its name, documents and recorded versions."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "reload", "Reload", id="reload"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.services: dict[str, TrackedService] = {}

    def compose(self) -> ComposeResult:
        yield title_bar("Vendors")
        table: DataTable[Text] = DataTable(id="vendors", cursor_type="row", zebra_stripes=True)
        table.add_column(Text("Vendor"), key="name")
        table.add_column(Text("Documents"), key="documents")
        table.add_column(Text("Versions", justify="right"), key="versions")
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
        try:
            services = self.workspace.tracked()
        except Exception as error:
            message = user_error(error)
            if message is None:
                raise
            self.app.call_from_thread(self._failed, message)
            return
        self.app.call_from_thread(self._show, services)

    def _failed(self, message: str) -> None:
        if not self.is_attached:
            return  # the reviewer left the screen meanwhile
        self.query_one(DataTable).loading = False
        self.query_one("#status", Static).update(Text(message, style="red"))

    def _show(self, services: list[TrackedService]) -> None:
        if not self.is_attached:
            return  # the reviewer left the screen meanwhile
        table: DataTable[Text] = self.query_one("#vendors", DataTable)
        table.loading = False
        table.clear()
        self.services = {service.name: service for service in services}
        for service in services:
            table.add_row(
                Text(service.name),
                Text(", ".join(d.name for d in service.documents)),
                Text(str(sum(d.versions for d in service.documents)), justify="right"),
                key=service.name,
            )
        status = (
            f"{len(services)} vendors tracked · Enter opens one · ctrl+p for commands"
            if services
            else "No vendor tracked yet: run `tosanalyzer track` or `tosanalyzer import-ota`."
        )
        self.query_one("#status", Static).update(Text(status, style="dim"))
        table.focus()

    @on(DataTable.RowSelected, "#vendors")
    def _open(self, event: DataTable.RowSelected) -> None:
        name = event.row_key.value
        if name in self.services:
            self.open_vendor(name)

    def open_vendor(self, name: str) -> None:
        self.app.push_screen(VendorScreen(self.workspace, self.services[name]))


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
