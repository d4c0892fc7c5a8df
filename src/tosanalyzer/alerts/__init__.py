"""Alerts: one `check` pass step by step, what an alert says, the digest and its exit mask,
delivery to Apprise URLs, and the `watch` schedule.

Import from here; the modules behind this face (the run, the messages, the delivery, the
schedule) may move. ``render_alerts`` is the messages' ``render``, named for what it renders.
"""

from __future__ import annotations

from tosanalyzer.alerts.check import CheckOptions, Compared
from tosanalyzer.alerts.messages import RunDigest, plural
from tosanalyzer.alerts.messages import render as render_alerts
from tosanalyzer.alerts.notify import Channel, ChannelError
from tosanalyzer.alerts.runner import alert_channels, compared, last_check, run_check
from tosanalyzer.alerts.schedule import IntervalError, parse_interval, run_every, stop_on_signals

__all__ = [
    "Channel",
    "ChannelError",
    "CheckOptions",
    "Compared",
    "IntervalError",
    "RunDigest",
    "alert_channels",
    "compared",
    "last_check",
    "parse_interval",
    "plural",
    "render_alerts",
    "run_check",
    "run_every",
    "stop_on_signals",
]
