"""Command palette entries of the reading view's decisions (``ReadingScreen.COMMANDS``): shown
only while the reading view is the active screen."""

from __future__ import annotations

from tosanalyzer.tui.palette import Command, ListedCommands

DECISION_COMMANDS: list[tuple[str, str, str]] = [
    ("Accept finding", "accept_finding", "The selected finding, with an optional note"),
    ("Dismiss finding", "dismiss_finding", "The selected finding, with an optional note"),
]
"""Palette name, screen action, help."""


class DecisionCommands(ListedCommands):
    def _commands(self) -> list[Command]:
        screen = self.screen
        return [
            (name, getattr(screen, f"action_{action}"), help_text)
            for name, action, help_text in DECISION_COMMANDS
            if hasattr(screen, f"action_{action}")
        ]
