"""The TUI's heavy work (analysis, diffs, grades, decisions) run in helper processes.

Worker threads alone kept the screen from blocking on Python code, but not on spaCy: its
tokenizer and matchers hold the interpreter lock for the whole of a call (half a second on a
100k-word text), and then no key is read and nothing is redrawn. A thread of the app now only
waits for a helper process, which holds its own lock; the helpers keep the workspace's caches
(analysed versions by text hash) between calls. The pool is shared by every app of the process
and started once, with "spawn" so no thread state of the app is copied into it.

Helpers end with the app: ``stop`` ends them when it closes (on quit or SIGTERM), and each one
watches its parent, so a killed app leaves none behind holding spaCy's memory.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import resource_tracker
from pathlib import Path
from typing import Any, TypeVar

from tosanalyzer.models import (
    AnalysisResult,
    Assessment,
    ChangeClass,
    DecisionKind,
    StoredDecision,
)
from tosanalyzer.workspace import CarriedDecision, DocumentDiff, Workspace

T = TypeVar("T")

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()
_workspaces: dict[tuple[str | None, str], Workspace] = {}
"""In a helper process: one workspace per store and pattern folder, kept for its caches."""
PARENT_POLL_SECONDS = 0.5
"""How often a helper looks whether the app that started it is still there."""


def start() -> None:
    """Start the pool before the app takes over the terminal: starting multiprocessing's
    resource tracker passes it standard error, which Textual replaces while it runs."""
    _executor()
    resource_tracker.ensure_running()


def _executor() -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=max(min(os.cpu_count() or 1, 2), 1),
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_watch_parent,
                initargs=(os.getpid(),),
            )
        return _pool


def stop() -> None:
    """End the helpers now, busy or not: what they compute is for screens that are gone. Left to
    the pool's own shutdown, the app would wait at exit for a long analysis to finish."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is None:
        return
    helpers = list(pool._processes.values())  # no public way before Python 3.14
    pool.shutdown(wait=False, cancel_futures=True)
    for helper in helpers:
        helper.terminate()


def _watch_parent(parent: int) -> None:
    """In a helper: exit once the app that started it is gone (killed, so ``stop`` never ran).
    An orphan would wait for work forever; its parent id then names another process."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def _forget_broken_pool() -> None:
    global _pool
    with _pool_lock:
        _pool = None


def _in_helper(
    db: str | None, patterns: str, job: Callable[..., T], args: tuple[Any, ...]
) -> T:
    key = (db, patterns)
    workspace = _workspaces.get(key)
    if workspace is None:
        workspace = _workspaces[key] = Workspace(Path(patterns), Path(db) if db else None)
    return job(workspace, *args)


def _read_version(workspace: Workspace, version_id: int) -> tuple[str, AnalysisResult]:
    with workspace.store() as store:
        text = store.version_text(version_id)
    result = workspace.analyzer.analyze_text(text, f"version {version_id}", "md")
    return text, result.model_copy(update={"clauses": []})  # unpickling costs the app's time


def _diff_view(
    workspace: Workspace, service: str, document: str, old: int, new: int
) -> tuple[DocumentDiff, Assessment, str]:
    diff = workspace.diff(service, document, str(old), str(new))
    with workspace.store() as store:
        text = store.version_text(new)
    return diff, workspace.assess_version(service, document, new), text


class Background:
    """The workspace methods the screens need, each run in a helper process; call them from a
    worker thread (they wait for the result)."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    def _run(self, job: Callable[..., T], *args: Any) -> T:
        """``job(workspace, *args)`` in a helper process, with this workspace's store and
        patterns."""
        db = str(self.workspace.db) if self.workspace.db is not None else None
        patterns = str(self.workspace.patterns_dir)
        try:
            future = _executor().submit(_in_helper, db, patterns, job, args)
            return future.result()
        except BrokenProcessPool:
            _forget_broken_pool()  # the next call starts a new one
            raise

    def read_version(self, version_id: int) -> tuple[str, AnalysisResult]:
        """The text and its findings (not its clauses: the reading view does not use them)."""
        return self._run(_read_version, version_id)

    def change_class(self, service: str, document: str, old: int, new: int) -> ChangeClass:
        return self._run(Workspace.change_class, service, document, str(old), str(new))

    def diff_view(
        self, service: str, document: str, old: int, new: int
    ) -> tuple[DocumentDiff, Assessment, str]:
        """What the diff screen shows, in one call: the diff, the newer version's checklist
        and its text."""
        return self._run(_diff_view, service, document, old, new)

    def assess(self, service: str) -> Assessment:
        return self._run(Workspace.assess, service)

    def decisions(self, service: str, document: str, version_id: int) -> list[CarriedDecision]:
        return self._run(Workspace.decisions, service, document, version_id)

    def decide(
        self,
        service: str,
        document: str,
        version_id: int,
        finding_index: int,
        decision: DecisionKind,
        note: str,
    ) -> StoredDecision:
        return self._run(
            Workspace.decide, service, document, version_id, finding_index, decision, note
        )
