"""`check` and `watch` end to end: real pages on 127.0.0.1, a real store file, real receivers.

The vendor's pages are served by ``localserver``; alerts go through Apprise to a JSON endpoint
(``json://127.0.0.1:…``) and to an SMTP server (aiosmtpd, ``mailto://127.0.0.1:…``), both in
``receivers``. Crashes are real (a ``check`` subprocess killed with SIGKILL while a channel hangs),
and so is ``watch`` (a subprocess stopped with SIGTERM). Nothing here reaches the internet.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from localserver import LocalServer, Reply
from receivers import JsonReceiver, SmtpReceiver, free_port
from typer.testing import CliRunner

from tosanalyzer.alerts.check import CheckOptions
from tosanalyzer.alerts.messages import ChangeAlert, FailingAlert, RecoveredAlert, RunDigest
from tosanalyzer.alerts.notify import ChannelError, DeliveryPolicy, channel, redact
from tosanalyzer.alerts.schedule import IntervalError, Stop, parse_interval, run_every
from tosanalyzer.base.settings import SettingsError, load_settings
from tosanalyzer.cli import app
from tosanalyzer.store import StoreError
from tosanalyzer.tracking.fetch import FetchSettings, RetryPolicy
from tosanalyzer.workspace import Workspace

FAST = FetchSettings(read_timeout=0.5, retry=RetryPolicy(attempts=2, base_delay=0.01))
QUICK = DeliveryPolicy(attempts=3, backoff=0.01, timeout=5)
HTML = {"Content-Type": "text/html; charset=utf-8"}
FILLER = " ".join(
    "Clause text about how the Acme service works for every member of the public." for _ in range(8)
)


def page(*sections: tuple[str, str]) -> bytes:
    body = "".join(f"<h2>{heading}</h2><p>{text}</p>" for heading, text in sections)
    return (
        "<html><head><title>Acme</title></head><body>"
        f"<main><h1>Terms</h1>{body}<h2>About</h2><p>{FILLER}</p></main></body></html>"
    ).encode()


CAP_100 = ("Liability", "Our total liability to you will not exceed one hundred dollars ($100).")
CAP_50 = ("Liability", "Our total liability to you will not exceed fifty dollars ($50).")
COURTS = ("Disputes", "You may bring claims in the courts of your place of residence.")
ARBITRATION = ("Disputes", "Any dispute will be resolved by binding arbitration.")
TERMS_V1 = page(CAP_100, COURTS)
TERMS_V2 = page(CAP_50, ARBITRATION)
TERMS_V2_PUNCTUATED = page(CAP_50, ("Disputes", ARBITRATION[1].replace(".", "!")))
PRIVACY = page(("Your data", "We keep your data while your account is open."))
SELECTOR_MISS = b"<html><body><div>No main here</div></body></html>"


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The settings file every check reads (written by each test that needs one)."""
    path = tmp_path / "config.toml"
    monkeypatch.setenv("TOSANALYZER_CONFIG", str(path))
    settings(path)
    return path


@pytest.fixture
def site() -> Iterator[LocalServer]:
    with LocalServer() as server:
        serve(server, terms=TERMS_V1, privacy=PRIVACY)
        yield server


@pytest.fixture
def db(tmp_path: Path, site: LocalServer, config: Path) -> Path:
    """A store tracking Acme Cloud's two documents on the local site."""
    declaration = {
        "name": "Acme Cloud",
        "terms": {
            "Terms of Service": {"fetch": site.url("/terms"), "select": "main"},
            "Privacy Policy": {"fetch": site.url("/privacy"), "select": "main"},
        },
    }
    path = tmp_path / "Acme Cloud.json"
    path.write_text(json.dumps(declaration), encoding="utf-8")
    store = tmp_path / "store.db"
    Workspace(db=store).track([path])
    return store


@pytest.fixture
def workspace(db: Path) -> Workspace:
    return Workspace(db=db, fetch_settings=FAST)


@pytest.fixture
def receiver() -> Iterator[JsonReceiver]:
    with JsonReceiver() as made:
        yield made


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    with SmtpReceiver() as made:
        yield made


def serve(server: LocalServer, terms: bytes | None = None, privacy: bytes | None = None) -> None:
    if terms is not None:
        server.route("/terms", Reply(headers=HTML, body=terms))
    if privacy is not None:
        server.route("/privacy", Reply(headers=HTML, body=privacy))


def settings(path: Path, *urls: str, **more: object) -> None:
    """The settings file: the site on 127.0.0.1 allowed, these channels and ``more``."""
    lines = ['allow_networks = ["127.0.0.1/32"]', f"notify = {json.dumps(list(urls))}"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in more.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def check(workspace: Workspace, **options: object) -> RunDigest:
    return workspace.check(CheckOptions.model_validate({"delivery": QUICK, **options}))


def log_lines(db: Path) -> list[dict[str, object]]:
    path = db.with_name("store.alerts.jsonl")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# --- announcing a change --------------------------------------------------------------------------


def test_a_material_change_reaches_every_channel_once(
    workspace: Workspace,
    db: Path,
    site: LocalServer,
    config: Path,
    receiver: JsonReceiver,
    smtp: SmtpReceiver,
) -> None:
    settings(config, receiver.url(), smtp.url())
    workspace.fetch([])  # history recorded before the first check: a baseline, not news
    first = check(workspace)
    assert (first.exit_mask, first.alerts, receiver.posts, smtp.messages) == (0, [], [], [])

    serve(site, terms=TERMS_V2)
    found = check(workspace)
    assert found.exit_mask == 1
    assert found.changes_found.material == 1 and found.unchanged == 1
    (announced,) = found.alerts
    alert = announced.alert
    assert isinstance(alert, ChangeAlert)
    assert (alert.grade_before, alert.grade_after) == ("B", "C")
    assert [a.summary for a in alert.attributes] == ["liability cap: $100 → $50"]
    assert [(f.clause_type, f.quotes) for f in alert.findings_gained] == [
        ("arbitration", ["Any dispute will be resolved by binding arbitration."])
    ]
    assert all(c.ok for c in found.channels)

    (post,) = receiver.posts
    (mail,) = smtp.messages
    assert post.payload["title"] == mail["Subject"] == "tosanalyzer: 1 material change"
    assert post.payload["type"] == "warning"
    for text in (post.payload["message"], SmtpReceiver.text(mail)):
        assert "Acme Cloud — Terms of Service: material change (high)" in text
        assert "grade of this document B → C" in text
        assert "Any dispute will be resolved by binding arbitration." in text
        assert "liability cap: $100 → $50" in text
        assert f"--from {alert.old.id} --to {alert.new.id} --db {db.resolve()}" in text
        assert (
            f"tosanalyzer tui --db {db.resolve()} --open acme-cloud"
            f" --document terms-of-service --compare {alert.old.id} {alert.new.id}"
        ) in text
    html = mail.get_body(preferencelist=("html",))
    assert html is not None and "<blockquote>" in html.get_content()

    again = check(workspace)
    assert (again.exit_mask, again.alerts) == (0, [])
    assert (len(receiver.posts), len(smtp.messages)) == (1, 1)
    records = [line["record"] for line in log_lines(db)]
    assert records == ["run", "alert", "run", "run"]
    assert log_lines(db)[1]["event_id"] == announced.event_id


def test_only_material_changes_by_default_then_all_and_a_severity_floor(
    workspace: Workspace, site: LocalServer, config: Path, receiver: JsonReceiver
) -> None:
    settings(config, receiver.url())
    serve(site, terms=TERMS_V2)
    check(workspace)
    serve(site, terms=TERMS_V2_PUNCTUATED)
    quiet = check(workspace)
    assert quiet.changes_found.cosmetic == 1 and quiet.not_announced == 1
    assert (quiet.alerts, quiet.exit_mask, receiver.posts) == ([], 0, [])

    serve(site, terms=TERMS_V2)
    everything = check(workspace, include_all=True)
    (announced,) = everything.alerts
    assert isinstance(announced.alert, ChangeAlert) and announced.alert.change_class == "cosmetic"
    assert receiver.posts[-1].payload["title"] == "tosanalyzer: 1 cosmetic change"

    serve(site, terms=TERMS_V1)
    floor = check(workspace, min_severity="blocker")  # the change is 'high' at most
    assert floor.changes_found.material == 1 and floor.alerts == []
    assert floor.exit_mask == 1  # found, even though not announced
    assert len(receiver.posts) == 1


def test_exit_mask_tells_material_changes_and_failed_documents_apart(
    workspace: Workspace, site: LocalServer
) -> None:
    assert check(workspace).exit_mask == 0
    serve(site, privacy=SELECTOR_MISS)
    failing = check(workspace)
    assert failing.exit_mask == 2
    assert "matches nothing" in failing.failures[0].error
    serve(site, terms=TERMS_V2)
    assert check(workspace).exit_mask == 3
    serve(site, privacy=PRIVACY)
    assert check(workspace).exit_mask == 0
    serve(site, terms=TERMS_V1)
    assert check(workspace).exit_mask == 1


def test_an_alert_log_that_cannot_be_written_is_a_failed_channel(
    workspace: Workspace, site: LocalServer, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    log = str(blocker / "alerts.jsonl")
    check(workspace, alert_log=log)
    serve(site, terms=TERMS_V2)
    digest = check(workspace, alert_log=log)
    assert digest.exit_mask == 1 | 4
    (result,) = digest.channels
    assert not result.ok and result.error is not None and "cannot write" in result.error


def test_a_document_that_keeps_failing_is_announced_once_and_once_more_when_it_recovers(
    workspace: Workspace, site: LocalServer, config: Path, receiver: JsonReceiver
) -> None:
    settings(config, receiver.url(), failing_after=2)
    check(workspace)
    serve(site, privacy=SELECTOR_MISS)
    assert check(workspace).alerts == []  # one failure is not yet news
    (failing,) = check(workspace).alerts
    assert isinstance(failing.alert, FailingAlert)
    assert failing.alert.failures == 2 and "matches nothing" in failing.alert.reason
    assert check(workspace).alerts == []  # still failing: said already
    serve(site, privacy=PRIVACY)
    (recovered,) = check(workspace).alerts
    assert isinstance(recovered.alert, RecoveredAlert)
    assert recovered.alert.failing_since == failing.alert.since
    assert check(workspace).alerts == []

    titles = [(post.payload["title"], post.payload["type"]) for post in receiver.posts]
    assert titles == [
        ("tosanalyzer: 1 no longer tracked", "failure"),
        ("tosanalyzer: 1 tracked again", "success"),
    ]
    first = receiver.posts[0].payload["message"]
    assert "Acme Cloud — Privacy Policy: no longer tracked: extraction failed: the" in first
    assert "tosanalyzer history acme-cloud privacy-policy" in first


# --- channels that fail ---------------------------------------------------------------------------


def test_a_failing_channel_is_retried_reported_and_owed_its_digest(
    workspace: Workspace, site: LocalServer, config: Path, smtp: SmtpReceiver
) -> None:
    with JsonReceiver() as broken:
        broken.status = 500
        closed = f"json://127.0.0.1:{free_port()}/hook"
        settings(config, broken.url(), closed, smtp.url())
        check(workspace)
        serve(site, terms=TERMS_V2)
        started = time.monotonic()
        digest = check(workspace)
        assert time.monotonic() - started < 20
        assert digest.exit_mask == 1 | 4
        by_label = {c.channel: c for c in digest.channels}
        http_500 = by_label[f"json://127.0.0.1:{broken.port}/hook"]
        assert (http_500.ok, http_500.attempts, broken.hits) == (False, 3, 3)
        assert "500" in (http_500.error or "")
        refused = by_label[closed]
        assert not refused.ok and "Connection error" in (refused.error or "")
        assert len(smtp.messages) == 1 and len(by_label) == 4  # the mail went out regardless

        broken.status = 200
        later = check(workspace)
        assert later.exit_mask == 4  # the closed port still fails
        (carried,) = later.alerts
        assert carried.found_in_run == digest.run_id
        assert len(broken.posts) == 1 and len(smtp.messages) == 1
        assert "binding arbitration" in broken.posts[0].payload["message"]


SECRETS = ("S3cretPassw0rd", "T0KENsecret99", "HeaderS3cret", "Sm7pS3cret", "CliS3cret")


def test_secrets_in_notification_urls_never_leak(
    db: Path, site: LocalServer, config: Path, smtp: SmtpReceiver, tmp_path: Path
) -> None:
    closed = free_port()
    settings(
        config,
        f"json://user:S3cretPassw0rd@127.0.0.1:{closed}/T0KENsecret99?-X-Api-Key=HeaderS3cret",
        smtp.url("alice:Sm7pS3cret@"),  # the server offers no AUTH: the login fails
        failing_after=1,
        notify_attempts=1,  # Apprise paces e-mails to one server 5 s apart
    )
    serve(site, privacy=SELECTOR_MISS)  # a failing document: an alert without a diff
    runner = CliRunner()
    cli_url = f"json://127.0.0.1:{closed}/CliS3cret"
    result = runner.invoke(app, ["check", "--db", str(db), "--notify", cli_url])
    assert result.exit_code == 2 | 4, result.output
    assert "not sent json://user:****@127.0.0.1" in result.stdout
    assert "Connection error while submitting email" in result.stdout
    as_json = runner.invoke(app, ["check", "--db", str(db), "--notify", cli_url, "--json"])
    channels = json.loads(as_json.stdout)["channels"]
    assert [c["ok"] for c in channels] == [True, False, False, False]
    settings(config, "nosuchservice://S3cretPassw0rd@x")
    refused = runner.invoke(app, ["check", "--db", str(db)])
    assert refused.exit_code == 64  # not 2, the mask's bit for failed documents
    assert "notify[0] (nosuchservice://…): not a notification URL" in refused.stderr
    with pytest.raises(ChannelError) as caught:
        channel("nosuchservice://S3cretPassw0rd@x", "test")

    written = [p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("store")]
    seen = [
        result.stdout,
        result.stderr,
        as_json.stdout,
        as_json.stderr,
        refused.stdout,
        refused.stderr,
        str(caught.value),
        repr(CheckOptions(notify=[cli_url])),
        *(b.decode("utf-8", "replace") for b in written),  # the store, its WAL and the log
    ]
    for secret in SECRETS:
        assert not any(secret in text for text in seen), secret


def test_quiet_checks_print_only_news(db: Path, site: LocalServer) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["check", "--db", str(db), "--quiet"]).stdout == ""
    serve(site, privacy=SELECTOR_MISS)
    failed = runner.invoke(app, ["check", "--db", str(db), "--quiet"])
    assert failed.exit_code == 2
    assert failed.stdout.startswith("failed Acme Cloud / Privacy Policy: extraction failed")
    assert failed.stdout.count("\n") == 1


@pytest.mark.parametrize(
    ("url", "label"),
    [
        (
            "json://u:pw1234@127.0.0.1:8080/T0KENabc?-X-Api-Key=k3y999",
            "json://u:****@127.0.0.1:8080/T…c",
        ),
        ("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ", "slack://T...2/A...D/T...Q"),
        ("tgram://123456789:abcdefg_hijklmnop/12315544/", "tgram://1...p/1…4"),
    ],
)
def test_channel_labels_mask_secrets_and_errors_are_redacted(url: str, label: str) -> None:
    made = channel(url, "test")
    assert made.label == label and label in repr(made) and url not in repr(made)
    leaked = f"failed to post to {url} ({url.split('://')[1]})"
    assert all(secret not in redact(leaked, made.secrets) for secret in made.secrets)


# --- crashes and restarts -------------------------------------------------------------------------


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "tosanalyzer", *args]


def _wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    ends = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < ends, f"timed out waiting for {what}"
        time.sleep(0.05)


def _rows(db: Path, sql: str, *params: object) -> int:
    with sqlite3.connect(db) as connection:
        found: int = connection.execute(sql, params).fetchone()[0]
    return found


DELIVERED = "SELECT count(*) FROM alert_deliveries WHERE channel_key = ?"


def test_a_check_killed_after_one_channel_took_the_digest_sends_it_only_to_the_other(
    workspace: Workspace, db: Path, site: LocalServer, config: Path, receiver: JsonReceiver
) -> None:
    with JsonReceiver() as slow:
        settings(config, receiver.url(), slow.url())
        check(workspace)
        serve(site, terms=TERMS_V2)
        slow.hang.set()
        fast_key = hashlib.sha256(receiver.url().encode()).hexdigest()
        process = subprocess.Popen(
            _cli("check", "--db", str(db)), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        try:
            _wait_for(
                lambda: slow.hits == 1 and _rows(db, DELIVERED, fast_key) == 1,
                60,
                "the fast channel's delivery to be recorded while the slow one hangs",
            )
        finally:
            process.kill()
            process.wait(timeout=10)
        assert process.returncode == -signal.SIGKILL
        assert len(receiver.posts) == 1 and slow.posts == []
        slow.hang.clear()
        slow.released.set()

        after = check(workspace)
        (carried,) = after.alerts
        assert carried.found_in_run == after.run_id - 1  # found by the killed run
        assert len(receiver.posts) == 1  # not announced twice
        (post,) = slow.posts
        assert "liability cap: $100 → $50" in post.payload["message"]
        assert [line["record"] for line in log_lines(db)].count("alert") == 1
        assert check(workspace).alerts == []


def test_checks_on_one_store_run_one_at_a_time(workspace: Workspace, db: Path) -> None:
    from tosanalyzer.store import Store

    held = pytest.raises(StoreError, match="another check is running")
    with Store.open(db) as store, store.exclusive("check"), held:
        check(workspace)
    assert check(workspace).exit_mask == 0  # the lock went with its holder


def test_watch_checks_on_schedule_and_stops_cleanly_on_sigterm(db: Path, config: Path) -> None:
    env = {**os.environ, "TOSANALYZER_CONFIG": str(config)}
    process = subprocess.Popen(
        _cli("watch", "--every", "1s", "--jitter", "0", "--db", str(db)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        _wait_for(
            lambda: _rows(db, "SELECT count(*) FROM alert_runs WHERE ended_at IS NOT NULL") >= 2,
            30,
            "two checks",
        )
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, stderr
    assert "watching: a check every 1s" in stderr and "stopped (SIGTERM) after" in stderr
    assert stdout.count("2 documents:") >= 2
    passes = int(stderr.rsplit("after ", 1)[1].split()[0])
    assert passes == _rows(db, "SELECT count(*) FROM alert_runs")


# --- the parts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("30m", 1800), ("6h", 21600), ("1d", 86400), ("1h30m", 5400), ("0", 0)],
)
def test_intervals(text: str, seconds: float) -> None:
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["", "6", "6x", "h", "1h 30", "-5m"])
def test_bad_intervals_say_what_is_accepted(text: str) -> None:
    with pytest.raises(IntervalError, match="write 90s, 30m, 6h, 1d"):
        parse_interval(text)


def test_the_schedule_survives_a_failing_pass_and_stops_when_asked() -> None:
    stop = Stop()
    calls: list[float] = []
    errors: list[str] = []

    def task() -> None:
        calls.append(time.monotonic())
        if len(calls) == 1:
            raise RuntimeError("the network is down")
        if len(calls) == 3:
            stop.set()

    assert run_every(task, 0.05, stop, jitter=0.01, on_error=lambda e: errors.append(str(e))) == 3
    assert errors == ["the network is down"]
    assert all(later - earlier >= 0.05 for earlier, later in pairwise(calls))
    woken = Stop()
    woken.set("SIGTERM")
    started = time.monotonic()
    assert run_every(task, 60, woken, first_in=60) == 0 and time.monotonic() - started < 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('notify = ["json://x", "no scheme S3cret"]\n', "notify.1: Value error, not an Apprise"),
        ("failing_after = 0\n", "failing_after: Input should be greater than or equal to 1"),
        ('min_severity = "dire"\n', "min_severity: Input should be 'info'"),
        ('notify = "json://x"\n', "notify: Input should be a valid list"),
    ],
)
def test_alert_settings_are_checked_and_errors_name_the_field(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        load_settings(path)
    assert message in str(caught.value) and "S3cret" not in str(caught.value)
