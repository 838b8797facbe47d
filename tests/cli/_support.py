"""Helpers of the everyday command tests: running a command with a clean environment (and the
check that the API key is never printed), the one error line of a failure, and the writes the
emulator's journal holds."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from attio_bridge.cli import app
from attio_bridge.testing import EmulatorProcess

READS = ("/query", "/search")


def invoke(
    args: list[str],
    env: Mapping[str, str | None],
    config_home: Path,
    secret: str,
    input: str | None = None,
) -> Result:
    """Run ``attio-bridge ARGS`` with only ``env`` (and an empty config home) set; ``secret``
    must appear in none of the output."""
    clean: dict[str, str | None] = {"ATTIO_API_KEY": None, "ATTIO_BASE_URL": None}
    clean |= {"XDG_CONFIG_HOME": str(config_home), "COLUMNS": "160", **env}
    result = CliRunner().invoke(app, args, env=clean, input=input)
    assert secret not in result.stdout
    assert secret not in result.stderr
    return result


def one_error_line(result: Result) -> str:
    """The single line a failed command printed on stderr (and nothing on stdout)."""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert result.stdout == ""
    assert lines[0].startswith("error: ")
    return lines[0]


def journal(emu: EmulatorProcess) -> list[dict[str, Any]]:
    """Every API request the emulator kept, oldest first."""
    with urllib.request.urlopen(f"{emu.base_url}/_emulator/journal", timeout=10) as answer:
        data: list[dict[str, Any]] = json.loads(answer.read())
    return data


def writes(emu: EmulatorProcess) -> list[str]:
    """``"METHOD path"`` of every write request in the journal."""
    return [
        f"{e['method']} {e['path']}"
        for e in journal(emu)
        if e["method"] != "GET" and not str(e["path"]).endswith(READS)
    ]
