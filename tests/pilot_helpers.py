"""What the TUI tests share: the stores they open, the way to a screen, waiting to settle."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from tosanalyzer.store import Store
from tosanalyzer.tui.diff_screen import DiffScreen
from tosanalyzer.tui.reading import ReadingScreen
from tosanalyzer.tui.timeline import TimelineScreen

SIZE = (100, 30)


async def settle(pilot: Pilot[None]) -> None:
    """Let pending mounts start their workers, then wait for every worker, including those
    started by other workers (a decision reloads the decisions), and for the repaint."""
    await pilot.pause()
    for _ in range(50):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in pilot.app.workers):
            return


CAP_100 = (
    "# Terms\n\n## Liability\n\nOur total liability to you will not exceed one hundred dollars"
    " ($100).\n\n## Disputes\n\nYou may bring claims in the courts of your place of residence.\n"
    "\n## Contact\n\nWrite to us at the address below.\n"
)
CAP_50 = (
    "# Terms\n\n## Liability\n\nOur total liability to you will not exceed fifty dollars"
    " ($50).\n\n## Disputes\n\nAny dispute will be resolved by binding arbitration.\n"
    "\n## Contact\n\nWrite to us at the address below.\n"
)
MARKUP = "[bold]Not bold[/] and [link=x]not a link[/link] [/] [red on"
MARKUP_TEXT = CAP_50.replace("Write to us at the address below.", MARKUP)

FILLER = "".join(
    f"## Part {i}\n\nThis part number {i} describes how the pages of the site look and which"
    " colours they use.\n\n"
    for i in range(1, 31)
)
LONG = (
    "# Terms\n\n"
    + FILLER
    + "## Disputes\n\nAny dispute will be resolved by binding arbitration.\n\n"
    "## Liability\n\nOur total liability to you will not exceed fifty dollars ($50).\n\n"
    f"## Notes\n\n{MARKUP}\n"
)


def acme_store(path: Path) -> Path:
    """Acme's terms in three versions (a lowered cap, then markup), and a vendor whose name is
    markup."""
    with Store.open(path) as store:
        store.ensure_document("Acme", "Terms of Service")
        for day, text in ((1, CAP_100), (2, CAP_50), (3, MARKUP_TEXT)):
            store.add_version("Acme", "Terms of Service", text, f"2026-03-0{day}T09:00:00Z")
        store.ensure_document("[b]Bracket[/b] Corp", "Privacy Policy")
        store.add_version("[b]Bracket[/b] Corp", "Privacy Policy", CAP_100, "2026-03-01T09:00:00Z")
    return path


def long_store(path: Path) -> Path:
    """Acme's terms, then a version long enough to scroll."""
    with Store.open(path) as store:
        store.ensure_document("Acme", "Terms of Service")
        store.add_version("Acme", "Terms of Service", CAP_100, "2026-03-01T09:00:00Z")
        store.add_version("Acme", "Terms of Service", LONG, "2026-03-02T09:00:00Z")
    return path


async def open_timeline(pilot: Pilot[None]) -> TimelineScreen:
    await settle(pilot)
    await pilot.press("enter")  # Acme is the first vendor
    await pilot.press("enter")  # its only document
    await settle(pilot)
    assert isinstance(pilot.app.screen, TimelineScreen)
    return pilot.app.screen


async def open_diff(pilot: Pilot[None], *keys: str) -> DiffScreen:
    await open_timeline(pilot)
    await pilot.press(*keys)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, DiffScreen)
    assert screen.rendered is not None
    return screen


async def open_reading(pilot: Pilot[None], *keys: str) -> ReadingScreen:
    await open_timeline(pilot)
    await pilot.press(*keys, "r")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ReadingScreen)
    assert screen.loaded is not None
    return screen
