"""Reviewer decisions in the reading view (Pilot): `a` / `x` with a note, stored in the store,
shown in the findings panel, and carried to the next version across a restart of the app."""

from __future__ import annotations

from pathlib import Path

import pytest
from pilot_helpers import settle
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input

from tosanalyzer.judgement.decisions import STATUS_LABELS
from tosanalyzer.models import VersionInfo
from tosanalyzer.tui.app import TosApp
from tosanalyzer.tui.decision_text import decision_text
from tosanalyzer.tui.findings_list import FindingsList
from tosanalyzer.tui.help import KEYS
from tosanalyzer.tui.reading import ReadingScreen
from tosanalyzer.workspace import Workspace

SIZE = (100, 30)
DOC = "Terms of Service"
NOTE = "accepted by legal [bold]2024[/] - see ticket #12"


@pytest.fixture
def demo(tmp_path: Path) -> tuple[Path, str, list[VersionInfo]]:
    """The demo vendor in a store of its own: 5 versions of its Terms of Service."""
    db = tmp_path / "demo.db"
    workspace = Workspace(db=db)
    service = workspace.load_demo()
    (terms,) = workspace.history(service, DOC)
    return db, service, terms.versions


async def read(pilot: Pilot[None], service: str, version: VersionInfo) -> ReadingScreen:
    app = pilot.app
    assert isinstance(app, TosApp)
    await settle(pilot)
    screen = ReadingScreen(app.workspace, service, DOC, version)
    await app.push_screen(screen)
    await settle(pilot)
    assert app.screen is screen and screen.loaded is not None
    return screen


def entry(screen: ReadingScreen, clause_type: str) -> str:
    """The panel's entry of the first finding of that clause type, as plain text."""
    index = next(i for i, f in enumerate(screen.shown) if f.clause_type == clause_type)
    return screen.query_one("#findings", FindingsList).entries[index].plain


async def pick(pilot: Pilot[None], screen: ReadingScreen, clause_type: str) -> None:
    """Move the panel's cursor to the first finding of that clause type."""
    index = next(i for i, f in enumerate(screen.shown) if f.clause_type == clause_type)
    options = screen.query_one("#findings", FindingsList)
    options.focus()
    options.highlighted = 0
    await pilot.press(*["down"] * index)
    assert options.highlighted == index


@pytest.mark.anyio
async def test_decisions_persist_across_a_restart_and_carry_to_the_next_version(
    demo: tuple[Path, str, list[VersionInfo]],
) -> None:
    db, service, versions = demo
    first, second = versions[0], versions[1]

    app = TosApp(Workspace(db=db))
    async with app.run_test(size=SIZE) as pilot:
        screen = await read(pilot, service, first)
        assert screen.decisions == {}
        assert "accepted" not in entry(screen, "perpetual_license")

        # x asks for a note: escape cancels, nothing is stored
        await pick(pilot, screen, "perpetual_license")
        await pilot.press("x")
        prompt = screen.query_one("#prompt", Input)
        assert prompt.has_focus and prompt.display and "Dismiss" in prompt.placeholder
        await pilot.press(*"never mind", "escape")
        await settle(pilot)
        assert app.screen is screen and not prompt.display
        assert Workspace(db=db).decisions(service, DOC, first.id) == []

        # x, a note, enter: dismissed with the note (typed literally, markup and all)
        await pilot.press("x", *NOTE, "enter")
        await settle(pilot)
        assert not prompt.display
        shown = entry(screen, "perpetual_license")
        assert "✗ dismissed · decided" in shown and f"note: {NOTE}" in shown

        # a with no note: accepted
        await pick(pilot, screen, "liability_cap_amount")
        await pilot.press("a", "enter")
        await settle(pilot)
        assert "✓ accepted · decided" in entry(screen, "liability_cap_amount")
        assert "note:" not in entry(screen, "liability_cap_amount")

    # a restart: a new app over the same store
    workspace = Workspace(db=db)
    stored = {d.clause_type: d for d in workspace.decisions(service, DOC, first.id)}
    assert stored["perpetual_license"].decision == "dismiss"
    assert stored["perpetual_license"].note == NOTE
    assert stored["liability_cap_amount"].decision == "accept"
    carried = {d.clause_type: d for d in workspace.decisions(service, DOC, second.id)}
    assert carried["perpetual_license"].status in {"carried", "carried_edited"}

    app = TosApp(Workspace(db=db))
    async with app.run_test(size=SIZE) as pilot:
        screen = await read(pilot, service, first)
        assert "✗ dismissed · decided" in entry(screen, "perpetual_license")
        await pilot.press("escape")
        screen = await read(pilot, service, second)
        shown = entry(screen, "perpetual_license")
        label = carried["perpetual_license"].label
        assert f"✗ dismissed · {label} (version {first.id})" in shown
        assert f"note: {NOTE}" in shown
        shown = entry(screen, "liability_cap_amount")
        label = carried["liability_cap_amount"].label
        assert f"✓ accepted · {label} (version {first.id})" in shown

        # deciding again on this version: "decided" here, the older decision stays on v1
        await pick(pilot, screen, "perpetual_license")
        await pilot.press("a", "ctrl+u", *"fine now", "enter")
        await settle(pilot)
        shown = entry(screen, "perpetual_license")
        assert "✓ accepted · decided" in shown and "note: fine now" in shown
    again = Workspace(db=db)
    on_first = {d.clause_type: d for d in again.decisions(service, DOC, first.id)}
    assert on_first["perpetual_license"].decision == "dismiss"


@pytest.mark.anyio
async def test_palette_help_and_the_edited_label(
    demo: tuple[Path, str, list[VersionInfo]],
) -> None:
    db, service, versions = demo
    app = TosApp(Workspace(db=db))
    async with app.run_test(size=SIZE) as pilot:
        screen = await read(pilot, service, versions[0])
        await pick(pilot, screen, "perpetual_license")
        await pilot.press("ctrl+p")
        await pilot.pause()
        palette_open = isinstance(app.screen, CommandPalette)
        assert palette_open
        await pilot.press(*"dismiss finding")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        prompt = screen.query_one("#prompt", Input)
        assert prompt.has_focus and "Dismiss perpetual_license" in prompt.placeholder
        await pilot.press("enter")
        await settle(pilot)
        assert "✗ dismissed · decided" in entry(screen, "perpetual_license")
    assert any(key == "a / x" for _, keys in KEYS for key, _ in keys)

    # the label a reviewer must not miss, as the panel writes it
    carried = Workspace(db=db).decisions(service, DOC, versions[1].id)[0]
    edited = carried.model_copy(
        update={"status": "carried_edited", "label": STATUS_LABELS["carried_edited"]}
    )
    assert "carried, clause edited — review again (version" in decision_text(edited).plain
