"""The command line as a user meets it: real processes, exit codes, stdout and stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tosanalyzer.base.bundled import corpora_dir
from tosanalyzer.models import AnalysisResult
from tosanalyzer.workspace import Workspace

SAMPLE = corpora_dir() / "samples" / "northwind-terms.md"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tosanalyzer", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def test_analyze_json_validates_against_the_model() -> None:
    proc = run("analyze", str(SAMPLE), "--json")
    assert proc.returncode == 0, proc.stderr
    result = AnalysisResult.model_validate_json(proc.stdout)
    assert result.document.source == str(SAMPLE)
    assert any(f.clause_type == "arbitration" for f in result.findings)


def test_analyze_json_is_the_models_own_utf8_in_any_locale(tmp_path: Path) -> None:
    """The JSON is pydantic's, written as UTF-8 bytes. Laid out again by Rich through a text
    stream, it failed where standard output is not UTF-8 (cp1252: Windows, redirected)."""
    doc = tmp_path / "terms.md"
    doc.write_text(
        "# Terms of Service\n\nThese terms bind you and 株式会社Acme (“Acme”). We may terminate"
        " your account at any time without notice. Our liability is capped at €50.\n",
        encoding="utf-8",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "tosanalyzer", "analyze", str(doc), "--json"],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "cp1252"},
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    expected = Workspace().analyze_path(doc)
    assert expected.findings
    assert AnalysisResult.model_validate_json(proc.stdout) == expected
    assert proc.stdout == expected.model_dump_json(indent=2).encode() + b"\n"


def test_analyze_summary_is_readable_in_a_pipe() -> None:
    proc = run("analyze", str(SAMPLE))
    assert proc.returncode == 0, proc.stderr
    assert "arbitration" in proc.stdout
    assert "7. Disputes > 7.2" in proc.stdout
    assert "\x1b[" not in proc.stdout  # no colour codes in pipes
    assert "not legal advice" in proc.stdout


def test_markup_in_document_text_is_printed_literally(tmp_path: Path) -> None:
    doc = tmp_path / "odd.txt"
    doc.write_text(
        "We may terminate your account [bold]at any time[/] without notice [/red].\n",
        encoding="utf-8",
    )
    proc = run("analyze", str(doc))
    assert proc.returncode == 0, proc.stderr
    assert "[bold]at any time[/]" in proc.stdout


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.txt", None, "no such file"),
        ("terms.pdf", b"%PDF-1.4 something", "unsupported"),
        ("empty.txt", b"   \n\n", "empty"),
        ("binary.txt", b"abc\x00\x01\x02def", "binary"),
        ("latin.txt", b"Caf\xe9 terms apply here.", "utf-8"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(
    tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    proc = run("analyze", str(path))
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ")
    assert message in lines[0].lower()


def test_patterns_list_and_test() -> None:
    listed = run("patterns", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    ids = {p["id"] for p in json.loads(listed.stdout)["patterns"]}
    assert "arbitration" in ids
    tested = run("patterns", "test")
    assert tested.returncode == 0, tested.stdout
    assert tested.stdout.strip().splitlines()[-1].endswith(" passed, 0 failed")


def test_patterns_test_fails_on_a_broken_example(tmp_path: Path) -> None:
    (tmp_path / "demo_type.yaml").write_text(
        'id: "demo_type"\ntitle: {en: "Demo", ja: "デモ"}\ndescription: "d"\n'
        'severity: "low"\npolarity: "bad"\npatterns:\n  - id: "demo"\n'
        '    phrases: ["demo clause"]\nexamples:\n  match: ["Nothing that matches."]\n'
        '  no_match: ["Nothing here."]\n',
        encoding="utf-8",
    )
    proc = run("patterns", "test", "--patterns", str(tmp_path))
    assert proc.returncode == 1
    assert "FAIL demo_type: should match but did not" in proc.stdout
    assert "1 passed, 1 failed" in proc.stdout


def test_help_does_not_import_spacy() -> None:
    code = (
        "import sys; from tosanalyzer.cli import app; "
        "import typer.testing as t; r = t.CliRunner().invoke(app, ['--help']); "
        "assert r.exit_code == 0, r.output; "
        "print('spacy' in sys.modules)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


def test_version() -> None:
    proc = run("--version")
    assert proc.returncode == 0
    assert proc.stdout.startswith("tosanalyzer ")
