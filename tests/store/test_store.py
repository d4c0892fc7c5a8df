"""The store keeps every real change, never a broken one, and survives being killed mid-write.

Everything runs against real SQLite files in tmp_path; the crash and concurrency tests run real
writer processes (a small script using the public API) and SIGKILL them.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import platformdirs
import pytest

from tosanalyzer.models import FetchFailure, ServiceDeclaration, Snapshot
from tosanalyzer.store import (
    MIGRATIONS,
    Migration,
    Store,
    StoreError,
    default_db_path,
    migrate,
)

SERVICE = "Hugging Face"
TOS = "Terms of Service"
PRIVACY = "Privacy Policy"
DECLARATION = ServiceDeclaration.model_validate(
    {
        "name": SERVICE,
        "terms": {
            TOS: {"fetch": "https://huggingface.co/terms-of-service", "select": "main"},
            PRIVACY: {"fetch": "https://huggingface.co/privacy", "remove": [".cookie-banner"]},
        },
        "importedFrom": "https://example.org/declarations/Hugging Face.json",
    }
)
TEXT_1 = "# Terms\n\nYou agree to these terms.\n"
TEXT_2 = "# Terms\n\nYou agree to these new terms.\n"
LATEST = len(MIGRATIONS)


def snap(content: bytes = b"<main>terms</main>", status: int = 200, **extra: object) -> Snapshot:
    fields: dict[str, object] = {
        "url": "https://huggingface.co/terms-of-service",
        "final_url": "https://huggingface.co/terms-of-service",
        "status": status,
        "headers": {"content-type": "text/html", "etag": '"abc"'},
        "content": content,
        "fetched_at": "2024-05-01T10:20:30Z",
    }
    return Snapshot.model_validate(fields | extra)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "tosanalyzer.db"


@pytest.fixture
def store(db: Path) -> Iterator[Store]:
    with Store.open(db) as opened:
        opened.upsert_service(DECLARATION)
        yield opened


def raw(db: Path) -> sqlite3.Connection:
    """A plain connection to look at the file as SQLite sees it."""
    return sqlite3.connect(db)


def count(db: Path, table: str) -> int:
    with raw(db) as connection:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


# --- opening and migrations ---------------------------------------------------------------------


def test_open_creates_folders_wal_foreign_keys_and_latest_schema(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "store.db"
    with Store.open(path) as store:
        assert store._db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert store._db.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    with raw(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("PRAGMA user_version").fetchone()[0] == LATEST
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert {"services", "documents", "snapshots", "versions", "fetch_log"} <= tables


def test_reopening_a_migrated_store_keeps_its_data_and_version(db: Path) -> None:
    with Store.open(db) as store:
        store.upsert_service(DECLARATION)
        store.add_version(SERVICE, TOS, TEXT_1, "2024-01-01T00:00:00Z")
    with Store.open(db) as store:
        assert [v.text_sha256 for v in store.versions(SERVICE, TOS)] == [
            hashlib.sha256(TEXT_1.encode()).hexdigest()
        ]
    with raw(db) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == LATEST


def test_migrations_run_once_and_bring_old_and_fresh_files_to_the_latest(tmp_path: Path) -> None:
    counted: Migration = (
        "CREATE TABLE IF NOT EXISTS runs (n INTEGER)",
        "INSERT INTO runs VALUES (1)",
    )
    newer = (*MIGRATIONS, counted)
    old, fresh = tmp_path / "old.db", tmp_path / "fresh.db"
    with raw(old) as connection:
        connection.isolation_level = None
        assert migrate(connection, MIGRATIONS) == LATEST  # a file written by today's version
    for path in (old, fresh):
        with raw(path) as connection:
            connection.isolation_level = None
            for _ in range(3):
                assert migrate(connection, newer) == LATEST + 1
            assert connection.execute("SELECT count(*) FROM runs").fetchone()[0] == 1
            assert connection.execute("PRAGMA user_version").fetchone()[0] == LATEST + 1


def test_a_failing_migration_leaves_the_file_as_it_was(db: Path) -> None:
    broken: Migration = ("CREATE TABLE half (n INTEGER)", "CREATE TABLE services (n INTEGER)")
    Store.open(db).close()
    with raw(db) as connection:
        connection.isolation_level = None
        with pytest.raises(sqlite3.OperationalError, match="already exists"):
            migrate(connection, (*MIGRATIONS, broken))
        assert connection.execute("PRAGMA user_version").fetchone()[0] == LATEST
        names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert "half" not in names


def test_a_store_from_a_newer_tosanalyzer_is_refused(db: Path) -> None:
    with raw(db) as connection:
        connection.execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError, match=rf"schema is version 99, newer than .* \({LATEST}\)"):
        Store.open(db)


def test_a_file_that_is_not_a_store_gets_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database" * 100)
    with pytest.raises(
        StoreError, match=r"cannot open the store .*notes\.db: file is not a database"
    ):
        Store.open(path)
    assert path.read_bytes().startswith(b"these are my notes")


def test_default_path_explicit_then_environment_then_user_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TOSANALYZER_DB", raising=False)
    user_data = Path(platformdirs.user_data_dir("tosanalyzer")) / "tosanalyzer.db"
    assert default_db_path() == user_data
    monkeypatch.setenv("TOSANALYZER_DB", str(tmp_path / "env.db"))
    assert default_db_path() == tmp_path / "env.db"
    assert default_db_path(tmp_path / "flag.db") == tmp_path / "flag.db"
    with Store.open() as store:
        assert store.path == tmp_path / "env.db"
    assert (tmp_path / "env.db").exists()


# --- services and documents ---------------------------------------------------------------------


@pytest.mark.parametrize("query", ["Hugging Face", "hugging-face", "HUGGING FACE", "Hugging-Face"])
def test_a_service_is_found_by_name_or_slug_in_any_case(store: Store, query: str) -> None:
    found = store.find_service(query)
    assert found is not None
    assert (found.name, found.slug) == (SERVICE, "hugging-face")
    assert found.declaration == DECLARATION
    document = store.find_document(query, "TERMS-of-service")
    assert document is not None
    assert (document.service, document.name, document.slug) == (SERVICE, TOS, "terms-of-service")
    assert document.declaration == DECLARATION.terms[TOS]


def test_services_and_documents_are_listed(store: Store) -> None:
    store.ensure_document("Zoom", "Terms of Service")
    assert [s.name for s in store.list_services()] == [SERVICE, "Zoom"]
    assert [d.name for d in store.list_documents("hugging-face")] == [PRIVACY, TOS]
    assert [(d.service, d.name) for d in store.list_documents()] == [
        (SERVICE, PRIVACY),
        (SERVICE, TOS),
        ("Zoom", TOS),
    ]
    assert store.find_service("Zoom") is not None
    assert store.find_service("zoom").declaration is None  # type: ignore[union-attr]
    assert store.find_service("Zoo") is None


def test_upsert_updates_declarations_and_never_drops_a_document(store: Store) -> None:
    store.add_version(SERVICE, PRIVACY, TEXT_1, "2024-01-01T00:00:00Z")
    only_terms = ServiceDeclaration.model_validate(
        {"name": "hugging face", "terms": {TOS: {"fetch": "https://hf.co/tos", "select": "#t"}}}
    )
    service = store.upsert_service(only_terms)
    assert (service.name, service.declaration) == ("hugging face", only_terms)
    assert store.find_document(SERVICE, TOS).declaration.fetch == "https://hf.co/tos"  # type: ignore[union-attr]
    assert [d.name for d in store.list_documents(SERVICE)] == [PRIVACY, TOS]
    assert len(store.versions(SERVICE, PRIVACY)) == 1


def test_a_different_service_with_the_same_slug_is_refused(store: Store) -> None:
    clash = ServiceDeclaration.model_validate(
        {"name": "Hugging-Face!", "terms": {TOS: {"fetch": "https://elsewhere.example/tos"}}}
    )
    with pytest.raises(StoreError, match="same slug 'hugging-face' as the stored service"):
        store.upsert_service(clash)
    assert store.find_service(SERVICE).declaration == DECLARATION  # type: ignore[union-attr]


def test_unknown_service_or_document_names_what_is_known(store: Store) -> None:
    with pytest.raises(
        StoreError, match=r"no service 'Hugging' in the store \(known: Hugging Face\)"
    ):
        store.versions("Hugging", TOS)
    with pytest.raises(
        StoreError, match=r"has no document 'Cookies' \(it has: Privacy Policy, Terms"
    ):
        store.record_fetch(SERVICE, "Cookies", [snap()], TEXT_1, None)
    assert count(store.path, "fetch_log") == 0


# --- recording fetches --------------------------------------------------------------------------


def test_a_version_is_recorded_only_when_the_text_hash_changes(store: Store) -> None:
    first = store.record_fetch(SERVICE, TOS, [snap()], TEXT_1, None)
    again = store.record_fetch(
        SERVICE, TOS, [snap(fetched_at="2024-05-02T10:00:00Z")], TEXT_1, None
    )
    changed = store.record_fetch(
        SERVICE, "terms-of-service", [snap(b"<main>new</main>")], TEXT_2, None
    )

    assert (first.outcome, again.outcome, changed.outcome) == ("changed", "unchanged", "changed")
    assert again.version_id == first.version_id  # the version this fetch confirmed
    assert (first.error, first.service, first.document) == (None, SERVICE, TOS)
    assert again.attempted_at == "2024-05-02T10:00:00Z"
    versions = store.versions(SERVICE, TOS)
    assert [v.id for v in versions] == [first.version_id, changed.version_id]
    assert [v.kind for v in versions] == ["first_record", "change"]
    assert store.version_text(versions[0].id) == TEXT_1
    assert store.version_text(versions[1].id) == TEXT_2
    assert versions[0].text_sha256 == hashlib.sha256(TEXT_1.encode()).hexdigest()
    assert (versions[0].characters, versions[0].words) == (len(TEXT_1), 7)
    assert versions[0].recorded_at == "2024-05-01T10:20:30Z"
    assert store.latest_version(SERVICE, TOS) == versions[1]
    assert store.versions(SERVICE, PRIVACY) == []
    assert store.latest_version(SERVICE, PRIVACY) is None


def test_snapshots_are_stored_compressed_and_come_back_whole(store: Store) -> None:
    page = b"<main>" + b"<p>You agree to these terms.</p>" * 2000 + b"</main>"
    entry = store.record_fetch(SERVICE, TOS, [snap(page)], TEXT_1, None)
    version = store.latest_version(SERVICE, TOS)
    assert version is not None and version.id == entry.version_id
    assert version.snapshot_id is not None
    assert store.snapshot(version.snapshot_id) == snap(page)
    with raw(store.path) as connection:
        blob, digest = connection.execute(
            "SELECT content, content_sha256 FROM snapshots WHERE id = ?", (version.snapshot_id,)
        ).fetchone()
    assert len(blob) < len(page) / 20
    assert zlib.decompress(blob) == page
    assert digest == hashlib.sha256(page).hexdigest()


def test_a_failed_fetch_is_logged_and_keeps_the_last_good_version(store: Store) -> None:
    good = store.record_fetch(SERVICE, TOS, [snap()], TEXT_1, None)
    failure = FetchFailure(
        url="https://huggingface.co/terms-of-service",
        kind="http_status",
        message="HTTP 503 Service Unavailable",
        status=503,
        attempts=3,
    )
    error_page = snap(
        b"<h1>Service Unavailable</h1>", status=503, fetched_at="2024-05-02T00:00:00Z"
    )
    failed = store.record_fetch(SERVICE, TOS, [error_page], None, failure)
    selector_miss = store.record_fetch(
        SERVICE, TOS, [], None, "selector 'main' matched nothing", at="2024-05-03T00:00:00+02:00"
    )

    assert failed.outcome == selector_miss.outcome == "failed"
    assert failed.version_id is None and selector_miss.version_id is None
    assert failed.error == (
        "http_status at https://huggingface.co/terms-of-service: HTTP 503 Service Unavailable"
    )
    assert selector_miss.attempted_at == "2024-05-02T22:00:00Z"
    latest = store.latest_version(SERVICE, TOS)
    assert latest is not None and latest.id == good.version_id
    assert [v.id for v in store.versions(SERVICE, TOS)] == [good.version_id]
    assert store.version_text(latest.id) == TEXT_1
    assert store.recent_failures(SERVICE, TOS) == [selector_miss, failed]
    assert store.recent_failures(SERVICE, TOS, limit=1) == [selector_miss]
    assert store.recent_failures(SERVICE) == [selector_miss, failed]
    assert store.recent_failures(SERVICE, PRIVACY) == []
    with raw(store.path) as connection:
        statuses = [row[0] for row in connection.execute("SELECT status FROM snapshots")]
    assert statuses == [200, 503]  # the error page is kept for the post-mortem


def test_not_modified_is_unchanged_and_points_at_the_current_version(store: Store) -> None:
    good = store.record_fetch(SERVICE, TOS, [snap()], TEXT_1, None)
    entry = store.record_fetch(SERVICE, TOS, [snap(b"", status=304, not_modified=True)], None, None)
    assert (entry.outcome, entry.version_id) == ("unchanged", good.version_id)
    assert len(store.versions(SERVICE, TOS)) == 1


@pytest.mark.parametrize(
    ("snapshots", "text", "error", "message"),
    [
        ([snap()], TEXT_1, "timeout", "a text or an error, not both"),
        ([snap()], None, None, "must consist of 304"),
        ([snap()], " \n\t", None, "empty text"),
        ([snap(fetched_at="2024-05-01T10:20:30")], TEXT_1, None, "without a time zone"),
    ],
)
def test_a_malformed_record_is_refused_and_writes_nothing(
    store: Store, snapshots: list[Snapshot], text: str | None, error: str | None, message: str
) -> None:
    with pytest.raises(StoreError, match=message):
        store.record_fetch(SERVICE, TOS, snapshots, text, error)
    for table in ("fetch_log", "snapshots", "versions"):
        assert count(store.path, table) == 0


def test_explicit_kind_and_suspect_are_kept(store: Store) -> None:
    store.record_fetch(SERVICE, TOS, [snap()], TEXT_1, None)
    entry = store.record_fetch(
        SERVICE, TOS, [snap()], "Service Unavailable - DNS failure", None, suspect="error page"
    )
    upgrade = store.record_fetch(SERVICE, TOS, [snap()], TEXT_2, None, kind="technical_upgrade")
    suspect = store.versions(SERVICE, TOS)[1]
    assert (suspect.id, suspect.suspect, suspect.kind) == (entry.version_id, "error page", "change")
    assert store.latest_version(SERVICE, TOS).kind == "technical_upgrade"  # type: ignore[union-attr]
    store.record_fetch(SERVICE, TOS, [snap()], "Service Unavailable", None, suspect="error page")
    trusted = store.latest_version(SERVICE, TOS, include_suspect=False)
    assert trusted is not None and trusted.id == upgrade.version_id


# --- imported histories -------------------------------------------------------------------------


def test_imported_history_keeps_its_order_kinds_and_skips_unchanged_text(store: Store) -> None:
    imported = [
        store.add_version(SERVICE, TOS, TEXT_1, "2021-08-17T10:46:17Z", kind="first_record"),
        store.add_version(SERVICE, TOS, TEXT_1, "2021-09-01T00:00:00Z", kind="change"),
        store.add_version(SERVICE, TOS, TEXT_2, "2021-09-22T18:31:56Z", kind="change"),
        # OTA replays contain technical upgrades dated before the version they follow.
        store.add_version(SERVICE, TOS, TEXT_1, "2021-09-20T00:00:00Z", kind="technical_upgrade"),
    ]
    assert imported[1] is None
    versions = store.versions(SERVICE, TOS)
    assert versions == [v for v in imported if v is not None]
    assert [v.recorded_at for v in versions] == [
        "2021-08-17T10:46:17Z",
        "2021-09-22T18:31:56Z",
        "2021-09-20T00:00:00Z",
    ]
    assert [v.kind for v in versions] == ["first_record", "change", "technical_upgrade"]
    assert all(v.snapshot_id is None for v in versions)
    assert count(store.path, "fetch_log") == 0


def test_histories_load_into_services_that_have_no_declaration(db: Path) -> None:
    with Store.open(db) as store:
        document = store.ensure_document("Microsoft", PRIVACY)
        assert store.ensure_document("microsoft", "privacy-policy") == document
        version = store.add_version(
            "Microsoft", PRIVACY, "Service Unavailable - DNS failure", "2024-01-01T00:00:00Z",
            suspect="error page",
        )  # fmt: skip
        assert version is not None and version.kind == "first_record"
        assert version.suspect == "error page"
        assert store.latest_version("Microsoft", PRIVACY, include_suspect=False) is None
        assert document.declaration is None


# --- snapshot retention -------------------------------------------------------------------------


def test_retention_keeps_version_snapshots_forever_and_the_newest_others(db: Path) -> None:
    with Store.open(db, keep_snapshots=3) as store:
        store.upsert_service(DECLARATION)
        page_a, page_b = snap(b"<main>part one</main>"), snap(b"<main>part two</main>")
        first = store.record_fetch(SERVICE, TOS, [page_a, page_b], TEXT_1, None)
        others = [
            store.record_fetch(SERVICE, TOS, [snap(f"<p>{i}</p>".encode())], TEXT_1, None)
            if i % 3
            else store.record_fetch(SERVICE, TOS, [snap(status=500)], None, "HTTP 500")
            for i in range(8)
        ]
        second = store.record_fetch(SERVICE, TOS, [snap()], TEXT_2, None)
        store.record_fetch(SERVICE, PRIVACY, [snap(), snap()], None, "timeout")
        with raw(db) as connection:
            kept = connection.execute(
                "SELECT s.fetch_id FROM snapshots s JOIN documents d ON d.id = s.document_id"
                " WHERE d.slug = 'terms-of-service' ORDER BY s.id"
            ).fetchall()
        newest_others = [entry.id for entry in others[-3:]]
        assert [row[0] for row in kept] == [first.id, first.id, *newest_others, second.id]
        for version in store.versions(SERVICE, TOS):
            assert version.snapshot_id is not None
            assert store.snapshot(version.snapshot_id).status == 200
        with pytest.raises(StoreError, match="pruned, or never taken"):
            store.snapshot(1_000_000)
    assert count(db, "fetch_log") == 11  # the log itself is never pruned


# --- crashes and concurrency --------------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from tosanalyzer.models import Snapshot
    from tosanalyzer.store import Store

    db, tag, fetches, document = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
    with Store.open(db, keep_snapshots=4) as store:
        print("ready", flush=True)
        i = 0
        while fetches < 0 or i < fetches:
            page = os.urandom(300_000)  # incompressible: long writes, wide windows to die in
            snapshot = Snapshot(
                url="https://example.org/t", final_url="https://example.org/t", status=200,
                headers={"n": str(i)}, content=page, fetched_at="2024-01-01T00:00:00Z",
            )
            if i % 4 == 3:
                store.record_fetch("Hugging Face", document, [snapshot], None, "http_status: 503")
            else:
                text = f"# Terms {tag} {i // 2}\\n\\n" + f"Clause {tag} {i // 2}.\\n" * 3000
                store.record_fetch("Hugging Face", document, [snapshot], text, None)
            print("recorded", flush=True)
            i += 1
    """
)


def start_writer(
    tmp_path: Path, db: Path, tag: str, fetches: int, document: str = TOS
) -> subprocess.Popen[str]:
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    writer = subprocess.Popen(
        [sys.executable, str(script), str(db), tag, str(fetches), document],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None and writer.stdout.readline() == "ready\n"
    return writer


def assert_consistent(db: Path) -> None:
    """The file is sound and holds only whole fetches: no version or log row without the other."""
    with raw(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        for text, digest, characters in connection.execute(
            "SELECT text, text_sha256, characters FROM versions"
        ):
            assert hashlib.sha256(text.encode()).hexdigest() == digest
            assert len(text) == characters
        for content, digest in connection.execute("SELECT content, content_sha256 FROM snapshots"):
            assert hashlib.sha256(zlib.decompress(content)).hexdigest() == digest
        orphans = connection.execute(
            "SELECT count(*) FROM fetch_log f LEFT JOIN versions v ON v.id = f.version_id"
            " WHERE (f.version_id IS NOT NULL AND v.id IS NULL)"
            " OR (f.outcome = 'changed' AND f.version_id IS NULL)"
        ).fetchone()[0]
        unlogged = connection.execute(
            "SELECT count(*) FROM versions v WHERE NOT EXISTS"
            " (SELECT 1 FROM fetch_log f WHERE f.version_id = v.id AND f.outcome = 'changed')"
        ).fetchone()[0]
        repeats = connection.execute(
            "SELECT count(*) FROM (SELECT text_sha256,"
            " lag(text_sha256) OVER (PARTITION BY document_id ORDER BY id) AS previous"
            " FROM versions) WHERE text_sha256 = previous"
        ).fetchone()[0]
    assert (orphans, unlogged, repeats) == (0, 0, 0)


def test_sigkill_mid_recording_never_leaves_a_partial_fetch(tmp_path: Path, db: Path) -> None:
    with Store.open(db) as store:
        store.upsert_service(DECLARATION)
    # About a third of a writer's time is spent inside a transaction: over 12 kills, the odds
    # that none lands in one are below 1%.
    delays = random.Random(4).choices([0.02, 0.05, 0.1, 0.15, 0.2, 0.3], k=12)
    for round_number, delay in enumerate(delays):
        before = count(db, "fetch_log")
        writer = start_writer(tmp_path, db, f"r{round_number}", fetches=-1)
        time.sleep(delay)
        os.kill(writer.pid, signal.SIGKILL)
        assert writer.wait() == -signal.SIGKILL
        committed = writer.communicate()[0].count("recorded\n")
        assert_consistent(db)
        # Every fetch the writer saw committed is there; the one in flight is whole or absent.
        assert committed <= count(db, "fetch_log") - before <= committed + 1
    with Store.open(db) as store:  # and the store still works after all that
        fetches = count(db, "fetch_log")
        assert fetches >= len(delays)
        entry = store.record_fetch(SERVICE, TOS, [snap()], "after the storm", None)
        assert entry.outcome == "changed"
        assert store.version_text(entry.version_id) == "after the storm"  # type: ignore[arg-type]
    assert count(db, "fetch_log") == fetches + 1
    assert_consistent(db)


def test_readers_and_a_second_writer_work_while_a_process_records(tmp_path: Path, db: Path) -> None:
    with Store.open(db) as store:
        store.upsert_service(DECLARATION)
    writers = [start_writer(tmp_path, db, tag, fetches=24) for tag in ("a", "b")]
    seen: list[int] = []
    with Store.open(db) as reader:
        while any(writer.poll() is None for writer in writers):
            versions = reader.versions(SERVICE, TOS)
            seen.append(len(versions))
            if versions:
                text = reader.version_text(versions[-1].id)
                assert hashlib.sha256(text.encode()).hexdigest() == versions[-1].text_sha256
            reader.recent_failures(SERVICE, TOS)
    assert [writer.communicate()[0].count("recorded\n") for writer in writers] == [24, 24]
    assert [writer.returncode for writer in writers] == [0, 0]
    assert len(seen) > 1 and seen == sorted(seen)
    assert count(db, "fetch_log") == 48
    assert count(db, "snapshots") <= count(db, "versions") + 4
    assert_consistent(db)
