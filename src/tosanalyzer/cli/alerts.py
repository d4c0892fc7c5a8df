"""Commands that watch the tracked documents and tell people: ``check`` and ``watch``.

Both are run by schedulers that read the exit code, so a run refused before it starts exits
``CHECK_REFUSED``, apart from every value of ``check``'s bit mask.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from tosanalyzer.cli.app import (
    CHECK_REFUSED,
    AllowPrivateOption,
    DbOption,
    JsonOption,
    PatternsOption,
    app,
    fail,
    open_workspace,
)
from tosanalyzer.cli.printers import err, print_digest, print_fetched, print_json, write_text

if TYPE_CHECKING:
    from tosanalyzer.workspace import CheckOptions

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

    from tosanalyzer.models import Severity
    from tosanalyzer.workspace import CheckOptions

    levels = get_args(Severity)
    if min_severity is not None and min_severity not in levels:
        fail(
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
    with open_workspace(patterns, db, CHECK_REFUSED) as ws:
        digest = ws.check(options, None if json_output or quiet else print_fetched)
    if json_output:
        print_json(digest)
    else:
        print_digest(digest, quiet)
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
    from tosanalyzer.workspace import IntervalError, parse_interval, run_every, stop_on_signals

    try:
        period = parse_interval(every)
        spread = period / 10 if jitter is None else parse_interval(jitter)
    except IntervalError as exc:
        fail(str(exc), CHECK_REFUSED)
    if period <= 0:
        fail("--every must be longer than 0s", CHECK_REFUSED)
    options = _check_options(
        notify, include_all, min_severity, failing_after, alert_log, allow_private
    )
    with open_workspace(patterns, db, CHECK_REFUSED) as ws:
        channels = ws.alert_channels(options)  # a wrong URL stops the watch now, not at 3 a.m.
        due_in = _due_in(ws.last_check(), period)
        names = ", ".join(c.label for c in channels) or "no channel (the alert log only)"
        err.print(f"watching: a check every {escape(every)}; alerts to {escape(names)}")

        def one_pass() -> None:
            digest = ws.check(options, None if json_output or quiet else print_fetched)
            if json_output:
                write_text(digest.model_dump_json() + "\n")
            else:
                print_digest(digest, quiet)
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
