"""The vendors list's grade / last change / unread columns and the timeline's change badges,
driven with Textual's Pilot over the demo loaded into a store in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest
from pilot_helpers import settle
from rich.text import Text
from textual.widgets import DataTable

from tosanalyzer.models import VersionInfo
from tosanalyzer.store import Store
from tosanalyzer.tui.app import TosApp
from tosanalyzer.tui.seen import SeenVersions, seen_path
from tosanalyzer.tui.timeline import TimelineScreen, badge_pairs, class_cache
from tosanalyzer.tui.vendors import VendorScreen, VendorsScreen
from tosanalyzer.workspace import DocumentDiff, Workspace

SIZE = (110, 30)
EMPTY = "Nothing Yet Inc"


@pytest.fixture
def demo(tmp_path: Path) -> tuple[Path, str]:
    db = tmp_path / "store.db"
    name = Workspace(db=db).load_demo()
    with Store.open(db) as store:
        store.ensure_document(EMPTY, "Terms of Service")  # tracked, never recorded
    return db, name


def cell(table: DataTable[Text], row: str, column: str) -> str:
    value = table.get_cell(row, column)
    return value.plain if isinstance(value, Text) else str(value)


@pytest.mark.anyio
async def test_vendors_list_grade_last_change_and_unread(demo: tuple[Path, str]) -> None:
    db, name = demo
    app = TosApp(Workspace(db=db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, VendorsScreen)
        table: DataTable[Text] = app.screen.query_one("#vendors", DataTable)
        assert cell(table, name, "grade") in {"A", "B", "C", "D", "E"}
        assert cell(table, name, "last_change") == "2025-04-22"  # the newest ToS version
        assert cell(table, name, "unread") == "9"  # never opened: all 4 + 5 versions
        assert cell(table, EMPTY, "grade") == "—"
        assert cell(table, EMPTY, "last_change") == "—"
        assert cell(table, EMPTY, "unread") == "0"

        table.move_cursor(row=table.get_row_index(name))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, VendorScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert cell(table, name, "unread") == "0"

    # the last-seen marks live next to the store and survive a restart
    assert seen_path(db).is_file()
    app = TosApp(Workspace(db=db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#vendors", DataTable)
        assert cell(table, name, "unread") == "0"
        # a version recorded after that counts as unread again
        with Store.open(db) as store:
            store.add_version(name, "Privacy Policy", "# Privacy\n\nNew.\n", "2025-06-01T09:00:00Z")
        await pilot.press("r")
        await settle(pilot)
        assert cell(table, name, "unread") == "1"
        assert cell(table, name, "last_change") == "2025-06-01"


@pytest.mark.anyio
async def test_grade_shows_an_ellipsis_while_computing(demo: tuple[Path, str]) -> None:
    db, _ = demo
    app = TosApp(Workspace(db=db))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, VendorsScreen)
        seen: list[str] = []
        original = screen._set_grade

        def spy(vendor: str, value: Text) -> None:
            table: DataTable[Text] = screen.query_one("#vendors", DataTable)
            seen.append(cell(table, vendor, "grade"))
            original(vendor, value)

        screen._set_grade = spy  # type: ignore[method-assign,assignment]
        await settle(pilot)
        assert seen == ["…"]  # the cell said "…" until the letter arrived


TOS_BADGES = {9: "material", 8: "material", 7: "material", 6: "cosmetic", 5: "—"}
"""The demo's Terms of Service pairs, oldest first: cosmetic, material, material, material."""


@pytest.mark.anyio
async def test_timeline_badges_show_each_versions_change_class(demo: tuple[Path, str]) -> None:
    db, name = demo
    workspace = Workspace(db=db)
    app = TosApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.push_screen(TimelineScreen(workspace, name, "Terms of Service"))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TimelineScreen)
        table: DataTable[Text] = screen.query_one("#timeline", DataTable)
        badges = {v: cell(table, str(v), "change").strip() for v in TOS_BADGES}
        assert badges == TOS_BADGES
        assert len(class_cache(workspace)) == 4

        # back and in again: the badges come from the cache, no "…", no new comparison
        await pilot.press("escape")
        calls: list[object] = []
        original = workspace.diff

        def counting(
            service: str, document: str, old: str | None = None, new: str | None = None
        ) -> DocumentDiff:
            calls.append((service, document, old, new))
            return original(service, document, old, new)

        workspace.diff = counting  # type: ignore[method-assign,assignment]
        await app.push_screen(TimelineScreen(workspace, name, "Terms of Service"))
        await settle(pilot)
        table = app.screen.query_one("#timeline", DataTable)
        assert {v: cell(table, str(v), "change").strip() for v in TOS_BADGES} == TOS_BADGES
        assert calls == []


def version(id: int, suspect: str | None = None) -> VersionInfo:
    return VersionInfo(
        id=id,
        service="S",
        document="D",
        recorded_at=f"2025-01-0{id}T00:00:00Z",
        text_sha256="0" * 64,
        characters=1,
        words=1,
        kind="first_record" if id == 1 else "change",
        suspect=suspect,
    )


def test_badge_pairs_skip_suspect_versions() -> None:
    versions = [version(1), version(2, "error page"), version(3), version(4)]
    assert badge_pairs(versions) == {1: None, 2: None, 3: (1, 3), 4: (3, 4)}
    assert badge_pairs([version(1, "error page"), version(2)]) == {1: None, 2: None}


def test_seen_versions_survive_a_bad_file(tmp_path: Path) -> None:
    path = tmp_path / "store.seen.json"
    path.write_text("not json", encoding="utf-8")
    seen = SeenVersions(path)
    versions = [version(1), version(2)]
    assert seen.unread("S", versions) == 2
    seen.mark("S", 1)
    assert SeenVersions(path).unread("S", versions) == 1
    assert SeenVersions(None).unread("S", versions) == 2
