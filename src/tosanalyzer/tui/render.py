"""Diffs as Rich ``Text``: pure functions, no Textual, so they are easy to test.

Document text is always appended as plain strings to ``Text`` objects, never parsed as markup:
a Terms of Service containing ``[bold]`` or ``[/]`` is shown as written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from tosanalyzer.workspace import ClauseDiff, DiffLine, Hunk, TextDiff

BlockKind = Literal["header", "context", "change"]

LINE_STYLE = {"equal": "", "delete": "red", "insert": "green"}
"""Colour of a whole changed line."""
CHANGED_STYLE = {"delete": "bold white on dark_red", "insert": "bold black on green3"}
"""Colour of the words that changed inside an edited line."""
MARK = {"equal": " ", "delete": "-", "insert": "+"}
CLASS_STYLE = {
    "material": "bold white on red",
    "substantive": "bold black on yellow",
    "cosmetic": "black on grey70",
}


@dataclass
class Block:
    """A run of the diff shown as one unit: a hunk header, context lines, or one change."""

    kind: BlockKind
    hunk: Hunk
    lines: list[DiffLine] = field(default_factory=list)


def blocks(diff: TextDiff) -> list[Block]:
    """Hunk headers, runs of context lines and runs of changed lines, in reading order."""
    out: list[Block] = []
    for hunk in diff.hunks:
        out.append(Block("header", hunk))
        for line in hunk.lines:
            kind: BlockKind = "context" if line.op == "equal" else "change"
            if out[-1].kind != kind or out[-1].hunk is not hunk:
                out.append(Block(kind, hunk))
            out[-1].lines.append(line)
    return out


def header_text(block: Block) -> Text:
    return Text(block.hunk.header, style="bold cyan")


def _line_body(line: DiffLine) -> Text:
    """The line's text with its changed words emphasised (literal, never markup)."""
    text = Text(style=LINE_STYLE[line.op])
    if line.op == "equal" or not line.segments:
        text.append(line.text)
        return text
    for segment in line.segments:
        style = "" if segment.op == "equal" else CHANGED_STYLE[line.op]
        text.append(segment.text, style=style)
    return text


def _number(value: int | None) -> str:
    return f"{value:>5}" if value is not None else "     "


Row = tuple[Text, Text]
"""A gutter (line numbers and mark) and the line's text: wrapped text hangs under the text."""


def _gutter(text: str, line: DiffLine) -> Text:
    return Text(text, style="dim" if line.op == "equal" else LINE_STYLE[line.op], no_wrap=True)


def inline_rows(block: Block) -> list[Row]:
    """Unified view of a block: old and new line numbers, a +/- mark, the line."""
    return [
        (
            _gutter(f"{_number(line.old_number)} {_number(line.new_number)} {MARK[line.op]}", line),
            _line_body(line),
        )
        for line in block.lines
    ]


def side_rows(block: Block) -> tuple[list[Row], list[Row]]:
    """Side-by-side view of a block: old lines on the left, new lines on the right."""
    left: list[Row] = []
    right: list[Row] = []
    for line in block.lines:
        if line.op in ("equal", "delete"):
            left.append(
                (_gutter(f"{_number(line.old_number)} {MARK[line.op]}", line), _line_body(line))
            )
        if line.op in ("equal", "insert"):
            right.append(
                (_gutter(f"{_number(line.new_number)} {MARK[line.op]}", line), _line_body(line))
            )
    return left, right


def grid(rows: list[Row]) -> Table:
    """Rows as a two-column grid, so a wrapped line stays right of its gutter."""
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(no_wrap=True)
    table.add_column(ratio=1, overflow="fold")
    for gutter, body in rows:
        table.add_row(gutter, body)
    return table


def plain(rows: list[Row]) -> str:
    """The rows as plain text (for tests and logs)."""
    return "\n".join(f"{gutter.plain} {body.plain}" for gutter, body in rows)


def clause_panel(clauses: ClauseDiff) -> Text:
    """The side panel: class and reasons, findings gained and lost, attribute deltas."""
    out = Text()
    out.append(f" {clauses.change_class.upper()} ", style=CLASS_STYLE[clauses.change_class])
    out.append("\n")
    if clauses.capped_because:
        out.append(f"capped: {clauses.capped_because}\n", style="italic")
    _section(out, "Why", clauses.reasons)
    _section(
        out,
        "Findings gained",
        [f"+ {d.label}" + _where(d.section_paths) for d in clauses.findings_gained],
        "green",
    )
    _section(
        out,
        "Findings lost",
        [f"- {d.label}" + _where(d.section_paths) for d in clauses.findings_lost],
        "red",
    )
    _section(out, "Attributes", [d.summary for d in clauses.attribute_deltas], "yellow")
    counts = ", ".join(
        f"{clauses.count(kind)} {kind}"
        for kind in ("added", "removed", "modified", "moved")
        if clauses.count(kind)
    )
    _section(out, "Clauses", [counts or "no clause changed"])
    return out


def _section(out: Text, title: str, items: list[str], style: str = "") -> None:
    out.append(f"\n{title}\n", style="bold underline")
    if not items:
        out.append("none\n", style="dim")
    for item in items:
        out.append(f"{item}\n", style=style)


def _where(section_paths: list[str]) -> str:
    return f"\n    in {'; '.join(section_paths)}" if section_paths else ""
