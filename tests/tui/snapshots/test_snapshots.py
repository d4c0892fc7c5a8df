"""Snapshots of the TUI's screens (pytest-textual-snapshot, SVG in __snapshots__ beside this
file), kept apart from the functional tests: a snapshot fails on any change of the picture and
is updated deliberately with --snapshot-update."""

from __future__ import annotations

from pathlib import Path

from pilot_helpers import SIZE, open_diff, open_reading, open_timeline, settle
from textual.pilot import Pilot

from tosanalyzer.tui.app import TosApp
from tosanalyzer.workspace import Workspace


def test_snapshot_vendors(db: Path, snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(TosApp(Workspace(db=db)), terminal_size=SIZE, run_before=settle)


def test_snapshot_timeline(db: Path, snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def before(pilot: Pilot[None]) -> None:
        await open_timeline(pilot)
        await pilot.press("space")

    assert snap_compare(TosApp(Workspace(db=db)), terminal_size=SIZE, run_before=before)


def test_snapshot_diff(db: Path, snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def before(pilot: Pilot[None]) -> None:
        await open_diff(pilot, "down", "enter")
        await pilot.press("n")
        await pilot.pause()

    assert snap_compare(TosApp(Workspace(db=db)), terminal_size=SIZE, run_before=before)


def test_snapshot_reading(long_db: Path, snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def before(pilot: Pilot[None]) -> None:
        await open_reading(pilot)
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(TosApp(Workspace(db=long_db)), terminal_size=SIZE, run_before=before)
