#!/usr/bin/env python3
"""Developer entry point for attio-bridge: one file, standard library only, no make.

It owns the project's virtual environment (``.venv``): creates it, installs the locked
dependencies and the project itself, and reinstalls only when ``pyproject.toml`` or the lock
file changes (a stamp inside ``.venv`` holds their hash). Commands:

    python3 dev.py sandbox [args]       run `attio-bridge sandbox [args]` (runtime deps)
    python3 dev.py test [--fast] [args] ruff format and check, mypy, lint-imports, pytest [args]
    python3 dev.py lock                 regenerate requirements/*.lock with `uv pip compile`
    python3 dev.py fmt                  ruff format, then ruff check --fix
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
RUNTIME_LOCK = Path("requirements/runtime.lock")
DEV_LOCK = Path("requirements/dev.lock")
LINT_PATHS = ("src", "tests", "bench", "scripts", "dev.py")
PIP = (str(PYTHON), "-m", "pip", "install", "-q", "--disable-pip-version-check")


def say(message: str) -> None:
    """Print a line of dev.py's own output, set apart from the tools' output."""
    print(f"dev.py: {message}", flush=True)


def run(cmd: Sequence[str | Path]) -> int:
    """Run a command from the project root, streaming its output, and return its exit code."""
    proc = subprocess.Popen([str(c) for c in cmd], cwd=ROOT)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        # The child got the same Ctrl-C: let it finish its own report and cleanup, then stop.
        proc.wait()
        raise


def ensure_venv() -> None:
    """Create ``.venv`` if missing and put its ``bin`` first on PATH for every child process."""
    if not PYTHON.exists():
        if VENV.exists():
            sys.exit(f"dev.py: {VENV} exists but has no {PYTHON.name}; delete it and run again.")
        say(f"creating {VENV.name} with {sys.executable}")
        if run([sys.executable, "-m", "venv", VENV]) != 0:
            # A half-made venv would be mistaken for a good one next time.
            shutil.rmtree(VENV, ignore_errors=True)
            sys.exit(
                "dev.py: could not create the virtual environment.\n"
                "  On Debian/Ubuntu install the venv module: sudo apt install python3-venv\n"
                f"  (or python{sys.version_info.major}.{sys.version_info.minor}-venv), "
                "then run this command again.\n"
                "  Elsewhere, check that `python3 -m venv .venv` works on its own."
            )
    os.environ["VIRTUAL_ENV"] = str(VENV)
    # The PATH of the shell that ran dev.py, for commands printed to be pasted there (the
    # sandbox's banner names .venv's attio-bridge in full when that shell would not find it).
    os.environ.setdefault("ATTIO_BRIDGE_SHELL_PATH", os.environ.get("PATH", ""))
    os.environ["PATH"] = os.pathsep.join([str(BIN), os.environ.get("PATH", "")])
    os.environ.pop("PYTHONHOME", None)


def bootstrap(lock: Path) -> None:
    """Ensure the venv holds ``lock`` and the project, installing only if either changed."""
    ensure_venv()
    digest = hashlib.sha256()
    for path in (lock, Path("pyproject.toml")):
        digest.update(path.name.encode() + b"\0" + (ROOT / path).read_bytes() + b"\0")
    # One stamp per lock, so alternating `sandbox` and `test` does not reinstall each time.
    stamp = VENV / f".dev-py-{lock.stem}.sha256"
    if stamp.exists() and stamp.read_text().strip() == digest.hexdigest():
        return
    say(f"installing {lock} and the project into {VENV.name}")
    code = run([*PIP, "-r", str(lock)]) or run([*PIP, "--no-deps", "-e", "."])
    if code != 0:
        sys.exit(code)
    stamp.write_text(digest.hexdigest() + "\n")


def existing(paths: Sequence[str]) -> list[str]:
    """Keep the paths that exist: git drops empty folders, and ruff fails on missing ones."""
    return [p for p in paths if (ROOT / p).exists()]


def cmd_sandbox(args: list[str]) -> int:
    """Run the local sandbox (the service and its events page beside a seeded emulator with its
    Slack and Drive stand-ins) from the venv, replacing this process."""
    bootstrap(RUNTIME_LOCK)
    cmd = [str(BIN / "attio-bridge"), "sandbox", *args]
    if os.name != "posix":  # no real exec on Windows
        return run(cmd)
    sys.stdout.flush()
    os.execv(cmd[0], cmd)


def cmd_test(args: list[str]) -> int:
    """Check everything a reviewer would, stopping at the first failure; ``--fast``: tests only."""
    fast = "--fast" in args
    pytest_args = [a for a in args if a != "--fast"]
    if not any(a == "-n" or a.startswith(("-n", "--numprocesses")) for a in pytest_args):
        # Two workers (pytest-xdist): much of the suite waits on subprocesses, sockets and
        # timers, so a second worker shortens the wall time even on two cores. ``-n 0`` runs it
        # in one process.
        pytest_args = ["-n", "2", *pytest_args]
    bootstrap(DEV_LOCK)
    py = str(PYTHON)
    paths = existing(LINT_PATHS)
    steps = [
        ("ruff format", [py, "-m", "ruff", "format", "--check", *paths]),
        ("ruff check", [py, "-m", "ruff", "check", *paths]),
        ("mypy", [py, "-m", "mypy"]),
        # The layers and private modules of docs/ARCHITECTURE.md (pyproject's importlinter).
        ("lint-imports", [str(BIN / "lint-imports"), "--no-cache"]),
        ("pytest", [py, "-m", "pytest", *pytest_args]),
    ]
    if fast:
        steps = steps[-1:]
    summary: list[str] = []
    code = 0
    for name, cmd in steps:
        say(f"--- {name}")
        start = time.monotonic()
        code = run(cmd)
        took = f"{time.monotonic() - start:.1f}s"
        # pytest's 5 means nothing was collected: a broken suite, not a passing one.
        note = " (no tests collected)" if name == "pytest" and code == 5 else ""
        summary.append(f"{name:<12} {'ok' if code == 0 else f'FAILED, exit {code}'}{note}  {took}")
        if code != 0:
            break
    say("summary" + (" (--fast: ruff, mypy and lint-imports skipped)" if fast else ""))
    for line in summary:
        print(f"  {line}")
    return code


def cmd_lock(args: list[str]) -> int:
    """Regenerate both lock files from pyproject.toml with ``uv pip compile``."""
    ensure_venv()
    uv = shutil.which("uv", path=str(BIN))
    if uv is None:
        say("installing uv into the venv")
        if code := run([*PIP, "uv"]):
            return code
        uv = str(BIN / "uv")
    # `--python` resolves for the venv's interpreter; the order matches the locks' headers.
    pin = ["--python", PYTHON.relative_to(ROOT).as_posix(), *args]
    compile_ = [uv, "pip", "compile", "pyproject.toml"]
    return run([*compile_, "-o", RUNTIME_LOCK, *pin]) or run(
        [*compile_, "--extra", "dev", "-o", DEV_LOCK, *pin]
    )


def cmd_fmt(args: list[str]) -> int:
    """Format the code, then apply ruff's safe lint fixes."""
    bootstrap(DEV_LOCK)
    py, paths = str(PYTHON), existing(LINT_PATHS)
    return run([py, "-m", "ruff", "format", *paths]) or run(
        [py, "-m", "ruff", "check", "--fix", *paths]
    )


COMMANDS: dict[str, Callable[[list[str]], int]] = {
    "sandbox": cmd_sandbox,
    "test": cmd_test,
    "lock": cmd_lock,
    "fmt": cmd_fmt,
}


def main(argv: list[str]) -> int:
    """Dispatch to a command; the arguments after it belong to that command."""
    # ruff targets 3.11 and calls this dead, but a fresh machine's python3 may well be older.
    if sys.version_info < (3, 11):  # noqa: UP036
        sys.exit(f"dev.py: attio-bridge needs Python 3.11 or newer, not {sys.version.split()[0]}")
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(__doc__)
        return 0 if argv else 2
    name, args = argv[0], argv[1:]
    if name not in COMMANDS:
        choices = ", ".join(COMMANDS)
        print(f"dev.py: unknown command {name!r}; choose from {choices}", file=sys.stderr)
        print("Run `python3 dev.py --help` for usage.", file=sys.stderr)
        return 2
    return COMMANDS[name](args)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        print("\ndev.py: interrupted", file=sys.stderr)
        sys.exit(130)
