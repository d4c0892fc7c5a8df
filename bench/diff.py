"""Time the text diff and the clause diff on the largest real version pairs.

Run by hand (never asserted in CI):  python bench/diff.py [OTA_DIR]

For Amazon Web Services' and Microsoft's terms of service (the largest documents in the Open
Terms Archive corpus), takes the consecutive version pair with the most text, and times on it:
the text diff (``diff_text``: line mode, then word and character refinement of edited lines)
and the clause diff (``diff_clauses``: alignment, findings, attributes, classes; both analyses
made beforehand and not counted). Each figure is the median of a few runs, printed beside a plain
``difflib.unified_diff`` of the same pair's lines and as a ratio to it. The slowest pair of the
whole history is printed too, as a single run.
"""

from __future__ import annotations

import difflib
import gc
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from ota_diff_classes import DEFAULT_OTA, CachedAnalyzer, Version, history

from tosanalyzer.change import diff_clauses, diff_text

DOCUMENTS = ("amazon-web-services/terms-of-service", "microsoft/terms-of-service")
ROUNDS = 5


@dataclass(frozen=True)
class Figures:
    text: float
    clauses: float
    difflib: float


def timed(func: Callable[[], object], rounds: int) -> float:
    """Median wall time, with the garbage collector run before and kept out of each round."""
    times = []
    for _ in range(rounds):
        gc.collect()
        gc.disable()
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
        gc.enable()
    return statistics.median(times)


def measure(old: Version, new: Version, analyzer: CachedAnalyzer, rounds: int) -> Figures:
    old_result, new_result = analyzer.analyse(old.text), analyzer.analyse(new.text)
    old_lines, new_lines = old.text.splitlines(True), new.text.splitlines(True)
    return Figures(
        text=timed(lambda: diff_text(old.text, new.text), rounds),
        clauses=timed(
            lambda: diff_clauses(old_result, new_result, analyzer.workspace.library), rounds
        ),
        difflib=timed(lambda: list(difflib.unified_diff(old_lines, new_lines)), rounds),
    )


def show(label: str, figures: Figures) -> None:
    ms = 1000
    print(
        f"  {label:<44} text diff {figures.text * ms:6.1f} ms"
        f" ({figures.text / figures.difflib:5.1f}× difflib)"
        f"   clause diff {figures.clauses * ms:6.1f} ms"
        f" ({figures.clauses / figures.difflib:5.1f}× difflib)"
        f"   difflib {figures.difflib * ms:5.1f} ms"
    )


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OTA
    analyzer = CachedAnalyzer()
    print("targets: text diff < 100 ms, clause diff < 300 ms (medians of", ROUNDS, "runs)")
    for document in DOCUMENTS:
        versions = history(root / document)
        pairs = list(pairwise(versions))
        old, new = max(pairs, key=lambda pair: len(pair[0].text) + len(pair[1].text))
        size = (len(old.text) + len(new.text)) // 2000
        print(f"{document}: {len(pairs)} pairs")
        show(
            f"largest pair ({old.date[:10]} → {new.date[:10]}, ~{size} KB)",
            measure(old, new, analyzer, ROUNDS),
        )
        every = [(pair, measure(*pair, analyzer, 1)) for pair in pairs]
        (old, new), _ = max(every, key=lambda item: item[1].text)
        show(
            f"slowest text diff ({old.date[:10]} → {new.date[:10]})",
            measure(old, new, analyzer, ROUNDS),
        )
        (old, new), _ = max(every, key=lambda item: item[1].clauses)
        show(
            f"slowest clause diff ({old.date[:10]} → {new.date[:10]})",
            measure(old, new, analyzer, ROUNDS),
        )


if __name__ == "__main__":
    main()
