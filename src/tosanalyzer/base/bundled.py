"""Find the data the package ships (clause patterns, corpora) in a checkout and in a wheel.

A wheel carries them under ``tosanalyzer/_data``; an editable install runs from the checkout,
where they sit at the repository root. Looking in both places keeps one source of truth.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def data_dir(name: str) -> Path:
    """The shipped folder ``name`` (``clause_patterns`` or ``corpora``)."""
    candidates = (_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parent.parent / name)
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"tosanalyzer data folder '{name}' is missing from the installation")


def patterns_dir() -> Path:
    return data_dir("clause_patterns")


def corpora_dir() -> Path:
    return data_dir("corpora")
