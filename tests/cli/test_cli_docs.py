"""docs/cli.md keeps up with the command tree (the sqlite-utils habit).

The Typer app is turned into its Click-style command tree and walked (Typer ships its own copy
of Click, so commands are recognised by their attributes, not by ``click`` classes). Every
command needs a ``## tosanalyzer …`` section with a description, an example invocation and its
exit codes; every option must be written in backticks in that section; every command, group,
option and argument needs help text. So ``--help`` and the reference never fall behind the code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import pytest
import typer
import typer.main

from tosanalyzer.cli import app

DOCS_PATH = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
DOCS = DOCS_PATH.read_text(encoding="utf-8")
ROOT = typer.main.get_command(app)


def is_group(command: Any) -> bool:
    return hasattr(command, "commands")


def walk(command: Any, name: str = "tosanalyzer") -> Iterator[tuple[str, Any]]:
    """Every command in the tree, groups included, as (full name, command)."""
    yield name, command
    if is_group(command):
        for sub_name, sub in sorted(command.commands.items()):
            yield from walk(sub, f"{name} {sub_name}")


TREE = list(walk(ROOT))
GROUPS = [(name, c) for name, c in TREE if is_group(c) and c is not ROOT]
LEAVES = [(name, c) for name, c in TREE if not is_group(c)]
DOCUMENTED = [(name, c) for name, c in TREE if not is_group(c) or c is ROOT]
"""The root (global options) and every leaf command get their own section; groups do not."""


def section(name: str) -> str:
    heading = f"\n## {name}\n"
    assert heading in DOCS, f"docs/cli.md has no '## {name}' section"
    return DOCS.split(heading, 1)[1].split("\n## ", 1)[0]


def params(command: Any, kind: str) -> list[Any]:
    """The command's ``option`` or ``argument`` parameters."""
    return [p for p in command.params if p.param_type_name == kind]


def test_the_walk_reaches_every_command() -> None:
    names = {name for name, _ in TREE}
    assert names == {
        "tosanalyzer",
        "tosanalyzer analyze",
        "tosanalyzer eval",
        "tosanalyzer patterns",
        "tosanalyzer patterns list",
        "tosanalyzer patterns test",
        "tosanalyzer track",
        "tosanalyzer track add",
        "tosanalyzer track import-ota",
        "tosanalyzer track list",
        "tosanalyzer track load-versions",
        "tosanalyzer fetch",
        "tosanalyzer history",
        "tosanalyzer report",
        "tosanalyzer diff",
        "tosanalyzer export",
        "tosanalyzer schema",
        "tosanalyzer check",
        "tosanalyzer watch",
        "tosanalyzer demo",
        "tosanalyzer tui",
    }
    assert [name for name, _ in GROUPS] == ["tosanalyzer patterns", "tosanalyzer track"]


def test_no_section_for_a_command_that_does_not_exist() -> None:
    headings = set(re.findall(r"^## (tosanalyzer.*)$", DOCS, flags=re.MULTILINE))
    assert headings == {name for name, _ in DOCUMENTED}


@pytest.mark.parametrize(("name", "command"), TREE, ids=[name for name, _ in TREE])
def test_command_has_help_text(name: str, command: Any) -> None:
    assert command.help and command.help.strip(), f"{name} has no help text"


@pytest.mark.parametrize(("name", "command"), DOCUMENTED, ids=[n for n, _ in DOCUMENTED])
def test_command_section_has_description_example_and_exit_codes(name: str, command: Any) -> None:
    text = section(name)
    first_paragraph = text.strip().split("\n\n", 1)[0]
    assert len(first_paragraph.split()) >= 10, f"{name}: no descriptive paragraph"
    examples = re.findall(r"```bash\n(.*?)```", text, flags=re.DOTALL)
    assert examples, f"{name}: no ```bash example"
    assert any(line.startswith(name) for block in examples for line in block.splitlines()), (
        f"{name}: no example line starts with '{name}'"
    )
    assert re.search(r"^Exit codes: 0\b", text, flags=re.MULTILINE), f"{name}: no exit codes"


@pytest.mark.parametrize(("name", "command"), DOCUMENTED, ids=[n for n, _ in DOCUMENTED])
def test_every_option_is_documented_with_help(name: str, command: Any) -> None:
    text = section(name)
    for option in params(command, "option"):
        for flag in [*option.opts, *option.secondary_opts]:
            if flag == "--help":
                continue
            assert f"`{flag}" in text, f"{name}: option {flag} is not in its docs/cli.md section"
        assert option.help and option.help.strip(), f"{name}: {option.opts[0]} has no help text"
        envvars = [option.envvar] if isinstance(option.envvar, str) else option.envvar or []
        for envvar in envvars:
            assert f"`{envvar}`" in text, f"{name}: {option.opts[0]} reads {envvar}, undocumented"


@pytest.mark.parametrize(("name", "command"), LEAVES, ids=[n for n, _ in LEAVES])
def test_every_argument_is_documented_with_help(name: str, command: Any) -> None:
    text = section(name)
    for argument in params(command, "argument"):
        assert argument.name is not None
        metavar = argument.name.upper()
        assert f"- `{metavar}`" in text, f"{name}: argument {metavar} is not documented"
        assert getattr(argument, "help", None), f"{name}: argument {metavar} has no help text"


def test_exit_codes_are_the_documented_ones() -> None:
    assert "| 1 | `patterns test`: at least one pattern example failed" in DOCS
    assert re.search(
        r"^Exit codes: 0 .*1 some fail, 2 ",
        section("tosanalyzer patterns test"),
        flags=re.MULTILINE,
    )
    for name in ("tosanalyzer analyze", "tosanalyzer patterns list", "tosanalyzer eval"):
        codes = re.search(
            r"^Exit codes: (.*?)(?:\n\n|\Z)", section(name), flags=re.MULTILINE | re.DOTALL
        )
        assert codes is not None, name
        assert " 2 " in f" {codes.group(1)} " and " 1 " not in f" {codes.group(1)} ", name


def test_the_walk_would_notice_an_undocumented_option() -> None:
    """The check is not vacuous: an option that is not in the docs is caught."""

    phantom = typer.Typer(add_completion=False)

    @phantom.command()
    def made_up(
        flag: Annotated[bool, typer.Option("--made-up-flag", help="Documented nowhere.")] = False,
    ) -> None:
        """A command the docs do not know."""

    command = typer.main.get_command(phantom)
    assert [p.opts for p in params(command, "option")] == [["--made-up-flag"]]
    with pytest.raises(AssertionError, match="--made-up-flag"):
        test_every_option_is_documented_with_help("tosanalyzer analyze", command)
    with pytest.raises(AssertionError, match="no '## tosanalyzer made-up' section"):
        section("tosanalyzer made-up")
