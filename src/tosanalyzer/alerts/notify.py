"""Deliver messages to notification channels (Apprise URLs), and append records to a JSON Lines log.

Alerts are only useful if they arrive, and a broken channel must not cost the others theirs: each
channel gets its own Apprise object and thread, a time limit per attempt, a few attempts with
backoff, and a result of its own (taken, or failed with the reason). Results come back to the
calling thread as they arrive, so the caller can record each delivery at once: a crash after the
first channel took a digest does not send it there again.

Notification URLs carry secrets (webhook tokens, passwords), and a secret printed in a log or an
error message is a leaked secret. So a channel is shown only by a privacy-masked label (Apprise's
own masking, which knows each service's secret parts, then without the query string and with
token-like path segments shortened), and every part of the URL the label does not show is treated
as secret: it is removed from every error text before that text leaves this module. The URL
itself is held as a ``SecretStr`` and stored nowhere; a channel is known by its SHA-256.

This is a stage: it imports ``models`` and nothing beside it.
"""

from __future__ import annotations

import hashlib
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlsplit

from pydantic import BaseModel, Field, SecretStr

if TYPE_CHECKING:
    from apprise.logger import NotifyLogEntry

MIN_SECRET = 3
"""Shorter URL parts are not searched for in error texts: they would blank out common words."""
TOKEN_LIKE = 6
"""Path segments at least this long are shortened in labels ('T0KENabc' → 'T…c')."""


class ChannelError(ValueError):
    """A notification URL that cannot be used; the message names it by its masked label."""


class DeliveryPolicy(BaseModel):
    """How hard to try one channel."""

    attempts: int = Field(default=3, ge=1)
    backoff: float = Field(default=2.0, ge=0, description="Seconds before the second attempt.")
    timeout: float = Field(default=30.0, gt=0, description="Seconds one attempt may take.")

    @property
    def deadline(self) -> float:
        """The longest a channel may take, every attempt and pause included."""
        pauses = sum(self.backoff * 2.0**n for n in range(self.attempts - 1))
        return self.attempts * self.timeout + pauses + 5.0


class Channel(BaseModel):
    """One notification URL, ready to send to. Printing it shows the label only."""

    url: SecretStr
    key: str = Field(description="SHA-256 of the URL: how the store knows the channel.")
    label: str = Field(description="The URL privacy-masked: safe to print and to log.")
    origin: str = Field(description="Where it was configured: 'config notify[0]', '--notify'.")
    secrets: tuple[str, ...] = Field(repr=False, exclude=True)


class Delivery(BaseModel):
    """One channel's result. ``error`` never holds a secret of the channel's URL."""

    channel: str
    key: str
    ok: bool
    attempts: int
    error: str | None = None


@dataclass(frozen=True)
class Outgoing:
    """A message for one channel (channels may be owed different backlogs). ``tone`` is
    Apprise's notify type: info, success, warning or failure."""

    channel: Channel
    title: str
    body: str
    tone: str = "info"


def channel(url: str, origin: str) -> Channel:
    """Check that Apprise knows the service of ``url``; give the channel with its masked label.

    Raises :class:`ChannelError` naming ``origin`` and the masked label, never the URL.
    """
    import apprise

    plugin = apprise.Apprise.instantiate(url)
    if plugin is None:
        label = f"{urlsplit(url).scheme or '?'}://…"
        raise ChannelError(
            f"{origin} ({label}): not a notification URL Apprise can use (unknown service,"
            " or a required part missing); see https://github.com/caronc/apprise/wiki"
        )
    label, shown = _label(str(plugin.url(privacy=True)))  # type: ignore[no-untyped-call]
    return Channel(
        url=SecretStr(url),
        key=hashlib.sha256(url.encode()).hexdigest(),
        label=label,
        origin=origin,
        secrets=_secrets(url, shown),
    )


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret replaced by ``****`` (longest first, so no part survives)."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "****")
    return text


def deliver(
    outgoing: Sequence[Outgoing],
    policy: DeliveryPolicy | None = None,
    on_result: Callable[[Delivery], None] | None = None,
) -> list[Delivery]:
    """Send each message on its channel, all channels at once; return the results in order.

    ``on_result`` is called in the calling thread as each channel finishes. A channel still
    busy at the policy's deadline is reported as failed and left behind (its thread is a
    daemon: it cannot keep the process alive).
    """
    chosen = policy or DeliveryPolicy()
    done: queue.Queue[tuple[int, Delivery]] = queue.Queue()

    def work(index: int, item: Outgoing) -> None:
        done.put((index, _send(item, chosen)))

    for index, item in enumerate(outgoing):
        threading.Thread(target=work, args=(index, item), name="notify", daemon=True).start()
    results: dict[int, Delivery] = {}

    def finish(index: int, result: Delivery) -> None:
        results[index] = result
        if on_result is not None:
            on_result(result)

    ends = time.monotonic() + chosen.deadline
    while len(results) < len(outgoing):
        try:
            finish(*done.get(timeout=max(0.0, ends - time.monotonic())))
        except queue.Empty:
            break
    late = f"no answer within {chosen.deadline:.0f} s"
    for index, item in enumerate(outgoing):
        if index not in results:
            finish(index, _result(item.channel, False, chosen.attempts, late))
    return [results[index] for index in range(len(outgoing))]


def append_jsonl(path: Path, records: Sequence[BaseModel]) -> None:
    """Append one JSON object per record, one per line, and make it durable (fsync) before
    returning: the caller records the lines as written right after."""
    if not records:
        return
    lines = "".join(record.model_dump_json() + "\n" for record in records)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as stream:
        stream.write(lines)
        stream.flush()
        os.fsync(stream.fileno())


def _send(item: Outgoing, policy: DeliveryPolicy) -> Delivery:
    """Every attempt on one channel, with its own Apprise object (never shared across threads)."""
    import apprise

    target = item.channel
    sender = apprise.Apprise()
    sender.add(target.url.get_secret_value())
    error = "not sent"
    for attempt in range(1, policy.attempts + 1):
        try:
            result = sender.notify(
                body=item.body,
                title=item.title,
                notify_type=item.tone,
                body_format="markdown",
                timeout=policy.timeout,
            )
            if result:
                return _result(target, True, attempt)
            error = _reason(result.logs()) or f"status {result.status}"
        except Exception as exc:  # a plugin's bug must not take the other channels down
            error = f"{type(exc).__name__}: {exc}"
        if attempt < policy.attempts:
            time.sleep(policy.backoff * 2.0 ** (attempt - 1))
    return _result(target, False, policy.attempts, error)


def _result(target: Channel, ok: bool, attempts: int, error: str | None = None) -> Delivery:
    return Delivery(
        channel=target.label,
        key=target.key,
        ok=ok,
        attempts=attempts,
        error=None if error is None else redact(error, target.secrets),
    )


def _reason(entries: Iterable[NotifyLogEntry]) -> str:
    """The service's own words for the failure: the warnings and errors Apprise logged during
    the call (its debug details are not asked for: that would mean raising the level of
    Apprise's logger for the whole process)."""
    told = dict.fromkeys(" ".join(entry.message.split()) for entry in entries)
    return " ".join(message for message in told if message)


def _label(private: str) -> tuple[str, set[str]]:
    """The label made from Apprise's privacy URL, and the URL parts it shows.

    The query string goes (it carries headers and tokens Apprise does not mask, such as
    ``json://host/hook?-X-Api-Key=…``), and so does the middle of token-like path segments.
    """
    parts = urlsplit(private)
    segments = [s for s in parts.path.split("/") if s]
    shown = [s if len(s) < TOKEN_LIKE or "..." in s else f"{s[0]}…{s[-1]}" for s in segments]
    path = "/" + "/".join(shown) if shown else ""
    visible = {parts.hostname or "", str(parts.port or ""), parts.username or "", *shown}
    return f"{parts.scheme}://{parts.netloc}{path}", {v for v in visible if v}


def _secrets(url: str, shown: set[str]) -> tuple[str, ...]:
    """Every part of ``url`` the label does not show, as written and percent-decoded."""
    parts = urlsplit(url)
    found = [
        parts.username or "",
        parts.password or "",
        parts.hostname or "",
        *parts.path.split("/"),
        *(value for pair in parts.query.split("&") for value in pair.split("=")[1:]),
        parts.fragment,
        parts.netloc,
        url,
    ]
    forms = {form for part in found for form in (part, unquote(part), quote(unquote(part)))}
    return tuple(sorted(f for f in forms if len(f) >= MIN_SECRET and f not in shown))
