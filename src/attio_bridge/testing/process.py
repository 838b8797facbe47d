"""The emulator as a separate process on a loopback port, started and stopped by a context."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO

from ..errors import AttioError


class EmulatorProcessError(AttioError):
    """The emulator's process did not start (it exited, or did not answer in time)."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class EmulatorProcess:
    """``with EmulatorProcess(api_key="k", latency_ms=100) as emu: emu.base_url``."""

    def __init__(
        self,
        *,
        api_key: str = "test-key",
        port: int | None = None,
        read_rate: float = 100.0,
        write_rate: float = 25.0,
        latency_ms: float = 0.0,
        seed: str | None = None,
        seed_size: int = 0,
        database: str | Path | None = None,
        scopes: Sequence[str] | None = None,
        startup_timeout: float = 120.0,
    ) -> None:
        self.api_key = api_key
        self.port = port or free_port()
        self.args = [
            sys.executable,
            "-m",
            "attio_bridge.cli",
            "emulator",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--api-key",
            api_key,
            "--read-rate",
            str(read_rate),
            "--write-rate",
            str(write_rate),
            "--latency-ms",
            str(latency_ms),
        ]
        if seed:
            self.args += ["--seed", seed, "--seed-size", str(seed_size)]
        if database:
            self.args += ["--database", str(database)]
        if scopes is not None:
            # The key's scopes (emulator.scopes); None: every scope, as Attio's full-access key.
            self.args += ["--scopes", ",".join(scopes)]
        self.startup_timeout = startup_timeout
        self.proc: subprocess.Popen[bytes] | None = None
        # A file, not a pipe: nobody reads the emulator's stderr while it runs, and a pipe that
        # fills up (uvicorn logs a traceback per injected drop) would stall the server.
        self._stderr: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        """Where the emulator serves Attio's API (without ``/v2``)."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> EmulatorProcess:
        """Start the process and wait until ``/_emulator/health`` answers."""
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop and kill)
        self.proc = subprocess.Popen(
            self.args,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self._stderr.seek(0)
                err = self._stderr.read().decode(errors="replace")
                self._close_stderr()
                raise EmulatorProcessError(
                    f"the emulator exited with {self.proc.returncode}: {err}"
                )
            try:
                with urllib.request.urlopen(f"{self.base_url}/_emulator/health", timeout=1):
                    return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.05)
        self.stop()
        raise EmulatorProcessError(
            f"the emulator did not answer within {self.startup_timeout:.0f} s"
        )

    def kill(self) -> None:
        """Stop the process at once, as ``kill -9`` would."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        self._close_stderr()

    def stop(self) -> None:
        """Stop the process politely, then forcibly."""
        if self.proc is None or self.proc.poll() is not None:
            self._close_stderr()
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()
        self._close_stderr()

    def _close_stderr(self) -> None:
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def __enter__(self) -> EmulatorProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
