"""Fetching from a real server on 127.0.0.1: each fault is a typed failure, never half a page."""

from __future__ import annotations

import gzip
import socket
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from ipaddress import ip_address, ip_network

import pytest
from localserver import LocalServer, Reply, gzip_chunks, redirect, repeated

from tosanalyzer import __version__
from tosanalyzer.models import FetchFailure, Snapshot
from tosanalyzer.tracking.fetch import (
    MB,
    Fetcher,
    FetchRequest,
    FetchSettings,
    RetryPolicy,
    fetch,
    fetch_many,
    is_public,
    retry_after_seconds,
)

PAGE = b"<html><body><h1>Terms</h1><p>Be kind.</p></body></html>"
FAST = FetchSettings(
    connect_timeout=2, read_timeout=2, retry=RetryPolicy(attempts=3, base_delay=0.01)
)
LOCAL_SITE = (ip_network("127.0.0.1/32"),)
"""What the person running the tests opens: the local server, and nothing else."""


class Sleeps(list[float]):
    """Records the waits instead of sleeping (the HTTP stays real)."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as s:
        yield s


def get(
    url: str,
    settings: FetchSettings = FAST,
    sleep: Callable[[float], None] = time.sleep,
    **cond: str,
) -> Snapshot | FetchFailure:
    """Fetch as the tests mostly do: from 127.0.0.1, so private addresses allowed."""
    local = settings.model_copy(update={"allow_private": True})
    return fetch(url, settings=local, sleep=sleep, **cond)


def failed(outcome: Snapshot | FetchFailure) -> FetchFailure:
    assert isinstance(outcome, FetchFailure), outcome
    return outcome


def ok(outcome: Snapshot | FetchFailure) -> Snapshot:
    assert isinstance(outcome, Snapshot), outcome
    return outcome


# --- success -----------------------------------------------------------------------------------


def test_200_gives_the_complete_page(server: LocalServer) -> None:
    url = server.route("/terms", Reply(headers={"Content-Type": "text/html"}, body=PAGE))
    snap = ok(get(url))
    assert (snap.status, snap.content, snap.url, snap.final_url) == (200, PAGE, url, url)
    assert snap.content_type == "text/html"
    assert not snap.not_modified
    assert datetime.fromisoformat(snap.fetched_at).tzinfo is not None


def test_user_agent_names_the_tool_and_version(server: LocalServer) -> None:
    url = server.route("/ua", Reply(body=PAGE))
    ok(get(url))
    agent = server.hits("/ua")[0].headers["user-agent"]
    assert agent.startswith(f"tosanalyzer/{__version__} (+https://")


def test_gzip_body_is_inflated(server: LocalServer) -> None:
    url = server.route("/gz", Reply(headers={"Content-Encoding": "gzip"}, body=gzip.compress(PAGE)))
    assert ok(get(url)).content == PAGE
    assert "gzip" in server.hits("/gz")[0].headers["accept-encoding"]


def test_chunked_body_is_read_whole(server: LocalServer) -> None:
    url = server.route("/chunks", Reply(body=lambda: [PAGE[:10], PAGE[10:30], PAGE[30:]]))
    assert ok(get(url)).content == PAGE


def test_redirect_is_followed_to_the_final_url(server: LocalServer) -> None:
    final = server.route("/new", Reply(body=PAGE))
    start = server.route("/old", redirect("/new", 301))
    snap = ok(get(start))
    assert (snap.url, snap.final_url, snap.content) == (start, final, PAGE)


def test_etag_and_last_modified_make_a_conditional_request(server: LocalServer) -> None:
    stamp = "Wed, 21 Oct 2015 07:28:00 GMT"
    url = server.route(
        "/cond",
        Reply(headers={"ETag": '"v1"', "Last-Modified": stamp}, body=PAGE),
        Reply(status=304, headers={"ETag": '"v1"'}),
    )
    first = ok(get(url))
    second = ok(get(url, etag=first.headers["etag"], last_modified=first.headers["last-modified"]))
    assert second.not_modified and second.status == 304 and second.content == b""
    sent = server.hits("/cond")
    assert "if-none-match" not in sent[0].headers
    assert sent[1].headers["if-none-match"] == '"v1"'
    assert sent[1].headers["if-modified-since"] == stamp


# --- retries -----------------------------------------------------------------------------------


def test_500_fails_after_the_allowed_attempts_with_growing_waits(server: LocalServer) -> None:
    url = server.route("/down", Reply(status=500, body=b"oops"))
    sleeps = Sleeps()
    settings = FAST.model_copy(update={"retry": RetryPolicy(attempts=4, base_delay=0.5)})
    failure = failed(get(url, settings, sleeps))
    assert (failure.kind, failure.status, failure.attempts) == ("http_status", 500, 4)
    assert "HTTP 500" in failure.message
    assert len(server.hits("/down")) == 4
    assert sleeps == [0.5, 1.0, 2.0]


def test_503_then_success(server: LocalServer) -> None:
    url = server.route("/flaky", Reply(status=503), Reply(body=PAGE))
    assert ok(get(url)).content == PAGE
    assert len(server.hits("/flaky")) == 2


def test_404_is_not_retried(server: LocalServer) -> None:
    failure = failed(get(server.url("/missing")))
    assert (failure.kind, failure.status, failure.attempts) == ("http_status", 404, 1)
    assert len(server.hits("/missing")) == 1


def test_429_retry_after_seconds_is_waited_for(server: LocalServer) -> None:
    url = server.route("/busy", Reply(status=429, headers={"Retry-After": "1"}), Reply(body=PAGE))
    assert ok(get(url)).content == PAGE  # base_delay is 0.01 s: only Retry-After explains a wait
    first, second = server.hits("/busy")
    assert 0.95 <= second.at - first.at < 3


def test_retry_after_http_date_is_honoured(server: LocalServer) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    url = server.route("/date", Reply(status=503, headers={"Retry-After": when}), Reply(body=PAGE))
    sleeps = Sleeps()
    ok(get(url, FAST, sleeps))
    assert len(sleeps) == 1 and 27 <= sleeps[0] <= 30


def test_retry_after_beyond_the_cap_ends_the_retries(server: LocalServer) -> None:
    url = server.route("/later", Reply(status=429, headers={"Retry-After": "3600"}))
    sleeps = Sleeps()
    failure = failed(get(url, FAST, sleeps))
    assert (failure.kind, failure.status, failure.attempts) == ("http_status", 429, 1)
    assert "3600" in failure.message and sleeps == []


def test_retry_after_parsing() -> None:
    now = datetime(2025, 1, 1, tzinfo=UTC)
    assert retry_after_seconds("120", now) == 120
    assert retry_after_seconds("Wed, 01 Jan 2025 00:01:00 GMT", now) == 60
    assert retry_after_seconds("Tue, 31 Dec 2024 00:00:00 GMT", now) == 0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


def test_connection_refused_is_retried_then_reported() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sleeps = Sleeps()
    failure = failed(get(f"http://127.0.0.1:{port}/", FAST, sleeps))
    assert (failure.kind, failure.attempts) == ("connect", 3)
    assert len(sleeps) == 2


# --- broken transfers ----------------------------------------------------------------------------


def test_read_timeout(server: LocalServer) -> None:
    url = server.route("/slow", Reply(delay=5, body=PAGE))
    settings = FAST.model_copy(
        update={"read_timeout": 0.3, "retry": RetryPolicy(attempts=2, base_delay=0)}
    )
    started = time.monotonic()
    failure = failed(get(url, settings))
    assert (failure.kind, failure.attempts) == ("timeout", 2)
    assert time.monotonic() - started < 2


def test_slow_drip_hits_the_deadline(server: LocalServer) -> None:
    url = server.route("/drip", Reply(body=repeated(b"x", 100, chunk=1), chunk_delay=0.05))
    settings = FAST.model_copy(update={"deadline": 0.5, "retry": RetryPolicy(attempts=1)})
    started = time.monotonic()
    failure = failed(get(url, settings))
    assert failure.kind == "timeout" and "0.5 s" in failure.message
    assert time.monotonic() - started < 2


def drip(seconds_per_byte: float = 0.05) -> Reply:
    """A page that never ends in time: a byte, then a pause, for as long as it is read."""
    return Reply(body=repeated(b"x", 100_000, chunk=1), chunk_delay=seconds_per_byte)


def test_a_dripping_page_gives_up_at_its_deadline_across_tries(server: LocalServer) -> None:
    url = server.route("/drip", drip())
    settings = FAST.model_copy(
        update={
            "deadline": 0.6,
            "document_deadline": 1.0,
            "retry": RetryPolicy(attempts=3, base_delay=0.05),
        }
    )
    started = time.monotonic()
    failure = failed(get(url, settings))
    took = time.monotonic() - started
    assert 0.9 < took < 1.6  # not 3 tries x 0.6 s
    assert failure.kind == "timeout" and failure.message.startswith("gave up after ")
    assert "at the 1 s document deadline (fetch_document_deadline); last try:" in failure.message
    assert failure.attempts in (1, 2)  # a second try only if the first left time for one
    assert len(server.hits("/drip")) == failure.attempts


def test_a_wait_past_the_deadline_is_not_waited(server: LocalServer) -> None:
    url = server.route("/busy", Reply(status=503, headers={"Retry-After": "5"}))
    sleeps = Sleeps()
    failure = failed(get(url, FAST.model_copy(update={"document_deadline": 2}), sleeps))
    assert sleeps == [] and len(server.hits("/busy")) == 1
    assert (failure.kind, failure.status, failure.attempts) == ("timeout", 503, 1)
    assert "at the 2 s document deadline" in failure.message
    assert failure.message.endswith("last try: HTTP 503 Service Unavailable (Retry-After: 5 s)")


def test_connection_reset_mid_body(server: LocalServer) -> None:
    body = repeated(b"x", 200_000)
    url = server.route("/reset", Reply(body=body, content_length=200_000, reset_after=70_000))
    failure = failed(get(url))
    assert (failure.kind, failure.attempts) == ("interrupted", 3)


def test_body_shorter_than_content_length(server: LocalServer) -> None:
    url = server.route("/short", Reply(body=PAGE[:20], content_length=len(PAGE)))
    failure = failed(get(url))
    assert failure.kind == "interrupted"
    assert len(server.hits("/short")) == 3


def test_truncated_gzip_stream_is_not_a_page(server: LocalServer) -> None:
    cut = gzip.compress(PAGE * 50)[:-30]  # HTTP-complete, but the gzip stream stops early
    url = server.route("/cutgz", Reply(headers={"Content-Encoding": "gzip"}, body=cut))
    assert failed(get(url)).kind == "interrupted"


def test_unknown_content_encoding_is_refused(server: LocalServer) -> None:
    url = server.route("/br", Reply(headers={"Content-Encoding": "br"}, body=b"\x1b\x00"))
    failure = failed(get(url))
    assert failure.kind == "decode" and "br" in failure.message


# --- redirects ---------------------------------------------------------------------------------


def test_redirect_loop(server: LocalServer) -> None:
    server.route("/a", redirect("/b"))
    url = server.route("/b", redirect("/a"))
    settings = FAST.model_copy(update={"max_redirects": 4})
    failure = failed(get(url, settings))
    assert failure.kind == "too_many_redirects" and "more than 4" in failure.message
    assert len(server.hits("/a")) + len(server.hits("/b")) == 5  # not retried either


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("ftp://example.com/terms", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("javascript:x", "unusable URL"),
    ],
)
def test_redirect_to_a_non_http_scheme(server: LocalServer, target: str, says: str) -> None:
    url = server.route("/away", redirect(target))
    failure = failed(get(url))
    assert (failure.kind, failure.attempts) == ("invalid_url", 1)
    assert says in failure.message


# --- size caps ---------------------------------------------------------------------------------


def failed_with_peak_memory(url: str) -> tuple[FetchFailure, int]:
    """The failure of fetching ``url`` and the peak memory traced while fetching it."""
    tracemalloc.start()
    try:
        failure = failed(get(url))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return failure, peak


def test_gzip_bomb_is_refused_after_inflating_at_most_the_cap(server: LocalServer) -> None:
    bomb = gzip_chunks(repeated(b"\0", 200 * MB, chunk=MB)())
    assert len(bomb) < 300_000
    url = server.route("/bomb", Reply(headers={"Content-Encoding": "gzip"}, body=bomb))
    failure, peak = failed_with_peak_memory(url)
    assert failure.kind == "too_large" and "decompressed" in failure.message
    assert peak < 25 * MB  # the cap (10 MB) plus copies, not 200 MB


def test_50mb_page_with_its_length_declared_is_refused_unread(server: LocalServer) -> None:
    url = server.route("/huge", Reply(body=repeated(b"a", 50 * MB), content_length=50 * MB))
    failure = failed(get(url))
    assert failure.kind == "too_large" and "Content-Length" in failure.message
    assert server.bytes_sent < 20 * MB


def test_50mb_page_without_a_length_is_cut_off_while_streaming(server: LocalServer) -> None:
    url = server.route("/stream", Reply(body=repeated(b"a", 50 * MB)))  # chunked
    failure, peak = failed_with_peak_memory(url)
    assert failure.kind == "too_large" and "10485760-byte cap" in failure.message
    assert peak < 25 * MB
    assert server.bytes_sent < 30 * MB


def test_a_smaller_cap_is_honoured(server: LocalServer) -> None:
    url = server.route("/kb", Reply(body=b"x" * 2000))
    assert failed(get(url, FAST.model_copy(update={"max_bytes": 1000}))).kind == "too_large"
    assert len(ok(get(url, FAST.model_copy(update={"max_bytes": 2000}))).content) == 2000


# --- addresses and URLs ------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_is_refused_without_the_flag(server: LocalServer, host: str) -> None:
    url = server.route("/local", Reply(body=PAGE))
    failure = failed(fetch(server.url("/local", host), settings=FAST))
    assert failure.kind == "blocked_address" and "127.0.0.1" in failure.message
    assert "--allow-private" in failure.message and "allow_networks" in failure.message
    assert failure.attempts == 1
    assert server.hits("/local") == []  # refused before connecting
    assert ok(get(url)).content == PAGE
    allowed = FAST.model_copy(update={"allowed_networks": LOCAL_SITE})
    assert ok(fetch(url, settings=allowed)).content == PAGE


@pytest.mark.parametrize(
    "target", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://[::1]/"]
)
def test_every_redirect_hop_is_checked(server: LocalServer, target: str) -> None:
    url = server.route("/hop", redirect(target))
    settings = FAST.model_copy(update={"allowed_networks": LOCAL_SITE})
    with Fetcher(settings) as fetcher:
        failure = failed(fetcher.fetch(FetchRequest(url=url)))
    assert failure.kind == "blocked_address"
    assert len(server.hits("/hop")) == 1  # the first hop was allowed, the second refused


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:4700::6810:84e5", True),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("127.0.0.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("::ffff:127.0.0.1", False),
        # IPv6 forms that carry an IPv4 address are judged by it (93.184.215.14 is public).
        ("::ffff:169.254.169.254", False),  # IPv4-mapped
        ("::ffff:93.184.215.14", True),
        ("::127.0.0.1", False),  # IPv4-compatible
        ("::169.254.169.254", False),
        ("::93.184.215.14", True),
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 to 169.254.169.254
        ("64:ff9b::7f00:1", False),  # NAT64 to 127.0.0.1
        ("64:ff9b::5db8:d70e", True),  # NAT64 to 93.184.215.14
        ("64:ff9b:1::a9fe:a9fe", False),  # local-use NAT64: never public
        ("64:ff9b:1::5db8:d70e", False),
        ("2002:a9fe:a9fe::1", False),  # 6to4 of 169.254.169.254
        ("2002:0a00:0001::1", False),  # 6to4 of 10.0.0.1
        ("2002:5db8:d70e::1", True),
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", False),  # Teredo, client 10.0.0.1
        ("2001:0:a00:1:8000:63bf:a247:28f1", False),  # Teredo, server 10.0.0.1
        ("2001:0:4136:e378:8000:63bf:a247:28f1", True),  # Teredo, both public
    ],
)
def test_is_public(address: str, public: bool) -> None:
    assert is_public(ip_address(address)) is public


@pytest.mark.parametrize(
    "url", ["ftp://example.com/", "not a url", "http://", "file:///etc/passwd"]
)
def test_invalid_urls_fail_without_a_request(url: str) -> None:
    failure = failed(fetch(url, settings=FAST))
    assert (failure.kind, failure.attempts) == ("invalid_url", 0)


# --- many --------------------------------------------------------------------------------------


def test_fetch_many_limits_each_host_and_yields_as_results_finish(server: LocalServer) -> None:
    server.route("/slow", Reply(body=PAGE, delay=1.0))
    server.route("/each", Reply(body=PAGE, delay=0.1))
    slow = FetchRequest(url=server.url("/slow", "localhost"))
    requests = [slow] + [
        FetchRequest(url=server.url("/each", host))
        for host in ("127.0.0.1", "localhost")
        for _ in range(4)
    ]
    requests.append(FetchRequest(url="gopher://nowhere/"))
    with Fetcher(FAST.model_copy(update={"allow_private": True})) as fetcher:
        results = list(fetch_many(requests, per_host=2, workers=8, fetcher=fetcher))
    assert sorted(r.url for r, _ in results) == sorted(r.url for r in requests)
    assert server.max_in_flight_by_host == {"127.0.0.1": 2, "localhost": 2}
    assert server.max_in_flight >= 3  # hosts do run side by side
    assert results[-1][0] == slow  # the slow page was asked first and comes last
    outcomes = [o for _, o in results]
    assert sum(isinstance(o, Snapshot) for o in outcomes) == 9
    assert [o.kind for o in outcomes if isinstance(o, FetchFailure)] == ["invalid_url"]


def test_the_run_budget_cuts_what_runs_and_fails_what_has_not_started(
    server: LocalServer,
) -> None:
    server.route("/drip", drip())
    server.route("/quick", Reply(body=PAGE))
    requests = [FetchRequest(url=server.url(path)) for path in ("/drip", "/quick", "/quick")]
    settings = FAST.model_copy(
        update={"allow_private": True, "document_deadline": 30, "run_budget": 0.8}
    )
    started = time.monotonic()
    with Fetcher(settings) as fetcher:
        results = list(fetch_many(requests, per_host=1, fetcher=fetcher))
    assert time.monotonic() - started < 1.5
    (cut, first), (_, second), (_, third) = results
    assert cut.url.endswith("/drip")
    cut_short = failed(first)
    assert cut_short.kind == "timeout" and cut_short.attempts == 1
    assert "at the end of the run's 0.8 s time budget (fetch_run_budget)" in cut_short.message
    for skipped in (failed(second), failed(third)):
        assert (skipped.kind, skipped.attempts) == ("timeout", 0)
        assert skipped.message == (
            "not fetched: the run's 0.8 s time budget (fetch_run_budget) was spent before its turn"
        )
    assert server.hits("/quick") == []


def test_bytes_on_the_wire_are_capped_even_when_they_inflate_to_little(server: LocalServer) -> None:
    def member_then_junk() -> Iterator[bytes]:  # zlib stops at the member's end and keeps the rest
        yield gzip.compress(PAGE)
        yield from repeated(b"j", 11 * MB)()

    url = server.route("/junk", Reply(headers={"Content-Encoding": "gzip"}, body=member_then_junk))
    failure = failed(get(url))
    assert failure.kind == "too_large" and "while downloading" in failure.message


def test_a_tls_failure_is_named_and_not_retried(server: LocalServer) -> None:
    url = server.route("/plain", Reply(body=PAGE)).replace("http://", "https://")
    failure = failed(get(url))  # TLS spoken to a plain-HTTP server
    assert (failure.kind, failure.attempts) == ("tls", 1)
    assert "TLS failed" in failure.message
