"""A non-editable install carries the pattern library and corpora (wheel data) and runs from
another directory, not only from the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_ships_patterns_and_corpora_and_runs_elsewhere(tmp_path: Path) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(tmp_path / "dist"), str(ROOT)],
        capture_output=True, text=True, check=False, timeout=300,
    )
    assert built.returncode == 0, built.stderr
    wheel = next((tmp_path / "dist").glob("tosanalyzer-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "tosanalyzer/_data/clause_patterns/arbitration.yaml" in names
    assert "tosanalyzer/_data/corpora/samples/northwind-terms.md" in names

    target = tmp_path / "site"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(target),
         str(wheel)],
        capture_output=True, text=True, check=False, timeout=300,
    )
    assert installed.returncode == 0, installed.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    sample = target / "tosanalyzer" / "_data" / "corpora" / "samples" / "northwind-terms.md"
    env = {**os.environ, "PYTHONPATH": str(target)}
    code = (
        "import tosanalyzer, sys; print(tosanalyzer.__file__); "
        "from tosanalyzer.cli import main; sys.argv = ['tosanalyzer', 'analyze', "
        f"{str(sample)!r}]; main()"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=elsewhere, env=env,
        check=False, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    first_line = run.stdout.splitlines()[0]
    assert first_line.startswith(str(target)), first_line
    assert "arbitration" in run.stdout
