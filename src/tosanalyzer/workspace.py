"""The library API: everything the CLI (and later the TUI and alerts) can do, as functions.

Faces stay thin: they parse arguments and print. Anything a user can ask for is reachable here
with pydantic models in and out, so it can be scripted and tested without a terminal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from tosanalyzer.analyze import Analyzer, analyzer_for
from tosanalyzer.evaluation import (
    Explain,
    LabelledSetError,
    dataset_kind,
    evaluate_claudette,
    evaluate_tosdr,
    read_jsonl,
)
from tosanalyzer.extract import ExtractError
from tosanalyzer.models import (
    CLAUDETTE_CATEGORIES,
    AnalysisResult,
    EvalReport,
    ExampleFailure,
    Finding,
    PatternLibrary,
)
from tosanalyzer.nlp.library import PatternFileError
from tosanalyzer.resources import patterns_dir
from tosanalyzer.sources import SourceError, read_source

USER_ERRORS = (SourceError, ExtractError, PatternFileError, LabelledSetError, FileNotFoundError)
"""Errors caused by what the user gave us: faces report them in one line, without a traceback."""


class Workspace:
    """Entry point bound to one pattern library (the shipped one unless told otherwise)."""

    def __init__(self, patterns: Path | None = None) -> None:
        self.patterns_dir = (patterns or patterns_dir()).resolve()

    @property
    def analyzer(self) -> Analyzer:
        return analyzer_for(self.patterns_dir)

    @property
    def library(self) -> PatternLibrary:
        return self.analyzer.library

    def analyze_path(self, path: Path) -> AnalysisResult:
        """Analyse a local .txt, .md or .html file."""
        return self.analyzer.analyze_source(read_source(path))

    def analyze_text(self, text: str, source: str = "<text>") -> AnalysisResult:
        return self.analyzer.analyze_text(text, source)

    def test_patterns(self) -> tuple[int, list[ExampleFailure]]:
        """Run every pattern file's examples; returns (examples run, failures).

        A ``match`` example needs a finding that is not fair, a ``fair`` one a fair finding.
        """
        failures: list[ExampleFailure] = []
        run = 0
        for pattern in self.library.patterns:
            cases: list[tuple[Literal["match", "no_match", "fair"], str]] = [
                *(("match", t) for t in pattern.examples.match),
                *(("no_match", t) for t in pattern.examples.no_match),
                *(("fair", t) for t in pattern.examples.fair),
            ]
            for expected, text in cases:
                run += 1
                result = self.analyzer.analyze_text(text, "<example>", assume_language="en")
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

    def evaluate(
        self, labels: Path, with_errors: bool = False, split: str | None = None
    ) -> EvalReport:
        """Score tagging against a CLAUDETTE or ToS;DR labelled JSONL file.

        CLAUDETTE labels mark the unfair form of a clause, so only findings not judged fair
        count for it; ToS;DR labels name the clause whatever its form, so every finding counts.
        """
        rows = read_jsonl(labels)
        analyzer = self.analyzer

        def analyze(text: str) -> AnalysisResult:
            return analyzer.analyze_text(text, str(labels), assume_language="en")

        if dataset_kind(rows, labels) == "claudette":
            explain = self._explainer(self._claudette_of) if with_errors else None
            return evaluate_claudette(
                rows,
                labels,
                analyze,
                self._claudette_labels,
                analyzer.provenance,
                explain,
                split,
            )
        if split is not None:
            raise LabelledSetError(f"{labels}: --split applies to CLAUDETTE files only")
        explain = self._explainer(self._tosdr_of) if with_errors else None
        return evaluate_tosdr(
            rows, labels, analyze, self._clause_type_labels, analyzer.provenance, explain
        )

    def _claudette_labels(self, finding: Finding) -> set[str]:
        return set() if finding.fairness == "fair" else self._claudette_of(finding.clause_type)

    def _claudette_of(self, clause_type: str) -> set[str]:
        category = self.library.get(clause_type).claudette
        return {category} if category in CLAUDETTE_CATEGORIES else set()

    def _clause_type_labels(self, finding: Finding) -> set[str]:
        return self._tosdr_of(finding.clause_type)

    def _tosdr_of(self, clause_type: str) -> set[str]:
        return {clause_type, *self.library.get(clause_type).implies}

    def _explainer(self, labels_of: Callable[[str], set[str]]) -> Explain:
        """Explains a missed label by the clause types whose findings stand for it."""
        types_of: dict[str, set[str]] = defaultdict(set)
        for pattern in self.library.patterns:
            for label in labels_of(pattern.id):
                types_of[label].add(pattern.id)

        def explain(text: str, start: int, end: int, label: str) -> str:
            return self.analyzer.explain_miss(text, start, end, types_of[label])

        return explain
