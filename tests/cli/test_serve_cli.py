"""``attio-bridge emulator`` and ``sandbox``: the host and port are checked before the banner.

A port already taken, a host that is no address of this machine and a number that is no TCP
port are each one line on stderr and exit 2 (a usage error), with no banner promising an
address that is not served. ``--port 0`` serves on a port the system picks, and the banner
names that port: the process test starts the command and calls the address it printed.
"""

from __future__ import annotations

import os
import re
import selectors
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from ._support import invoke, one_error_line

KEY = "serve-cli-s3cret-key-41f7"
COMMANDS = [["emulator", "--api-key", KEY], ["sandbox"]]


@pytest.fixture
def taken() -> Iterator[int]:
    """A port on 127.0.0.1 that another socket listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


def _serve(args: list[str], config_home: Path) -> str:
    """The one error line of ``args``, which must fail with exit 2 before any banner."""
    result = invoke(args, {}, config_home, KEY)
    assert result.exit_code == 2, result.output
    return one_error_line(result)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_port_in_use_is_a_usage_error_before_the_banner(
    command: list[str], taken: int, config_home: Path
) -> None:
    """Issue 10: the banner came first, then exit 3 (the table's "authentication")."""
    line = _serve([*command, "--port", str(taken)], config_home)
    assert line == (
        f"error: port {taken} is already in use on 127.0.0.1: pick another with --port, "
        "or 0 for any free port"
    )


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("host", ["256.1.1.1", "no-such-host.invalid"])
def test_a_host_that_does_not_resolve_is_a_usage_error(
    command: list[str], host: str, config_home: Path
) -> None:
    """Issue 10: ``--host 256.1.1.1`` printed the banner and exited 3."""
    line = _serve([*command, "--host", host, "--port", "0"], config_home)
    assert line.startswith(f"error: --host {host} is not an address to listen on (")
    assert line.endswith(
        "give an address of this machine, such as 127.0.0.1, or 0.0.0.0 for all of them"
    )


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("port", [99999, 65536, -1])
def test_a_number_that_is_no_port_is_a_usage_error(
    command: list[str], port: int, config_home: Path
) -> None:
    """Issue 10: ``--port 99999`` silently served on another port."""
    line = _serve([*command, "--port", str(port)], config_home)
    assert line == (
        f"error: --port {port} is not a TCP port: give one from 1 to 65535, or 0 for any free port"
    )


def test_port_zero_serves_on_the_port_the_banner_names(tmp_path: Path) -> None:
    """Issue 10: ``--port 0`` printed ``:0``. The banner's URL is where the API answers."""
    args = [sys.executable, "-m", "attio_bridge.cli", "emulator", "--port", "0", "--api-key", KEY]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "XDG_CONFIG_HOME": str(tmp_path)}
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        first = _first_line(proc, timeout=60.0)
        found = re.fullmatch(
            r"Attio emulator serving workspace '.+' at http://127\.0\.0\.1:(\d+)/v2", first
        )
        assert found, first
        port = int(found[1])
        assert port != 0
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/v2/self", headers={"Authorization": f"Bearer {KEY}"}
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 200
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def _first_line(proc: subprocess.Popen[bytes], timeout: float) -> str:
    """The first line ``proc`` writes to stdout, waiting at most ``timeout`` seconds."""
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if selector.select(timeout=0.1):
                return proc.stdout.readline().decode().rstrip("\n")
            if proc.poll() is not None:
                break
    raise AssertionError(f"no banner within {timeout:.0f} s (exit status {proc.poll()})")


def test_unknown_scopes_are_a_usage_error_naming_them(config_home: Path) -> None:
    """``--scopes`` takes Attio's scope names (docs.attio.com rest-api guides authentication);
    a misspelt one stops the command before it serves anything."""
    line = _serve(["emulator", "--api-key", KEY, "--scopes", "note:read,notes:write"], config_home)
    assert line.startswith("error: --scopes: unknown scope(s) notes:write:")
