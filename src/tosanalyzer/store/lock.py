"""An OS lock beside the store, so that two checks never run on one store at once.

Two overlapping checks (a cron job and a watch) would both announce the same pending changes.
The lock is a file lock rather than a row in the store because the operating system drops it
when its process dies: a killed check never blocks the next one.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tosanalyzer.store.connection import StoreError


@contextmanager
def exclusive(store_path: Path, purpose: str) -> Iterator[None]:
    """Hold the lock file ``<store stem>.<purpose>.lock`` beside the store, or fail at once."""
    path = store_path.with_name(f"{store_path.stem}.{purpose}.lock")
    try:
        handle = path.open("a+b")
    except OSError as exc:
        raise StoreError(f"cannot create {path}: {exc.strerror or exc}") from exc
    with handle:
        if not _try_lock(handle.fileno()):
            raise StoreError(f"another {purpose} is running on the store {store_path}")
        yield


def _try_lock(descriptor: int) -> bool:
    """Take an exclusive, non-blocking lock on an open file; False when another process has it."""
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
