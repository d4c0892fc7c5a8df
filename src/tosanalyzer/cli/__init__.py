"""The ``tosanalyzer`` command: a thin face over ``workspace``.

It parses arguments, calls the library API and prints — human-readable on a terminal, JSON with
``--json``. Errors are one line on stderr and exit code 2. spaCy is imported only when a command
needs it, so ``tosanalyzer --help`` starts fast.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, cast

import typer
from rich.console import Console, ConsoleOptions, RenderableType
from rich.markup import escape
from rich.segment import Segment

from tosanalyzer.models.text import strip_controls

if TYPE_CHECKING:
    from tosanalyzer.alerts.check import CheckOptions
    from tosanalyzer.alerts.messages import RunDigest
    from tosanalyzer.export import Export, ExportFormat
    from tosanalyzer.judgement.report import Lang, ReportFormat
    from tosanalyzer.models import AnalysisResult, EvalReport, TrackedService
    from tosanalyzer.tracking.tracker import DocumentFetch
    from tosanalyzer.tui.app import OpenAt
    from tosanalyzer.workspace import DocumentDiff, Workspace

app = typer.Typer(
    help="Read vendors' Terms of Service with evidence: tag risky clauses and quote them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
patterns_app = typer.Typer(
    help="Inspect and test the clause-pattern library.", no_args_is_help=True
)
app.add_typer(patterns_app, name="patterns")
track_app = typer.Typer(
    help="Declare the vendor documents to watch (Open Terms Archive declarations).",
    no_args_is_help=True,
)
app.add_typer(track_app, name="track")


class _PlainConsole(Console):
    """A console that prints no control character it is given as text.

    Vendors' pages, and versions stored before text was cleaned on its way in, can hold ESC
    sequences (clear the screen, retitle the window, a hyperlink that points elsewhere) and C1
    controls; Rich's escaping stops markup, not those. Every print renders through here, so no
    printer has to remember; Rich's own control segments (a progress bar's cursor moves) pass.
    """

    def render(
        self, renderable: RenderableType, options: ConsoleOptions | None = None
    ) -> Iterable[Segment]:
        for segment in super().render(renderable, options):
            if segment.control:
                yield segment
            else:
                yield Segment(strip_controls(segment.text), segment.style)


out = _PlainConsole(highlight=False, soft_wrap=True)
err = _PlainConsole(stderr=True, highlight=False, soft_wrap=True)


def _write(text: str) -> None:
    """Output that bypasses Rich (a report, a JSON line), as safe as what ``out`` prints."""
    sys.stdout.write(strip_controls(text))


PatternsOption = Annotated[
    Path | None,
    typer.Option(
        "--patterns",
        envvar="TOSANALYZER_PATTERNS",
        help="Folder of clause-pattern YAML files (default: the shipped library).",
        file_okay=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
HomeOption = Annotated[
    str | None,
    typer.Option(
        "--home", help="Home jurisdiction, ISO 3166 (JP, US-CA); default: the settings file."
    ),
]
DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        envvar="TOSANALYZER_DB",
        help="The SQLite store (default: tosanalyzer.db in the user data folder).",
        dir_okay=False,
    ),
]
AllowPrivateOption = Annotated[
    bool,
    typer.Option(
        "--allow-private",
        help="Also fetch from private, loopback, link-local and reserved addresses (a local"
        " mirror). To allow only some networks, list them in allow_networks in the settings file."
        " A declaration file never can.",
    ),
]


REFUSED = 2
"""Exit code of a command refused for the user's input (a bad option, file, store or name)."""
CHECK_REFUSED = 64
"""Exit code of a `check` or `watch` that could not run at all (EX_USAGE): 2 is a bit of
`check`'s mask ("documents failed"), which a refusal must not be read as."""


def _fail(message: str, code: int = REFUSED) -> NoReturn:
    err.print(f"error: {escape(message)}")
    raise typer.Exit(code)


@contextmanager
def _workspace(
    patterns: Path | None = None, db: Path | None = None, refused: int = REFUSED
) -> Iterator[Workspace]:
    """A workspace whose user-facing errors become one line on stderr and exit ``refused``."""
    from tosanalyzer.workspace import USER_ERRORS, Workspace

    try:
        yield Workspace(patterns, db)
    except USER_ERRORS as exc:
        _fail(str(exc), refused)


def _version(value: bool) -> None:
    if value:
        from tosanalyzer import __version__

        out.print(f"tosanalyzer {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Read vendors' Terms of Service with evidence: tag risky clauses and quote them."""


@app.command()
def analyze(
    source: Annotated[str, typer.Argument(help="A .txt, .md or .html file, or an http(s) URL.")],
    json_output: JsonOption = False,
    patterns: PatternsOption = None,
    allow_private: AllowPrivateOption = False,
) -> None:
    """Split a document into clauses and tag them with the clause-pattern library."""
    with _workspace(patterns) as ws:
        if source.startswith(("http://", "https://")):
            result = ws.analyze_url(source, allow_private=allow_private)
        else:
            result = ws.analyze_path(Path(source))
    if json_output:
        _print_json(result)
    else:
        _print_analysis(result)


def _print_analysis(result: AnalysisResult) -> None:
    doc = result.document
    out.print(f"[bold]{escape(doc.source)}[/bold]")
    facts = [doc.format, f"language {doc.language}"]
    if doc.effective_date:
        facts.append(f"effective {doc.effective_date}")
    facts += [f"{len(result.clauses)} clauses", f"{len(result.findings)} findings"]
    out.print(" · ".join(facts))
    prov = result.provenance
    out.print(
        f"[dim]patterns {prov.pattern_library_version} · tosanalyzer {prov.analyzer_version}[/dim]"
    )
    if not doc.analysed:
        out.print(f"[yellow]{escape(doc.not_analysed_reason or 'not analysed')}[/yellow]")
        return
    colours = {"blocker": "red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}
    for finding in result.findings:
        where = " > ".join(finding.section_path) or "(top)"
        colour = colours[finding.severity]
        form = f"fair form: {finding.fair_because}" if finding.fairness == "fair" else ""
        out.print(
            f"\n[{colour}]{finding.severity.upper():7}[/{colour}] [bold]{finding.clause_type}"
            f"[/bold] ({finding.polarity}) in {escape(where)}  [dim]{finding.pattern_id}[/dim]"
            + (f"  [green]{escape(form)}[/green]" if form else "")
        )
        out.print(f"        “{escape(' '.join(finding.quote.split()))}”")
        facts_line = _attribute_line(finding.attributes.model_dump(exclude_defaults=True))
        if facts_line:
            out.print(f"        [cyan]{escape(facts_line)}[/cyan]")
    out.print("\n[dim]An automated reading of the terms, not legal advice.[/dim]")


def _attribute_line(attrs: dict[str, object]) -> str:
    parts = []
    for key, value in attrs.items():
        if isinstance(value, list):
            value = ", ".join(str(v["text"]) if isinstance(v, dict) else str(v) for v in value)
        elif isinstance(value, dict):
            value = value.get("text", value)
        parts.append(f"{key}: {value}")
    return "; ".join(parts)


@patterns_app.command("list")
def patterns_list(json_output: JsonOption = False, patterns: PatternsOption = None) -> None:
    """Show every clause type in the library with its severity and rules."""
    with _workspace(patterns) as ws:
        library = ws.library
    if json_output:
        _print_json(library)
        return
    out.print(f"pattern library {library.version}: {len(library.patterns)} clause types")
    for p in library.patterns:
        claudette = f" [dim]CLAUDETTE: {p.claudette}[/dim]" if p.claudette else ""
        out.print(
            f"{p.id:32} {p.severity:8} {p.polarity:8} {len(p.patterns):2} rules  "
            f"{escape(p.title.en)}{claudette}"
        )


@patterns_app.command("test")
def patterns_test(json_output: JsonOption = False, patterns: PatternsOption = None) -> None:
    """Run every pattern file's match / no_match / fair examples; exit 1 when one fails."""
    with _workspace(patterns) as ws:
        run, failures = ws.test_patterns()
    if json_output:
        _print_json({"examples": run, "failures": failures})
    else:
        verbs = {
            "match": "should match but did not",
            "fair": "should match in its fair form but did not",
            "no_match": "should not match",
        }
        for failure in failures:
            verb = verbs[failure.expected]
            fired = f" (fired: {', '.join(failure.fired)})" if failure.fired else ""
            out.print(
                f"[red]FAIL[/red] {failure.clause_type}: {verb}{fired}: {escape(failure.text)}"
            )
        out.print(f"{run - len(failures)} passed, {len(failures)} failed")
    if failures:
        raise typer.Exit(1)


@app.command("eval")
def eval_command(
    labels: Annotated[Path, typer.Argument(help="CLAUDETTE or ToS;DR labelled JSONL file.")],
    json_output: JsonOption = False,
    errors: Annotated[
        bool, typer.Option("--errors", help="List false positives and false negatives.")
    ] = False,
    split: Annotated[
        str | None,
        typer.Option(
            "--split", help="CLAUDETTE only: score one LexGLUE split (train or validation)."
        ),
    ] = None,
    leave_one_out: Annotated[
        bool,
        typer.Option(
            "--leave-one-out",
            help="Score each document (CLAUDETTE) or service (ToS;DR) without the rules that "
            "help in it alone — an estimate of accuracy on documents the rules were not "
            "written from.",
        ),
    ] = False,
    patterns: PatternsOption = None,
) -> None:
    """Score clause tagging against labelled sentences or quotes (precision, recall, F1)."""
    with _workspace(patterns) as ws:
        report = ws.evaluate(labels, with_errors=errors, split=split, leave_one_out=leave_one_out)
    if json_output:
        _print_json(report, exclude=None if errors else {"errors"})
    else:
        _print_report(report)


def _print_report(report: EvalReport) -> None:
    out.print(
        f"{report.dataset} · {escape(report.source)} · {report.items} items · "
        f"patterns {report.provenance.pattern_library_version}"
    )
    out.print(f"{'category':32} {'P':>6} {'R':>6} {'F1':>6} {'support':>8}")
    rows = [*report.per_category.items(), ("micro", report.micro), ("macro", report.macro)]
    for name, s in rows:
        out.print(f"{name:32} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.support:8d}")
    if report.false_tag_rate is not None:
        out.print(f"false_tag_rate {report.false_tag_rate:.4f}", end="")
        if report.false_tag_rate_without_last_updated is not None:
            rate = report.false_tag_rate_without_last_updated
            out.print(f" (without 'last updated' rows: {rate:.4f})", end="")
        out.print()
    if report.leave_one_out:
        single = report.single_document_rules
        group = "document" if report.dataset == "claudette" else "service"
        out.print(
            f"leave-one-out: each {group} scored without the {len(single)} rules that help "
            f"in one {group} only (rule · role · {group}):"
        )
        for support in single:
            out.print(f"  {support.rule} · {support.role} · {escape(support.document)}")
    for error in report.errors:
        tag = "FP" if error.kind == "false_positive" else "FN"
        fired = escape(f" [{error.pattern_id}]") if error.pattern_id else ""
        out.print(f"{tag} {error.clause_type}{fired} {escape(error.item)}: {escape(error.text)}")
        if error.nearest_miss:
            out.print(f"   [dim]nearest miss: {escape(error.nearest_miss)}[/dim]")


INTERNAL_ERROR = 70
"""Exit code of a crash (EX_SOFTWARE): apart from `check`'s mask (1, 2, 4), so a scheduler that
counts 1 ("a material change") as success never counts a crash as one."""


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except Exception:
        err.print_exception(show_locals=False)
        err.print(f"internal error: tosanalyzer stopped; exit code {INTERNAL_ERROR}")
        sys.exit(INTERNAL_ERROR)


# --- tracking ------------------------------------------------------------------------------------


def _print_tracked(services: list[TrackedService]) -> None:
    for service in services:
        out.print(f"[bold]{escape(service.name)}[/bold] [dim]({service.slug})[/dim]")
        for document in service.documents:
            pages = f"{document.pages} pages" if document.pages != 1 else "1 page"
            out.print(
                f"  {escape(document.name)} [dim]({document.slug})[/dim] · {pages} · "
                f"{document.versions} versions"
            )
            for note in document.notes:
                out.print(f"    [yellow]{escape(note)}[/yellow]")


def _print_json(data: object, exclude: set[str] | None = None) -> None:
    """``data`` (a model, or a list or dict of models) as indented JSON, made by pydantic and
    written as UTF-8 bytes. Rich's ``print_json`` parsed the JSON back into Python objects to lay
    it out again: 35 s and 1.3 GB for a 21 MB analysis. UTF-8 whatever the locale, as JSON is
    (RFC 8259): a stream in cp1252 cannot encode a Japanese vendor's name. Control characters
    are dropped, as from everything printed."""
    from pydantic import TypeAdapter

    text = TypeAdapter(type(data)).dump_json(data, indent=2, exclude=exclude).decode()
    sys.stdout.flush()  # anything printed before comes first
    sys.stdout.buffer.write(strip_controls(text).encode() + b"\n")


@track_app.command("add")
def track_add(
    files: Annotated[list[Path], typer.Argument(help="Declaration files (OTA JSON shape).")],
    json_output: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Track the services declared in FILES (every file is checked before any is stored)."""
    with _workspace(db=db) as ws:
        tracked = ws.track(files)
    if json_output:
        _print_json(tracked)
    else:
        _print_tracked(tracked)


@track_app.command("import-ota")
def track_import_ota(
    folder: Annotated[Path, typer.Argument(help="A folder of OTA declaration files.")],
    json_output: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Track every service of an Open Terms Archive declarations folder; say why a file is not."""
    with _workspace(db=db) as ws:
        scan, tracked = ws.import_ota(folder)
    if json_output:
        _print_json({"scan": scan, "tracked": tracked})
        return
    _print_tracked(tracked)
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
    with _workspace(db=db) as ws:
        tracked = ws.tracked()
    if json_output:
        _print_json(tracked)
    elif not tracked:
        out.print("no services tracked yet: see `tosanalyzer track add`")
    else:
        _print_tracked(tracked)


@track_app.command("load-versions")
def track_load_versions(
    folder: Annotated[
        Path, typer.Argument(help="An OTA versions folder: <service>/<document>/history.json.")
    ],
    json_output: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Replay version histories recorded by Open Terms Archive into the store."""
    with _workspace(db=db) as ws:
        loaded = ws.load_versions(folder)
    if json_output:
        _print_json(loaded)
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

    with _workspace(db=db) as ws:
        if json_output or not out.is_terminal:
            results = ws.fetch(
                services or [], allow_private, None if json_output else _print_fetched
            )
        else:
            with Progress(console=out, transient=True) as progress:
                task = progress.add_task("fetching", total=None)

                def advance(result: DocumentFetch) -> None:
                    progress.advance(task)
                    _print_fetched(result)

                results = ws.fetch(services or [], allow_private, advance)
    if json_output:
        _print_json(results)
    else:
        counts = {
            k: sum(r.outcome == k for r in results) for k in ("changed", "unchanged", "failed")
        }
        out.print(", ".join(f"{n} {k}" for k, n in counts.items()))
    if any(result.outcome == "failed" for result in results):
        raise typer.Exit(1)


def _print_fetched(result: DocumentFetch) -> None:
    colour = {"changed": "green", "unchanged": "dim", "failed": "red"}[result.outcome]
    where = f"{result.service} / {result.document}"
    line = f"[{colour}]{result.outcome:9}[/{colour}] {escape(where)}"
    if result.error:
        line += f": {escape(result.error)}"
    out.print(line)
    for name in result.unsupported_filters:
        out.print(f"          [yellow]JavaScript filter not run here: {escape(name)}[/yellow]")


@app.command("history")
def history_command(
    service: Annotated[str, typer.Argument(help="A tracked service, by name or slug.")],
    document: Annotated[str | None, typer.Argument(help="One of its documents.")] = None,
    json_output: JsonOption = False,
    db: DbOption = None,
) -> None:
    """List the recorded versions of a service's documents and their recent fetch failures."""
    with _workspace(db=db) as ws:
        histories = ws.history(service, document)
    if json_output:
        _print_json(histories)
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


# --- judgement -----------------------------------------------------------------------------------


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
        _fail(f"--format must be markdown or html, not '{output_format}'")
    if lang not in ("en", "ja"):
        _fail(f"--lang must be en or ja, not '{lang}'")
    fmt = cast("ReportFormat", "json" if json_output else output_format)
    with _workspace(patterns, db) as ws:
        text = ws.report(target, fmt, cast("Lang", lang), home)
    _write(text if text.endswith("\n") else text + "\n")


# --- export --------------------------------------------------------------------------------------


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
        _fail(f"--format must be json, jsonl or csv, not '{output_format}'")
    if bom and output_format != "csv":
        _fail("--bom applies to --format csv only (JSON must not start with a byte order mark)")
    with _workspace(patterns, db) as ws:
        result = ws.export(services or [], history, home)
    _write_export(result, cast("ExportFormat", output_format), out_path, bom)


def _write_export(result: Export, fmt: ExportFormat, path: Path | None, bom: bool) -> None:
    """To standard output, or to a file replaced only once the export is written whole."""
    from tosanalyzer.export import write

    if path is None or str(path) == "-":
        write(result, fmt, sys.stdout, bom)
        return
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8", newline="") as stream:
            write(result, fmt, stream, bom)
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        _fail(f"cannot write {path}: {exc.strerror or exc}")
    documents = [d for vendor in result.vendors for d in vendor.documents]
    findings = sum(len(d.findings) for d in documents)
    err.print(f"{len(documents)} documents, {findings} findings → {escape(str(path))}")


@app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema (draft 2020-12) that `tosanalyzer export --format json` follows."""
    from tosanalyzer.export import schema_json

    sys.stdout.write(schema_json())


# --- change --------------------------------------------------------------------------------------


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
    with _workspace(patterns, db) as ws:
        result = ws.diff(service, document, old, new, context)
    if json_output:
        _print_json(result)
        return
    _print_text_diff(result)
    _print_clause_diff(result)


def _print_text_diff(result: DocumentDiff) -> None:
    from tosanalyzer.change import unified_lines

    labels = (
        f"{result.document} version {result.old.id} ({result.old.recorded_at})",
        f"{result.document} version {result.new.id} ({result.new.recorded_at})",
    )
    if not out.is_terminal:
        for line in unified_lines(result.text, *labels):
            out.print(escape(line))
        return
    out.print(f"[bold]--- {escape(labels[0])}\n+++ {escape(labels[1])}[/bold]")
    styles = {"insert": "green", "delete": "red", "equal": ""}
    for hunk in result.text.hunks:
        out.print(f"[cyan]{hunk.header}[/cyan]")
        for row in hunk.lines:
            mark = {"equal": " ", "delete": "-", "insert": "+"}[row.op]
            body = "".join(
                f"[{styles[s.op]} bold]{escape(s.text)}[/]" if s.op != "equal" else escape(s.text)
                for s in row.segments
            ) or escape(row.text)
            colour = styles[row.op]
            out.print(f"[{colour}]{mark}{body}[/]" if colour else f"{mark}{body}")


def _print_clause_diff(result: DocumentDiff) -> None:
    clauses = result.clauses
    counts = ", ".join(
        f"{clauses.count(kind)} {kind}" for kind in ("added", "removed", "modified", "moved")
    )
    colour = {"material": "red", "substantive": "yellow", "cosmetic": "dim"}[clauses.change_class]
    out.print(f"\n[{colour}][bold]{clauses.change_class}[/bold][/{colour}] · clauses: {counts}")
    if clauses.capped_because:
        out.print(f"  [dim]never material: {escape(clauses.capped_because)}[/dim]")
    for reason in clauses.reasons:
        out.print(f"  {escape(reason)}")


# --- alerts --------------------------------------------------------------------------------------

NotifyOption = Annotated[
    list[str] | None,
    typer.Option(
        "--notify",
        metavar="URL",
        help="Also send alerts to this Apprise URL (repeatable). Prefer `notify` in the settings"
        " file: a command line is visible to other users of the machine.",
    ),
]
AllChangesOption = Annotated[
    bool,
    typer.Option("--all", help="Announce every change (substantive, cosmetic), not only material."),
]
MinSeverityOption = Annotated[
    str | None,
    typer.Option(
        "--min-severity",
        help="Announce only changes whose most severe finding reaches this: info, low, medium,"
        " high or blocker (default: the settings file's, else info).",
    ),
]
FailingAfterOption = Annotated[
    int | None,
    typer.Option(
        "--failing-after",
        min=1,
        help="Announce a document as no longer tracked after N failed fetches in a row"
        " (default: the settings file's, else 3).",
    ),
]
QuietOption = Annotated[
    bool,
    typer.Option(
        "--quiet",
        help="Print only alerts, failed documents and failed channels (cron mails any output).",
    ),
]
AlertLogOption = Annotated[
    str | None,
    typer.Option(
        "--alert-log",
        help="The JSON Lines alert log (default: <store>.alerts.jsonl beside the store;"
        " '' for none).",
    ),
]


def _check_options(
    notify: list[str] | None,
    include_all: bool,
    min_severity: str | None,
    failing_after: int | None,
    alert_log: str | None,
    allow_private: bool,
) -> CheckOptions:
    from typing import get_args

    from tosanalyzer.alerts.check import CheckOptions
    from tosanalyzer.models import Severity

    levels = get_args(Severity)
    if min_severity is not None and min_severity not in levels:
        _fail(
            f"--min-severity must be one of {', '.join(levels)}, not '{min_severity}'",
            CHECK_REFUSED,
        )
    return CheckOptions.model_validate(
        {
            "notify": notify or [],
            "include_all": include_all,
            "min_severity": min_severity,
            "failing_after": failing_after,
            "alert_log": alert_log,
            "allow_private": allow_private,
        }
    )


@app.command("check")
def check_command(
    json_output: JsonOption = False,
    notify: NotifyOption = None,
    include_all: AllChangesOption = False,
    min_severity: MinSeverityOption = None,
    failing_after: FailingAfterOption = None,
    alert_log: AlertLogOption = None,
    quiet: QuietOption = False,
    allow_private: AllowPrivateOption = False,
    patterns: PatternsOption = None,
    db: DbOption = None,
) -> None:
    """Fetch every tracked document once, find what changed, send alerts; exit with a bit mask."""
    options = _check_options(
        notify, include_all, min_severity, failing_after, alert_log, allow_private
    )
    with _workspace(patterns, db, CHECK_REFUSED) as ws:
        digest = ws.check(options, None if json_output or quiet else _print_fetched)
    if json_output:
        _print_json(digest)
    else:
        _print_digest(digest, quiet)
    raise typer.Exit(digest.exit_mask)


@app.command("watch")
def watch_command(
    every: Annotated[
        str, typer.Option("--every", help="Time between checks: 90s, 30m, 6h, 1d, 1h30m.")
    ] = "6h",
    jitter: Annotated[
        str | None,
        typer.Option(
            "--jitter",
            help="Delay each check by up to this much more, at random (default: a tenth of"
            " --every; 0 for none).",
        ),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print each check's digest as one line of JSON.")
    ] = False,
    notify: NotifyOption = None,
    include_all: AllChangesOption = False,
    min_severity: MinSeverityOption = None,
    failing_after: FailingAfterOption = None,
    alert_log: AlertLogOption = None,
    quiet: QuietOption = False,
    allow_private: AllowPrivateOption = False,
    patterns: PatternsOption = None,
    db: DbOption = None,
) -> None:
    """Run `check` on a schedule until SIGINT or SIGTERM; its state is kept in the store."""
    from tosanalyzer.alerts.schedule import (
        IntervalError,
        parse_interval,
        run_every,
        stop_on_signals,
    )

    try:
        period = parse_interval(every)
        spread = period / 10 if jitter is None else parse_interval(jitter)
    except IntervalError as exc:
        _fail(str(exc), CHECK_REFUSED)
    if period <= 0:
        _fail("--every must be longer than 0s", CHECK_REFUSED)
    options = _check_options(
        notify, include_all, min_severity, failing_after, alert_log, allow_private
    )
    with _workspace(patterns, db, CHECK_REFUSED) as ws:
        channels = ws.alert_channels(options)  # a wrong URL stops the watch now, not at 3 a.m.
        due_in = _due_in(ws.last_check(), period)
        names = ", ".join(c.label for c in channels) or "no channel (the alert log only)"
        err.print(f"watching: a check every {escape(every)}; alerts to {escape(names)}")

        def one_pass() -> None:
            digest = ws.check(options, None if json_output or quiet else _print_fetched)
            if json_output:
                _write(digest.model_dump_json() + "\n")
            else:
                _print_digest(digest, quiet)
            sys.stdout.flush()

        with stop_on_signals() as stop:
            passes = run_every(
                one_pass,
                period,
                stop,
                jitter=spread,
                first_in=due_in,
                on_error=_report_pass_error,
                on_wait=lambda seconds: err.print(f"next check in {seconds:.0f} s"),
            )
    err.print(f"stopped ({stop.signal}) after {passes} checks")


def _due_in(last_start: str | None, period: float) -> float:
    """Seconds until the next check is due, counting from the last one the store recorded."""
    from datetime import UTC, datetime

    if last_start is None:
        return 0.0
    elapsed = (datetime.now(UTC) - datetime.fromisoformat(last_start)).total_seconds()
    return max(0.0, period - elapsed)


def _report_pass_error(exc: Exception) -> None:
    """A failed pass is reported and the watch goes on (the next pass may well work)."""
    from tosanalyzer.workspace import USER_ERRORS

    what = str(exc) if isinstance(exc, USER_ERRORS) else f"{type(exc).__name__}: {exc}"
    err.print(f"error: check failed: {escape(what)}")


def _print_digest(digest: RunDigest, quiet: bool = False) -> None:
    """The alerts as the channels read them (in plain text), then what happened to each channel.
    ``quiet`` keeps only what needs a human: alerts, failed documents, failed channels."""
    from tosanalyzer.alerts.messages import plural, render

    if digest.alerts:
        out.print(escape(render(digest, [a.alert for a in digest.alerts], "text").body))
    if quiet:
        for failure in digest.failures:
            where = f"{failure.service} / {failure.document}"
            out.print(f"[red]failed[/red] {escape(where)}: {escape(failure.error)}")
    else:
        found = digest.changes_found
        out.print(
            f"{plural(digest.documents, 'document')}: {digest.changed} changed,"
            f" {digest.unchanged} unchanged, {digest.failed} failed; changes found:"
            f" {found.material} material, {found.substantive} substantive,"
            f" {found.cosmetic} cosmetic ({digest.not_announced} not announced)"
        )
    for result in digest.channels:
        label = escape(result.channel)
        if not result.ok:
            tried = plural(result.attempts, "attempt")
            out.print(f"[red]not sent[/red] {label} after {tried}: {escape(result.error or '')}")
        elif quiet:
            continue
        elif result.alerts:
            out.print(f"sent {plural(result.alerts, 'alert')} to {label}")
        else:
            out.print(f"[dim]nothing to send to {label}[/dim]")


# --- the demo ------------------------------------------------------------------------------------


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
    from tosanalyzer.store import demo_db_path

    with _workspace(db=db or demo_db_path()) as ws:
        service = ws.load_demo()
        if no_tui or not out.is_terminal:
            _write(ws.report(service))
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
        _fail("--document needs --open SERVICE")
    if compare is not None and document is None:
        _fail("--compare needs --open SERVICE --document DOCUMENT")
    open_at = None
    with _workspace(db=db) as ws:
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
        _fail(f"the terminal UI needs a terminal on standard input and output; {hint}")
    from tosanalyzer.tui.app import TosApp
    from tosanalyzer.workspace import Workspace

    TosApp(Workspace(db=db), open_at).run_in_terminal()
