"""Command palette entries (ctrl+p): open a vendor, and every action of the screen beneath."""

from __future__ import annotations

from functools import partial

from tosanalyzer.tui.diff_screen import DiffScreen
from tosanalyzer.tui.palette import Command, ListedCommands
from tosanalyzer.tui.reading import ReadingScreen
from tosanalyzer.tui.timeline import TimelineScreen
from tosanalyzer.tui.vendors import VendorsScreen


class TosCommands(ListedCommands):
    """The app's actions; vendor names are matched as plain text, never markup."""

    def _commands(self) -> list[Command]:
        app, screen = self.app, self.screen
        commands: list[Command] = []
        if isinstance(screen, DiffScreen):
            commands += [
                ("Toggle side by side", screen.action_toggle_side, "Inline or two columns"),
                ("Next change", screen.action_next_change, "Jump to the next change"),
                ("Previous change", screen.action_previous_change, "Jump to the previous one"),
                ("Go to the checklist", screen.action_focus_checklist, "A quote: its clause"),
            ]
        if isinstance(screen, ReadingScreen):
            commands += [
                ("Filter findings by clause type", screen.action_filter_type, "Part of its name"),
                ("Cycle lowest severity", screen.action_cycle_severity, "All, low … blocker"),
                ("Clear finding filters", screen.clear_filters, "Show every finding"),
                ("Search the text", screen.action_search, "Then n / N between matches"),
                ("Next match", screen.action_next_match, "Of the search"),
                ("Previous match", screen.action_previous_match, "Of the search"),
            ]
        if isinstance(screen, TimelineScreen):
            commands += [
                ("Read version", screen.action_read, "The version under the cursor, findings"),
                ("Diff marked versions", screen.action_diff_marked, "Or the last two if none"),
                ("Mark version", screen.action_mark, "Mark the version under the cursor"),
            ]
        vendors = next((s for s in app.screen_stack if isinstance(s, VendorsScreen)), None)
        if vendors is not None:
            commands += [
                (f"Open vendor: {name}", partial(vendors.open_vendor, name), "Its documents")
                for name in vendors.services
            ]
        commands += [
            ("Help", partial(app.run_action, "help"), "The keys of every screen"),
            ("Quit", app.exit, "Leave tosanalyzer"),
        ]
        if len(app.screen_stack) > 1:
            commands.append(("Back", app.pop_screen, "Previous screen"))
        return commands
