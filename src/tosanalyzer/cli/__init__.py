"""The ``tosanalyzer`` command: a thin face over ``tosanalyzer.workspace``.

It parses arguments, calls the library API and prints — human-readable on a terminal, JSON with
``--json``. Errors are one line on stderr and exit code 2. spaCy is imported only when a command
needs it, so ``tosanalyzer --help`` starts fast.

The frame (the app, shared options, exit codes, ``main``) is ``app``, the printing ``printers``;
each other module registers one area's commands when it is imported.
"""

# isort: off
# --help lists the commands in the order their modules are imported.
from tosanalyzer.cli import analysis, tracking, review, alerts, browse  # noqa: F401

# isort: on
from tosanalyzer.cli.app import CHECK_REFUSED, INTERNAL_ERROR, REFUSED, app, main

__all__ = ["CHECK_REFUSED", "INTERNAL_ERROR", "REFUSED", "app", "main"]
