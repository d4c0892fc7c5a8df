"""How responsive the reviewer's TUI stays on a long history and a very long document.

Run by hand (never asserted in CI):  python bench/tui.py [--words 100000] [--versions 500]

Builds a store in a temporary folder from the fictional demo vendor's texts (ours, not a real
vendor's): one document with ``--versions`` versions (each a small edit of the one before), one
with a single version of about ``--words`` words (the demo terms repeated, numbered). Then drives
the real app headless with Pilot through what a reviewer does, and reports for each step the time
until it is done and the longest stall of the UI thread meanwhile: a 10 ms timer on the app's
event loop records the gaps between its ticks, so a stall is time in which keys and repaints wait.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot

from tosanalyzer.base.bundled import corpora_dir
from tosanalyzer.store import Store
from tosanalyzer.tui.app import TosApp
from tosanalyzer.tui.diff_screen import DiffScreen
from tosanalyzer.tui.document_view import DocumentView
from tosanalyzer.tui.reading import ReadingScreen
from tosanalyzer.tui.timeline import TimelineScreen
from tosanalyzer.workspace import Workspace

TICK = 0.01
LONG = "Terms of Service, consolidated"
"""Listed after "Terms of Service", the long history."""


def demo_terms() -> str:
    folder = corpora_dir() / "demo" / "quillfeather-notes" / "terms-of-service"
    return sorted(folder.glob("*.md"))[-1].read_text(encoding="utf-8")


def build_store(path: Path, versions: int, words: int) -> None:
    base = demo_terms()
    with Store.open(path) as store:
        store.ensure_document("Bench Vendor", "Terms of Service")
        for number in range(versions):
            day = f"{2020 + number // 300}-{1 + number // 28 % 12:02d}-{1 + number % 28:02d}"
            text = base.replace("## 1.", f"Revision {number} of these terms.\n\n## 1.", 1)
            store.add_version("Bench Vendor", "Terms of Service", text, f"{day}T09:00:00Z")
        store.ensure_document("Bench Vendor", LONG)
        parts, count, copy = [], 0, 0
        while count < words:
            copy += 1
            part = base.replace("# ", f"# Part {copy}: ", 1)
            parts.append(part)
            count += len(part.split())
        long_text = "\n\n".join(parts)
        store.add_version("Bench Vendor", LONG, long_text, "2024-01-01T09:00:00Z")


class Stalls:
    """Gaps between ticks of a timer on the app's loop: the UI thread's stalls."""

    def __init__(self) -> None:
        self.gaps: list[float] = []
        self.last = time.perf_counter()

    def tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self.last - TICK)
        self.last = now

    def reset(self) -> None:
        self.gaps, self.last = [], time.perf_counter()

    def worst(self) -> float:
        return max(self.gaps, default=0.0)


async def step(
    name: str, stalls: Stalls, action: Callable[[], Awaitable[object]], rows: list[str]
) -> None:
    stalls.reset()
    start = time.perf_counter()
    await action()
    took = time.perf_counter() - start
    median = statistics.median(stalls.gaps) if stalls.gaps else 0.0
    rows.append(
        f"{name:<52} {took * 1000:>8.0f} ms   worst stall {stalls.worst() * 1000:>6.0f} ms"
        f"   median {median * 1000:>4.1f} ms"
    )


async def until(pilot: Pilot[None], done: Callable[[], bool], limit: float = 120.0) -> None:
    start = time.perf_counter()
    while not done():
        if time.perf_counter() - start > limit:
            raise TimeoutError("the app did not get there in time")
        await pilot.pause(0.02)


async def drive(db: Path) -> list[str]:
    app = TosApp(Workspace(db=db))
    rows: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        stalls = Stalls()
        app.set_interval(TICK, stalls.tick)
        await until(pilot, lambda: bool(app.screen.query("DataTable")))
        await pilot.pause(0.5)
        await browse_long_history(app, pilot, stalls, rows)
        await pilot.press("escape", "escape")
        await pilot.pause(0.2)
        await read_long_document(app, pilot, stalls, rows)
        rows += long_document_sizes(app)
    return rows


async def browse_long_history(
    app: TosApp, pilot: Pilot[None], stalls: Stalls, rows: list[str]
) -> None:
    """The first document's timeline opened, moved through, and its newest pair diffed."""

    async def open_timeline() -> None:
        await pilot.press("enter", "enter")
        await until(pilot, lambda: isinstance(app.screen, TimelineScreen))
        screen = app.screen
        assert isinstance(screen, TimelineScreen)
        await until(pilot, lambda: len(screen.versions) > 0)

    await step("timeline of the long history: rows shown", stalls, open_timeline, rows)

    async def move() -> None:
        for _ in range(60):
            await pilot.press("down")
        await pilot.press("pagedown", "pagedown", "end", "home")

    await step("64 moves in it while badges compute", stalls, move, rows)

    async def diff() -> None:
        await pilot.press("enter")
        await until(
            pilot,
            lambda: isinstance(app.screen, DiffScreen) and app.screen.rendered is not None,
        )

    await step("diff of the newest pair", stalls, diff, rows)


async def read_long_document(
    app: TosApp, pilot: Pilot[None], stalls: Stalls, rows: list[str]
) -> None:
    """The long document opened in the reading view, its findings stepped through, searched."""

    async def read_long() -> None:
        await pilot.press("down", "enter")
        await until(pilot, lambda: isinstance(app.screen, TimelineScreen))
        timeline = app.screen
        await until(pilot, lambda: isinstance(timeline, TimelineScreen) and bool(timeline.versions))
        await pilot.press("r")
        await until(
            pilot,
            lambda: isinstance(app.screen, ReadingScreen) and app.screen.loaded is not None,
        )
        await pilot.pause(0.1)

    await step("reading view of the long document: text shown", stalls, read_long, rows)

    async def findings() -> None:
        for _ in range(30):
            await pilot.press("down", "enter")

    await step("30 findings selected (scroll to each)", stalls, findings, rows)

    async def search() -> None:
        await pilot.press("slash", *"liability", "enter")
        for _ in range(20):
            await pilot.press("n")

    await step("search '/liability' and 20 × n", stalls, search, rows)


def long_document_sizes(app: TosApp) -> list[str]:
    """What the reading view held, so the figures above can be read against it."""
    screen = app.screen
    if not isinstance(screen, ReadingScreen) or screen.loaded is None:
        return []
    return [
        f"(long document: {len(screen.loaded.text.split()):,} words,"
        f" {len(screen.query_one(DocumentView).rows):,} rows,"
        f" {len(screen.loaded.findings)} findings,"
        f" {len(screen.hits)} matches)"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", type=int, default=500)
    parser.add_argument("--words", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.db"
        start = time.perf_counter()
        build_store(db, args.versions, args.words)
        print(f"store built in {time.perf_counter() - start:.1f} s")
        for row in asyncio.run(drive(db)):
            print(row)


if __name__ == "__main__":
    main()
