"""Fetch pages from vendors' sites without trusting them.

A tracker runs unattended for years against servers it does not control, so every fetch must end
in either a complete page or a typed reason — a half-read body recorded as a new version would
later show up as a "material change". Servers also lie (Content-Length, gzip bombs, endless
redirects, a byte every few seconds) and URLs in declarations can point inside our own network,
so the limits are enforced on what actually crosses the socket and on the clock:

- the address check runs inside the connection (our httpcore network backend), so it sees the
  very address we connect to — for every redirect hop, with no window for DNS rebinding. Only
  the person running the tool opens it (`FetchSettings`), never a request: requests are built
  from declarations, which anyone may have written;
- bodies are inflated by us, in bounded steps, so the size cap holds after decompression and a
  50 MB page is never held in memory;
- redirects are followed by hand, so a redirect response's body is never read and each hop's
  scheme is checked;
- a page has a deadline across all its tries and waits, and a run over many pages a time budget,
  so a patient server holds neither a document nor the run past what the settings allow.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import ssl
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Final, NamedTuple

import httpcore
import httpx
from pydantic import BaseModel, ConfigDict, Field

from tosanalyzer import __version__
from tosanalyzer.models import (
    OPEN_THE_GUARD,
    FetchErrorKind,
    FetchFailure,
    Snapshot,
    strip_controls,
)

PROJECT_URL: Final = "https://github.com/tosanalyzer/tosanalyzer"
USER_AGENT: Final = f"tosanalyzer/{__version__} (+{PROJECT_URL})"
MB: Final = 1024 * 1024
SCHEMES: Final = frozenset({"http", "https"})
REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})
INFLATABLE: Final = frozenset({"gzip", "x-gzip", "deflate"})
ACCEPT_ENCODING: Final = "gzip, deflate"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Outcome = Snapshot | FetchFailure
Sleep = Callable[[float], None]


class RetryPolicy(BaseModel):
    """How often to try again after a 429, a 5xx or a broken connection, and how long to wait."""

    model_config = ConfigDict(frozen=True)

    attempts: int = Field(default=3, ge=1, description="Tries in all, the first one included.")
    base_delay: float = Field(default=1.0, ge=0, description="Wait before the 2nd try; doubles.")
    max_wait: float = Field(
        default=60.0,
        ge=0,
        description="Longest single wait. A server asking (Retry-After) for more ends the retries.",
    )


class FetchSettings(BaseModel):
    """Limits for one fetcher; the defaults suit public vendor pages."""

    model_config = ConfigDict(frozen=True)

    user_agent: str = USER_AGENT
    connect_timeout: float = Field(default=10.0, gt=0)
    read_timeout: float = Field(default=30.0, gt=0, description="Longest silence from the server.")
    deadline: float = Field(
        default=120.0, gt=0, description="Longest time for one try, body included (slow drips)."
    )
    document_deadline: float = Field(
        default=300.0,
        gt=0,
        description="Longest time for one page, all its tries and the waits between them.",
    )
    run_budget: float = Field(
        default=1800.0,
        gt=0,
        description="Longest time for one run over many pages (`fetch_many`): fetches still going"
        " then are cut short, pages not started are failed.",
    )
    max_bytes: int = Field(
        default=10 * MB, gt=0, description="Cap on the body, on the wire and once inflated."
    )
    max_redirects: int = Field(default=5, ge=0)
    retry: RetryPolicy = RetryPolicy()
    allowed_networks: tuple[IPNetwork, ...] = Field(
        default=(),
        description="Non-public networks fetched anyway, e.g. a local mirror (tests: 127.0.0.1).",
    )
    allow_private: bool = Field(
        default=False, description="Fetch from any address at all (--allow-private)."
    )


class FetchRequest(BaseModel):
    """One page to fetch, with what we know from the last fetch (for a conditional request)."""

    model_config = ConfigDict(frozen=True)

    url: str
    etag: str | None = None
    last_modified: str | None = None

    def conditional_headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


class _Failed(Exception):
    """One try went wrong; carries what the final `FetchFailure` will say."""

    def __init__(
        self,
        kind: FetchErrorKind,
        message: str,
        *,
        status: int | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
    ) -> None:
        # Messages echo what the server sent (its reason phrase, a Location) and are printed.
        message = strip_controls(message)
        super().__init__(message)
        self.kind: FetchErrorKind = kind
        self.message = message
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after

    def failure(self, url: str, attempts: int) -> FetchFailure:
        return FetchFailure(
            url=url, kind=self.kind, message=self.message, status=self.status, attempts=attempts
        )


# --- addresses ---------------------------------------------------------------------------------


_IPV4_COMPATIBLE: Final = ipaddress.IPv6Network("::/96")
_NAT64: Final = ipaddress.IPv6Network("64:ff9b::/96")
_LOCAL_NAT64: Final = ipaddress.IPv6Network("64:ff9b:1::/48")


def is_public(address: IPAddress) -> bool:
    """Whether an address is on the public internet (not private, loopback, link-local, …).

    An IPv6 address that carries an IPv4 address is a way to reach that IPv4 address, so it is
    judged by it: ``::ffff:169.254.169.254`` is the cloud metadata service, not the internet.
    """
    if isinstance(address, ipaddress.IPv6Address):
        if address in _LOCAL_NAT64:
            # Where the IPv4 address sits depends on the translator's prefix length (RFC 6052),
            # so it cannot be read from the address: a local-use prefix is never public.
            return False
        inside = _embedded_ipv4(address)
        if inside:
            return all(is_public(ipv4) for ipv4 in inside)
    return address.is_global and not address.is_multicast


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses a packet to ``address`` ends up at: mapped (``::ffff:a.b.c.d``),
    IPv4-compatible (``::a.b.c.d``), NAT64 (``64:ff9b::a.b.c.d``), 6to4 (``2002:AABB:CCDD::``)
    or Teredo (``2001:0:SERVER:…:~CLIENT``, both the relay server and the client)."""
    if address.ipv4_mapped is not None:
        return [address.ipv4_mapped]
    if address in _IPV4_COMPATIBLE or address in _NAT64:
        return [ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)]
    if address.sixtofour is not None:
        return [address.sixtofour]
    if address.teredo is not None:
        return list(address.teredo)
    return []


class _GuardedBackend(httpcore.SyncBackend):
    """Resolves hosts itself and connects only to addresses the policy allows."""

    def __init__(self, settings: FetchSettings) -> None:
        self._allow_private = settings.allow_private
        self._allowed_networks = settings.allowed_networks

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = _resolve(host, port)
        for address in addresses:
            self._check(host, address)
        last_error: httpcore.ConnectError | None = None
        for address in addresses:
            try:
                return super().connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as error:
                last_error = error
        assert last_error is not None  # _resolve never returns an empty list
        raise last_error

    def _check(self, host: str, address: IPAddress) -> None:
        if self._allow_private or is_public(address):
            return
        if any(address in network for network in self._allowed_networks):
            return
        named = host if host == str(address) else f"{host} ({address})"
        raise _Failed(
            "blocked_address",
            f"{named} is a private, loopback, link-local or reserved address; refused (to fetch"
            f" it, use {OPEN_THE_GUARD})",
        )


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise _Failed("dns", f"cannot resolve {host}: {error.strerror}") from error
    addresses: list[IPAddress] = []
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise _Failed("dns", f"{host} resolves to no address")
    return addresses


class _GuardedTransport(httpx.HTTPTransport):
    """httpx's transport over our backend: httpx offers no public hook for the network backend,
    so the connection pool it builds is replaced by one using ours (and no proxy from the
    environment, which would put the proxy's address, not the server's, under the check)."""

    def __init__(self, backend: _GuardedBackend, ssl_context: ssl.SSLContext) -> None:
        super().__init__(verify=ssl_context)
        self._pool = httpcore.ConnectionPool(ssl_context=ssl_context, network_backend=backend)


# --- bodies ------------------------------------------------------------------------------------


class _Inflater:
    """Undoes a Content-Encoding in steps no bigger than the room left under the cap."""

    def __init__(self, content_encoding: str) -> None:
        parts = (part.strip().lower() for part in content_encoding.split(","))
        codings = [c for c in parts if c not in ("", "identity")]
        if len(codings) > 1 or (codings and codings[0] not in INFLATABLE):
            raise _Failed("decode", f"unsupported Content-Encoding: {content_encoding}")
        # 32 + MAX_WBITS reads both the gzip and the zlib ("deflate") wrapping.
        self._zlib = zlib.decompressobj(32 + zlib.MAX_WBITS) if codings else None

    def feed(self, data: bytes, room: int) -> bytes:
        """At most ``room + 1`` bytes: one more than the room tells the caller it overflowed."""
        if self._zlib is None:
            return data
        try:
            return self._zlib.decompress(data, room + 1)
        except zlib.error as error:
            raise _Failed("decode", f"malformed compressed body: {error}") from error

    def finish(self) -> None:
        if self._zlib is not None and not self._zlib.eof:
            raise _Failed("interrupted", "the compressed body ends before its end marker")


class _Deadline(NamedTuple):
    """When one try must be over (a `time.monotonic()` instant) and how long it was given."""

    at: float
    seconds: float


def _read_body(response: httpx.Response, settings: FetchSettings, deadline: _Deadline) -> bytes:
    cap = settings.max_bytes
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise _Failed(
            "too_large", f"Content-Length is {int(declared)} bytes, over the {cap}-byte cap"
        )
    inflater = _Inflater(response.headers.get("content-encoding", ""))
    body = bytearray()
    for chunk in response.iter_raw():
        if time.monotonic() > deadline.at:
            raise _Failed(
                "timeout", f"body not complete after {deadline.seconds:g} s", retryable=True
            )
        if response.num_bytes_downloaded > cap:
            raise _Failed("too_large", f"body exceeds the {cap}-byte cap while downloading")
        body += inflater.feed(chunk, cap - len(body))
        if len(body) > cap:
            raise _Failed("too_large", f"body exceeds the {cap}-byte cap once decompressed")
    inflater.finish()
    return bytes(body)


# --- responses ---------------------------------------------------------------------------------


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds to wait: delta-seconds or an HTTP date; ``None`` if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _status_failure(response: httpx.Response) -> _Failed:
    status = response.status_code
    message = f"HTTP {status} {response.reason_phrase}".rstrip()
    retry_after = retry_after_seconds(response.headers.get("retry-after"))
    if retry_after is not None:
        message += f" (Retry-After: {retry_after:g} s)"
    if status in REDIRECTS:
        message += " without a Location header"
    return _Failed(
        "http_status",
        message,
        status=status,
        retryable=status == 429 or status >= 500,
        retry_after=retry_after,
    )


def _redirect_target(response: httpx.Response) -> httpx.URL | None:
    """Where a redirect points, resolved as httpx resolves it (relative paths, fragments)."""
    return response.next_request.url if response.next_request is not None else None


def _checked_url(url: str | httpx.URL) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as error:
        raise _Failed("invalid_url", f"invalid URL {str(url)!r}: {error}") from error
    if parsed.scheme not in SCHEMES:
        raise _Failed("invalid_url", f"{url}: only http and https URLs are fetched")
    if not parsed.host:
        raise _Failed("invalid_url", f"{url}: no host")
    return parsed


def _snapshot(
    request: FetchRequest, response: httpx.Response, settings: FetchSettings, deadline: _Deadline
) -> Snapshot:
    status = response.status_code
    if status != 304 and not 200 <= status < 300:
        raise _status_failure(response)
    content = b"" if status == 304 else _read_body(response, settings, deadline)
    return Snapshot(
        url=request.url,
        final_url=str(response.url),
        status=status,
        headers=dict(response.headers.items()),
        content=content,
        fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
        not_modified=status == 304,
    )


# Ordered: the first matching class names the failure (timeouts before network errors).
_TRANSPORT_ERRORS: Final[tuple[tuple[type[httpx.HTTPError], FetchErrorKind, str], ...]] = (
    (httpx.ConnectTimeout, "timeout", "connecting timed out"),
    (httpx.TimeoutException, "timeout", "the server stopped sending"),
    (httpx.ConnectError, "connect", "cannot connect"),
    (httpx.TransportError, "interrupted", "the connection broke off"),
)


@contextlib.contextmanager
def _transport_errors(url: httpx.URL) -> Iterator[None]:
    """Name httpx's errors in our terms; all of them but TLS failures are worth a retry."""
    try:
        yield
    except httpx.InvalidURL as error:  # httpx resolves a redirect's Location before we see it
        raise _Failed("invalid_url", f"{url} redirects to an unusable URL: {error}") from error
    except httpx.TransportError as error:
        detail = str(error) or type(error).__name__
        if _caused_by_tls(error):
            raise _Failed("tls", f"{url}: TLS failed: {detail}") from error
        kind, words = next((k, w) for cls, k, w in _TRANSPORT_ERRORS if isinstance(error, cls))
        raise _Failed(kind, f"{url}: {words}: {detail}", retryable=True) from error


def _caused_by_tls(error: BaseException) -> bool:
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ssl.SSLError):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


# --- the fetcher -------------------------------------------------------------------------------


class _TimeLimit:
    """When one page's fetch must be over, tries and waits included: the page's own deadline,
    or the end of the run it belongs to when that comes first."""

    def __init__(self, settings: FetchSettings, run_ends: float | None) -> None:
        self.began = time.monotonic()
        self.at = self.began + settings.document_deadline
        self.what = (
            f"the {settings.document_deadline:g} s document deadline (fetch_document_deadline)"
        )
        if run_ends is not None and run_ends < self.at:
            self.at = run_ends
            self.what = (
                f"the end of the run's {settings.run_budget:g} s time budget (fetch_run_budget)"
            )

    def left(self) -> float:
        return self.at - time.monotonic()

    def gave_up(self, url: str, attempts: int, last: _Failed) -> FetchFailure:
        elapsed = time.monotonic() - self.began
        tries = "1 try" if attempts == 1 else f"{attempts} tries"
        return FetchFailure(
            url=url,
            kind="timeout",
            message=f"gave up after {elapsed:.1f} s and {tries}, at {self.what}; last try:"
            f" {last.message}",
            status=last.status,
            attempts=attempts,
        )


class Fetcher:
    """Fetches pages under one `FetchSettings`; safe to share between threads. Close it."""

    def __init__(self, settings: FetchSettings | None = None, *, sleep: Sleep = time.sleep) -> None:
        self.settings = s = settings or FetchSettings()
        self._sleep = sleep
        self._client = httpx.Client(
            transport=_GuardedTransport(_GuardedBackend(s), httpx.create_ssl_context()),
            headers={"User-Agent": s.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            follow_redirects=False,
        )

    def fetch(self, request: FetchRequest, run_ends: float | None = None) -> Outcome:
        """A complete `Snapshot`, or a `FetchFailure` once the retry policy or the time limits
        say stop. ``run_ends`` (a `time.monotonic()` instant) is when the run the fetch belongs
        to must be over; a fetch asked for after it is failed without a request."""
        try:
            start = _checked_url(request.url)
        except _Failed as failed:
            return failed.failure(request.url, attempts=0)
        if run_ends is not None and time.monotonic() >= run_ends:
            return self._not_started(request)
        limit = _TimeLimit(self.settings, run_ends)
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._try(request, start, limit)
            except _Failed as failed:
                wait = self._wait_before_retry(failed, attempt, self.settings.retry)
                if failed.retryable and limit.left() <= (wait or 0.0):
                    return limit.gave_up(request.url, attempt, failed)
                if wait is None:
                    return failed.failure(request.url, attempt)
                self._sleep(wait)

    def _not_started(self, request: FetchRequest) -> FetchFailure:
        """The failure of a page its run had no time left for: reported, never dropped."""
        return FetchFailure(
            url=request.url,
            kind="timeout",
            message=f"not fetched: the run's {self.settings.run_budget:g} s time budget"
            " (fetch_run_budget) was spent before its turn",
            attempts=0,
        )

    @staticmethod
    def _wait_before_retry(failed: _Failed, attempt: int, policy: RetryPolicy) -> float | None:
        if not failed.retryable or attempt >= policy.attempts:
            return None
        if failed.retry_after is not None:
            return failed.retry_after if failed.retry_after <= policy.max_wait else None
        return min(policy.base_delay * 2.0 ** (attempt - 1), policy.max_wait)

    def _try(self, request: FetchRequest, url: httpx.URL, limit: _TimeLimit) -> Snapshot:
        seconds = min(self.settings.deadline, limit.left())
        if seconds <= 0:  # the wait before this try overslept the limit
            raise _Failed("timeout", "no time left for another try", retryable=True)
        deadline = _Deadline(time.monotonic() + seconds, seconds)
        hops = [str(url)]
        for _ in range(self.settings.max_redirects + 1):
            with (
                _transport_errors(url),
                self._client.stream(
                    "GET",
                    url,
                    headers=request.conditional_headers(),
                    timeout=self._timeout(deadline),
                ) as response,
            ):
                target = _redirect_target(response)
                if target is None:
                    return _snapshot(request, response, self.settings, deadline)
            url = _checked_url(target)
            hops.append(str(url))
        chain = " → ".join(hops[-4:])
        raise _Failed(
            "too_many_redirects", f"more than {self.settings.max_redirects} redirects: …{chain}"
        )

    def _timeout(self, deadline: _Deadline) -> httpx.Timeout:
        """The socket timeouts, shortened so that no wait outlasts the try's deadline."""
        left = deadline.at - time.monotonic()
        if left <= 0:
            raise _Failed(
                "timeout", f"redirects not followed within {deadline.seconds:g} s", retryable=True
            )
        s = self.settings
        quiet = min(s.read_timeout, left)
        return httpx.Timeout(
            connect=min(s.connect_timeout, left), read=quiet, write=quiet, pool=None
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    settings: FetchSettings | None = None,
    sleep: Sleep = time.sleep,
) -> Outcome:
    """Fetch one page with a fetcher of its own (for `analyze URL`)."""
    request = FetchRequest(url=url, etag=etag, last_modified=last_modified)
    with Fetcher(settings, sleep=sleep) as fetcher:
        return fetcher.fetch(request)


def _host(request: FetchRequest) -> str:
    try:
        return httpx.URL(request.url).host
    except httpx.InvalidURL:
        return ""


def fetch_many(
    requests: Iterable[FetchRequest],
    *,
    per_host: int = 2,
    workers: int = 8,
    fetcher: Fetcher | None = None,
) -> Iterator[tuple[FetchRequest, Outcome]]:
    """Fetch concurrently, at most ``per_host`` at a time per host; yield each as it finishes.

    Requests for a busy host wait in line without holding a worker. Redirects to another host
    count against the first host. Without a ``fetcher``, one with default settings is used and
    closed at the end. The run has the fetcher's ``run_budget``: fetches still going when it is
    spent are cut short, and requests not started by then are yielded as failures.
    """
    queues: dict[str, deque[FetchRequest]] = {}
    for request in requests:
        queues.setdefault(_host(request), deque()).append(request)
    with contextlib.ExitStack() as stack:
        active = fetcher or stack.enter_context(Fetcher())
        pool = stack.enter_context(ThreadPoolExecutor(max_workers=workers))
        ends = time.monotonic() + active.settings.run_budget
        running: dict[Future[Outcome], tuple[str, FetchRequest]] = {}
        busy = dict.fromkeys(queues, 0)

        def start_what_fits() -> None:
            for host, queue in queues.items():
                while queue and busy[host] < per_host and len(running) < workers:
                    request = queue.popleft()
                    running[pool.submit(active.fetch, request, ends)] = (host, request)
                    busy[host] += 1

        start_what_fits()
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                host, request = running.pop(future)
                busy[host] -= 1
                yield request, future.result()
            start_what_fits()
