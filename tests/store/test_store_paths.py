"""A command that only reads opens an existing store; it never makes one at a mistyped path."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tosanalyzer.base.bundled import corpora_dir
from tosanalyzer.cli import app

RUNNER = CliRunner()
DECLARATION = corpora_dir() / "services" / "GitHub.json"

READERS = [
    ["history", "zoom"],
    ["diff", "zoom", "terms-of-service"],
    ["report", "zoom"],
    ["export"],
    ["track", "list"],
    ["tui"],
]


@pytest.mark.parametrize("command", READERS, ids=lambda c: " ".join(c))
def test_a_reader_given_no_store_fails_and_creates_nothing(
    tmp_path: Path, command: list[str]
) -> None:
    missing = tmp_path / "nonexistent" / "dir"
    db = missing / "x.db"
    result = RUNNER.invoke(app, [*command, "--db", str(db)])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == f"error: no store at {db}"
    assert not (tmp_path / "nonexistent").exists()


def test_the_environment_variable_names_a_store_the_same_way(tmp_path: Path) -> None:
    db = tmp_path / "nowhere" / "x.db"
    result = RUNNER.invoke(app, ["track", "list"], env={"TOSANALYZER_DB": str(db)})
    assert result.exit_code == 2 and f"no store at {db}" in result.stderr
    assert not db.parent.exists()


def test_a_writer_creates_the_store_and_then_readers_open_it(tmp_path: Path) -> None:
    db = tmp_path / "new" / "dir" / "x.db"
    added = RUNNER.invoke(app, ["track", "add", str(DECLARATION), "--db", str(db)])
    assert added.exit_code == 0, added.output
    assert db.is_file()
    listed = RUNNER.invoke(app, ["track", "list", "--db", str(db)])
    assert listed.exit_code == 0, listed.output
    assert "GitHub" in listed.stdout
