"""The grade: the one place the formula lives (documented in docs/grading.md).

Reports and the export show this grade and a change is material when it moves, so it is computed
here alone, from the item results only.
"""

from __future__ import annotations

from collections.abc import Sequence

from tosanalyzer.models import Grade, ItemResult, Letter, LocalizedText

LETTER_FLOORS: tuple[tuple[Letter, int], ...] = (
    ("A", 85),
    ("B", 70),
    ("C", 50),
    ("D", 30),
    ("E", 0),
)
"""Lowest safety score (percent of applicable weight not raised) that earns each letter."""
SAFETY_LEVELS: dict[Letter, int] = {"A": 5, "B": 4, "C": 3, "D": 2, "E": 1}
SAFETY_LABELS: dict[int, LocalizedText] = {
    5: LocalizedText(en="safe", ja="安全"),
    4: LocalizedText(en="mostly safe", ja="概ね安全"),
    3: LocalizedText(en="caution", ja="要注意"),
    2: LocalizedText(en="dangerous", ja="危険"),
    1: LocalizedText(en="extremely dangerous", ja="極めて危険"),
}


def grade(items: Sequence[ItemResult]) -> Grade:
    """Raised / applicable items, and the weighted safety score mapped to A–E and 1–5.

    Not-applicable items leave both counts. The letter compares whole numbers (safe weight × 100
    against floor × applicable weight), so a score of exactly 85 % is an A on every machine.
    """
    applicable = [item for item in items if item.status != "not_applicable"]
    raised = [item for item in applicable if item.status == "raised"]
    applicable_weight = sum(item.weight for item in applicable)
    raised_weight = sum(item.weight for item in raised)
    if not applicable_weight:
        return Grade(
            raised=0, applicable=0, ratio=None, raised_weight=0, applicable_weight=0, score=None
        )
    safe_weight = applicable_weight - raised_weight
    letter = next(
        letter for letter, floor in LETTER_FLOORS if safe_weight * 100 >= floor * applicable_weight
    )
    level = SAFETY_LEVELS[letter]
    return Grade(
        raised=len(raised),
        applicable=len(applicable),
        ratio=round(100 * len(raised) / len(applicable), 1),
        raised_weight=raised_weight,
        applicable_weight=applicable_weight,
        score=round(100 * safe_weight / applicable_weight, 1),
        letter=letter,
        safety_level=level,
        safety_label=SAFETY_LABELS[level],
    )
