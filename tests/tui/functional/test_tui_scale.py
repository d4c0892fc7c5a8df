"""The TUI on a 500-version history and a 100k-word document: everything a reviewer does there
still works (how fast is bench/tui.py's job, not a test's)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable

from tosanalyzer.store import Store
from tosanalyzer.tui.app import TosApp
from tosanalyzer.tui.document_view import DocumentView
from tosanalyzer.tui.findings_list import FindingsList
from tosanalyzer.tui.reading import ReadingScreen
from tosanalyzer.tui.timeline import TimelineScreen
from tosanalyzer.workspace import Workspace

SIZE = (100, 30)
SECTION = (
    "## Section {n}\n\nThis section {n} explains how the pages of the service are laid out, which"
    " colours and typefaces they use, and how the menus and buttons behave on small screens and"
    " large ones alike, so that readers can find what they need quickly.\n\n"
    "Any dispute about section {n} will be resolved by binding arbitration.\n\n"
)


@pytest.fixture
def big_db(tmp_path: Path) -> Path:
    path = tmp_path / "big.db"
    long_text = "# Terms\n\n" + "".join(SECTION.format(n=n) for n in range(1, 1900))
    with Store.open(path) as store:
        store.ensure_document("Bulk", "History")
        for n in range(500):
            day = f"{2000 + n // 300}-{1 + n // 28 % 12:02d}-{1 + n % 28:02d}T09:00:00Z"
            store.add_version("Bulk", "History", f"# Terms\n\nRevision {n} of the terms.\n", day)
        store.ensure_document("Bulk", "Long")
        store.add_version("Bulk", "Long", long_text, "2024-01-01T09:00:00Z")
    return path


@pytest.mark.anyio
async def test_a_long_history_and_a_long_document(big_db: Path) -> None:
    app = TosApp(Workspace(db=big_db))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "enter")  # typed ahead of the loading vendors list
        await app.workers.wait_for_complete()
        timeline = app.screen
        assert isinstance(timeline, TimelineScreen) and len(timeline.versions) == 500
        table = timeline.query_one(DataTable)
        assert table.row_count == 500
        await pilot.press("ctrl+end")  # the oldest version
        assert table.cursor_row == 499
        await pilot.press("escape", "down", "enter", "r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        reading = app.screen
        assert isinstance(reading, ReadingScreen) and reading.loaded is not None
        assert len(reading.loaded.text.split()) > 100_000
        view = reading.query_one(DocumentView)
        assert len(view.rows) > 10_000
        panel = reading.query_one(FindingsList)
        assert len(panel.entries) == len(reading.loaded.findings) >= 1899
        await pilot.press("end", "enter")  # the last finding, at the very end of the text
        await pilot.pause()
        assert reading.current is reading.shown[-1]
        assert view.shows(reading.current.start)
