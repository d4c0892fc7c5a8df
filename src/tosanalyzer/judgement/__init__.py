"""Judgement: a vendor's analysed terms against the red-flag checklist, graded, with the
reasons behind every item; reports of it; and a reviewer's decisions carried to a newer version.

Import from here; the modules behind this face (the checklist file, the evidence per item, the
grade formula, places, reports) may move.
"""

from __future__ import annotations

from tosanalyzer.judgement.assessment import assess
from tosanalyzer.judgement.checklist import (
    DEFAULT_CHECKLIST,
    Checklist,
    ChecklistFileError,
    load_checklist,
)
from tosanalyzer.judgement.decisions import (
    STATUS_LABELS,
    CarriedDecision,
    carry_decisions,
    finding_key,
)
from tosanalyzer.judgement.evidence import VendorDocument
from tosanalyzer.judgement.grading import grade
from tosanalyzer.judgement.places import HomeJurisdictionError, normalise_home
from tosanalyzer.judgement.report import Lang, MaterialChange, ReportFormat, render

__all__ = [
    "DEFAULT_CHECKLIST",
    "STATUS_LABELS",
    "CarriedDecision",
    "Checklist",
    "ChecklistFileError",
    "HomeJurisdictionError",
    "Lang",
    "MaterialChange",
    "ReportFormat",
    "VendorDocument",
    "assess",
    "carry_decisions",
    "finding_key",
    "grade",
    "load_checklist",
    "normalise_home",
    "render",
]
