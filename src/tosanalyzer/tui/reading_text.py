"""The reading view's text as rows and Rich ``Text``: pure functions, no Textual, so they are
easy to test.

A version's text is wrapped into screen rows once per width (a row is a pair of offsets into the
text), and only the rows in view are ever turned into ``Text``: a 100k-word document costs the
screen what a page costs. A row is shown literally (appended as a plain string, never parsed as
markup) with the findings and search matches that touch it painted as background colours.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from rich.cells import get_character_cell_size
from rich.text import Text

from tosanalyzer.models import Finding, Severity

SEVERITIES: list[Severity] = ["info", "low", "medium", "high", "blocker"]
"""Least to most severe."""
SEVERITY_STYLE: dict[str, str] = {
    "info": "on grey23",
    "low": "on dark_green",
    "medium": "on dark_goldenrod",
    "high": "on dark_red",
    "blocker": "bold white on red3",
}
"""Background of a finding's words in the text, by severity."""
BADGE_STYLE: dict[str, str] = {
    "info": "black on grey70",
    "low": "black on green3",
    "medium": "black on yellow",
    "high": "bold white on dark_red",
    "blocker": "bold white on red",
}
CURRENT_FINDING = "underline"
"""Added to the finding the reviewer selected in the panel."""
MATCH_STYLE = "black on bright_cyan"
CURRENT_MATCH = "bold black on bright_magenta"


@dataclass(frozen=True)
class Rows:
    """The text wrapped to a width: row ``i`` shows ``text[starts[i]:ends[i]]``."""

    starts: list[int]
    ends: list[int]

    def __len__(self) -> int:
        return len(self.starts)

    def row_of(self, offset: int) -> int:
        """The row showing ``offset`` (the row before, for a space the wrap swallowed)."""
        return max(bisect_right(self.starts, offset) - 1, 0)


def wrap_rows(text: str, width: int) -> Rows:
    """Each line of ``text`` wrapped at spaces to ``width`` cells (a word longer than the width
    is cut); an empty line is an empty row. Greedy, like a terminal: fast enough to rewrap a
    100k-word text on every resize."""
    width = max(width, 1)
    starts: list[int] = []
    ends: list[int] = []
    position = 0
    for line in text.split("\n"):
        start, end = position, position + len(line)
        position = end + 1
        while True:
            fits = _fitting(text, start, end, width)
            if start + fits >= end:
                starts.append(start)
                ends.append(end)
                break
            cut = text.rfind(" ", start + 1, start + fits + 1)
            if cut > start:
                starts.append(start)
                ends.append(cut)
                start = cut + 1
            else:
                starts.append(start)
                ends.append(start + fits)
                start += fits
    return Rows(starts, ends)


def _fitting(text: str, start: int, end: int, width: int) -> int:
    """How many characters of ``text[start:end]`` fit in ``width`` cells (at least one)."""
    piece = text[start : min(end, start + width)]
    if piece.isascii():
        return max(len(piece), 1) if end > start else 0
    cells = 0
    for count, character in enumerate(text[start:end]):
        cells += get_character_cell_size(character)
        if cells > width:
            return max(count, 1)
    return end - start


Span = tuple[int, int, str]
"""Document offsets and the style to paint them with."""


def row_text(text: str, start: int, end: int, spans: list[Span]) -> Text:
    """The row as written, with the spans that touch it painted (later spans on top)."""
    out = Text()
    out.append(text[start:end])
    for span_start, span_end, style in spans:
        if span_start < end and span_end > start:
            out.stylize(style, max(span_start, start) - start, min(span_end, end) - start)
    return out


def matches(text: str, query: str) -> list[tuple[int, int]]:
    """Every case-insensitive occurrence of ``query`` (a plain string, not a pattern)."""
    if not query:
        return []
    return [(m.start(), m.end()) for m in re.finditer(re.escape(query), text, re.IGNORECASE)]


def finding_spans(findings: list[Finding], current: Finding | None) -> list[Span]:
    spans: list[Span] = []
    for finding in findings:
        style = SEVERITY_STYLE[finding.severity]
        if finding is current:
            style = f"{style} {CURRENT_FINDING}"
        spans.append((finding.start, finding.end, style))
    return spans


def finding_label(finding: Finding, width: int = 200) -> Text:
    """One entry of the findings panel: severity badge, clause type, section path, quote."""
    out = Text()
    out.append(f" {finding.severity.upper()} ", style=BADGE_STYLE[finding.severity])
    out.append(" ")
    out.append(finding.clause_type, style="bold")
    if finding.section_path:
        out.append("\n")
        out.append(" › ".join(finding.section_path), style="italic")
    quote = " ".join(finding.quote.split())
    if len(quote) > width:
        quote = quote[: width - 1] + "…"
    out.append("\n")
    out.append(f"“{quote}”", style="dim")
    return out


def visible(
    findings: list[Finding], clause_type: str, min_severity: Severity | None
) -> list[Finding]:
    """The findings the filters let through: clause type contains ``clause_type`` (any case),
    severity at least ``min_severity``."""
    wanted = clause_type.strip().lower()
    floor = SEVERITIES.index(min_severity) if min_severity else 0
    return [
        finding
        for finding in findings
        if wanted in finding.clause_type.lower() and SEVERITIES.index(finding.severity) >= floor
    ]
