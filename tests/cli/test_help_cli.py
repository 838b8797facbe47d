"""The command line's own options and help: ``--version``, and help that shows no value after a
flag (typer's rich help put ``<bool>`` after every flag, ``--help <bool>``, as if it took one)."""

from __future__ import annotations

from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import typer.main

from attio_bridge.cli import app

from ._support import invoke

KEY = "help-cli-s3cret-key-5e1d"


def command_paths(command: Any = None, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The words of every command and group of the app (``()`` is the app itself)."""
    command = command or typer.main.get_command(app)
    yield path
    for name, sub in getattr(command, "commands", {}).items():
        yield from command_paths(sub, (*path, name))


def test_version_prints_the_installed_version(config_home: Path) -> None:
    result = invoke(["--version"], {}, config_home, KEY)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"attio-bridge {version('attio-bridge')}\n"


PATHS = list(command_paths())


@pytest.mark.parametrize("path", PATHS, ids=[" ".join(p) or "attio-bridge" for p in PATHS])
def test_help_shows_no_value_after_a_flag(path: tuple[str, ...], config_home: Path) -> None:
    result = invoke([*path, "--help"], {}, config_home, KEY, columns=200)
    assert result.exit_code == 0, result.stderr
    assert "--help" in result.stdout
    assert "<bool>" not in result.stdout
    # Options that take a value still name its type.
    if path == ("records", "query"):
        assert "<int range>" in result.stdout
