"""Real notification receivers on 127.0.0.1: an HTTP endpoint for Apprise's ``json://`` and an SMTP
server (aiosmtpd, no authentication) for ``mailto://``.

Delivery has to be proved against real sockets: a mocked Apprise would only replay our own idea
of what Slack or a mail server does. The HTTP receiver can be told to answer with an error status
or to hang (until released), which is how a broken or slow channel is made.
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Post:
    path: str
    headers: dict[str, str]
    payload: dict[str, Any]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        owner = self.server.owner
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with owner.lock:
            owner.hits += 1
        if owner.hang.is_set():
            owner.released.wait(30)
            self.close_connection = True  # a request that hung is lost, never answered
            return
        status = owner.status
        if status == 200:
            with owner.lock:
                owner.posts.append(Post(self.path, dict(self.headers.items()), json.loads(body)))
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: JsonReceiver


class JsonReceiver:
    """Records what Apprise's ``json://`` posts; ``status`` is what it answers."""

    def __init__(self) -> None:
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self.port: int = self._httpd.server_address[1]
        self.status = 200
        self.hits = 0
        self.posts: list[Post] = []
        self.lock = threading.Lock()
        self.hang = threading.Event()
        self.released = threading.Event()
        threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True).start()

    def url(self, path: str = "/hook", credentials: str = "") -> str:
        return f"json://{credentials}127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.released.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> JsonReceiver:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"


class SmtpReceiver:
    """An SMTP server that accepts every message, without authentication."""

    def __init__(self) -> None:
        self.port = free_port()
        self._mailbox = _Mailbox()
        self._controller = Controller(self._mailbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    @property
    def messages(self) -> list[EmailMessage]:
        return self._mailbox.messages

    def url(self, credentials: str = "") -> str:
        return (
            f"mailto://{credentials}127.0.0.1:{self.port}"
            "?from=alerts@example.com&to=legal@example.com"
        )

    @staticmethod
    def text(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())

    def close(self) -> None:
        self._controller.stop()

    def __enter__(self) -> SmtpReceiver:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
