"""The reading view's findings panel: a list that renders only the entries in view.

Textual's OptionList lays out every option again on each change: half a second for the 1,600
findings of a 100k-word document, and again for each decision relabelled. Here each entry is
wrapped with the reading view's plain greedy wrap, which only counts rows (a few milliseconds for
thousands of entries); only the entries in view are cut into styled rows and rendered.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tosanalyzer.tui.reading_text import wrap_rows


class FindingsList(ScrollView, can_focus=True):
    """Up / down / page keys move the highlight; enter or a click selects the entry."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"findings-list--highlight"}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "move_to(0)", "First", show=False),
        Binding("end", "move_to(-1)", "Last", show=False),
        Binding("enter", "select", "Select", show=False),
    ]

    highlighted: reactive[int | None] = reactive(None, init=False)

    class Selected(Message):
        def __init__(self, findings: FindingsList, index: int) -> None:
            super().__init__()
            self.findings = findings
            self.index = index

        @property
        def control(self) -> FindingsList:
            return self.findings

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries: list[Text] = []
        self._width = 0
        self._tops: list[int] = [0]
        """Row where each entry starts; the last item is the total."""
        self._rows: dict[int, list[Text]] = {}
        """Entries in view, cut into rows at the current width."""

    def show(self, entries: list[Text], highlighted: int | None = None) -> None:
        """Replace the entries (the highlight moves to ``highlighted``, or the first one)."""
        self.relabel(entries)
        if entries:
            wanted = highlighted if highlighted is not None else 0
            self.highlighted = min(max(wanted, 0), len(entries) - 1)
        else:
            self.highlighted = None

    def relabel(self, entries: list[Text]) -> None:
        """New texts for the entries, the highlight kept where it is."""
        self.entries = entries
        self._layout()

    def on_resize(self) -> None:
        if self._text_width() != self._width:
            self._layout()

    def _text_width(self) -> int:
        """The panel's width less a cell of padding either side (0 before it has a size)."""
        return max(self.scrollable_content_region.width - 2, 0)

    def _layout(self) -> None:
        self._width = self._text_width()
        self._rows.clear()
        self._tops = [0]
        if not self._width:
            self._tops += [0] * len(self.entries)
            return  # laid out on the first resize
        for entry in self.entries:
            self._tops.append(self._tops[-1] + len(wrap_rows(entry.plain, self._width)))
        self.virtual_size = Size(self.scrollable_content_region.width, self._tops[-1])
        self.refresh()

    def _entry_rows(self, index: int) -> list[Text]:
        rows = self._rows.get(index)
        if rows is None:
            rows = []
            for line in self.entries[index].split("\n", allow_blank=True):
                cuts = wrap_rows(line.plain, self._width).starts[1:]
                rows.extend(line.divide(cuts) if cuts else [line])
            self._rows[index] = rows
        return rows

    def top_of(self, index: int) -> int:
        """The row where entry ``index`` starts."""
        return self._tops[index]

    def entry_at(self, row: int) -> int | None:
        index = bisect_right(self._tops, row) - 1
        return index if 0 <= index < len(self.entries) else None

    def render_lines(self, crop: Region) -> list[Strip]:
        if self._text_width() != self._width:
            self._layout()  # a scrollbar came or went: the width changed, not the size
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        row = round(self.scroll_offset.y) + y
        width = self.scrollable_content_region.width
        index = self.entry_at(row)
        if index is None:
            return Strip.blank(width, self.rich_style)
        line = self._entry_rows(index)[row - self._tops[index]].copy()
        line.rstrip()
        line.pad_left(1)
        style = self.rich_style
        if index == self.highlighted:
            style += self.get_component_rich_style("findings-list--highlight")
        segments = [s for s in line.render(self.app.console) if s.text != "\n"]
        return Strip(segments).crop_extend(0, width, style).apply_style(style)

    def watch_highlighted(self, index: int | None) -> None:
        if index is not None and 0 <= index < len(self.entries):
            top, bottom = self._tops[index], self._tops[index + 1]
            width = self.scrollable_content_region.width
            self.scroll_to_region(Region(0, top, width, bottom - top), animate=False)
        self.refresh()

    def action_move(self, step: int) -> None:
        if not self.entries:
            return
        current = self.highlighted if self.highlighted is not None else -step
        self.highlighted = min(max(current + step, 0), len(self.entries) - 1)

    def action_page(self, direction: int) -> None:
        """Move by about a screenful of rows."""
        if not self.entries or self.highlighted is None:
            return
        row = self._tops[self.highlighted] + direction * self.scrollable_content_region.height
        row = min(max(row, 0), self._tops[-1] - 1)
        self.highlighted = self.entry_at(row)

    def action_move_to(self, index: int) -> None:
        if self.entries:
            self.highlighted = index % len(self.entries)

    def action_select(self) -> None:
        if self.highlighted is not None:
            self.post_message(self.Selected(self, self.highlighted))

    def on_click(self, event: events.Click) -> None:
        index = self.entry_at(round(self.scroll_offset.y) + event.y)
        if index is not None:
            self.highlighted = index
            self.post_message(self.Selected(self, index))
