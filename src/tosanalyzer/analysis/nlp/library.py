"""Load the clause-pattern library: one YAML file per clause type, validated, versioned.

Patterns are data a reviewer edits, so a bad file must stop the tool with a message naming the
file, the field and the reason — a silently skipped file would quietly turn a red flag green.
The library's version is a hash of the files, so results made with different rules are never
mistaken for changes in the terms.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from tosanalyzer.base import read_yaml_model
from tosanalyzer.models import ClausePattern, PatternLibrary, TrackedAttribute


class PatternFileError(ValueError):
    """A pattern file that cannot be used; the message names the file and what is wrong."""


def pattern_files(directory: Path) -> list[Path]:
    """The clause-type files: YAML directly in ``directory`` (subfolders hold other rule kinds)."""
    return sorted(p for p in directory.iterdir() if p.is_file() and p.suffix in {".yaml", ".yml"})


def library_version(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:12]


def load_pattern_file(path: Path) -> ClausePattern:
    return read_yaml_model(path, ClausePattern, PatternFileError)


def load_library(directory: Path) -> PatternLibrary:
    """Every clause pattern in ``directory``; raises PatternFileError on the first bad file."""
    if not directory.is_dir():
        raise PatternFileError(f"{directory}: no such pattern folder")
    files = pattern_files(directory)
    if not files:
        raise PatternFileError(f"{directory}: holds no *.yaml pattern files")
    patterns = [load_pattern_file(path) for path in files]
    known = {pattern.id for pattern in patterns}
    for pattern, path in zip(patterns, files, strict=True):
        unknown = sorted(set(pattern.exceptions_from) - known) or sorted(
            {pattern.id} & set(pattern.exceptions_from)
        )
        if unknown:
            raise PatternFileError(
                f"{path}: exceptions_from: {', '.join(unknown)} is not another clause type"
            )
    _check_tracked_agree(patterns, files)
    return PatternLibrary(
        version=library_version(files),
        patterns=patterns,
        files={pattern.id: path.name for pattern, path in zip(patterns, files, strict=True)},
    )


def _check_tracked_agree(patterns: list[ClausePattern], files: list[Path]) -> None:
    """Types that track one id pool one fact, so they must read and name it alike: otherwise a
    diff's reasons would depend on which of the files came first."""
    first: dict[str, tuple[TrackedAttribute, Path]] = {}
    for pattern, path in zip(patterns, files, strict=True):
        for tracked in pattern.tracked:
            declared, where = first.setdefault(tracked.id, (tracked, path))
            if tracked != declared:
                raise PatternFileError(
                    f"{path}: tracked '{tracked.id}' differs from its declaration in"
                    f" {where.name}: types that track one id give it the same attribute, label"
                    " and order"
                )
