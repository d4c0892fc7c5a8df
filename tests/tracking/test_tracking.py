"""Tracking end to end: declarations → fetch from a real local server → extract → the store.

Every page here is written for these tests. The server runs on 127.0.0.1, so the workspace is
told to allow that network, as `allow_networks` in the settings file or `--allow-private` would.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from ipaddress import ip_network
from pathlib import Path

import pytest
from localserver import LocalServer, Reply, gzip_chunks, redirect, repeated
from typer.testing import CliRunner

from tosanalyzer.cli import app
from tosanalyzer.tracking.fetch import FetchSettings, RetryPolicy
from tosanalyzer.workspace import UrlError, Workspace

FAST = FetchSettings(read_timeout=0.5, retry=RetryPolicy(attempts=2, base_delay=0.01))
LOCAL = FAST.model_copy(update={"allowed_networks": (ip_network("127.0.0.1/32"),)})
MB = 1 << 20
FILLER = " ".join(
    "Clause text about how the Acme service works for every member of the public." for _ in range(8)
)


def page(body: str, title: str = "Acme terms") -> bytes:
    return (
        f"<html><head><title>{title}</title></head><body>"
        '<div class="cookie">We use cookies. Accept all?</div>'
        f"<main><h1>Terms of Service</h1><p>{body}</p><p>{FILLER}</p></main>"
        "</body></html>"
    ).encode()


TERMS_V1 = page("Any dispute will be resolved by binding arbitration in Springfield.")
TERMS_V2 = page("Any dispute will be resolved by the courts of your place of residence.")
PRIVACY_A = page("We keep your data while your account is open.", "Acme privacy")
PRIVACY_B = page("We never sell your personal data to anyone.", "Acme privacy")
HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as s:
        yield s


@pytest.fixture
def declared(tmp_path: Path, server: LocalServer) -> Path:
    declaration = {
        "name": "Acme Cloud",
        "terms": {
            "Terms of Service": {
                "fetch": server.url("/terms"),
                "select": "main",
                "remove": ".cookie",
            },
            "Privacy Policy": {
                "combine": [
                    {"fetch": server.url("/privacy-a")},
                    {"fetch": server.url("/privacy-b")},
                ],
                "select": "main",
                "filter": ["removeSessionIds"],
            },
        },
    }
    path = tmp_path / "Acme Cloud.json"
    path.write_text(json.dumps(declaration), encoding="utf-8")
    return path


@pytest.fixture
def workspace(tmp_path: Path, declared: Path) -> Workspace:
    workspace = Workspace(db=tmp_path / "store.db", fetch_settings=LOCAL)
    workspace.track([declared])
    return workspace


def serve(server: LocalServer, terms: Reply) -> None:
    server.route("/terms", terms)
    server.route("/privacy-a", Reply(headers=HTML, body=PRIVACY_A))
    server.route("/privacy-b", Reply(headers=HTML, body=PRIVACY_B))


def outcomes(workspace: Workspace) -> dict[str, str]:
    return {r.document: r.outcome for r in workspace.fetch(["acme-cloud"])}


def terms_history(workspace: Workspace) -> tuple[list[str], list[str]]:
    (history,) = workspace.history("Acme Cloud", "terms of service")
    texts = []
    with workspace.store() as store:
        texts = [store.version_text(v.id) for v in history.versions]
    return texts, [f.error or "" for f in history.recent_failures]


def test_a_version_is_recorded_only_when_the_text_changes(
    workspace: Workspace, server: LocalServer
) -> None:
    serve(server, Reply(headers=HTML, body=TERMS_V1))
    assert outcomes(workspace) == {"Terms of Service": "changed", "Privacy Policy": "changed"}
    assert outcomes(workspace) == {"Terms of Service": "unchanged", "Privacy Policy": "unchanged"}
    serve(server, Reply(headers=HTML, body=TERMS_V2))
    assert outcomes(workspace)["Terms of Service"] == "changed"
    texts, failures = terms_history(workspace)
    assert len(texts) == 2 and failures == []
    assert "binding arbitration" in texts[0] and "place of residence" in texts[1]
    assert "cookies" not in texts[0]  # removed by the declaration's selector
    (privacy,) = workspace.history("acme-cloud", "privacy-policy")
    with workspace.store() as store:
        combined = store.version_text(privacy.versions[0].id)
    assert combined.index("while your account is open") < combined.index("never sell")


COOKIE_WALL = (
    b"<html><body><main><h1>Before you continue</h1><p>We use cookies and data to deliver"
    b" our services. Accept all or reject all.</p></main></body></html>"
)
FAULTS = {
    "500": (Reply(status=500, headers=HTML, body=b"oops"), "http_status"),
    "429 with Retry-After": (
        Reply(status=429, headers={"Retry-After": "0"}, body=b"slow down"),
        "http_status",
    ),
    "read timeout": (Reply(headers=HTML, body=TERMS_V1, delay=2), "timeout"),
    "reset mid-body": (
        Reply(headers=HTML, body=repeated(b"x", 200_000), content_length=200_000, reset_after=5000),
        "interrupted",
    ),
    "truncated body": (
        Reply(headers=HTML, body=TERMS_V1, content_length=len(TERMS_V1) + 50),
        "interrupted",
    ),
    "redirect loop": (redirect("/terms"), "too_many_redirects"),
    "gzip bomb": (
        Reply(
            headers={**HTML, "Content-Encoding": "gzip"},
            body=gzip_chunks(repeated(b" ", 64 * MB, chunk=MB)()),
        ),
        "too_large",
    ),
    "50 MB page": (Reply(headers=HTML, body=repeated(b"a", 50 * MB)), "too_large"),
    "selector miss": (
        Reply(headers=HTML, body=b"<html><body><div>No main here</div></body></html>"),
        "main",
    ),
    "cookie wall": (Reply(headers=HTML, body=COOKIE_WALL), "empty"),
    "200 page saying Page not found": (
        Reply(headers=HTML, body=page("Sorry.", title="Page not found")),
        "extraction failed",
    ),
}


@pytest.mark.parametrize(("reply", "reason"), FAULTS.values(), ids=FAULTS.keys())
def test_a_failed_fetch_records_no_version_and_keeps_the_last_good_one(
    workspace: Workspace, server: LocalServer, reply: Reply, reason: str
) -> None:
    serve(server, Reply(headers=HTML, body=TERMS_V1))
    outcomes(workspace)
    serve(server, reply)
    assert outcomes(workspace)["Terms of Service"] == "failed"
    texts, failures = terms_history(workspace)
    assert len(texts) == 1 and "binding arbitration" in texts[0]
    assert len(failures) == 1 and reason in failures[0]


def test_503_then_success_records_the_version(workspace: Workspace, server: LocalServer) -> None:
    serve(server, Reply(headers=HTML, body=TERMS_V1))
    server.route("/terms", Reply(status=503), Reply(headers=HTML, body=TERMS_V1))
    assert outcomes(workspace)["Terms of Service"] == "changed"
    assert len(server.hits("/terms")) == 2


LATIN = "Clause about the café and the naïve user."
JAPANESE = "本規約の変更について、当社は事前に通知します。"


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (LATIN.encode("cp1252"), "text/html; charset=windows-1252", LATIN),
        (LATIN.encode("cp1252"), "text/html", LATIN),
        (JAPANESE.encode("shift_jis"), "text/html", JAPANESE),
    ],
    ids=["declared cp1252", "undeclared cp1252", "undeclared shift_jis"],
)
def test_non_utf8_pages_are_decoded(
    workspace: Workspace, server: LocalServer, body: bytes, content_type: str, expected: str
) -> None:
    html = (
        b"<html><body><main><h1>Terms</h1><p>"
        + body
        + b"</p><p>"
        + FILLER.encode()
        + b"</p></main></body></html>"
    )
    serve(server, Reply(headers={"Content-Type": content_type}, body=html))
    assert outcomes(workspace)["Terms of Service"] == "changed"
    texts, _ = terms_history(workspace)
    assert expected in texts[0]


def test_the_etag_makes_the_next_fetch_conditional(
    workspace: Workspace, server: LocalServer
) -> None:
    serve(server, Reply(headers={**HTML, "ETag": '"v1"'}, body=TERMS_V1))
    outcomes(workspace)
    serve(server, Reply(status=304, headers={"ETag": '"v1"'}))
    assert outcomes(workspace)["Terms of Service"] == "unchanged"
    assert server.hits("/terms")[-1].headers["if-none-match"] == '"v1"'
    texts, failures = terms_history(workspace)
    assert len(texts) == 1 and failures == []


def test_javascript_filters_are_reported_not_dropped(
    workspace: Workspace, server: LocalServer
) -> None:
    serve(server, Reply(headers=HTML, body=TERMS_V1))
    (service,) = workspace.tracked()
    notes = {d.name: d.notes for d in service.documents}
    assert notes["Privacy Policy"] == ["JavaScript filter not run here: removeSessionIds"]
    results = {r.document: r for r in workspace.fetch(["Acme Cloud"])}
    assert results["Privacy Policy"].unsupported_filters == ["removeSessionIds"]


def test_analyze_url_goes_through_the_safe_fetcher(server: LocalServer, tmp_path: Path) -> None:
    url = server.route("/terms", Reply(headers=HTML, body=TERMS_V1))
    workspace = Workspace(db=tmp_path / "store.db", fetch_settings=FAST)
    result = workspace.analyze_url(url, allow_private=True)
    assert result.document.source == url
    assert "arbitration" in {f.clause_type for f in result.findings}
    with pytest.raises(UrlError, match="blocked_address"):
        workspace.analyze_url(url)


def test_cli_track_fetch_and_history(declared: Path, server: LocalServer, tmp_path: Path) -> None:
    serve(server, Reply(headers=HTML, body=TERMS_V1))
    runner = CliRunner()
    db = ["--db", str(tmp_path / "cli.db")]
    added = runner.invoke(app, ["track", "add", str(declared), *db])
    assert added.exit_code == 0, added.output
    assert "JavaScript filter not run here: removeSessionIds" in added.output
    fetched = runner.invoke(app, ["fetch", "acme-cloud", "--allow-private", *db])
    assert fetched.exit_code == 0, fetched.output
    assert "2 changed, 0 unchanged, 0 failed" in fetched.output
    server.route("/terms", Reply(status=503, body=b"busy"))
    failed = runner.invoke(app, ["fetch", *db, "--json", "--allow-private"])
    assert failed.exit_code == 1
    assert {r["outcome"] for r in json.loads(failed.output)} == {"failed", "unchanged"}
    history = runner.invoke(app, ["history", "ACME CLOUD", "Terms of Service", *db, "--json"])
    assert history.exit_code == 0, history.output
    (terms,) = json.loads(history.output)
    assert len(terms["versions"]) == 1
    assert "http_status" in terms["recent_failures"][0]["error"]
    unknown = runner.invoke(app, ["history", "globex", *db])
    assert unknown.exit_code == 2
    assert "no tracked service 'globex'" in unknown.output


OTA = Path(__file__).resolve().parents[3] / "shared" / "corpora"


@pytest.mark.skipif(not (OTA / "ota").is_dir(), reason="../shared/corpora is not present")
def test_real_histories_load_once_with_their_suspects_marked(tmp_path: Path) -> None:
    workspace = Workspace(db=tmp_path / "ota.db")
    loaded = workspace.load_versions(OTA / "ota" / "microsoft")
    privacy = next(item for item in loaded if item.document == "Privacy Policy")
    assert len(privacy.suspects) == 5  # one shrunk refilter, three bare headings, a DNS error
    (history,) = workspace.history("microsoft", "privacy policy")
    assert sum(v.suspect is not None for v in history.versions) == len(privacy.suspects)
    assert all(item.skipped for item in workspace.load_versions(OTA / "ota" / "microsoft"))
