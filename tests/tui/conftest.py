"""The stores every TUI test opens, functional and snapshot alike."""

from __future__ import annotations

from pathlib import Path

import pytest
from pilot_helpers import acme_store, long_store


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return acme_store(tmp_path / "store.db")


@pytest.fixture
def long_db(tmp_path: Path) -> Path:
    return long_store(tmp_path / "long.db")
