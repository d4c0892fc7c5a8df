"""Classify every consecutive version pair of the Open Terms Archive histories.

Run by hand (a few minutes the first time; analyses are cached per pattern-library version):

    python bench/ota_diff_classes.py [OTA_DIR] [--details material|substantive|cosmetic]

Each ``<service>/<document>/history.json`` is replayed in ``version_index`` order; every version
is analysed with the current pattern library, checked with the suspect detector against the last
good version (as the store does when it loads a history), and diffed against the version before
it with that version's ``kind``. Prints counts per class (overall and per version kind), the
documents with material changes, and with ``--details`` every pair of that class with its reasons.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from tosanalyzer.change import ClauseDiff, VersionFacts, diff_clauses
from tosanalyzer.models import AnalysisResult
from tosanalyzer.tracking.suspect import suspect_reason
from tosanalyzer.workspace import Workspace

DEFAULT_OTA = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "ota"
CACHE = Path(tempfile.gettempdir()) / "tosanalyzer-ota-analyses"


@dataclass(frozen=True)
class Version:
    file: str
    date: str
    kind: str
    text: str
    suspect: str | None


@dataclass(frozen=True)
class PairResult:
    document: str
    old: Version
    new: Version
    diff: ClauseDiff
    seconds: float


class CachedAnalyzer:
    """Analyses stored as JSON by text hash, in a folder per pattern-library version."""

    def __init__(self) -> None:
        self.workspace = Workspace()
        self.folder = CACHE / self.workspace.library.version
        self.folder.mkdir(parents=True, exist_ok=True)

    def analyse(self, text: str) -> AnalysisResult:
        path = self.folder / f"{hashlib.sha256(text.encode()).hexdigest()}.json"
        if path.exists():
            return AnalysisResult.model_validate_json(path.read_text(encoding="utf-8"))
        result = self.workspace.analyze_text(text)
        path.write_text(result.model_dump_json(), encoding="utf-8")
        return result


def history(folder: Path) -> list[Version]:
    """The versions of one document in upstream order, each marked suspect as the store would."""
    entries = sorted(
        json.loads((folder / "history.json").read_text(encoding="utf-8")),
        key=lambda entry: entry["version_index"],
    )
    versions: list[Version] = []
    previous_good: str | None = None
    for entry in entries:
        text = (folder / entry["file"]).read_text(encoding="utf-8")
        reason = suspect_reason(text, previous_good)
        previous_good = previous_good if reason else text
        versions.append(Version(entry["file"], entry["date"], entry["kind"], text, reason))
    return versions


def pairs(root: Path, analyzer: CachedAnalyzer) -> list[PairResult]:
    results = []
    for folder in sorted(path.parent for path in root.glob("*/*/history.json")):
        document = f"{folder.parent.name}/{folder.name}"
        versions = history(folder)
        print(f"{document}: {len(versions)} versions", flush=True)
        analyses = [analyzer.analyse(version.text) for version in versions]
        for k in range(1, len(versions)):
            old, new = versions[k - 1], versions[k]
            start = time.perf_counter()
            diff = diff_clauses(
                analyses[k - 1],
                analyses[k],
                analyzer.workspace.library,
                old_version=VersionFacts(suspect=old.suspect),
                new_version=VersionFacts(kind=new.kind, suspect=new.suspect),  # type: ignore[arg-type]
            )
            results.append(PairResult(document, old, new, diff, time.perf_counter() - start))
    return results


def report(results: list[PairResult], details: str | None) -> None:
    print(f"\npairs: {len(results)}")
    print("classes:", dict(Counter(r.diff.change_class for r in results).most_common()))
    for kind in ("change", "technical_upgrade"):
        chosen = [r for r in results if r.new.kind == kind]
        print(f"  new version {kind}:", dict(Counter(r.diff.change_class for r in chosen)))
    capped = [r for r in results if r.diff.capped_because and r.diff.reasons]
    print(f"would be material but capped (technical upgrade or suspect): {len(capped)}")
    material = Counter(r.document for r in results if r.diff.change_class == "material")
    print("material pairs per document:", dict(material.most_common()))
    slowest = max(results, key=lambda r: r.seconds)
    print(f"slowest clause diff: {slowest.seconds * 1000:.0f} ms ({slowest.document})")
    for r in results:
        if details and r.diff.change_class == details:
            kinds = {k: r.diff.count(k) for k in ("added", "removed", "modified", "moved")}
            print(f"\n{r.document}  {r.old.date} → {r.new.date}  ({r.new.kind})  {kinds}")
            for reason in r.diff.reasons or [c.reasons[0] for c in r.diff.changes[:3]]:
                print(f"    {reason}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ota", nargs="?", type=Path, default=DEFAULT_OTA)
    parser.add_argument("--details", choices=["material", "substantive", "cosmetic"])
    args = parser.parse_args()
    report(pairs(args.ota, CachedAnalyzer()), args.details)


if __name__ == "__main__":
    main()
