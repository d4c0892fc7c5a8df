"""Compose the language stages into one analysis: text in, clauses and quoted findings out.

The expensive parts (spaCy vocabulary, compiled matchers) are built once per pattern folder and
reused for every document, which is what keeps analysis close to bare-tokenizer speed.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections import defaultdict
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

from tosanalyzer import __version__
from tosanalyzer.extract import html_to_markdown
from tosanalyzer.models import (
    AnalysisResult,
    Clause,
    DocumentFormat,
    DocumentMeta,
    Finding,
    PatternLibrary,
    Provenance,
    SourceText,
)
from tosanalyzer.nlp.attributes import extract, extract_effective_date
from tosanalyzer.nlp.language import detect_language
from tosanalyzer.nlp.library import load_library
from tosanalyzer.nlp.matcher import CompiledLibrary, RuleMatch
from tosanalyzer.nlp.pipeline import build_pipeline, mask_markup
from tosanalyzer.nlp.segment import segment

ANALYSED_LANGUAGES = frozenset({"en"})


class Analyzer:
    """One pattern library, compiled and ready to analyse any number of documents."""

    def __init__(self, library: PatternLibrary) -> None:
        self.library = library
        self._nlp = build_pipeline()
        self._compiled = CompiledLibrary(library, self._nlp)
        self._rules = {
            (pattern.id, rule.id): rule
            for pattern in library.patterns
            for rule in (*pattern.patterns, *pattern.exceptions)
        }
        self.provenance = Provenance(
            analyzer_version=__version__,
            pattern_library_version=library.version,
            spacy_version=version("spacy"),
        )

    def analyze_source(self, source: SourceText) -> AnalysisResult:
        """Analyse a document read from a file; HTML is first cleaned to Markdown."""
        if source.format == "html":
            return self.analyze_text(html_to_markdown(source.text), source.source, "html")
        return self.analyze_text(source.text, source.source, source.format)

    def analyze_text(
        self,
        text: str,
        source: str = "<text>",
        fmt: DocumentFormat = "txt",
        assume_language: str | None = None,
    ) -> AnalysisResult:
        """Analyse ``text``; ``assume_language`` skips detection for texts known to be English
        but too short to detect reliably (pattern examples, labelled quotes)."""
        language = assume_language or detect_language(text)
        analysed = language in ANALYSED_LANGUAGES
        clauses = segment(text) if analysed else []
        meta = DocumentMeta(
            source=source,
            format=fmt,
            characters=len(text),
            text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            language=language,
            analysed=analysed,
            not_analysed_reason=None if analysed else f"not analysed: language {language}",
            effective_date=extract_effective_date(text) if analysed else None,
        )
        findings = self._findings(text, clauses) if analysed else []
        return AnalysisResult(
            document=meta, provenance=self.provenance, clauses=clauses, findings=findings
        )

    def _findings(self, text: str, clauses: list[Clause]) -> list[Finding]:
        doc = self._nlp.make_doc(mask_markup(text))
        starts = [clause.start for clause in clauses]
        hits: dict[tuple[int, str], list[RuleMatch]] = defaultdict(list)
        cancelled: set[tuple[int, str]] = set()
        for match in self._compiled.matches(doc):
            index = bisect_right(starts, match.start) - 1
            if index < 0 or match.end > clauses[index].end or clauses[index].kind == "heading":
                continue
            rule = self._rules[(match.clause_type, match.rule_id)]
            if not rule.allowed_in(clauses[index].section_path):
                continue
            if match.exception:
                cancelled.add((index, match.clause_type))
            else:
                hits[(index, match.clause_type)].append(match)
        findings = [
            self._finding(clauses[index], clause_type, matches[0])
            for (index, clause_type), matches in sorted(hits.items())
            if (index, clause_type) not in cancelled
        ]
        return findings

    def _finding(self, clause: Clause, clause_type: str, match: RuleMatch) -> Finding:
        pattern = self.library.get(clause_type)
        return Finding(
            clause_type=clause_type,
            severity=pattern.severity,
            polarity=pattern.polarity,
            clause_index=clause.index,
            start=clause.start,
            end=clause.end,
            quote=clause.text,
            matched_text=match.text,
            section_path=clause.section_path,
            pattern_id=f"{clause_type}/{match.rule_id}",
            attributes=extract(clause.text, pattern.attributes),
        )


@lru_cache(maxsize=4)
def analyzer_for(patterns_dir: Path) -> Analyzer:
    """The cached analyzer of a pattern folder (built on first use)."""
    return Analyzer(load_library(patterns_dir))
