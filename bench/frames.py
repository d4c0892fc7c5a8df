"""The parser's share of `analyze`: rule matching alone against rule matching plus the frame of
every finding, on the latest terms of service in ../shared/corpora/ota (a benchmark, not a test).

    python bench/frames.py [--documents 10]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from tosanalyzer.analysis.frames import load_parser, with_frames
from tosanalyzer.workspace import Workspace

OTA = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "ota"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=10)
    args = parser.parse_args()
    latest = [max(folder.glob("*.md")) for folder in sorted(OTA.glob("*/terms-of-service"))]
    texts = [path.read_text(encoding="utf-8") for path in latest[: args.documents]]
    analyzer = Workspace().analyzer
    load_parser()
    started = time.perf_counter()
    results = [analyzer.analyze_text(text) for text in texts]
    matched = time.perf_counter()
    for result in results:
        with_frames(result)
    framed = time.perf_counter()
    findings = sum(len(result.findings) for result in results)
    rules, frames = matched - started, framed - matched
    print(
        f"{len(texts)} documents, {findings} findings: rules {rules:.2f} s, frames {frames:.2f} s"
        f" ({findings / frames:.0f} findings/s); the parser's share {frames / (rules + frames):.2f}"
    )


if __name__ == "__main__":
    main()
