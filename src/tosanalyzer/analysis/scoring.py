"""How well the pattern library does: against its own examples, and against labelled sets.

The evaluation stage scores labels it is given; what a finding stands for in each dataset is
decided here, from the pattern files. CLAUDETTE labels mark the unfair form of a clause, so a
finding counts through its type's ``claudette:`` category only when it is not judged fair;
ToS;DR labels name the clause whatever its form, so every finding counts, as its type and the
types it ``implies``.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from pathlib import Path
from typing import Any, Literal

from tosanalyzer.analysis.analyzer import Analyzer
from tosanalyzer.analysis.evaluation import (
    Explain,
    LabelledSetError,
    Tracing,
    dataset_kind,
    estimate_unseen_claudette,
    estimate_unseen_tosdr,
    evaluate_claudette,
    evaluate_tosdr,
    read_jsonl,
)
from tosanalyzer.analysis.folder import PatternFolder
from tosanalyzer.analysis.judged import is_judged_set, read_judged, score_judged
from tosanalyzer.analysis.reading import analyze_path
from tosanalyzer.base import corpora_dir
from tosanalyzer.models import (
    CLAUDETTE_CATEGORIES,
    AnalysisResult,
    EvalReport,
    ExampleFailure,
    Finding,
    JudgedReport,
)

Expected = Literal["match", "no_match", "fair"]


def run_pattern_examples(patterns: PatternFolder) -> tuple[int, list[ExampleFailure]]:
    """Run every pattern file's examples; returns (examples run, failures).

    A ``match`` example needs a finding that is not fair, a ``fair`` one a fair finding.
    """
    analyzer = patterns.analyzer
    failures: list[ExampleFailure] = []
    run = 0
    for pattern in analyzer.library.patterns:
        cases: list[tuple[Expected, str]] = [
            *(("match", t) for t in pattern.examples.match),
            *(("no_match", t) for t in pattern.examples.no_match),
            *(("fair", t) for t in pattern.examples.fair),
        ]
        for expected, text in cases:
            run += 1
            result = analyzer.analyze_text(text, "<example>", assume_language="en")
            found = [f for f in result.findings if f.clause_type == pattern.id]
            forms = {"fair" if f.fairness == "fair" else "match" for f in found}
            passed = expected in forms if expected != "no_match" else not found
            if not passed:
                fired = [f.pattern_id for f in found]
                failures.append(
                    ExampleFailure(
                        clause_type=pattern.id, expected=expected, text=text, fired=fired
                    )
                )
    return run, failures


class DatasetLabels:
    """What a clause type, or a finding, stands for in CLAUDETTE and in ToS;DR."""

    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer

    def claudette_labels(self, finding: Finding) -> set[str]:
        return set() if finding.fairness == "fair" else self.claudette_of(finding.clause_type)

    def claudette_of(self, clause_type: str) -> set[str]:
        category = self.analyzer.library.get(clause_type).claudette
        return {category} if category in CLAUDETTE_CATEGORIES else set()

    def tosdr_labels(self, finding: Finding) -> set[str]:
        return self.tosdr_of(finding.clause_type)

    def tosdr_of(self, clause_type: str) -> set[str]:
        return {clause_type, *self.analyzer.library.get(clause_type).implies}

    def explainer(self, claudette: bool) -> Explain:
        """Explains a missed label by the clause types whose findings stand for it."""
        labels_of = self.claudette_of if claudette else self.tosdr_of
        types_of: dict[str, set[str]] = defaultdict(set)
        for pattern in self.analyzer.library.patterns:
            for label in labels_of(pattern.id):
                types_of[label].add(pattern.id)

        def explain(text: str, start: int, end: int, label: str) -> str:
            return self.analyzer.explain_miss(text, start, end, types_of[label])

        return explain


def score_labelled_set(
    patterns: PatternFolder,
    labels: Path,
    with_errors: bool = False,
    split: str | None = None,
    leave_one_out: bool = False,
) -> EvalReport:
    """Score tagging against a CLAUDETTE or ToS;DR labelled JSONL file."""
    rows = read_jsonl(labels)
    analyzer = patterns.analyzer
    claudette = dataset_kind(rows, labels) == "claudette"
    if split is not None and not claudette:
        raise LabelledSetError(f"{labels}: --split applies to CLAUDETTE files only")
    if leave_one_out and with_errors:
        raise LabelledSetError(f"{labels}: --leave-one-out is scored without --errors")
    if leave_one_out:
        return _estimate_unseen(analyzer, rows, labels, claudette, split)
    meaning = DatasetLabels(analyzer)
    explain = meaning.explainer(claudette) if with_errors else None

    def analyze(text: str) -> AnalysisResult:
        return analyzer.analyze_text(text, str(labels), assume_language="en")

    if claudette:
        return evaluate_claudette(
            rows, labels, analyze, meaning.claudette_labels, analyzer.provenance, explain, split
        )
    return evaluate_tosdr(rows, labels, analyze, meaning.tosdr_labels, analyzer.provenance, explain)


def _estimate_unseen(
    analyzer: Analyzer,
    rows: list[dict[str, Any]],
    labels: Path,
    claudette: bool,
    split: str | None,
) -> EvalReport:
    """The leave-one-out estimate: each document or service scored without the rules that
    help in it alone."""

    @functools.lru_cache(maxsize=4)  # one compile per document or service
    def less(rules: frozenset[str]) -> Analyzer:
        return analyzer.without(set(rules))

    def analyze_without(text: str, rules: frozenset[str]) -> AnalysisResult:
        return less(rules).analyze_text(text, str(labels), assume_language="en")

    meaning = DatasetLabels(analyzer)
    if claudette:
        tracing = Tracing(
            analyzer.trace, analyze_without, meaning.claudette_labels, meaning.claudette_of
        )
        return estimate_unseen_claudette(rows, labels, tracing, analyzer.provenance, split)
    tracing = Tracing(analyzer.trace, analyze_without, meaning.tosdr_labels, meaning.tosdr_of)
    return estimate_unseen_tosdr(rows, labels, tracing, analyzer.provenance)


OWN_VERDICTS = ("judged", "verdicts.jsonl")
"""Where the repository keeps its own verdicts, under the bundled corpora folder."""


def is_judged_file(labels: Path) -> bool:
    """Whether a labelled file holds a reviewer's verdicts rather than labels."""
    return is_judged_set(read_jsonl(labels))


def score_judged_set(patterns: PatternFolder, labels: Path) -> JudgedReport:
    """Score today's findings on the documents a judged file covers (its ``source`` paths are
    relative to the shared folder it lies in, two levels up), with the repository's own
    verdicts on findings the file never saw."""
    own_file = corpora_dir().joinpath(*OWN_VERDICTS)
    own = read_judged(own_file) if own_file.is_file() else []
    return score_judged(
        [labels], labels.resolve().parents[2], lambda path: analyze_path(patterns, path), own
    )
