"""Commands that open the reviewer's terminal UI: ``demo`` and ``tui``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tosanalyzer.cli.app import DbOption, app, fail, open_workspace
from tosanalyzer.cli.printers import out, write_text

if TYPE_CHECKING:
    from tosanalyzer.tui.app import OpenAt


@app.command("demo")
def demo_command(
    no_tui: Annotated[
        bool, typer.Option("--no-tui", help="Print the report and the latest change; no TUI.")
    ] = False,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            help="Where the demo store lives (default: demo.db in the user data folder).",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Load the bundled fictional vendor into a demo store and show it."""
    from tosanalyzer.workspace import demo_db_path

    with open_workspace(db=db or demo_db_path()) as ws:
        service = ws.load_demo()
        if no_tui or not out.is_terminal:
            write_text(ws.report(service))
            return
    _run_tui(db or demo_db_path(), hint="`tosanalyzer demo --no-tui` prints the demo's report")


@app.command("tui")
def tui_command(
    db: DbOption = None,
    open_service: Annotated[
        str | None,
        typer.Option("--open", help="Open at this service (name or slug): its documents."),
    ] = None,
    document: Annotated[
        str | None,
        typer.Option("--document", help="With --open: open at this document's timeline."),
    ] = None,
    compare: Annotated[
        tuple[int, int] | None,
        typer.Option(
            "--compare", help="With --document: open at the diff of these two version ids."
        ),
    ] = None,
) -> None:
    """Open the reviewer's terminal UI over the store (or straight at a vendor, a document or a
    diff, as an alert says)."""
    from tosanalyzer.tui.app import OpenAt

    if document is not None and open_service is None:
        fail("--document needs --open SERVICE")
    if compare is not None and document is None:
        fail("--compare needs --open SERVICE --document DOCUMENT")
    open_at = None
    with open_workspace(db=db) as ws:
        tracked = ws.tracked()  # fail here, with one line, if the store cannot be opened
        if open_service is not None:
            [history, *_] = ws.history(open_service, document)
            service = next(s for s in tracked if s.name == history.service)
            found = history.document if document is not None else None
            open_at = OpenAt(service, found, compare)
    _run_tui(db, open_at, hint="`history`, `diff` and `report` print what it shows")


def _run_tui(db: Path | None, open_at: OpenAt | None = None, *, hint: str) -> None:
    """Run the TUI, which needs a terminal on both ends: it reads keys from standard input and
    draws on standard output. Started in a pipe or by a service, Textual read end-of-file for
    ever and kept a processor three-quarters busy."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        fail(f"the terminal UI needs a terminal on standard input and output; {hint}")
    from tosanalyzer.tui.app import TosApp
    from tosanalyzer.workspace import Workspace

    TosApp(Workspace(db=db), open_at).run_in_terminal()
