"""The reviewer's TUI driven with Textual's Pilot, over a real store built in tmp_path."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import pytest
from pilot_helpers import MARKUP, SIZE, open_diff, open_reading, open_timeline, settle
from rich.console import Console
from textual.widgets import DataTable, Input, OptionList

from tosanalyzer.tui.app import OpenAt, TosApp
from tosanalyzer.tui.diff_screen import DiffScreen
from tosanalyzer.tui.document_view import DocumentView
from tosanalyzer.tui.findings_list import FindingsList
from tosanalyzer.tui.help import HelpScreen, help_table
from tosanalyzer.tui.reading import ReadingScreen
from tosanalyzer.tui.reading_text import matches, row_text, wrap_rows
from tosanalyzer.tui.render import plain
from tosanalyzer.tui.timeline import TimelineScreen
from tosanalyzer.tui.vendors import VendorScreen, VendorsScreen
from tosanalyzer.workspace import Workspace


def panel(screen: DiffScreen) -> str:
    assert screen.rendered is not None
    return screen.rendered.panel.plain


def inline(screen: DiffScreen) -> str:
    assert screen.rendered is not None
    return "\n".join(plain(rows) for rows in screen.rendered.inline)


def side(screen: DiffScreen, which: int) -> str:
    assert screen.rendered is not None
    return "\n".join(plain(pair[which]) for pair in screen.rendered.side)


def screen_text(app: TosApp) -> str:
    """The words the terminal shows (the SVG screenshot without its tags; runs of spaces and
    line wrapping are not kept faithfully, so look for short phrases only)."""
    svg = app.export_screenshot()
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


@pytest.mark.anyio
async def test_navigation_from_vendors_to_the_diff_and_back(db: Path) -> None:
    app = TosApp(Workspace(db=db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        vendors = app.screen
        assert isinstance(vendors, VendorsScreen)
        table = vendors.query_one(DataTable)
        assert table.row_count == 2
        assert [str(c) for c in table.get_row_at(0)] == [
            "Acme",
            "C",
            "Terms of Service",
            "3",
            "2026-03-03",
            "3",
        ]
        await pilot.press("enter")
        assert isinstance(app.screen, VendorScreen) and app.screen.service.name == "Acme"
        await pilot.press("enter")
        await settle(pilot)
        timeline = app.screen
        assert isinstance(timeline, TimelineScreen)
        rows = [[str(c) for c in timeline.query_one(DataTable).get_row_at(i)] for i in range(3)]
        assert [row[1] for row in rows] == ["3", "2", "1"]  # newest first
        assert rows[2][6] == "first" and rows[0][2] == "2026-03-03 09:00:00"
        assert [row[5].strip() for row in rows] == ["substantive", "material", "—"]
        await pilot.press("down", "enter")  # version 2 against version 1
        await settle(pilot)
        diff = app.screen
        assert isinstance(diff, DiffScreen) and (diff.old, diff.new) == (1, 2)
        text = panel(diff)
        assert "MATERIAL" in text and "liability cap: $100 → $50" in text
        assert "arbitration" in text.lower()
        body = inline(diff)
        assert "    5       - Our total liability" in body
        assert "          5 + Our total liability" in body
        await pilot.pause()
        assert "exceed fifty" in screen_text(app)
        await pilot.press("escape")
        assert app.screen is timeline
        await pilot.press("escape", "escape")
        assert app.screen is vendors
        await pilot.press("escape")  # nothing under the vendors list: stays
        assert app.screen is vendors


@pytest.mark.anyio
async def test_keys_typed_before_the_rows_arrive_are_kept(db: Path) -> None:
    app = TosApp(Workspace(db=db))
    async with app.run_test(size=SIZE) as pilot:
        # at once, before the vendors and then the versions are loaded
        await pilot.press("enter", "enter", "down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DiffScreen) and (app.screen.old, app.screen.new) == (1, 2)


@pytest.mark.anyio
async def test_opening_straight_at_a_diff_as_an_alert_says(db: Path) -> None:
    workspace = Workspace(db=db)
    acme = next(s for s in workspace.tracked() if s.name == "Acme")
    app = TosApp(workspace, OpenAt(acme, "Terms of Service", (1, 2)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        diff = app.screen
        assert isinstance(diff, DiffScreen) and (diff.old, diff.new) == (1, 2)
        assert diff.rendered is not None and "MATERIAL" in panel(diff)
        await pilot.press("escape")
        assert isinstance(app.screen, TimelineScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, VendorScreen) and app.screen.service.name == "Acme"
        await pilot.press("escape")
        assert isinstance(app.screen, VendorsScreen)


@pytest.mark.anyio
async def test_marked_versions_and_the_default_pair(db: Path) -> None:
    app = TosApp(Workspace(db=db))
    async with app.run_test(size=SIZE) as pilot:
        timeline = await open_timeline(pilot)
        await pilot.press("d")  # nothing marked: the last two
        await settle(pilot)
        assert isinstance(app.screen, DiffScreen) and (app.screen.old, app.screen.new) == (2, 3)
        await pilot.press("escape")
        await pilot.press("space", "down", "down", "space")  # versions 3 and 1
        assert timeline.marked == [3, 1]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DiffScreen) and (app.screen.old, app.screen.new) == (1, 3)


@pytest.mark.anyio
async def test_side_by_side_toggle_and_change_jumps(db: Path) -> None:
    app = TosApp(Workspace(db=db))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_diff(pilot, "down", "enter")
        changes = screen.changes
        assert len(changes) == 2  # the cap, the dispute clause
        assert screen.current == -1
        await pilot.press("n")
        assert screen.current == 0 and screen.changes[0].has_class("-current")
        await pilot.press("n", "n")  # stops at the last one
        assert screen.current == 1 and screen.changes[1].has_class("-current")
        await pilot.press("p")
        assert screen.current == 0
        assert not screen.query(".pair")
        await pilot.press("s")
        await pilot.pause()
        assert screen.rendered is not None
        columns = [b for b in screen.rendered.blocks if b.kind != "header"]
        assert screen.side_by_side and len(screen.query(".pair")) == len(columns)
        old, new = side(screen, 0), side(screen, 1)
        assert "one hundred dollars" in old and "one hundred dollars" not in new
        assert "fifty dollars" in new and "fifty dollars" not in old
        assert screen.changes[0].has_class("-current")  # the position survives the toggle
        await pilot.press("s")
        await pilot.pause()
        assert not screen.side_by_side and not screen.query(".pair")


def quote_index(screen: DiffScreen, words: str) -> int:
    assert screen.rendered is not None
    return next(
        i
        for i, entry in enumerate(screen.rendered.checklist)
        if entry.evidence is not None and words in entry.evidence.quote
    )


@pytest.mark.anyio
async def test_diff_checklist_quotes_take_the_reviewer_to_their_clause(db: Path) -> None:
    app = TosApp(Workspace(db=db))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_diff(pilot, "down", "enter")  # version 1 → 2
        assert screen.rendered is not None
        titles = [e.prompt.plain for e in screen.rendered.checklist if e.evidence is None]
        assert "✅ Forced arbitration or class-action waiver" in titles
        assert "✅ Provider's liability capped at $100 or less, or at the fees you paid" in titles
        assert titles.index("✅ Forced arbitration or class-action waiver") < titles.index(
            "❌ Personal data transferred abroad"
        )  # raised items first
        await pilot.press("c")
        checklist = screen.query_one("#checklist", OptionList)
        assert checklist.has_focus
        checklist.highlighted = quote_index(screen, "fifty dollars")
        await pilot.press("enter")
        await pilot.pause()
        assert screen.current == 0 and screen.changes[0].has_class("-current")  # the cap
        checklist.highlighted = quote_index(screen, "binding arbitration")
        await pilot.press("enter")
        await pilot.pause()
        assert screen.current == 1 and screen.changes[1].has_class("-current")
        await pilot.press("escape", "d")  # version 2 → 3: only the contact line changed
        await settle(pilot)
        later = app.screen
        assert isinstance(later, DiffScreen) and later.rendered is not None
        later.query_one("#checklist", OptionList).focus()
        later.query_one("#checklist", OptionList).highlighted = quote_index(
            later, "binding arbitration"
        )
        await pilot.press("enter")
        await settle(pilot)
        reading = app.screen
        assert isinstance(reading, ReadingScreen) and reading.version.id == 3
        assert reading.current is not None and reading.current.clause_type == "arbitration"
        await pilot.press("escape")
        assert app.screen is later


@pytest.mark.anyio
async def test_markup_in_documents_and_names_is_shown_literally(db: Path) -> None:
    app = TosApp(Workspace(db=db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        names = [str(app.screen.query_one(DataTable).get_row_at(i)[0]) for i in range(2)]
        assert "[b]Bracket[/b] Corp" in names
        screen = await open_diff(pilot, "enter")  # version 3 (the markup) against 2
        assert MARKUP in inline(screen)
        assert "[bold]Not bold[/] and" in screen_text(app)
        assert "[link=x]not a link[/link]" in screen_text(app)
        await pilot.press("s")
        await pilot.pause()
        assert MARKUP in side(screen, 1)
        assert "[bold]Not bold[/] and" in screen_text(app)


@pytest.mark.anyio
async def test_help_opens_and_closes(db: Path) -> None:
    app = TosApp(Workspace(db=db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=80, record=True, file=io.StringIO())
        console.print(help_table())
        assert "toggle inline / side by side" in console.export_text()
        await pilot.press("escape")
        assert isinstance(app.screen, VendorsScreen)


@pytest.mark.anyio
async def test_command_palette_opens_a_vendor(db: Path) -> None:
    app = TosApp(Workspace(db=db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"open vendor: [b]br")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, VendorScreen)
        assert app.screen.service.name == "[b]Bracket[/b] Corp"


@pytest.mark.anyio
async def test_command_palette_runs_the_diff_actions_and_q_quits(db: Path) -> None:
    app = TosApp(Workspace(db=db))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_diff(pilot, "down", "enter")
        await pilot.press("ctrl+p", *"side by side")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen and screen.side_by_side
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("question_mark")
        assert app.screen is screen
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


@pytest.mark.anyio
async def test_leaving_the_diff_before_it_is_ready(db: Path) -> None:
    app = TosApp(Workspace(db=db))
    async with app.run_test(size=SIZE) as pilot:
        timeline = await open_timeline(pilot)
        await pilot.press("d", "escape")
        await settle(pilot)
        assert app.screen is timeline
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DiffScreen) and app.screen.rendered is not None


# --- the reading view ------------------------------------------------------------------------


def listed(screen: ReadingScreen) -> list[str]:
    return [finding.clause_type for finding in screen.shown]


def panel_lines(screen: ReadingScreen) -> list[str]:
    panel = screen.query_one("#findings", FindingsList)
    return [entry.plain.split("\n")[0] for entry in panel.entries]


def line_visible(screen: ReadingScreen, offset: int) -> bool:
    """Whether the text row holding ``offset`` is inside the text pane's viewport."""
    return screen.query_one("#reading", DocumentView).shows(offset)


@pytest.mark.anyio
async def test_reading_view_lists_findings_and_scrolls_to_one(long_db: Path) -> None:
    app = TosApp(Workspace(db=long_db))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reading(pilot)  # the newest version, the long one
        assert screen.version.id == 2
        assert listed(screen) == ["arbitration", "liability_cap_amount", "limitation_of_liability"]
        assert panel_lines(screen) == [
            " HIGH  arbitration",
            " MEDIUM  liability_cap_amount",
            " MEDIUM  limitation_of_liability",
        ]
        label = screen.query_one("#findings", FindingsList).entries[0].plain
        assert "Terms › Disputes" in label and "binding arbitration." in label
        scroll = screen.query_one("#reading", DocumentView)
        assert scroll.scroll_offset.y == 0
        arbitration = screen.shown[0]
        assert not line_visible(screen, arbitration.start)
        await pilot.press("enter")  # the first finding is highlighted in the panel
        await pilot.pause()
        assert screen.current is arbitration
        assert scroll.scroll_offset.y > 0 and line_visible(screen, arbitration.start)
        assert "binding arbitration" in screen_text(app)
        # the finding's words are painted with its severity's background
        row = scroll.row_of(arbitration.start) - round(scroll.scroll_offset.y)
        painted = scroll.render_line(row)
        backgrounds = {
            segment.text.strip(): segment.style.bgcolor.get_truecolor()
            for segment in painted
            if segment.style and segment.style.bgcolor and segment.text.strip()
        }
        assert backgrounds.get("Any dispute will be resolved by binding arbitration.") == (
            135,
            0,
            0,
        )  # dark_red: high
        await pilot.press("escape")
        assert isinstance(app.screen, TimelineScreen)


@pytest.mark.anyio
async def test_a_click_on_a_finding_selects_it(long_db: Path) -> None:
    app = TosApp(Workspace(db=long_db))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reading(pilot)
        panel = screen.query_one("#findings", FindingsList)
        await pilot.click("#findings", offset=(3, panel.top_of(2) + 1))
        await pilot.pause()
        assert panel.highlighted == 2 and screen.current is screen.shown[2]
        assert line_visible(screen, screen.shown[2].start)


@pytest.mark.anyio
async def test_reading_view_filters_by_clause_type_and_severity(long_db: Path) -> None:
    app = TosApp(Workspace(db=long_db))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reading(pilot)
        await pilot.press("s", "s", "s")  # low → medium → high and above
        assert screen.min_severity == "high" and listed(screen) == ["arbitration"]
        await pilot.press("s", "s")  # blocker, then all again
        assert screen.min_severity is None and len(listed(screen)) == 3
        await pilot.press("f")
        prompt = screen.query_one("#prompt", Input)
        assert prompt.has_focus and prompt.display
        await pilot.press(*"LIAB", "enter")
        assert not prompt.display
        assert listed(screen) == ["liability_cap_amount", "limitation_of_liability"]
        assert len(panel_lines(screen)) == 2
        await pilot.press("f", "escape")  # escape closes the prompt, not the screen
        assert app.screen is screen and not prompt.display and screen.clause_filter == "LIAB"
        await pilot.press("f", "ctrl+u", "enter")
        assert len(listed(screen)) == 3


@pytest.mark.anyio
async def test_reading_view_search_jumps_between_matches(long_db: Path) -> None:
    app = TosApp(Workspace(db=long_db))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reading(pilot)
        scroll = screen.query_one("#reading", DocumentView)
        await pilot.press("slash", *"DOLLARS", "enter")
        await pilot.pause()
        assert screen.loaded is not None
        assert len(screen.hits) == 1 and screen.hit == 0
        start, end = screen.hits[0]
        assert screen.loaded.text[start:end] == "dollars"
        assert scroll.scroll_offset.y > 0 and line_visible(screen, start)
        await pilot.press("slash", "ctrl+u", *"part number", "enter")
        await pilot.pause()
        assert len(screen.hits) == 30 and screen.hit == 0
        await pilot.press("n", "n")
        assert screen.hit == 2
        await pilot.pause()
        assert line_visible(screen, screen.hits[2][0])
        await pilot.press("N", "N", "N")
        assert screen.hit == 29  # wraps around
        await pilot.pause()
        assert line_visible(screen, screen.hits[29][0])
        await pilot.press("slash", "ctrl+u", *"no such words", "enter")
        assert screen.hits == [] and screen.hit == -1


@pytest.mark.anyio
async def test_reading_view_shows_markup_literally(db: Path) -> None:
    app = TosApp(Workspace(db=db))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reading(pilot)  # version 3, with the markup
        assert screen.version.id == 3
        assert screen.loaded is not None and MARKUP in screen.loaded.text
        await pilot.press("slash", *"[/]", "enter")
        await pilot.pause()
        assert len(screen.hits) == 2
        text = screen_text(app)
        assert "[bold]Not bold[/] and" in text and "[link=x]not a link[/link]" in text
        assert "arbitration" in listed(screen)


@pytest.mark.anyio
async def test_command_palette_reading_entries(long_db: Path) -> None:
    app = TosApp(Workspace(db=long_db))
    async with app.run_test(size=SIZE) as pilot:
        await open_timeline(pilot)
        await pilot.press("ctrl+p", *"read version")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReadingScreen) and screen.loaded is not None
        await pilot.press("ctrl+p", *"cycle lowest severity")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert screen.min_severity == "low"
        assert app.screen is screen
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=100, record=True, file=io.StringIO())
        console.print(help_table())
        assert "Reading view" in console.export_text()


def test_reading_rows_wrap_at_spaces_and_paint_literally() -> None:
    text = "# T\n\nfirst para still first\n\nsecond [b]x[/b]\nunbreakablewordhere"
    rows = wrap_rows(text, 80)
    shown = [text[a:b] for a, b in zip(rows.starts, rows.ends, strict=True)]
    assert shown == [
        "# T",
        "",
        "first para still first",
        "",
        "second [b]x[/b]",
        "unbreakablewordhere",
    ]
    narrow = wrap_rows(text, 10)
    shown = [text[a:b] for a, b in zip(narrow.starts, narrow.ends, strict=True)]
    assert shown[2:5] == ["first para", "still", "first"]  # the spaces the wrap took are gone
    assert shown[-2:] == ["unbreakabl", "ewordhere"]  # a word longer than the row is cut
    assert narrow.row_of(text.index("still")) == 3
    assert narrow.row_of(text.index("still") - 1) == 2  # the swallowed space: the row before
    wide = "契約条項の確認" * 3
    cjk = wrap_rows(wide, 10)  # two cells a character
    assert wide[cjk.starts[0] : cjk.ends[0]] == "契約条項の"
    hits = matches(text, "[B]")
    assert len(hits) == 1
    painted = row_text(text, rows.starts[4], rows.ends[4], [(*hits[0], "on red")])
    assert painted.plain == "second [b]x[/b]"
    assert [(span.start, span.end, str(span.style)) for span in painted.spans] == [
        (7, 10, "on red")
    ]
