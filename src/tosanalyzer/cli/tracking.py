"""Commands that declare, fetch and list what is tracked: ``track``, ``fetch`` and ``history``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from tosanalyzer.cli.app import AllowPrivateOption, DbOption, JsonOption, app, open_workspace
from tosanalyzer.cli.printers import out, print_fetched, print_json, print_tracked

if TYPE_CHECKING:
    from tosanalyzer.workspace import DocumentFetch

track_app = typer.Typer(
    help="Declare the vendor documents to watch (Open Terms Archive declarations).",
    no_args_is_help=True,
)
app.add_typer(track_app, name="track")


@track_app.command("add")
def track_add(
    files: Annotated[list[Path], typer.Argument(help="Declaration files (OTA JSON shape).")],
    json_output: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Track the services declared in FILES (every file is checked before any is stored)."""
    with open_workspace(db=db) as ws:
        tracked = ws.track(files)
    if json_output:
        print_json(tracked)
    else:
        print_tracked(tracked)


@track_app.command("import-ota")
def track_import_ota(
    folder: Annotated[Path, typer.Argument(help="A folder of OTA declaration files.")],
    json_output: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Track every service of an Open Terms Archive declarations folder; say why a file is not."""
    with open_workspace(db=db) as ws:
        scan, tracked = ws.import_ota(folder)
    if json_output:
        print_json({"scan": scan, "tracked": tracked})
        return
    print_tracked(tracked)
    for failure in scan.failures:
        out.print(f"[red]not imported[/red] {escape(failure.file)}: {escape(failure.error or '')}")
    for file in scan.files:
        if file.companions:
            names = ", ".join(Path(c).name for c in file.companions)
            out.print(f"[dim]{escape(file.file)}: noted {escape(names)}[/dim]")
    out.print(f"{len(tracked)} services imported, {len(scan.failures)} files not imported")


@track_app.command("list")
def track_list(json_output: JsonOption = False, db: DbOption = None) -> None:
    """List the tracked services and their documents."""
    with open_workspace(db=db) as ws:
        tracked = ws.tracked()
    if json_output:
        print_json(tracked)
    elif not tracked:
        out.print("no services tracked yet: see `tosanalyzer track add`")
    else:
        print_tracked(tracked)


@track_app.command("load-versions")
def track_load_versions(
    folder: Annotated[
        Path, typer.Argument(help="An OTA versions folder: <service>/<document>/history.json.")
    ],
    json_output: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Replay version histories recorded by Open Terms Archive into the store."""
    with open_workspace(db=db) as ws:
        loaded = ws.load_versions(folder)
    if json_output:
        print_json(loaded)
        return
    for item in loaded:
        state = "already loaded" if item.skipped else f"{item.added} versions"
        out.print(f"{escape(item.service)} / {escape(item.document)}: {state}")
        for suspect in item.suspects:
            out.print(f"  [yellow]suspect[/yellow] {escape(suspect)}")
    suspects = sum(len(item.suspects) for item in loaded)
    out.print(f"{sum(i.added for i in loaded)} versions loaded, {suspects} suspect")


@app.command("fetch")
def fetch_command(
    services: Annotated[
        list[str] | None, typer.Argument(help="Services by name or slug (default: all).")
    ] = None,
    json_output: JsonOption = False,
    allow_private: AllowPrivateOption = False,
    db: DbOption = None,
) -> None:
    """Fetch tracked documents now; record a version where the text changed."""
    from rich.progress import Progress

    with open_workspace(db=db) as ws:
        if json_output or not out.is_terminal:
            results = ws.fetch(
                services or [], allow_private, None if json_output else print_fetched
            )
        else:
            with Progress(console=out, transient=True) as progress:
                task = progress.add_task("fetching", total=None)

                def advance(result: DocumentFetch) -> None:
                    progress.advance(task)
                    print_fetched(result)

                results = ws.fetch(services or [], allow_private, advance)
    if json_output:
        print_json(results)
    else:
        counts = {
            k: sum(r.outcome == k for r in results) for k in ("changed", "unchanged", "failed")
        }
        out.print(", ".join(f"{n} {k}" for k, n in counts.items()))
    if any(result.outcome == "failed" for result in results):
        raise typer.Exit(1)


@app.command("history")
def history_command(
    service: Annotated[str, typer.Argument(help="A tracked service, by name or slug.")],
    document: Annotated[str | None, typer.Argument(help="One of its documents.")] = None,
    json_output: JsonOption = False,
    db: DbOption = None,
) -> None:
    """List the recorded versions of a service's documents and their recent fetch failures."""
    with open_workspace(db=db) as ws:
        histories = ws.history(service, document)
    if json_output:
        print_json(histories)
        return
    for history in histories:
        out.print(f"[bold]{escape(history.service)} / {escape(history.document)}[/bold]")
        for v in history.versions:
            suspect = f"  [yellow]suspect: {escape(v.suspect)}[/yellow]" if v.suspect else ""
            out.print(
                f"  #{v.id:<5} {v.recorded_at}  {v.characters:>8,} chars {v.words:>7,} words  "
                f"{v.text_sha256[:12]}  {v.kind}{suspect}"
            )
        for failure in history.recent_failures:
            out.print(f"  [red]failed[/red] {failure.attempted_at}: {escape(failure.error or '')}")
