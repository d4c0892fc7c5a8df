"""Run a task every so often, with jitter, until SIGINT or SIGTERM: what `watch` is made of.

A watcher lives for months under systemd, in tmux or in a container, so the loop is deliberately
dull: an error in one pass is reported and the next pass comes anyway; the sleep between passes
wakes at once when asked to stop; the first SIGINT or SIGTERM lets the running pass finish (every
step of a pass is a transaction, so stopping between steps is always safe, but a finished pass has
also delivered its alerts) and a second one stops at once. Jitter spreads the requests of many
watchers started at the same minute, and only ever delays a pass. Nothing is kept in memory that
a restart would need: the caller says when the first pass is due.

This is a stage: it imports nothing from the project.
"""

from __future__ import annotations

import random
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_INTERVAL = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class IntervalError(ValueError):
    """An interval that cannot be read; the message shows the accepted forms."""


def parse_interval(text: str) -> float:
    """Seconds in "90s", "30m", "6h", "1d", a sum such as "1h30m", or "0"."""
    compact = text.strip().lower().replace(" ", "")
    if compact == "0":
        return 0.0
    parts = _INTERVAL.findall(compact)
    if not parts or "".join(value + unit for value, unit in parts) != compact:
        raise IntervalError(f"'{text}' is not an interval: write 90s, 30m, 6h, 1d or 1h30m")
    return sum(float(value) * _UNITS[unit] for value, unit in parts)


class Stop:
    """Set by the first stop signal (or by ``set``); sleeping on it wakes at once."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.signal: str | None = None

    def set(self, name: str = "stop") -> None:
        self.signal = self.signal or name
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def sleep(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True when woken by a stop."""
        return self._event.wait(max(0.0, seconds))


@contextmanager
def stop_on_signals() -> Iterator[Stop]:
    """A :class:`Stop` set by SIGINT or SIGTERM while the block runs (main thread only).

    A second signal restores the default handlers and delivers itself again: SIGINT then
    raises ``KeyboardInterrupt`` and SIGTERM ends the process, as without this block.
    """
    stop = Stop()
    previous = {number: signal.getsignal(number) for number in STOP_SIGNALS}

    def handle(number: int, frame: FrameType | None) -> None:
        if stop.is_set():
            for known, handler in previous.items():
                signal.signal(known, signal.SIG_DFL if handler is None else handler)
            signal.raise_signal(number)
            return
        stop.set(signal.Signals(number).name)

    for number in STOP_SIGNALS:
        signal.signal(number, handle)
    try:
        yield stop
    finally:
        for number, handler in previous.items():
            signal.signal(number, signal.SIG_DFL if handler is None else handler)


def run_every(
    task: Callable[[], None],
    every: float,
    stop: Stop,
    *,
    jitter: float = 0.0,
    first_in: float = 0.0,
    on_error: Callable[[Exception], None] | None = None,
    on_wait: Callable[[float], None] | None = None,
) -> int:
    """Run ``task`` every ``every`` seconds (from the start of one pass to the start of the next,
    plus up to ``jitter`` seconds at random) until ``stop``; return the passes run.

    The first pass comes after ``first_in`` seconds. An exception from ``task`` goes to
    ``on_error`` (re-raised without one) and the schedule goes on; ``on_wait`` hears each pause
    before it starts.
    """
    passes = 0
    wait = first_in
    while True:
        if wait > 0 and on_wait is not None:
            on_wait(wait)
        if stop.sleep(wait) or stop.is_set():
            return passes
        started = time.monotonic()
        try:
            task()
        except Exception as exc:
            if on_error is None:
                raise
            on_error(exc)
        passes += 1
        due = started + every + random.uniform(0.0, jitter)
        wait = due - time.monotonic()
