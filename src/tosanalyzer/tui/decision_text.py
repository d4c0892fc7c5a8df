"""A reviewer's decision on a finding, as shown in the reading view's findings panel: pure Rich
``Text`` (the note is appended literally, never parsed as markup)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from tosanalyzer.models import Finding
from tosanalyzer.tui.reading_text import finding_label

if TYPE_CHECKING:
    from tosanalyzer.workspace import CarriedDecision

DECISION_WORDS = {"accept": ("✓ accepted", "bold green"), "dismiss": ("✗ dismissed", "bold red")}
STATUS_STYLE = {
    "decided": "cyan",
    "carried": "cyan",
    "carried_edited": "bold yellow",
}
"""'carried, clause edited — review again' stands out: the reviewer should look again."""


def decision_text(decision: CarriedDecision) -> Text:
    """``✗ dismissed · carried, clause edited — review again (version 3)`` and, when there is
    one, the note on the line below."""
    word, style = DECISION_WORDS[decision.decision]
    out = Text()
    out.append(word, style=style)
    out.append(" · ")
    out.append(decision.label, style=STATUS_STYLE[decision.status])
    if decision.status != "decided":
        out.append(f" (version {decision.decided_on_version})", style="dim")
    if decision.note:
        out.append("\nnote: ", style="dim")
        out.append(" ".join(decision.note.split()), style="italic")
    return out


def finding_entry(finding: Finding, decision: CarriedDecision | None) -> Text:
    """One entry of the findings panel: the finding, then its decision if it has one."""
    out = finding_label(finding)
    if decision is not None:
        out.append("\n")
        out.append_text(decision_text(decision))
    return out
