"""Commands that read one text, or the pattern library itself: ``analyze``, ``patterns`` and
``eval``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from tosanalyzer.cli.app import (
    AllowPrivateOption,
    JsonOption,
    PatternsOption,
    app,
    open_workspace,
)
from tosanalyzer.cli.printers import (
    out,
    print_analysis,
    print_eval_report,
    print_json,
    print_judged_report,
)

patterns_app = typer.Typer(
    help="Inspect and test the clause-pattern library.", no_args_is_help=True
)
app.add_typer(patterns_app, name="patterns")


@app.command()
def analyze(
    source: Annotated[str, typer.Argument(help="A .txt, .md or .html file, or an http(s) URL.")],
    json_output: JsonOption = False,
    patterns: PatternsOption = None,
    allow_private: AllowPrivateOption = False,
) -> None:
    """Split a document into clauses and tag them with the clause-pattern library."""
    with open_workspace(patterns) as ws:
        if source.startswith(("http://", "https://")):
            result = ws.analyze_url(source, allow_private=allow_private)
        else:
            result = ws.analyze_path(Path(source))
    if json_output:
        print_json(result)
    else:
        print_analysis(result)


@patterns_app.command("list")
def patterns_list(json_output: JsonOption = False, patterns: PatternsOption = None) -> None:
    """Show every clause type in the library with its severity and rules."""
    with open_workspace(patterns) as ws:
        library = ws.library
    if json_output:
        print_json(library)
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
    with open_workspace(patterns) as ws:
        run, failures = ws.test_patterns()
    if json_output:
        print_json({"examples": run, "failures": failures})
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
    labels: Annotated[
        Path, typer.Argument(help="CLAUDETTE, ToS;DR or judged-findings JSONL file.")
    ],
    json_output: JsonOption = False,
    errors: Annotated[
        bool,
        typer.Option(
            "--errors",
            help="List false positives and false negatives (judged sets: the findings not"
            " judged yet).",
        ),
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
    """Score clause tagging against labelled sentences or quotes (precision, recall, F1), or
    today's findings against a reviewer's verdicts on whole documents (judged sets)."""
    with open_workspace(patterns) as ws:
        if ws.is_judged(labels):
            judged = ws.evaluate_judged(labels)
            if json_output:
                print_json(judged, exclude=None if errors else {"unjudged"})
            else:
                print_judged_report(judged, errors)
            return
        report = ws.evaluate(labels, with_errors=errors, split=split, leave_one_out=leave_one_out)
    if json_output:
        print_json(report, exclude=None if errors else {"errors"})
    else:
        print_eval_report(report)
