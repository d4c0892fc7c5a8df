"""A document that is hard or impossible to judge must not stop the watcher: a page longer than
spaCy takes at once is judged, one that cannot be judged is that document's failure alone, and
a crash exits with its own code, never with a bit of `check`'s mask."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from ipaddress import ip_network
from pathlib import Path

import pytest
from localserver import LocalServer, Reply
from typer.testing import CliRunner

from tosanalyzer.alerts.check import CheckOptions, CheckRun, Compared
from tosanalyzer.alerts.notify import DeliveryPolicy
from tosanalyzer.base.settings import load_settings
from tosanalyzer.cli import CHECK_REFUSED, INTERNAL_ERROR, app
from tosanalyzer.models import VersionInfo
from tosanalyzer.tracking.fetch import FetchSettings, RetryPolicy
from tosanalyzer.workspace import Workspace

HTML = {"Content-Type": "text/html; charset=utf-8"}
FAST = FetchSettings(
    read_timeout=5,
    retry=RetryPolicy(attempts=1, base_delay=0.01),
    allowed_networks=(ip_network("127.0.0.1/32"),),
)
FILLER = "<p>Members of the public read these pages about how the Acme service works.</p>"
ARBITRATION = "<p>Any dispute will be resolved by binding arbitration.</p>"
COURTS = "<p>You may bring claims in the courts of your place of residence.</p>"


def page(*paragraphs: str, repeat: int = 8) -> bytes:
    body = FILLER * repeat + "".join(paragraphs)
    return f"<html><body><main><h1>Terms</h1>{body}</main></body></html>".encode()


HUGE_REPEAT = 1_200_000 // len(FILLER) + 1  # well over 1,000,000 characters of text


@pytest.fixture
def site() -> Iterator[LocalServer]:
    with LocalServer() as server:
        server.route("/big", Reply(headers=HTML, body=page(COURTS, repeat=HUGE_REPEAT)))
        server.route("/small", Reply(headers=HTML, body=page(COURTS)))
        yield server


@pytest.fixture
def db(tmp_path: Path, site: LocalServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "config.toml"
    config.write_text('allow_networks = ["127.0.0.1/32"]\n', encoding="utf-8")
    monkeypatch.setenv("TOSANALYZER_CONFIG", str(config))
    declaration = {
        "name": "Acme Cloud",
        "terms": {
            "Big Terms": {"fetch": site.url("/big"), "select": "main"},
            "Small Terms": {"fetch": site.url("/small"), "select": "main"},
        },
    }
    path = tmp_path / "Acme Cloud.json"
    path.write_text(json.dumps(declaration), encoding="utf-8")
    store = tmp_path / "store.db"
    Workspace(db=store).track([path])
    return store


def _check(db: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["check", "--db", str(db), "--json"])
    return result.exit_code, result.stdout


def test_a_page_longer_than_spacy_takes_is_judged_and_the_others_announced(
    db: Path, site: LocalServer
) -> None:
    code, _ = _check(db)
    assert code == 0
    site.route("/big", Reply(headers=HTML, body=page(ARBITRATION, repeat=HUGE_REPEAT)))
    site.route("/small", Reply(headers=HTML, body=page(ARBITRATION)))
    code, out = _check(db)
    digest = json.loads(out)
    assert code == 1, out
    assert digest["failures"] == []
    changed = {a["alert"]["document"]["document"] for a in digest["alerts"]}
    assert changed == {"Big Terms", "Small Terms"}
    runner = CliRunner()
    for args in (
        ["diff", "acme-cloud", "big-terms"],
        ["report", "acme-cloud"],
        ["export", "--format", "json"],
    ):
        result = runner.invoke(app, [*args, "--db", str(db)])
        assert result.exit_code == 0, (args, result.output[-2000:])


def test_a_document_that_cannot_be_judged_is_its_own_failure(db: Path, site: LocalServer) -> None:
    """The judging of one document breaks (a fault put in its comparison): the check still
    announces the other document's change, reports this one as failed, and owes nothing."""
    site.route("/big", Reply(headers=HTML, body=page(COURTS)))
    workspace = Workspace(db=db, fetch_settings=FAST)
    assert workspace.check().exit_mask == 0
    site.route("/big", Reply(headers=HTML, body=page(ARBITRATION)))
    site.route("/small", Reply(headers=HTML, body=page(ARBITRATION)))

    def compare(before: tuple[VersionInfo, str], after: tuple[VersionInfo, str]) -> Compared:
        if after[0].document == "Big Terms":
            raise RuntimeError("judging broke")
        return workspace._compare(before, after)

    options = CheckOptions(delivery=DeliveryPolicy(attempts=1, timeout=5))
    with workspace.store() as store:
        run = CheckRun(store, options, load_settings(), [], FAST, compare)
        digest = run.run(None)
    assert digest.exit_mask == 3  # a material change, and a failed document
    assert [a.alert.document.document for a in digest.alerts] == ["Small Terms"]  # type: ignore[union-attr]
    assert [(f.document, "judging broke" in f.error) for f in digest.failures] == [
        ("Big Terms", True)
    ]
    again = workspace.check()
    assert [a.alert.document.document for a in again.alerts] == ["Big Terms"]  # type: ignore[union-attr]


def _console(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tosanalyzer", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )


def _break(db: Path) -> None:
    """A store whose fetch log table is gone: no input of the user's can cause it."""
    with sqlite3.connect(db) as connection:
        connection.execute("DROP TABLE fetch_log")


def test_a_crash_exits_with_its_own_code(db: Path) -> None:
    _break(db)
    done = _console("history", "acme-cloud", "--db", str(db))
    assert done.returncode == INTERNAL_ERROR == 70
    assert "internal error" in done.stderr


def test_a_check_that_cannot_run_is_not_read_as_its_mask(db: Path) -> None:
    """Exit codes 1, 2 and 4 are what a check found; a check that never ran says so apart."""
    _break(db)
    done = _console("check", "--db", str(db))
    assert done.returncode == CHECK_REFUSED == 64
    assert done.stderr.startswith("error: ")
