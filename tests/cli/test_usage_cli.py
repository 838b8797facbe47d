"""Usage mistakes (a missing argument, an unknown option or command, a file that is not there)
are one line on stderr naming the help to read, and exit 2, like every other error; a bare
``attio-bridge`` prints its help and exits 2 without an empty error line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ._support import invoke, one_error_line

SECRET = "usage-never-shown-key"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["import", "people", "nosuch.csv"], "path 'nosuch.csv' does not exist. (see: "),
        (["records", "query"], "Missing argument 'object'. (see: attio-bridge records query "),
        (["nosuchcmd"], "No such command 'nosuchcmd'. (see: attio-bridge --help)"),
        (["records", "query", "--bogus", "people"], "No such option: --bogus"),
    ],
)
def test_a_usage_mistake_is_one_line_and_exit_2(
    tmp_path: Path, config_home: Path, args: list[str], said: str
) -> None:
    result = invoke(args, {"ATTIO_API_KEY": SECRET}, config_home, SECRET)
    assert result.exit_code == 2
    line = one_error_line(result)
    assert said in line
    assert "╭" not in result.stderr and "Usage:" not in result.stderr


def test_a_bare_command_prints_its_help(config_home: Path) -> None:
    result = invoke([], {}, config_home, SECRET)
    assert result.exit_code == 2
    assert "Usage: attio-bridge" in result.stdout
    assert "error" not in result.stderr


def test_with_json_a_usage_mistake_is_json_too(config_home: Path) -> None:
    result = invoke(
        ["records", "query", "people", "--limit", "0", "--json"],
        {"ATTIO_API_KEY": SECRET},
        config_home,
        SECRET,
    )
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    error = json.loads(line)["error"]
    assert (error["type"], error["exit_code"]) == ("usage", 2)
    assert (
        "--limit" in error["message"]
        and "(see: attio-bridge records query --help)" in (error["message"])
    )


def test_schema_format_json_makes_a_usage_mistake_json_too(config_home: Path) -> None:
    result = invoke(
        ["schema", "--format", "json", "--bogus"], {"ATTIO_API_KEY": SECRET}, config_home, SECRET
    )
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert json.loads(line)["error"]["type"] == "usage"
