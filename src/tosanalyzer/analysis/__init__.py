"""Analysis: text in, clauses and quoted findings out, the scores of that against labelled sets,
and the review of stored versions with today's rules (graded, compared, decided, reported).

Import from here; the modules behind this face (the analyzer, the language stages under ``nlp``,
the evaluation) may move. Importing it loads spaCy.
"""

from __future__ import annotations

from tosanalyzer.analysis.analyzer import Analyzer, analyzer_for
from tosanalyzer.analysis.documents import SourceError, read_source
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
from tosanalyzer.analysis.judged import JudgedSetError
from tosanalyzer.analysis.nlp.library import PatternFileError, load_library, pattern_files
from tosanalyzer.analysis.reading import UrlError, analyze_path, analyze_url
from tosanalyzer.analysis.review import (
    DocumentDiff,
    Reviewer,
    carried_decisions,
    decide_finding,
    diff_versions,
    latest_material_change,
    vendor_report,
    version_change_class,
)
from tosanalyzer.analysis.scoring import (
    is_judged_file,
    run_pattern_examples,
    score_judged_set,
    score_labelled_set,
)

__all__ = [
    "Analyzer",
    "DocumentDiff",
    "Explain",
    "JudgedSetError",
    "LabelledSetError",
    "PatternFileError",
    "PatternFolder",
    "Reviewer",
    "SourceError",
    "Tracing",
    "UrlError",
    "analyze_path",
    "analyze_url",
    "analyzer_for",
    "carried_decisions",
    "dataset_kind",
    "decide_finding",
    "diff_versions",
    "estimate_unseen_claudette",
    "estimate_unseen_tosdr",
    "evaluate_claudette",
    "evaluate_tosdr",
    "is_judged_file",
    "latest_material_change",
    "load_library",
    "pattern_files",
    "read_jsonl",
    "read_source",
    "run_pattern_examples",
    "score_judged_set",
    "score_labelled_set",
    "vendor_report",
    "version_change_class",
]
