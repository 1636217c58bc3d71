"""The command line's exit codes exist once (``sez_metrics.cli.exits``): no module defines its own,
every command module returns ``ExitCode`` members, and a ``CommandFailed`` becomes its lines on
stderr and its exit code, never a traceback."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from sez_metrics.cli import exits, main
from sez_metrics.cli.exits import CommandFailed, ExitCode, Refused

PACKAGE = Path(__file__).resolve().parents[1] / "sez_metrics"
CLI = PACKAGE / "cli"


def test_no_module_defines_exit_constants_of_its_own():
    defined = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.match(r"\s*EXIT_\w+(\s*,\s*EXIT_\w+)*\s*=", line)
    ]

    assert defined == []


@pytest.mark.parametrize("path", sorted(p for p in CLI.glob("*.py") if p.name not in ("__init__.py", "exits.py")),
                         ids=lambda p: p.name)
def test_command_modules_return_exit_code_members_never_bare_numbers(path):
    bare = [
        node.lineno for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, int)
    ]

    assert bare == [], f"{path.name} returns bare exit numbers at lines {bare}"


def test_command_modules_are_the_commands_of_the_parser():
    commands = set(main.build_parser()._subparsers._group_actions[0].choices)

    assert set(main.COMMANDS) | {"briefing", "add-steward"} == commands
    for command in main.COMMANDS:
        assert callable(main._handler(command)), command


def test_a_failure_prints_its_line_on_stderr_and_exits_with_its_code(tmp_path, capsys):
    empty = tmp_path / "update"
    empty.mkdir()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for folder in ("a", "b"):
        (tmp_path / folder / "status.csv").write_text("zone_id\n", encoding="utf-8")

    assert main.main(["publish", "--author", "A", "--note", "n", str(empty)]) == ExitCode.USAGE
    assert capsys.readouterr().err.startswith(f"{empty}: error: the folder holds none of zones.csv")
    twice = main.main(["publish", "--author", "A", "--note", "n", str(tmp_path / "a"), str(tmp_path / "b")])
    assert twice == ExitCode.PROBLEMS
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (f"refused: status.csv given twice ({tmp_path / 'a' / 'status.csv'} and "
                            f"{tmp_path / 'b' / 'status.csv'}); give each table once\n")


def test_failures_default_to_usage_and_refusals_to_problems():
    assert CommandFailed("error: x").exit_code is ExitCode.USAGE
    assert CommandFailed("error: x", ExitCode.PROBLEMS).exit_code is ExitCode.PROBLEMS
    assert Refused("refused: x").exit_code is ExitCode.PROBLEMS
    assert [int(c) for c in ExitCode] == [0, 1, 2]
    assert exits.__doc__ and "USAGE" in exits.__doc__
