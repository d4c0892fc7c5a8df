"""A version's whole text in one scrolling widget that renders only the rows in view.

A Static per paragraph made Textual lay out and wrap the whole of a 100k-word document when it
opened and again on every repaint (seconds of frozen screen). Here the text is wrapped into rows
of offsets once per width and a row becomes ``Text`` only when it scrolls into view, so opening,
painting a finding and scrolling cost what a screenful costs.
"""

from __future__ import annotations

from bisect import bisect_left

from rich.segment import Segment
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tosanalyzer.tui.reading_text import Rows, Span, row_text, wrap_rows


class DocumentView(ScrollView, can_focus=True):
    """The text, literal, with spans (findings, search matches) painted as backgrounds."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = ""
        self.rows = Rows([], [])
        self._width = 0
        self._spans: list[tuple[int, Span]] = []
        """(paint order, span), sorted by the span's start."""
        self._span_starts: list[int] = []
        self._longest = 0
        self._strips: dict[int, Strip] = {}

    def show(self, text: str) -> None:
        self.text = text
        self._width = 0
        self._rewrap()

    def paint(self, spans: list[Span]) -> None:
        """Replace the painted spans (later ones on top) and repaint the rows in view."""
        self._spans = sorted(enumerate(spans), key=lambda entry: entry[1][0])
        self._span_starts = [span[0] for _, span in self._spans]
        self._longest = max((end - start for start, end, _ in spans), default=0)
        self._strips.clear()
        self.refresh()

    def on_resize(self) -> None:
        self._rewrap()

    def _rewrap(self) -> None:
        width = self.scrollable_content_region.width
        if width <= 0 or width == self._width:
            return
        self._width = width
        self.rows = wrap_rows(self.text, width)
        self._strips.clear()
        self.virtual_size = Size(width, len(self.rows))
        self.refresh()

    def row_of(self, offset: int) -> int:
        return self.rows.row_of(offset)

    def scroll_to_offset(self, offset: int) -> None:
        """Put the row showing ``offset`` near the top, one row of context above it."""
        self._rewrap()
        self.scroll_to(y=max(self.row_of(offset) - 1, 0), animate=False)

    def shows(self, offset: int) -> bool:
        """Whether the row showing ``offset`` is in view."""
        top = round(self.scroll_offset.y)
        return top <= self.row_of(offset) < top + self.scrollable_content_region.height

    def render_lines(self, crop: Region) -> list[Strip]:
        self._rewrap()  # a scrollbar came or went: the width changed, not the size
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        row = round(self.scroll_offset.y) + y
        width = self.scrollable_content_region.width
        if not 0 <= row < len(self.rows):
            return Strip.blank(width, self.rich_style)
        strip = self._strips.get(row)
        if strip is None:
            strip = self._strips[row] = self._row_strip(row)
        return strip.crop_extend(0, width, self.rich_style).apply_style(self.rich_style)

    def _row_strip(self, row: int) -> Strip:
        start, end = self.rows.starts[row], self.rows.ends[row]
        first = bisect_left(self._span_starts, start - self._longest)
        last = bisect_left(self._span_starts, end)
        touching = [span for _, span in sorted(self._spans[first:last])]
        text = row_text(self.text, start, end, touching)
        segments = [s for s in text.render(self.app.console) if s.text != "\n"]
        return Strip(Segment.simplify(segments))
