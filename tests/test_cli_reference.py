"""Every command and option is documented in docs/cli.md and has help text (the sqlite-utils
habit: the reference cannot silently fall behind the code)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main

from tosanalyzer.cli import app

DOCS = (Path(__file__).resolve().parents[1] / "docs" / "cli.md").read_text(encoding="utf-8")


def commands(group: Any, prefix: str = "tosanalyzer") -> Iterator[tuple[str, Any]]:
    """(name, command) of every leaf command; groups are walked through ``.commands``."""
    if hasattr(group, "commands"):
        for name, command in group.commands.items():
            yield from commands(command, f"{prefix} {name}")
    else:
        yield prefix, group


ALL = list(commands(typer.main.get_command(app)))


def test_the_walk_finds_the_commands() -> None:
    names = {name for name, _ in ALL}
    assert {"tosanalyzer analyze", "tosanalyzer eval", "tosanalyzer patterns test"} <= names


@pytest.mark.parametrize(("name", "command"), ALL, ids=[name for name, _ in ALL])
def test_command_is_documented_with_help(name: str, command: Any) -> None:
    assert f"## {name}\n" in DOCS, f"docs/cli.md has no '## {name}' section"
    assert command.help, f"{name} has no help text"
    section = DOCS.split(f"## {name}\n", 1)[1].split("\n## ", 1)[0]
    for param in command.params:
        if param.param_type_name != "option":
            continue
        for flag in param.opts:
            if flag == "--help":
                continue
            assert f"`{flag}" in section, f"{name}: option {flag} is not documented"
        assert param.help, f"{name}: option {param.opts[0]} has no help text"


def test_global_options_are_documented() -> None:
    assert "`--version`" in DOCS
