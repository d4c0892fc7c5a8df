"""The vendor report: the checklist's verdict, with a tracked vendor's latest material change
beside it, since a reader of the grade wants to know what just moved."""

from __future__ import annotations

from pathlib import Path

from tosanalyzer.analysis.review.changes import latest_material_change
from tosanalyzer.analysis.review.reviewer import Reviewer
from tosanalyzer.judgement import Lang, ReportFormat, render


def vendor_report(
    reviewer: Reviewer,
    target: str,
    fmt: ReportFormat = "markdown",
    lang: Lang = "en",
    home: str | None = None,
) -> str:
    """The vendor report of ``target`` (a path or a tracked service) as text."""
    assessment = reviewer.assess(target, home)
    change = None if Path(target).is_file() else latest_material_change(reviewer, target)
    return render(assessment, fmt, lang, change)
