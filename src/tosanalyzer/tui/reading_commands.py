"""Command palette entries of the reading view's decisions (``ReadingScreen.COMMANDS``): shown
only while the reading view is the active screen."""

from __future__ import annotations

from collections.abc import Callable

from textual.command import DiscoveryHit, Hit, Hits, Provider

DECISION_COMMANDS: list[tuple[str, str, str]] = [
    ("Accept finding", "accept_finding", "The selected finding, with an optional note"),
    ("Dismiss finding", "dismiss_finding", "The selected finding, with an optional note"),
]
"""Palette name, screen action, help."""


class DecisionCommands(Provider):
    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        screen = self.screen
        return [
            (name, getattr(screen, f"action_{action}"), help_text)
            for name, action, help_text in DECISION_COMMANDS
            if hasattr(screen, f"action_{action}")
        ]

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
