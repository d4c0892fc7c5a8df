"""A real HTTP server on 127.0.0.1 whose answers each test scripts.

Fetch faults (slow peers, resets, lies about Content-Length, bombs) have to come from a real
socket to prove anything: a mocked transport would only replay our own idea of httpx. Each path
gets a script of replies, served in order (the last one repeats), and every request is recorded
so a test can check what the client sent and when.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

Body = bytes | Callable[[], Iterable[bytes]]


@dataclass(frozen=True)
class Reply:
    """One scripted answer.

    ``body`` is bytes, or a callable giving chunks (so a 50 MB page never sits in memory).
    ``content_length`` overrides the declared length (``None`` for a bytes body means its real
    length; for a chunk body it means chunked transfer encoding). ``reset_after`` sends that many
    body bytes, then resets the connection (TCP RST). ``reason`` replaces the status line's
    standard reason phrase.
    """

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: Body = b""
    delay: float = 0.0
    chunk_delay: float = 0.0
    content_length: int | None = None
    reset_after: int | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Recorded:
    path: str
    headers: dict[str, str]
    at: float


def redirect(location: str, status: int = 302) -> Reply:
    return Reply(status=status, headers={"Location": location})


def gzip_chunks(chunks: Iterable[bytes]) -> bytes:
    """Gzip a stream of chunks without holding the inflated whole (for bombs)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [compressor.compress(chunk) for chunk in chunks]
    return b"".join([*parts, compressor.flush()])


def repeated(byte: bytes, total: int, chunk: int = 1 << 16) -> Callable[[], Iterator[bytes]]:
    """A body of ``total`` copies of ``byte``, generated chunk by chunk."""

    def chunks() -> Iterator[bytes]:
        for start in range(0, total, chunk):
            yield byte * min(chunk, total - start)

    return chunks


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: LocalServer

    def handle_error(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any
    ) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the client hung up or reset: that is the point of several tests
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        owner = self.server.owner
        reply = owner.take(self.path, dict(self.headers.items()))
        with owner.in_flight(self.headers.get("Host", "").rsplit(":", 1)[0]):
            self._send(reply, owner.stopping)

    def _send(self, reply: Reply, stopping: threading.Event) -> None:
        if reply.delay and stopping.wait(reply.delay):
            return
        chunks = [reply.body] if isinstance(reply.body, bytes) else reply.body()
        length = reply.content_length
        if length is None and isinstance(reply.body, bytes):
            length = len(reply.body)
        self.send_response(reply.status, reply.reason)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if length is None:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        sent = 0
        for chunk in chunks:
            if reply.reset_after is not None and sent + len(chunk) >= reply.reset_after:
                self._write(chunk[: reply.reset_after - sent], chunked=length is None)
                self._reset()
                return
            self._write(chunk, chunked=length is None)
            sent += len(chunk)
            self.server.owner.count_sent(len(chunk))
            if reply.chunk_delay and stopping.wait(reply.chunk_delay):
                return
        if length is None:
            self.wfile.write(b"0\r\n\r\n")
        if length is not None and sent < length:
            self.close_connection = True  # a short body: end it by closing, as a broken peer does

    def _write(self, data: bytes, *, chunked: bool) -> None:
        if chunked and data:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        elif not chunked:
            self.wfile.write(data)
        self.wfile.flush()

    def _reset(self) -> None:
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:  # keep pytest output clean
        pass


class LocalServer:
    """``with LocalServer() as server: server.route("/x", Reply(503), Reply(200, body=b"ok"))``."""

    def __init__(self) -> None:
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self.port: int = self._httpd.server_address[1]
        self.stopping = threading.Event()
        self.requests: list[Recorded] = []
        self.bytes_sent = 0
        self.max_in_flight = 0
        self.max_in_flight_by_host: dict[str, int] = {}
        self._in_flight: dict[str, int] = {}
        self._routes: dict[str, list[Reply]] = {}
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def route(self, path: str, *replies: Reply) -> str:
        """Script ``path``: the replies in order, the last one repeated. Returns its URL."""
        with self._lock:
            self._routes[path] = list(replies)
        return self.url(path)

    def hits(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]

    def take(self, path: str, headers: dict[str, str]) -> Reply:
        with self._lock:
            lowered = {k.lower(): v for k, v in headers.items()}
            self.requests.append(Recorded(path, lowered, time.monotonic()))
            script = self._routes.get(path)
            if not script:
                return Reply(status=404, body=b"no such route")
            return script.pop(0) if len(script) > 1 else script[0]

    def count_sent(self, n: int) -> None:
        with self._lock:
            self.bytes_sent += n

    @contextlib.contextmanager
    def in_flight(self, host: str) -> Iterator[None]:
        """Count requests being answered at once, in all and per Host (per-host limits)."""
        with self._lock:
            self._in_flight[host] = self._in_flight.get(host, 0) + 1
            self.max_in_flight = max(self.max_in_flight, sum(self._in_flight.values()))
            self.max_in_flight_by_host[host] = max(
                self.max_in_flight_by_host.get(host, 0), self._in_flight[host]
            )
        try:
            yield
        finally:
            with self._lock:
                self._in_flight[host] -= 1

    def close(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> LocalServer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
