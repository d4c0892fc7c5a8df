"""Stored versions reviewed with today's pattern library: graded, compared, decided, reported.

What the faces ask about a tracked document needs the store, the analysis, the checklist and
the clause diff at once; this is the lowest layer that may see them all, so it composes them.
"""

from tosanalyzer.analysis.review.changes import (
    DocumentDiff,
    diff_versions,
    latest_material_change,
    version_change_class,
)
from tosanalyzer.analysis.review.decisions import carried_decisions, decide_finding
from tosanalyzer.analysis.review.reports import vendor_report
from tosanalyzer.analysis.review.reviewer import Reviewer

__all__ = [
    "DocumentDiff",
    "Reviewer",
    "carried_decisions",
    "decide_finding",
    "diff_versions",
    "latest_material_change",
    "vendor_report",
    "version_change_class",
]
