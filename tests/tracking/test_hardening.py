"""Hardening, end to end: only the person running the tool opens the private-address guard, an
inner address in IPv6 dress is still an inner address, and a dripping server holds neither a
document nor a run past its time limit.

Pages come from ``localserver`` on 127.0.0.1 and are written for these tests; the settings file
is a temporary one (``TOSANALYZER_CONFIG``) and the store a real SQLite file.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from ipaddress import ip_network
from pathlib import Path

import pytest
from localserver import LocalServer, Reply, redirect, repeated
from typer.testing import CliRunner

from tosanalyzer.alerts.check import CheckOptions
from tosanalyzer.alerts.messages import FailingAlert
from tosanalyzer.cli import app
from tosanalyzer.tracking.fetch import FetchSettings, RetryPolicy
from tosanalyzer.workspace import UrlError, Workspace

FAST = FetchSettings(read_timeout=0.5, retry=RetryPolicy(attempts=2, base_delay=0.01))
LOCAL = FAST.model_copy(update={"allowed_networks": (ip_network("127.0.0.1/32"),)})
HTML = {"Content-Type": "text/html; charset=utf-8"}
PAGE = (
    "<html><head><title>Acme terms</title></head><body><main><h1>Terms</h1><p>"
    + " ".join("Acme lends a fictional widget to each member for a short while." for _ in range(8))
    + "</p></main></body></html>"
).encode()
REFUSED = "is a private, loopback, link-local or reserved address; refused"


def drip() -> Reply:
    """A page that is never done in time: a byte, then a pause, for as long as it is read."""
    return Reply(headers=HTML, body=repeated(b"x", 100_000, chunk=1), chunk_delay=0.05)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as s:
        yield s


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The settings file the commands read (absent until a test writes it)."""
    path = tmp_path / "config.toml"
    monkeypatch.setenv("TOSANALYZER_CONFIG", str(path))
    return path


def declare(folder: Path, documents: dict[str, str], **more: object) -> Path:
    """A declaration file for Acme Cloud, one page per document."""
    terms = {name: {"fetch": url, "select": "main"} for name, url in documents.items()}
    path = folder / "Acme Cloud.json"
    path.write_text(json.dumps({"name": "Acme Cloud", "terms": terms, **more}), encoding="utf-8")
    return path


# --- the guard is opened by the person running the tool, never by a declaration -------------------


@pytest.mark.parametrize("value", [True, False])
def test_a_declaration_that_opens_the_guard_is_refused_by_track_add_and_import_ota(
    tmp_path: Path, server: LocalServer, value: bool
) -> None:
    folder = tmp_path / "declarations"
    folder.mkdir()
    path = declare(folder, {"Terms": server.url("/terms")}, allow_private_addresses=value)
    runner = CliRunner()
    db = ["--db", str(tmp_path / "store.db")]
    added = runner.invoke(app, ["track", "add", str(path), *db])
    assert added.exit_code == 2
    assert f"{path}: allow_private_addresses: not allowed" in added.stderr
    assert "--allow-private" in added.stderr and "allow_networks" in added.stderr
    imported = runner.invoke(app, ["track", "import-ota", str(folder), *db, "--json"])
    assert imported.exit_code == 0, imported.output
    payload = json.loads(imported.stdout)
    assert payload["tracked"] == []
    (file,) = payload["scan"]["files"]
    assert file["error"].startswith(f"{path}: allow_private_addresses: not allowed")
    assert runner.invoke(app, ["track", "list", *db, "--json"]).stdout.strip() == "[]"


def test_a_stored_declaration_that_opened_the_guard_fails_until_declared_again(
    tmp_path: Path, server: LocalServer
) -> None:
    server.route("/terms", Reply(headers=HTML, body=PAGE))
    db = tmp_path / "store.db"
    workspace = Workspace(db=db, fetch_settings=LOCAL.model_copy(update={"allow_private": True}))
    path = declare(tmp_path, {"Terms": server.url("/terms")})
    workspace.track([path])

    def stored_as_by_an_older_version(value: str) -> None:
        with closing(sqlite3.connect(db)) as connection, connection:
            connection.execute(
                "UPDATE services SET declaration ="
                " json_set(declaration, '$.allow_private_addresses', json(?))",
                (value,),
            )

    stored_as_by_an_older_version("false")  # older versions stored it in every declaration
    assert [r.outcome for r in workspace.fetch([])] == ["changed"]
    stored_as_by_an_older_version("true")
    (refused,) = workspace.fetch([])  # even with --allow-private: the store must be mended
    assert refused.outcome == "failed" and refused.error is not None
    assert "stored declaration sets 'allow_private_addresses'" in refused.error
    assert "tosanalyzer track add FILE" in refused.error and "allow_networks" in refused.error
    assert len(server.hits("/terms")) == 1
    workspace.track([path])
    assert [r.outcome for r in workspace.fetch([])] == ["unchanged"]


@pytest.mark.parametrize(
    "target",
    [
        "http://[::ffff:169.254.169.254]/latest/meta-data/",  # IPv4-mapped
        "http://[::169.254.169.254]/latest/meta-data/",  # IPv4-compatible
        "http://[::127.0.0.1]/",
        "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",  # NAT64
        "http://[64:ff9b:1::a9fe:a9fe]/latest/meta-data/",  # local-use NAT64
        "http://[2002:a9fe:a9fe::1]/latest/meta-data/",  # 6to4
        "http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/",  # Teredo, client 10.0.0.1
        "http://[2001:0:a00:1:8000:63bf:a247:28f1]/",  # Teredo, server 10.0.0.1
    ],
)
def test_a_redirect_to_an_inner_address_in_ipv6_form_is_refused_and_recorded(
    tmp_path: Path, server: LocalServer, target: str
) -> None:
    start = server.route("/terms", redirect(target))
    workspace = Workspace(db=tmp_path / "store.db", fetch_settings=LOCAL)
    workspace.track([declare(tmp_path, {"Terms": start})])
    (result,) = workspace.fetch([])
    assert result.outcome == "failed" and result.version_id is None
    assert result.error is not None and result.error.startswith(f"blocked_address at {start}: ")
    assert REFUSED in result.error and "--allow-private" in result.error
    assert len(server.hits("/terms")) == 1  # the local hop was allowed, the next one refused
    (history,) = workspace.history("acme-cloud")
    assert history.versions == []
    assert [f.error for f in history.recent_failures] == [result.error]


def test_a_local_address_is_fetched_only_when_the_settings_file_allows_its_network(
    tmp_path: Path, server: LocalServer, config: Path
) -> None:
    url = server.route("/terms", Reply(headers=HTML, body=PAGE))
    runner = CliRunner()
    db = ["--db", str(tmp_path / "store.db")]
    added = runner.invoke(app, ["track", "add", str(declare(tmp_path, {"Terms": url})), *db])
    assert added.exit_code == 0, added.output
    refused = runner.invoke(app, ["fetch", *db])
    assert refused.exit_code == 1
    assert "blocked_address" in refused.stdout and REFUSED in refused.stdout
    assert "--allow-private" in refused.stdout and "allow_networks" in refused.stdout
    with pytest.raises(UrlError, match="blocked_address"):
        Workspace().analyze_url(server.url("/missing"))
    assert server.requests == []

    config.write_text('allow_networks = ["127.0.0.1/32"]\n', encoding="utf-8")
    fetched = runner.invoke(app, ["fetch", *db])
    assert fetched.exit_code == 0, fetched.output
    assert "1 changed, 0 unchanged, 0 failed" in fetched.stdout
    with pytest.raises(UrlError, match="http_status"):  # reached the server: a 404
        Workspace().analyze_url(server.url("/missing"))
    assert "allow_networks" in runner.invoke(app, ["fetch", "--help"]).stdout


# --- time limits ----------------------------------------------------------------------------------


def test_a_dripping_document_gives_up_at_its_deadline_and_records_nothing(
    tmp_path: Path, server: LocalServer, config: Path
) -> None:
    config.write_text(
        'allow_networks = ["127.0.0.1/32"]\nfetch_document_deadline = 1\n', encoding="utf-8"
    )
    url = server.route("/terms", drip())
    workspace = Workspace(db=tmp_path / "store.db")  # the fetcher's own limits: 3 tries of 120 s
    workspace.track([declare(tmp_path, {"Terms": url})])
    started = time.monotonic()
    (result,) = workspace.fetch([])
    assert time.monotonic() - started < 2.5
    assert result.outcome == "failed" and result.version_id is None
    assert result.error is not None and result.error.startswith(f"timeout at {url}: gave up after")
    assert "at the 1 s document deadline (fetch_document_deadline)" in result.error
    (history,) = workspace.history("acme-cloud")
    assert history.versions == [] and len(history.recent_failures) == 1


def test_a_spent_run_budget_fails_the_rest_and_the_check_goes_on_to_alerts(
    tmp_path: Path, server: LocalServer, config: Path
) -> None:
    config.write_text(
        'allow_networks = ["127.0.0.1/32", "::1/128"]\nfetch_run_budget = 1\nfailing_after = 1\n',
        encoding="utf-8",
    )
    slow_a, slow_b = server.route("/slow-a", drip()), server.route("/slow-b", drip())
    queued = server.route("/queued", Reply(headers=HTML, body=PAGE))
    other_host = server.url("/other", "localhost")
    server.route("/other", Reply(headers=HTML, body=PAGE))
    workspace = Workspace(db=tmp_path / "store.db")
    (tmp_path / "beta").mkdir()
    beta = tmp_path / "beta" / "Beta.json"
    beta.write_text(
        json.dumps({"name": "Beta", "terms": {"Terms": {"fetch": other_host, "select": "main"}}}),
        encoding="utf-8",
    )
    acme = declare(tmp_path, {"A slow": slow_a, "B slow": slow_b, "C queued": queued})
    workspace.track([acme, beta])  # two at a time per host: C waits for A or B to end

    started = time.monotonic()
    digest = workspace.check(CheckOptions())
    assert time.monotonic() - started < 3
    errors = {failure.document: failure.error for failure in digest.failures}
    assert sorted(errors) == ["A slow", "B slow", "C queued"]
    for slow, url in (("A slow", slow_a), ("B slow", slow_b)):
        assert errors[slow].startswith(f"timeout at {url}: gave up after ")
        assert "at the end of the run's 1 s time budget (fetch_run_budget)" in errors[slow]
    assert errors["C queued"] == (
        f"timeout at {queued}: not fetched: the run's 1 s time budget (fetch_run_budget) was"
        " spent before its turn"
    )
    assert server.hits("/queued") == []
    assert (digest.documents, digest.changed, digest.failed) == (4, 1, 3)
    failing = [a.alert for a in digest.alerts if isinstance(a.alert, FailingAlert)]
    assert sorted(alert.document.document for alert in failing) == ["A slow", "B slow", "C queued"]
    assert digest.exit_mask == 2
    logged = (tmp_path / "store.alerts.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["record"] for line in logged].count("alert") == 3
