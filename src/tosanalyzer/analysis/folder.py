"""One folder of clause-pattern files, with the checklist shipped beside them.

Nothing is read until it is asked for: loading the library loads spaCy (seconds), so a command
whose other input is wrong (a URL that cannot be fetched, a labelled set that cannot be read)
says so first and fast.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from tosanalyzer.analysis.analyzer import Analyzer, analyzer_for
from tosanalyzer.judgement import DEFAULT_CHECKLIST, Checklist, load_checklist
from tosanalyzer.models import PatternLibrary


class PatternFolder:
    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def analyzer(self) -> Analyzer:
        """The folder's analyzer, compiled again only when a file in the folder changed."""
        return analyzer_for(self.path)

    @property
    def library(self) -> PatternLibrary:
        return self.analyzer.library

    @cached_property
    def checklist(self) -> Checklist:
        """The red-flag checklist shipped beside the pattern library (read once)."""
        known = {pattern.id for pattern in self.library.patterns}
        return load_checklist(self.path / DEFAULT_CHECKLIST, known)
