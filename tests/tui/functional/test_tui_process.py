"""The TUI as a process: it needs a terminal, and its helper processes end with it.

The app runs in a real pseudo-terminal (``pty``), as ``tosanalyzer tui`` over a store holding the
demo vendor; its helper processes appear when the vendors list asks for a grade. Processes are
found in ``/proc``, so these tests run on Linux only.
"""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tosanalyzer.workspace import Workspace

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")

COMMAND = [sys.executable, "-m", "tosanalyzer"]


def _stat(pid: int) -> tuple[str, int] | None:
    """State and parent id of a process, None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[0], int(fields[1])


def alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"  # a zombie has ended; only its entry is left


def children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) and stat[1] == pid:
            found.add(int(entry.name))
    return {child for child in found if alive(child)}


def is_helper(pid: int) -> bool:
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tui") / "store.db"
    Workspace(db=path).load_demo()
    return path


@dataclass(frozen=True)
class Running:
    app: subprocess.Popen[bytes]
    children: set[int]
    """The helpers, and multiprocessing's resource tracker."""
    keyboard: int
    """The terminal's end that types to the app."""


@pytest.fixture
def running(db: Path) -> Iterator[Running]:
    """``tosanalyzer tui`` in a pseudo-terminal of 100×30, once its helpers have started.
    Whatever is left of the app and its children at the end is killed."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    app = subprocess.Popen(
        [*COMMAND, "tui", "--db", str(db)],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env={**os.environ, "TERM": "xterm-256color"},
        start_new_session=True,
    )
    os.close(terminal)
    # Read what the app draws, or it blocks once the terminal's buffer is full.
    threading.Thread(target=_drain, args=(controller,), daemon=True).start()
    started: set[int] = set()
    try:
        assert wait_for(lambda: any(map(is_helper, children(app.pid))), 60), "no helper started"
        started = children(app.pid)
        yield Running(app, started, controller)
    finally:
        for pid in [app.pid, *started]:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        app.wait(10)


def _drain(controller: int) -> None:
    try:
        while os.read(controller, 65536):
            pass
    except OSError:
        pass  # the app closed the terminal
    finally:
        os.close(controller)


def assert_all_gone(pids: set[int]) -> None:
    assert wait_for(lambda: not any(map(alive, pids)), 5), [p for p in pids if alive(p)]


def test_quitting_ends_the_helpers(running: Running) -> None:
    os.write(running.keyboard, b"q")
    assert running.app.wait(10) == 0
    assert_all_gone(running.children)


def test_sigterm_ends_the_app_and_its_helpers(running: Running) -> None:
    running.app.send_signal(signal.SIGTERM)
    assert running.app.wait(10) == 0  # quit as `q` quits, the terminal given back
    assert_all_gone(running.children)


def test_helpers_end_when_the_app_is_killed(running: Running) -> None:
    running.app.kill()
    running.app.wait(10)
    assert_all_gone(running.children)


def test_tui_without_a_terminal_is_an_error_at_once(db: Path) -> None:
    proc = subprocess.run(
        [*COMMAND, "tui", "--db", str(db)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: the terminal UI needs a terminal"), proc.stderr
    assert proc.stdout == ""


def test_demo_prints_its_report_in_a_pipe_and_needs_a_terminal_to_read_keys(db: Path) -> None:
    piped = subprocess.run(
        [*COMMAND, "demo", "--db", str(db)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert piped.returncode == 0, piped.stderr
    assert "Quillfeather Notes" in piped.stdout
    controller, terminal = pty.openpty()
    try:
        on_screen = subprocess.run(
            [*COMMAND, "demo", "--db", str(db)],
            stdin=subprocess.DEVNULL,
            stdout=terminal,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(terminal)
        os.close(controller)
    assert on_screen.returncode == 2
    assert "demo --no-tui" in on_screen.stderr
