"""Terminal control characters from outside never reach the reader's terminal.

The pages, the declaration and the server's replies here carry ESC sequences (clear the screen,
set the window title, an OSC 8 hyperlink) and C1 controls (CSI U+009B, NEL U+0085). Whatever the
commands print and the TUI draws must hold none of them: text fetched now is cleaned on its way
in, and text in a store recorded before that is cleaned on its way out. The visible rest of each
sequence ("]0;pwned") is harmless text, and the tests look for it to know the text was printed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from localserver import LocalServer, Reply
from pilot_helpers import settle
from typer.testing import CliRunner

from tosanalyzer.alerts.messages import ChangeCounts, DocumentRef, FailingAlert, RunDigest, render
from tosanalyzer.analysis.documents import read_source
from tosanalyzer.cli import app
from tosanalyzer.models.text import strip_controls
from tosanalyzer.store import Store
from tosanalyzer.tracking.declarations import load_declaration
from tosanalyzer.tracking.extract import html_to_markdown
from tosanalyzer.tracking.fetch import FetchSettings, RetryPolicy
from tosanalyzer.tracking.suspect import suspect_reason
from tosanalyzer.tui.app import TosApp
from tosanalyzer.tui.diff_screen import DiffScreen
from tosanalyzer.tui.reading import ReadingScreen
from tosanalyzer.tui.timeline import TimelineScreen
from tosanalyzer.workspace import Workspace

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Every C0 control but newline and tab, DEL, every C1 control."""
CLEAR = "\x1b[2J"
TITLE = "\x1b]0;pwned\x07"
LINK = "\x1b]8;;http://evil.example/\x1b\\"
LINK_END = "\x1b]8;;\x1b\\"
CSI = "\x9b31m"
SERVICE = f"Acme {TITLE} Cloud"
DOCUMENT = f"Terms {CSI} of Service"
# Slugs drop whatever is not a letter or a digit, so cleaning does not change them.
SERVICE_SLUG, DOCUMENT_SLUG = "acme-0-pwned-cloud", "terms-31m-of-service"
HTML = {"Content-Type": "text/html; charset=utf-8"}
FILLER = " ".join(
    "Clause text about how the Acme service works for every member of the public."
    for _ in range(16)
)
CHANGES = f"We may {LINK}change{LINK_END} these terms{CSI} at any time by posting them here."
HELP = f'Read the <a href="https://acme.example/help{CLEAR}">help {CLEAR}pages</a> first.'
ARBITRATION = f"Any dispute will be resolved by binding arbitration {CLEAR}in Springfield."


def page(*paragraphs: str, title: str = f"Acme terms {TITLE}") -> bytes:
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return (
        f"<html><head><title>{title}</title></head><body><main>"
        f"<h1>Terms {CLEAR}of Service</h1><h2>Changes {CSI}</h2>{body}"
        f"<h2>About\x85</h2><p>{FILLER}</p></main></body></html>"
    ).encode()


TERMS_V1 = page(CHANGES, HELP)
TERMS_V2 = page(CHANGES, HELP, ARBITRATION)
ERROR_PAGE = page(CHANGES, title=f"404 Not Found {TITLE}")
BOT_WALL = (
    f"<html><body><main><h1>Just a moment {CLEAR}please</h1><p>Checking your browser{TITLE}"
    f" before you reach the site.</p><p>{FILLER}</p></main></body></html>"
).encode()


def assert_plain(output: str) -> None:
    assert CONTROL.findall(output) == [], output


# --- text fetched now ---------------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as s:
        yield s


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("TOSANALYZER_DB", str(tmp_path / "store.db"))
    monkeypatch.setenv("TOSANALYZER_CONFIG", str(tmp_path / "config.toml"))  # none: defaults
    return CliRunner()


def run(cli: CliRunner, *args: str, exit_codes: tuple[int, ...] = (0,)) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code in exit_codes, result.output
    assert_plain(result.output)
    return result.output


def test_commands_print_no_control_characters_from_pages_replies_or_declarations(
    cli: CliRunner, server: LocalServer, tmp_path: Path
) -> None:
    url = server.route("/terms", Reply(headers=HTML, body=TERMS_V1))
    declaration = {
        "name": SERVICE,
        "terms": {DOCUMENT: {"fetch": url + "\u0007", "select": "main\u0085"}},
    }
    file = tmp_path / "acme.json"
    file.write_text(json.dumps(declaration), encoding="utf-8")  # ESC written as \u001b
    assert "pwned" in run(cli, "track", "add", str(file))
    assert "1 changed" in run(cli, "fetch", "--allow-private")
    failing = (
        Reply(headers=HTML, body=ERROR_PAGE),
        Reply(status=404, reason=f"Gone {CLEAR}for now{TITLE}"),
        Reply(headers=HTML, body=BOT_WALL),
    )
    for reply in failing:
        server.route("/terms", reply)
        assert "1 failed" in run(cli, "fetch", "--allow-private", exit_codes=(1,))
    server.route("/terms", Reply(headers=HTML, body=TERMS_V2))
    checked = run(cli, "check", "--all", "--allow-private", exit_codes=(0, 1))
    assert "binding arbitration" in checked
    history = run(cli, "history", SERVICE_SLUG)
    assert "404 Not Found ]0;pwned" in history  # the error page's title
    assert "Gone [2Jfor now]0;pwned" in history  # the reason phrase
    assert "Just a moment [2Jplease" in history  # the suspect page
    assert "binding arbitration" in run(cli, "diff", SERVICE_SLUG, DOCUMENT_SLUG)
    assert "binding arbitration" in run(cli, "report", SERVICE_SLUG)
    assert "binding arbitration" in run(cli, "analyze", url, "--allow-private")
    assert "pwned" in run(cli, "track", "list")
    # Cleaned where it entered, not only where it was printed:
    workspace = Workspace(db=tmp_path / "store.db")
    (stored,) = workspace.history(SERVICE_SLUG)
    with workspace.store() as store:
        texts = [store.version_text(v.id) for v in stored.versions]
    assert_plain("".join([stored.service, stored.document, *texts]))
    assert_plain("".join(failure.error or "" for failure in stored.recent_failures))


def test_a_version_that_differs_only_by_control_characters_is_a_technical_upgrade(
    server: LocalServer, tmp_path: Path
) -> None:
    """A store recorded before extraction dropped them holds versions with control characters:
    fetched again, the unchanged page is recorded once more, but as what it is."""
    url = server.route("/terms", Reply(headers=HTML, body=page("Plain terms with no tricks.")))
    declaration = tmp_path / "acme.json"
    declared = {"name": "Acme", "terms": {"Terms": {"fetch": url}}}
    declaration.write_text(json.dumps(declared), encoding="utf-8")
    fast = FetchSettings(allow_private=True, retry=RetryPolicy(attempts=1))
    workspace = Workspace(db=tmp_path / "store.db", fetch_settings=fast)
    workspace.track([declaration])
    workspace.fetch([])
    with workspace.store() as store:
        (first,) = store.versions("Acme", "Terms")
        clean = store.version_text(first.id)
        old = clean.replace("[2J", CLEAR)  # as extraction recorded the heading before
        store.add_version("Acme", "Terms", old, first.recorded_at)
    assert [r.outcome for r in workspace.fetch([])] == ["changed"]
    with workspace.store() as store:
        versions = store.versions("Acme", "Terms")
        assert [v.kind for v in versions] == ["first_record", "change", "technical_upgrade"]
        assert store.version_text(versions[-1].id) == clean


# --- text as it enters --------------------------------------------------------------------------


def test_only_control_characters_are_dropped() -> None:
    kept = "Soft\u00adhyphen, zero\u200bwidth, joiners\u200c\u200d\u2060, BOM\ufeff, tab\tand\n"
    assert strip_controls(kept) == kept
    assert strip_controls(f"a{CLEAR}b{TITLE}c\x9bd\x85e\x7ff\x00g\rh") == "a[2Jb]0;pwnedcdefgh"


def test_extraction_local_files_and_declarations_drop_control_characters(tmp_path: Path) -> None:
    assert_plain(html_to_markdown(TERMS_V2))
    saved = tmp_path / "terms.txt"
    saved.write_bytes(f"Terms{CLEAR}\r\nWe may change{CSI} them.\rThe end.\n".encode())
    assert read_source(saved).text == "Terms[2J\nWe may change31m them.\nThe end.\n"
    declared = tmp_path / "acme.json"
    declaration = {"name": SERVICE, "terms": {DOCUMENT: {"fetch": "https://a.example/\u0007"}}}
    declared.write_text(json.dumps(declaration), encoding="utf-8")
    loaded = load_declaration(declared)
    assert_plain(loaded.model_dump_json())
    assert loaded.name == "Acme ]0;pwned Cloud"


def test_suspect_reasons_quote_no_control_characters() -> None:
    reason = suspect_reason(f"# Just a moment{TITLE}\n\nChecking your browser{CLEAR}.\n")
    assert reason == "bot wall: says “# Just a moment]0;pwned”"


def test_alert_messages_carry_no_control_characters() -> None:
    """Versions recorded before cleaning may still hold them, and messages quote versions."""
    ref = DocumentRef(
        service=SERVICE, service_slug=SERVICE_SLUG, document=DOCUMENT, document_slug=DOCUMENT_SLUG
    )
    alert = FailingAlert(
        document=ref,
        failures=3,
        since="2026-03-01T09:00:00Z",
        reason=f"http_status: HTTP 503 Busy {CLEAR}",
        last_good=None,
        history_command=f"tosanalyzer history {SERVICE_SLUG}",
    )
    digest = RunDigest(
        run_id=1,
        started_at="2026-03-04T09:00:00Z",
        ended_at="2026-03-04T09:01:00Z",
        documents=1,
        changed=0,
        unchanged=0,
        failed=1,
        changes_found=ChangeCounts(),
        not_announced=0,
        failures=[],
        alerts=[],
        exit_mask=2,
    )
    for fmt in ("markdown", "text"):
        body = render(digest, [alert], fmt).body
        assert_plain(body)
        assert "]0;pwned" in body and "Busy [2J" in body


# --- a store recorded before text was cleaned ---------------------------------------------------


OLD_V1 = f"# Terms {CLEAR}of Service\n\n## Changes {CSI}\n\n{CHANGES}\n\n{FILLER}\n"
OLD_V3 = OLD_V1 + f"\n## Disputes{TITLE}\n\n{ARBITRATION}\n"


@pytest.fixture
def old_store(tmp_path: Path) -> Path:
    path = tmp_path / "old.db"
    with Store.open(path) as store:
        store.ensure_document(SERVICE, DOCUMENT)
        store.add_version(SERVICE, DOCUMENT, OLD_V1, "2026-03-01T09:00:00Z")
        store.add_version(
            SERVICE,
            DOCUMENT,
            f"Oops{CLEAR}\n",
            "2026-03-02T09:00:00Z",
            suspect=f"error page: says “Oops{CLEAR}”",
        )
        store.add_version(SERVICE, DOCUMENT, OLD_V3, "2026-03-03T09:00:00Z")
        error = f"http_status: HTTP 503 Busy {TITLE}"
        store.record_fetch(SERVICE, DOCUMENT, [], None, error, at="2026-03-04T09:00:00Z")
    return path


def test_old_versions_print_no_control_characters(cli: CliRunner, old_store: Path) -> None:
    db = ["--db", str(old_store)]
    history = run(cli, "history", SERVICE_SLUG, *db)
    assert "Oops[2J" in history and "Busy ]0;pwned" in history
    diff = run(cli, "diff", SERVICE_SLUG, DOCUMENT_SLUG, "--from", "1", "--to", "3", *db)
    assert "binding arbitration [2Jin Springfield" in diff
    assert "binding arbitration" in run(cli, "report", SERVICE_SLUG, *db)
    assert "pwned" in run(cli, "track", "list", *db)


@pytest.mark.anyio
async def test_the_tui_draws_no_control_characters_from_old_versions(old_store: Path) -> None:
    app = TosApp(Workspace(db=old_store))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screens = {"vendors": ("pwned", app.export_screenshot())}
        await pilot.press("enter", "enter")  # the vendor, then its document
        await settle(pilot)
        assert isinstance(app.screen, TimelineScreen)
        screens["timeline"] = ("Oops[2J", app.export_screenshot())
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ReadingScreen)
        screens["reading"] = ("Springfield", app.export_screenshot())
        await pilot.press("escape", "enter")  # the newest version against the one before
        await settle(pilot)
        assert isinstance(app.screen, DiffScreen)
        screens["diff"] = ("evil.example", app.export_screenshot())
    for name, (shown, svg) in screens.items():
        assert shown in svg, name
        assert CONTROL.findall(svg) == [], name
