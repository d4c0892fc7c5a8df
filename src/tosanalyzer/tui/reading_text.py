"""The reading view as Rich ``Text``: pure functions, no Textual, so they are easy to test.

A version's text is cut into paragraphs (runs of lines between blank lines), grouped into chunks
of a few thousand characters (one widget each: a 100k-word document stays a few hundred widgets);
each chunk is shown literally (appended as a plain string, never parsed as markup) with the
findings and search matches that fall inside it painted as background colours.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from rich.console import Console
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
class Paragraph:
    start: int
    end: int
    """Offsets in the document text, ``end`` one past the last character."""


def paragraphs(text: str) -> list[Paragraph]:
    """Runs of non-blank lines, in reading order (blank lines only separate them)."""
    return [
        Paragraph(match.start(), match.end())
        for match in re.finditer(r"[^\n]*\S[^\n]*(?:\n[^\n]*\S[^\n]*)*", text)
    ]


def chunks(paras: list[Paragraph], max_chars: int = 3000) -> list[Paragraph]:
    """Consecutive paragraphs grouped while a group spans at most ``max_chars`` (a longer
    paragraph stays whole, alone). A chunk runs from its first paragraph's start to its last
    one's end, so the blank lines between them are kept as written."""
    out: list[Paragraph] = []
    for para in paras:
        if out and para.end - out[-1].start <= max_chars:
            out[-1] = Paragraph(out[-1].start, para.end)
        else:
            out.append(para)
    return out


def line_of(text: str, chunk: Paragraph, offset: int, width: int, console: Console) -> int:
    """The row, counted from the chunk's first, on which ``offset`` is shown when the chunk is
    wrapped to ``width`` cells."""
    row = 0
    position = chunk.start
    for line in text[chunk.start : chunk.end].split("\n"):
        wrapped = Text(line).wrap(console, max(width, 1))
        if offset <= position + len(line):
            seen = position
            for number, part in enumerate(wrapped):
                seen += len(part.plain)
                if offset < seen:
                    return row + number
            return row + len(wrapped) - 1
        row += len(wrapped)
        position += len(line) + 1
    return max(row - 1, 0)


def paragraph_at(ends: list[int], offset: int) -> int:
    """Index of the paragraph holding ``offset`` (the next one if it falls in a gap), given the
    paragraphs' ``end`` offsets in order."""
    return min(bisect_right(ends, offset), max(len(ends) - 1, 0))


def matches(text: str, query: str) -> list[tuple[int, int]]:
    """Every case-insensitive occurrence of ``query`` (a plain string, not a pattern)."""
    if not query:
        return []
    return [(m.start(), m.end()) for m in re.finditer(re.escape(query), text, re.IGNORECASE)]


Span = tuple[int, int, str]
"""Document offsets and the style to paint them with."""


def paragraph_text(text: str, para: Paragraph, spans: list[Span]) -> Text:
    """The paragraph as written, with the spans that touch it painted (later spans on top)."""
    out = Text()
    out.append(text[para.start : para.end])
    for start, end, style in spans:
        if start < para.end and end > para.start:
            out.stylize(style, max(start, para.start) - para.start, min(end, para.end) - para.start)
    return out


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
