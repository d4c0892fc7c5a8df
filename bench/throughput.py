"""Throughput of the full analyze path against spaCy's bare tokenizer, on the same texts.

Run by hand (never asserted in CI):  python bench/throughput.py [DOCS_DIR]
Default texts: the CLAUDETTE documents in ../shared/corpora/claudette/docs. Both paths get a
warm-up pass, then 5 interleaved timed rounds; the medians and their ratio are printed.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import spacy

from tosanalyzer.workspace import Workspace

ROUNDS = 5
DEFAULT_DOCS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "claudette" / "docs"


def timed(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def main() -> None:
    docs_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DOCS
    texts = [p.read_text(encoding="utf-8") for p in sorted(docs_dir.glob("*.txt"))]
    if not texts:
        sys.exit(f"no .txt documents in {docs_dir}")
    bare = spacy.blank("en")
    analyzer = Workspace().analyzer
    tokens = sum(len(bare.make_doc(t)) for t in texts)

    def run_bare() -> None:
        for text in texts:
            bare.make_doc(text)

    def run_full() -> None:
        for text in texts:
            analyzer.analyze_text(text)

    run_bare()
    run_full()
    bare_times, full_times = [], []
    for _ in range(ROUNDS):
        bare_times.append(timed(run_bare))
        full_times.append(timed(run_full))
    bare_rate = tokens / statistics.median(bare_times)
    full_rate = tokens / statistics.median(full_times)
    print(f"documents: {len(texts)}  tokens: {tokens}  rounds: {ROUNDS} (median)")
    print(f"bare tokenizer:  {bare_rate:12,.0f} tokens/s")
    print(f"full analyze:    {full_rate:12,.0f} tokens/s")
    print(f"ratio:           {full_rate / bare_rate:12.3f}")
    print(f"pattern library: {analyzer.library.version} ({len(analyzer.library.patterns)} types)")


if __name__ == "__main__":
    main()
