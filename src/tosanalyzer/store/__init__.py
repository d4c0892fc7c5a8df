"""The versioned store: every tracked document's history, decisions and alert state in one file.

A tracker runs for years, unattended, and is killed at odd moments, so every write is one
transaction that either happens whole or not at all, a version is written only when the text
changes, and nothing a version depends on is ever deleted (``versions``). The schema grows only
by numbered migrations (``migrations``). ``Store`` (``sqlite``) is the one object callers hold;
its table families live in ``catalog``, ``versions``, ``decisions`` and ``alert_state``, so a
second backend can be set beside them. Which file is the store is decided in ``paths``.
"""

from tosanalyzer.models import DecisionKind, StoredDecision
from tosanalyzer.store.alert_state import AlertCursor, NewAlertEvent, StoredAlertEvent
from tosanalyzer.store.catalog import StoredDocument, StoredService
from tosanalyzer.store.connection import StoreError
from tosanalyzer.store.migrations import MIGRATIONS, Migration, migrate
from tosanalyzer.store.paths import default_db_path, demo_db_path, user_db_path
from tosanalyzer.store.sqlite import Store

__all__ = [
    "MIGRATIONS",
    "AlertCursor",
    "DecisionKind",
    "Migration",
    "NewAlertEvent",
    "Store",
    "StoreError",
    "StoredAlertEvent",
    "StoredDecision",
    "StoredDocument",
    "StoredService",
    "default_db_path",
    "demo_db_path",
    "migrate",
    "user_db_path",
]
