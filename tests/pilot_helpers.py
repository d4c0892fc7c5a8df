"""Waiting for the TUI under Pilot to settle, shared by its tests."""

from __future__ import annotations

from textual.pilot import Pilot


async def settle(pilot: Pilot[None]) -> None:
    """Let pending mounts start their workers, then wait for every worker, including those
    started by other workers (a decision reloads the decisions), and for the repaint."""
    await pilot.pause()
    for _ in range(50):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in pilot.app.workers):
            return
