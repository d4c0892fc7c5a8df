"""The frame of the ``tosanalyzer`` command: the Typer app, the options its commands share, the
exit codes and the entry point.

The library is imported only inside a command (``open_workspace``), never here: it loads spaCy,
and ``tosanalyzer --help`` should not wait for that.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.markup import escape

from tosanalyzer.cli.printers import err, out

if TYPE_CHECKING:
    from tosanalyzer.workspace import Workspace

app = typer.Typer(
    help="Read vendors' Terms of Service with evidence: tag risky clauses and quote them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

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
INTERNAL_ERROR = 70
"""Exit code of a crash (EX_SOFTWARE): apart from `check`'s mask (1, 2, 4), so a scheduler that
counts 1 ("a material change") as success never counts a crash as one."""


def fail(message: str, code: int = REFUSED) -> NoReturn:
    err.print(f"error: {escape(message)}")
    raise typer.Exit(code)


@contextmanager
def open_workspace(
    patterns: Path | None = None, db: Path | None = None, refused: int = REFUSED
) -> Iterator[Workspace]:
    """A workspace whose user-facing errors become one line on stderr and exit ``refused``."""
    from tosanalyzer.workspace import USER_ERRORS, Workspace

    try:
        yield Workspace(patterns, db)
    except USER_ERRORS as exc:
        fail(str(exc), refused)


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
