"""The architecture page describes the packages that exist, and no others: it is the newcomer's
map, and a map that drifts from the ground sends people to rooms that are not there."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "tosanalyzer"
PAGE = ROOT / "docs" / "architecture.md"
LIMIT = 700


def _documented() -> set[str]:
    section = PAGE.read_text(encoding="utf-8").split("## Packages", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^### `([\w.]+/?)`", section, flags=re.MULTILINE))


def _on_disk() -> set[str]:
    packages = {f"{p.parent.name}/" for p in PACKAGE.glob("*/__init__.py")}
    modules = {p.name for p in PACKAGE.glob("*.py") if p.stem not in {"__init__", "__main__"}}
    return packages | modules


def test_the_page_lists_the_packages_on_disk() -> None:
    assert _documented() == _on_disk()


def test_no_source_file_is_longer_than_the_limit() -> None:
    long = {
        str(path.relative_to(PACKAGE)): count
        for path in PACKAGE.rglob("*.py")
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > LIMIT
    }
    assert long == {}
