"""The ``tosanalyzer`` command: a thin face over ``workspace``.

It parses arguments, calls the library API and prints — human-readable on a terminal, JSON with
``--json``. Errors are one line on stderr and exit code 2. spaCy is imported only when a command
needs it, so ``tosanalyzer --help`` starts fast.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from tosanalyzer.models import AnalysisResult, EvalReport
    from tosanalyzer.workspace import Workspace

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

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

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


def _fail(message: str) -> NoReturn:
    err.print(f"error: {escape(message)}")
    raise typer.Exit(2)


@contextmanager
def _workspace(patterns: Path | None) -> Iterator[Workspace]:
    """A workspace whose user-facing errors become one line on stderr and exit code 2."""
    from tosanalyzer.workspace import USER_ERRORS, Workspace

    try:
        yield Workspace(patterns)
    except USER_ERRORS as exc:
        _fail(str(exc))


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
    path: Annotated[Path, typer.Argument(help="A .txt, .md or .html file.")],
    json_output: JsonOption = False,
    patterns: PatternsOption = None,
) -> None:
    """Split a document into clauses and tag them with the clause-pattern library."""
    with _workspace(patterns) as ws:
        result = ws.analyze_path(path)
    if json_output:
        out.print_json(result.model_dump_json(), highlight=False)
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
            value = ", ".join(
                str(v["text"]) if isinstance(v, dict) else str(v) for v in value
            )
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
        out.print_json(library.model_dump_json(), highlight=False)
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
        payload = {"examples": run, "failures": [f.model_dump() for f in failures]}
        out.print_json(json.dumps(payload), highlight=False)
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
    patterns: PatternsOption = None,
) -> None:
    """Score clause tagging against labelled sentences or quotes (precision, recall, F1)."""
    with _workspace(patterns) as ws:
        report = ws.evaluate(labels, with_errors=errors, split=split)
    if json_output:
        data = report.model_dump(exclude={"errors"} if not errors else set())
        out.print_json(json.dumps(data), highlight=False)
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
    for error in report.errors:
        tag = "FP" if error.kind == "false_positive" else "FN"
        fired = escape(f" [{error.pattern_id}]") if error.pattern_id else ""
        out.print(f"{tag} {error.clause_type}{fired} {escape(error.item)}: {escape(error.text)}")
        if error.nearest_miss:
            out.print(f"   [dim]nearest miss: {escape(error.nearest_miss)}[/dim]")


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
