"""The library API: everything the CLI (and later the TUI and alerts) can do, as functions.

Faces stay thin: they parse arguments and print. Anything a user can ask for is reachable here
with pydantic models in and out, so it can be scripted and tested without a terminal.
"""

from __future__ import annotations

from pathlib import Path

from tosanalyzer.analyze import Analyzer, analyzer_for
from tosanalyzer.evaluation import (
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
        """Run every pattern file's examples; returns (examples run, failures)."""
        failures: list[ExampleFailure] = []
        run = 0
        for pattern in self.library.patterns:
            cases = [("match", t) for t in pattern.examples.match]
            cases += [("no_match", t) for t in pattern.examples.no_match]
            for expected, text in cases:
                run += 1
                result = self.analyzer.analyze_text(text, "<example>", assume_language="en")
                fired = [f.pattern_id for f in result.findings if f.clause_type == pattern.id]
                if bool(fired) != (expected == "match"):
                    failures.append(
                        ExampleFailure(
                            clause_type=pattern.id, expected=expected, text=text, fired=fired
                        )
                    )
        return run, failures

    def evaluate(
        self, labels: Path, with_errors: bool = False, split: str | None = None
    ) -> EvalReport:
        """Score tagging against a CLAUDETTE or ToS;DR labelled JSONL file."""
        rows = read_jsonl(labels)
        analyzer = self.analyzer

        def analyze(text: str) -> AnalysisResult:
            return analyzer.analyze_text(text, str(labels), assume_language="en")

        if dataset_kind(rows, labels) == "claudette":
            return evaluate_claudette(
                rows,
                labels,
                analyze,
                self._claudette_labels,
                analyzer.provenance,
                with_errors,
                split,
            )
        if split is not None:
            raise LabelledSetError(f"{labels}: --split applies to CLAUDETTE files only")
        return evaluate_tosdr(
            rows, labels, analyze, self._clause_type_labels, analyzer.provenance, with_errors
        )

    def _claudette_labels(self, finding: Finding) -> set[str]:
        category = self.library.get(finding.clause_type).claudette
        return {category} if category in CLAUDETTE_CATEGORIES else set()

    def _clause_type_labels(self, finding: Finding) -> set[str]:
        return {finding.clause_type, *self.library.get(finding.clause_type).implies}
