"""Commands that judge and compare what is stored: ``report``, ``export``, ``schema`` and
``diff``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer
from rich.markup import escape

from tosanalyzer.cli.app import (
    DbOption,
    HomeOption,
    JsonOption,
    PatternsOption,
    app,
    fail,
    open_workspace,
)
from tosanalyzer.cli.printers import (
    err,
    print_clause_diff,
    print_json,
    print_text_diff,
    write_text,
)

if TYPE_CHECKING:
    from tosanalyzer.workspace import Export, ExportFormat, Lang, ReportFormat


@app.command("report")
def report_command(
    target: Annotated[
        str, typer.Argument(help="A tracked service (name or slug), or a .txt/.md/.html file.")
    ],
    output_format: Annotated[
        str, typer.Option("--format", help="markdown (default) or html (one printable file).")
    ] = "markdown",
    json_output: JsonOption = False,
    lang: Annotated[str, typer.Option("--lang", help="Labels and titles: en or ja.")] = "en",
    home: HomeOption = None,
    patterns: PatternsOption = None,
    db: DbOption = None,
) -> None:
    """Grade a vendor against the red-flag checklist, every flag with its quoted evidence."""
    if output_format not in ("markdown", "html"):
        fail(f"--format must be markdown or html, not '{output_format}'")
    if lang not in ("en", "ja"):
        fail(f"--lang must be en or ja, not '{lang}'")
    fmt = cast("ReportFormat", "json" if json_output else output_format)
    with open_workspace(patterns, db) as ws:
        text = ws.report(target, fmt, cast("Lang", lang), home)
    write_text(text if text.endswith("\n") else text + "\n")


@app.command("export")
def export_command(
    services: Annotated[
        list[str] | None,
        typer.Argument(help="Services by name or slug (default: every tracked service)."),
    ] = None,
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            help="json (default), jsonl (a document per line) or csv (a finding per row).",
        ),
    ] = "json",
    out_path: Annotated[
        Path | None,
        typer.Option(
            "--out", help="File to write; '-' or none for standard output.", dir_okay=False
        ),
    ] = None,
    history: Annotated[
        int,
        typer.Option(
            "--history",
            min=0,
            help="Class the last N version pairs of each document (default 10); all are listed.",
        ),
    ] = 10,
    bom: Annotated[
        bool, typer.Option("--bom", help="CSV only: start with a UTF-8 byte order mark (Excel).")
    ] = False,
    home: HomeOption = None,
    patterns: PatternsOption = None,
    db: DbOption = None,
) -> None:
    """Export grades, checklists, quoted findings and change history as JSON, JSON Lines or CSV."""
    if output_format not in ("json", "jsonl", "csv"):
        fail(f"--format must be json, jsonl or csv, not '{output_format}'")
    if bom and output_format != "csv":
        fail("--bom applies to --format csv only (JSON must not start with a byte order mark)")
    with open_workspace(patterns, db) as ws:
        result = ws.export(services or [], history, home)
    _write_export(result, cast("ExportFormat", output_format), out_path, bom)


def _write_export(result: Export, fmt: ExportFormat, path: Path | None, bom: bool) -> None:
    """To standard output, or to a file replaced only once the export is written whole."""
    from tosanalyzer.workspace import write_export

    if path is None or str(path) == "-":
        write_export(result, fmt, sys.stdout, bom)
        return
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8", newline="") as stream:
            write_export(result, fmt, stream, bom)
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        fail(f"cannot write {path}: {exc.strerror or exc}")
    documents = [d for vendor in result.vendors for d in vendor.documents]
    findings = sum(len(d.findings) for d in documents)
    err.print(f"{len(documents)} documents, {findings} findings → {escape(str(path))}")


@app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema (draft 2020-12) that `tosanalyzer export --format json` follows."""
    from tosanalyzer.workspace import schema_json

    sys.stdout.write(schema_json())


@app.command("diff")
def diff_command(
    service: Annotated[str, typer.Argument(help="A tracked service, by name or slug.")],
    document: Annotated[str, typer.Argument(help="One of its documents, by name or slug.")],
    old: Annotated[
        str | None,
        typer.Option("--from", help="Older version: an id, or a date prefix (2024-05)."),
    ] = None,
    new: Annotated[
        str | None,
        typer.Option("--to", help="Newer version: an id, or a date prefix (default: latest)."),
    ] = None,
    context: Annotated[int, typer.Option("--context", help="Lines of context around changes.")] = 3,
    json_output: JsonOption = False,
    patterns: PatternsOption = None,
    db: DbOption = None,
) -> None:
    """Compare two versions of a document: the text, and what changed in its clauses."""
    with open_workspace(patterns, db) as ws:
        result = ws.diff(service, document, old, new, context)
    if json_output:
        print_json(result)
        return
    print_text_diff(result)
    print_clause_diff(result)
