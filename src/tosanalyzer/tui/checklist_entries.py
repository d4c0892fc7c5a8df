"""The diff screen's checklist panel as Rich ``Text`` entries: pure functions, no Textual.

A reviewer comparing two versions wants the verdict on the newer one beside the diff, with the
quotes that back it; picking a quote takes them to that clause. Marks follow the report: ✅ raised
(red flag), ❌ not raised, ➖ not judged. Quotes are appended literally, never parsed as markup.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from tosanalyzer.models import Assessment, Evidence, ItemResult

MARKS = {
    "raised": ("✅", "bold red"),
    "not_raised": ("❌", "green"),
    "not_applicable": ("➖", "dim"),
}
ORDER = {"raised": 0, "not_raised": 1, "not_applicable": 2}
QUOTE_CHARS = 160
"""A quote longer than this is cut in the panel (the diff shows it whole)."""


@dataclass(frozen=True)
class Entry:
    """One line of the panel: an item's title (not selectable) or one of its quotes."""

    prompt: Text
    evidence: Evidence | None = None


def item_title(item: ItemResult) -> Text:
    mark, style = MARKS[item.status]
    out = Text()
    out.append(f"{mark} ")
    out.append(item.title.en, style=style)
    return out


def evidence_text(evidence: Evidence) -> Text:
    """``  arbitration · Disputes › Arbitration`` then the quote, cut to a few lines."""
    out = Text("  ")
    out.append(evidence.clause_type, style="cyan")
    if evidence.fairness == "fair":
        out.append(" (fair form)", style="green")
    if evidence.section_path:
        out.append(" · " + " › ".join(evidence.section_path), style="dim")
    quote = " ".join(evidence.quote.split())
    if len(quote) > QUOTE_CHARS:
        quote = quote[: QUOTE_CHARS - 1].rstrip() + "…"
    out.append("\n  “")
    out.append(quote, style="italic")
    out.append("”")
    return out


def checklist_entries(assessment: Assessment) -> list[Entry]:
    """Raised items first, then the others; each item followed by its quotes. A raised absence
    item has no quote: it says which version was searched."""
    entries: list[Entry] = []
    for item in sorted(assessment.items, key=lambda item: ORDER[item.status]):
        entries.append(Entry(item_title(item)))
        entries.extend(Entry(evidence_text(evidence), evidence) for evidence in item.evidence)
        if item.status == "raised" and not item.evidence:
            entries.append(Entry(Text("  " + item.explanation.en, style="dim")))
    return entries
