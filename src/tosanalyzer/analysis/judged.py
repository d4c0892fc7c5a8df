"""Score the tool's findings on whole vendor documents against a legal reviewer's verdicts.

Labelled corpora score sentences; a reviewer reads the findings on a whole, current document and
says which are right (``shared/corpora/judged``). A change of rules makes new findings that no
verdict covers: they are counted apart and listed (offsets and a hash of the quote), so someone
judges them and adds the verdict to the repository's own file, never silently scored either way.
A finding takes the verdict of a judged row of the same document and type whose span overlaps it
by half the shorter span or more, as the judged sets' README defines it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from pydantic import ValidationError

from tosanalyzer.models import (
    FINDING_VERDICTS,
    AnalysisResult,
    Finding,
    JudgedDocument,
    JudgedReport,
    JudgedRow,
    UnjudgedFinding,
)

AnalyzePath = Callable[[Path], AnalysisResult]


class JudgedSetError(ValueError):
    """A judged file that cannot be read; the message names the file and line."""


def is_judged_set(rows: list[dict[str, object]]) -> bool:
    """Whether labelled rows are verdicts (every row has one) rather than labels."""
    return bool(rows) and all("verdict" in row for row in rows)


def read_judged(path: Path) -> list[JudgedRow]:
    """The rows of a judged file, each checked; a broken row names its file and line."""
    rows: list[JudgedRow] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(JudgedRow.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise JudgedSetError(f"{path}:{number}: not a judged row: {exc}") from exc
    return rows


def quote_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def score_judged(
    files: list[Path], shared: Path, analyze: AnalyzePath, own: Iterable[JudgedRow] = ()
) -> JudgedReport:
    """The tool's findings now on every document the judged ``files`` cover (paths in them are
    relative to ``shared``), scored by their verdicts and by the repository's ``own``."""
    rows = [row for path in files for row in read_judged(path)]
    sources = list(dict.fromkeys(row.source for row in rows))
    extra = [row for row in own if row.source in sources]
    documents, unjudged = [], []
    for source in sources:
        path = shared / source
        text = path.read_text(encoding="utf-8")
        judged = [r for r in rows if r.source == source] + _current(extra, source, text)
        document, waiting = _score_document(source, text, analyze(path).findings, judged)
        documents.append(document)
        unjudged += waiting
    verdicts = Counter[str]()
    for document in documents:
        verdicts.update(document.verdicts)
    judged_count = sum(verdicts.values())
    return JudgedReport(
        files=[str(path) for path in files],
        documents=documents,
        findings=sum(d.findings for d in documents),
        judged=judged_count,
        verdicts={verdict: verdicts[verdict] for verdict in FINDING_VERDICTS},
        precision=round(verdicts["C"] / judged_count, 4) if judged_count else None,
        unjudged=unjudged,
        misses=sum(d.misses for d in documents),
        misses_found=sum(d.misses_found for d in documents),
    )


def _current(own: list[JudgedRow], source: str, text: str) -> list[JudgedRow]:
    """The repository's verdicts on ``source`` whose quote is still the text at their offsets
    (a verdict on other words is no verdict)."""
    return [
        row
        for row in own
        if row.source == source
        and row.start is not None
        and row.end is not None
        and row.quote_sha256 == quote_hash(text[row.start : row.end])
    ]


def _score_document(
    source: str, text: str, findings: list[Finding], judged: list[JudgedRow]
) -> tuple[JudgedDocument, list[UnjudgedFinding]]:
    verdicts = Counter[str]()
    unjudged = []
    spans = [row for row in judged if row.verdict != "MISS"]
    for finding in findings:
        row = _verdict_of(finding, spans)
        if row is None:
            unjudged.append(
                UnjudgedFinding(
                    source=source,
                    start=finding.start,
                    end=finding.end,
                    clause_type=finding.clause_type,
                    pattern_id=finding.pattern_id,
                    quote_sha256=quote_hash(finding.quote),
                )
            )
        else:
            verdicts[row.verdict] += 1
    misses = [row for row in judged if row.verdict == "MISS"]
    located = [(row, _locate(row, text)) for row in misses]
    found = sum(
        1
        for row, span in located
        if span is not None and any(_covers(f, row.clause_type, span) for f in findings)
    )
    document = JudgedDocument(
        source=source,
        findings=len(findings),
        verdicts={verdict: verdicts[verdict] for verdict in FINDING_VERDICTS},
        unjudged=len(unjudged),
        misses=len(misses),
        misses_found=found,
        misses_unlocated=sum(span is None for _, span in located),
    )
    return document, unjudged


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    """The shared length of two spans over the shorter one's length."""
    shared = min(a[1], b[1]) - max(a[0], b[0])
    shorter = min(a[1] - a[0], b[1] - b[0])
    return shared / shorter if shorter > 0 else 0.0


def _verdict_of(finding: Finding, judged: list[JudgedRow]) -> JudgedRow | None:
    """The judged row of the finding's type that overlaps it most, by half or more."""
    best: tuple[float, JudgedRow] | None = None
    for row in judged:
        if row.clause_type != finding.clause_type or row.start is None or row.end is None:
            continue
        share = _overlap((finding.start, finding.end), (row.start, row.end))
        if share >= 0.5 and (best is None or share > best[0]):
            best = (share, row)
    return best[1] if best else None


def _locate(miss: JudgedRow, text: str) -> tuple[int, int] | None:
    """Where a missed clause is: its offsets, or its quote found in the text (white space
    between words may differ)."""
    if miss.start is not None and miss.end is not None:
        return miss.start, miss.end
    if not miss.quote:
        return None
    words = [re.escape(word) for word in miss.quote.split()]
    match = re.search(r"\s+".join(words), text) if words else None
    return match.span() if match else None


def _covers(finding: Finding, clause_type: str, span: tuple[int, int]) -> bool:
    return finding.clause_type == clause_type and finding.start < span[1] and span[0] < finding.end
