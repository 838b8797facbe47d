"""How long ``attio-bridge`` takes to start, next to what it would take if every command loaded
the whole library (as the command line did before its imports were made lazy) and next to the
bare interpreter, in the same run.

Each case is a fresh process, timed wall-clock, ``--runs`` times (median and best printed):

- ``python -c pass``: the floor, Python's own start;
- ``attio-bridge --version`` and ``--help``: the command line alone;
- the same ``--version`` after importing the workflows, the state store (SQLAlchemy, Alembic),
  the services and the emulator first: the reference, what eager imports cost;
- ``attio-bridge self --json`` against the emulator as a process: a command that talks to Attio.

Ratios are to the reference. Nothing is asserted: the figures depend on the machine.

Run: ``python bench/cli_startup.py [--runs 15]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from attio_bridge.testing import EmulatorProcess

EXE = str(Path(sys.executable).with_name("attio-bridge"))
EAGER = (
    "import attio_bridge.workflows, attio_bridge.workflows.aio, attio_bridge.state, "
    "attio_bridge.services, attio_bridge.emulator, attio_bridge.connectors; "
    "from attio_bridge.cli import main; main(['--version'])"
)


def timed(cmd: list[str], env: dict[str, str], runs: int) -> list[float]:
    """Wall-clock seconds of ``runs`` runs of ``cmd`` (each must exit 0)."""
    took = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
        took.append(time.perf_counter() - start)
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    with EmulatorProcess(api_key="bench-key", read_rate=0, write_rate=0) as emu:
        env = {**os.environ, "ATTIO_API_KEY": emu.api_key, "ATTIO_BASE_URL": emu.base_url}
        cases = {
            "python -c pass (floor)": [sys.executable, "-c", "pass"],
            "eager imports + --version (reference)": [sys.executable, "-c", EAGER],
            "attio-bridge --version": [EXE, "--version"],
            "attio-bridge --help": [EXE, "--help"],
            "attio-bridge self --json": [EXE, "self", "--json"],
        }
        results = {name: timed(cmd, env, runs) for name, cmd in cases.items()}
    reference = statistics.median(results["eager imports + --version (reference)"])
    print(f"{runs} runs each, wall-clock seconds; ratio: median over the reference's median")
    print(f"{'case':<40} {'median':>8} {'best':>8} {'ratio':>7}")
    for name, took in results.items():
        median = statistics.median(took)
        print(f"{name:<40} {median:>8.3f} {min(took):>8.3f} {median / reference:>7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
