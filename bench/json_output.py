"""Time and memory of printing a large result as JSON: the command's writer against Rich's.

Run by hand (never asserted in CI):  python bench/json_output.py [MEGABYTES]

Builds an ``AnalysisResult`` of about MEGABYTES of JSON (default 5) from the Northwind sample's
own analysis, its clauses and findings repeated, and writes it to the null device twice: through
``cli.printers.print_json`` (pydantic's JSON, written as bytes) and through
``Console.print_json`` (what ``--json`` used before: the JSON parsed back into Python objects and
laid out again). Prints the seconds and the peak memory (tracemalloc) of each.
"""

from __future__ import annotations

import io
import os
import sys
import time
import tracemalloc
from collections.abc import Callable

from rich.console import Console

from tosanalyzer.base.bundled import corpora_dir
from tosanalyzer.cli.printers import print_json
from tosanalyzer.models import AnalysisResult
from tosanalyzer.workspace import Workspace


def large_result(megabytes: float) -> AnalysisResult:
    result = Workspace().analyze_path(corpora_dir() / "samples" / "northwind-terms.md")
    copies = max(1, round(megabytes * 1e6 / len(result.model_dump_json(indent=2))))
    return result.model_copy(
        update={"clauses": result.clauses * copies, "findings": result.findings * copies}
    )


def measured(write: Callable[[], None]) -> tuple[float, float]:
    """Seconds and peak MB of ``write``, with standard output sent to the null device."""
    saved = sys.stdout
    with open(os.devnull, "wb") as null:
        sys.stdout = io.TextIOWrapper(null, encoding="utf-8")
        tracemalloc.start()
        start = time.perf_counter()
        try:
            write()
            sys.stdout.flush()
        finally:
            seconds = time.perf_counter() - start
            peak = tracemalloc.get_traced_memory()[1] / 1e6
            tracemalloc.stop()
            sys.stdout = saved
    return seconds, peak


def main() -> None:
    megabytes = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    result = large_result(megabytes)
    size = len(result.model_dump_json(indent=2).encode()) / 1e6
    print(f"AnalysisResult: {len(result.findings):,} findings, {size:.1f} MB of JSON")

    def rich() -> None:
        Console(file=sys.stdout, highlight=False, soft_wrap=True).print_json(
            result.model_dump_json(), highlight=False
        )

    for name, write in (("cli.printers.print_json", lambda: print_json(result)), ("Rich", rich)):
        seconds, peak = measured(write)
        print(f"{name:16} {seconds:7.2f} s  peak {peak:8.1f} MB")


if __name__ == "__main__":
    main()
