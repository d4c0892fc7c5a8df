"""Analyse a document where the user points: a local file, or a page on the web.

A URL goes through the same safe fetcher and extractor as a tracked document, so analysing a
page once reads exactly the text tracking it would record.
"""

from __future__ import annotations

from pathlib import Path

from tosanalyzer.analysis.documents import read_source
from tosanalyzer.analysis.folder import PatternFolder
from tosanalyzer.analysis.frames import with_frames
from tosanalyzer.models import AnalysisResult, FetchFailure, SourcePage
from tosanalyzer.tracking import FetchSettings, extract_snapshot, fetch_page


class UrlError(ValueError):
    """A URL given to analyse could not be fetched; the message says why."""


def analyze_path(patterns: PatternFolder, path: Path) -> AnalysisResult:
    """Analyse a local .txt, .md or .html file, each finding with who may do what."""
    return with_frames(patterns.analyzer.analyze_source(read_source(path)))


def analyze_url(patterns: PatternFolder, url: str, settings: FetchSettings) -> AnalysisResult:
    """Fetch a page through the safe fetcher, extract its text and analyse it."""
    outcome = fetch_page(url, settings=settings)
    if isinstance(outcome, FetchFailure):
        raise UrlError(f"cannot fetch {url}: {outcome.kind}: {outcome.message}")
    page = extract_snapshot(outcome, SourcePage(fetch=url))
    return with_frames(patterns.analyzer.analyze_text(page.markdown, url, "html"))
