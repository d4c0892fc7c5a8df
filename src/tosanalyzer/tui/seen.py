"""What the reviewer has already seen: per service, the newest version id when they last opened it.

Kept in a small JSON file next to the store (``store.db`` → ``store.seen.json``), so "unread
changes" survive a restart. A file that cannot be read starts empty; one that cannot be written
keeps the marks for this session only.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from rich.text import Text

from tosanalyzer.models import ChangeClass, VersionInfo


def seen_path(db: Path) -> Path:
    """The last-seen file beside the store at ``db``."""
    return db.with_name(f"{db.stem}.seen.json")


class SeenVersions:
    """Service name → the highest version id the reviewer has seen (thread safe)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._seen: dict[str, int] = self._read()

    def _read(self) -> dict[str, int]:
        if self.path is None:
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): v for k, v in data.items() if isinstance(v, int)}

    def unread(self, service: str, versions: list[VersionInfo]) -> int:
        """How many of ``versions`` were recorded after the reviewer last opened ``service``
        (all of them when it was never opened)."""
        with self._lock:
            last = self._seen.get(service, 0)
        return sum(1 for version in versions if version.id > last)

    def mark(self, service: str, newest: int) -> None:
        """Remember that the reviewer saw ``service`` up to version id ``newest``."""
        with self._lock:
            if self._seen.get(service, 0) >= newest:
                return
            self._seen[service] = newest
            snapshot = dict(self._seen)
        if self.path is None:
            return
        try:
            tmp = self.path.with_name(self.path.name + ".tmp")
            tmp.write_text(json.dumps(snapshot, indent=1, sort_keys=True), encoding="utf-8")
            tmp.replace(self.path)
        except OSError:
            pass  # read-only folder: the marks last for this session


BADGE_STYLE: dict[str, str] = {
    "material": "bold white on red",
    "substantive": "black on yellow",
    "cosmetic": "dim",
}
PENDING = "…"
NONE = "—"


def badge(change_class: ChangeClass | None) -> Text:
    """A timeline badge: the change class, "—" for none (first or suspect version)."""
    if change_class is None:
        return Text(NONE, style="dim")
    return Text(f" {change_class} ", style=BADGE_STYLE[change_class])


GRADE_STYLE: dict[str, str] = {
    "A": "bold green",
    "B": "green",
    "C": "yellow",
    "D": "bold red",
    "E": "bold white on red",
}


def grade_cell(letter: str | None, *, pending: bool = False, empty: bool = False) -> Text:
    """The vendors list's grade cell: the letter, "…" while computing, "—" without versions."""
    if pending:
        return Text(PENDING, style="dim", justify="center")
    if empty:
        return Text(NONE, style="dim", justify="center")
    if letter is None:
        return Text("n/a", style="dim", justify="center")
    return Text(letter, style=GRADE_STYLE.get(letter, ""), justify="center")
