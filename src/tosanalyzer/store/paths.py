"""Which file a store is: the one asked for, else ``$TOSANALYZER_DB``, else the user's own.

The demo has a store of its own, so trying the tool never writes into the user's history.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

DB_ENV = "TOSANALYZER_DB"


def default_db_path(explicit: Path | None = None) -> Path:
    """Where the store lives: ``explicit``, else ``$TOSANALYZER_DB``, else the user data dir."""
    if explicit is not None:
        return explicit
    from_env = os.environ.get(DB_ENV)
    if from_env:
        return Path(from_env).expanduser()
    return user_db_path()


def user_db_path() -> Path:
    """The store a command uses when given no ``--db`` and no ``$TOSANALYZER_DB``."""
    return Path(platformdirs.user_data_dir("tosanalyzer")) / "tosanalyzer.db"


def demo_db_path() -> Path:
    """The demo's own store: never the user's (``TOSANALYZER_DB`` does not apply to it)."""
    return Path(platformdirs.user_data_dir("tosanalyzer")) / "demo.db"
