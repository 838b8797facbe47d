"""The options the commands share, read from the typer app itself: every command that talks to
Attio takes the six connection options (``--api-key``, ``--base-url``, ``--config``,
``--max-retries``, ``--timeout``, ``--debug``), so a command added later without
``@connected`` fails here; the options given on the command line reach the command; and
``@connected`` on a function with no ``options`` parameter fails when its module is imported,
not when the command runs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main

from attio_bridge.cli import app
from attio_bridge.cli._common import connected

from ._support import InProcessEmulator, invoke

KEY = "options-cli-s3cret-key-3c7d"

# Commands without one Attio connection of the command line's: they serve the emulator, read a
# URL offline, or read only the local stores (jobs, users, sync status and conflicts); `serve`
# and `worker` take their workspaces, each with its own key, from the workspaces file or the
# environment (docs/SERVICE.md), not from one --api-key.
OFFLINE = {
    "emulator",
    "sandbox",
    "url parse",
    "serve",
    "worker",
    "jobs list",
    "jobs show",
    "jobs retry",
    "jobs replay",
    "jobs purge",
    "users add",
    "users list",
    "users remove",
    "sync status",
    "sync conflicts list",
    "sync conflicts show",
}
SHARED = {
    "api_key": ["--api-key"],
    "base_url": ["--base-url"],
    "config": ["--config"],
    "max_retries": ["--max-retries"],
    "timeout": ["--timeout"],
    "debug": ["--debug"],
}


def runnable(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    """``(name, command)`` of every command below ``command`` that runs something: each leaf,
    and each group that runs without a subcommand (``schema``)."""
    subcommands = getattr(command, "commands", None)
    if subcommands is None or (path and command.invoke_without_command):
        yield " ".join(path), command
    for name, sub in (subcommands or {}).items():
        yield from runnable(sub, (*path, name))


def test_every_command_that_talks_to_attio_takes_the_connection_options() -> None:
    """Each command but the offline ones has the six options, under their names, with one
    help text each across all commands."""
    commands = dict(runnable(typer.main.get_command(app)))
    assert commands.keys() >= OFFLINE  # the exceptions still name real commands
    checked = {name: c for name, c in commands.items() if name not in OFFLINE}
    assert {"self", "records get", "schema", "schema codegen", "import", "kickoff"} <= set(checked)
    helps: dict[str, set[str]] = {name: set() for name in SHARED}
    for name, command in checked.items():
        params = {p.name: p for p in command.params}
        missing = sorted(SHARED.keys() - params.keys())
        assert not missing, f"{name} lacks {missing}: decorate it with @connected"
        for key, opts in SHARED.items():
            assert list(params[key].opts) == opts, name
            helps[key].add(params[key].help)
    assert all(len(texts) == 1 and None not in texts for texts in helps.values()), helps


def test_connected_needs_an_options_parameter() -> None:
    """A command without ``options`` cannot be decorated: the mistake shows at import time."""

    def forgot(name: str) -> None:
        """A command that takes no options."""

    with pytest.raises(TypeError, match=r"forgot.*'options'"):
        connected(forgot)


def test_options_on_the_command_line_reach_the_command(
    emu: InProcessEmulator, config_home: Path
) -> None:
    """With nothing in the environment, ``--api-key`` and ``--base-url`` given to ``self``
    connect it to the emulator; a wrong key with ``--debug`` shows the traceback (masked)."""
    conn = ["--api-key", KEY, "--base-url", emu.base_url, "--max-retries", "0"]
    result = invoke(["self", "--json", *conn], {}, config_home, KEY)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["active"] is True

    wrong = ["--api-key", "wrong-key", "--base-url", emu.base_url, "--debug"]
    failed = invoke(["self", *wrong], {}, config_home, KEY)
    assert failed.exit_code == 3
    assert "Traceback" in failed.stderr and "wrong-key" not in failed.stderr
