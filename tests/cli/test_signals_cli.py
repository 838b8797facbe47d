"""How a command ends when it is cut off: its reader closes the pipe (``| head``), or SIGTERM.

Both run the command as a real process (``python -m attio_bridge.cli``), since a closed pipe
and a signal are things of processes: a closed stdout ends the command quietly with 141, the
status of a process SIGPIPE ends; SIGTERM prints ``error: terminated`` and exits 143.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from attio_bridge.testing import EmulatorProcess

KEY = "signals-cli-s3cret-key-51aa"
URL = "https://app.attio.com/acme/person/0b4ed5d0-ffff-4b1e-9a0e-111111111111/overview"


def clean_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a child process: no Attio settings, an empty config home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATTIO_")}
    return env | {"XDG_CONFIG_HOME": str(tmp_path), "COLUMNS": "80"}


def run_into_a_closed_pipe(
    args: list[str], env: dict[str, str]
) -> subprocess.CompletedProcess[bytes]:
    """``attio-bridge ARGS`` whose reader is gone before it writes a byte: as `| head` after it."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run(
            [sys.executable, "-m", "attio_bridge.cli", *args],
            stdout=write,
            stderr=subprocess.PIPE,
            env=env,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write)


def test_a_closed_stdout_ends_quietly_with_141(tmp_path: Path) -> None:
    done = run_into_a_closed_pipe(["url", "parse", URL], clean_env(tmp_path))
    assert done.stderr.decode() == ""
    assert done.returncode == 141


def test_the_schema_tables_end_quietly_on_a_closed_stdout_too(tmp_path: Path) -> None:
    """``schema`` prints its tables through the same console as the other commands."""
    with EmulatorProcess(api_key=KEY, read_rate=0, write_rate=0) as emu:
        env = clean_env(tmp_path) | {"ATTIO_API_KEY": KEY, "ATTIO_BASE_URL": emu.base_url}
        done = run_into_a_closed_pipe(["schema"], env)
    assert done.stderr.decode() == ""
    assert done.returncode == 141


# The child enters ``reporting`` as every command does, says so, and waits on stdin.
WAITER = """
import sys
from attio_bridge.cli._common import ConnectionOptions, reporting
import typer

def body() -> None:
    with reporting(ConnectionOptions()):
        print("ready", flush=True)
        sys.stdin.read()

typer.run(body)
"""


def test_sigterm_prints_terminated_and_exits_143(tmp_path: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", WAITER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=clean_env(tmp_path),
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == b"ready\n"
        child.send_signal(signal.SIGTERM)
        _, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert err.decode() == "error: terminated\n"
    assert child.returncode == 143
