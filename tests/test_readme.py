"""The README run as a newcomer would: every example against a fresh ``attio-bridge sandbox``
started the way the Quick start says, in the order written, from the first section to the last.

Python blocks run in one namespace (the client block makes ``attio``, the Workflows section
``services``; a top-level ``await`` runs in an event loop), console blocks run through bash with
what the sandbox's banner told to export, and a block named just before it (`` `name.ext`: ``)
is written to that file, in the directory the commands run in. A command that fails, a Python
block that raises, or a banner without the exports fails the test. A block that cannot run as
written is listed in ``NOT_RUN`` with the reason; any other block, a new one too, runs.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from attio_bridge.client import AttioClient
from attio_bridge.testing.process import free_port

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"(?:^`([\w.-]+)`:?\s*\n\s*\n)?^```(\w+)\n(.*?)^```", re.S | re.M)
HEADING = re.compile(r"^#{2,3} (.+)$", re.M)
EXPORT = re.compile(r"(\w+)=(\S+)")

# Blocks that cannot run as written, by a line of theirs, with the reason.
NOT_RUN = {
    "python3 dev.py sandbox": "serves a sandbox until Ctrl-C, and runs the whole test suite; "
    "this test starts the sandbox that command serves",
    "attio-bridge serve --handlers my_handlers": "serves a real workspace until Ctrl-C; "
    "tests/web/test_sandbox.py runs serve with a key",
    ".venv/bin/attio-bridge emulator --port 8790": "serves until Ctrl-C on a fixed port; the "
    "sandbox this test starts is that command with --seed sandbox",
}


@dataclass(frozen=True)
class Block:
    """A fenced code block of the README: the section it is in, the file it is named as
    (or None), its language and text."""

    section: str
    name: str | None
    lang: str
    body: str

    def not_run(self) -> str | None:
        """Why the block does not run (``NOT_RUN``), or None."""
        return next((why for line, why in NOT_RUN.items() if line in self.body), None)


def readme_blocks() -> list[Block]:
    """Every code block of the README, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    headings = [(m.start(), m.group(1)) for m in HEADING.finditer(text)]
    blocks = []
    for m in BLOCK.finditer(text):
        section = next((h for at, h in reversed(headings) if at < m.start()), "")
        blocks.append(Block(section, m.group(1), m.group(2), m.group(3)))
    return blocks


def test_every_example_runs_or_says_why_not() -> None:
    """Each block is a named file, Python, a console session, or listed in ``NOT_RUN``; and
    each entry of ``NOT_RUN`` names one block (a stale one is removed)."""
    blocks = readme_blocks()
    left = [b for b in blocks if b.name is None and b.lang not in ("python", "console")]
    assert [b.body for b in left if b.not_run() is None] == []
    for line in NOT_RUN:
        assert sum(line in b.body for b in blocks) == 1, f"NOT_RUN: {line!r} names no one block"
    ran = {b.section for b in blocks if b.not_run() is None and b.lang in ("python", "console")}
    assert {"The client", "Values", "Schema", "Command line", "Deal pipeline"} <= ran


@pytest.fixture
def sandbox() -> Iterator[dict[str, str]]:
    """``attio-bridge sandbox`` on a free port; the environment its banner says to export."""
    exe = Path(sys.executable).with_name("attio-bridge")
    proc = subprocess.Popen(
        [str(exe), "sandbox", "--port", str(free_port())],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    env: dict[str, str] = {}
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.strip().startswith("export "):
                env.update(EXPORT.findall(line))
            if "Ctrl-C" in line:
                break
        assert {"ATTIO_BASE_URL", "ATTIO_API_KEY", "SLACK_API_URL", "DRIVE_API_URL"} <= set(env)
        yield env
    finally:
        proc.terminate()
        proc.wait(30)
        if proc.stdout is not None:
            proc.stdout.close()


def run_console(body: str, env: dict[str, str], cwd: Path) -> None:
    """Run each ``$ `` line of a console block (continuations joined) in one bash; fail on the
    first command that exits non-zero."""
    joined = re.sub(r"\\\n\s*", "", body)
    commands = [line[2:] for line in joined.splitlines() if line.startswith("$ ")]
    script = "set -eo pipefail\n" + "\n".join(commands)
    done = subprocess.run(
        ["bash", "-c", script], env=env, cwd=cwd, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"{script}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"


def run_python(body: str, where: str, namespace: dict[str, object]) -> None:
    """Run a Python block in ``namespace``; one with a top-level ``await`` in an event loop."""
    code = compile(body, where, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    result = eval(code, namespace)
    if inspect.iscoroutine(result):
        asyncio.run(result)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("bash") is None, reason="the README's commands are bash")
def test_every_example_runs_against_the_sandbox(
    sandbox: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each example of the README works, in order, on a fresh sandbox."""
    bin_dir = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        **sandbox,
        "PATH": bin_dir + os.pathsep + os.environ["PATH"],
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "COLUMNS": "120",
    }
    for variable in (*sandbox, "XDG_STATE_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.setenv(variable, env[variable])
    monkeypatch.chdir(tmp_path)
    # Modules the examples write (attio_types.py from schema codegen) are imported from here.
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "notes.md").write_text("## Outcomes\n\n- SSO is a **must**\n", encoding="utf-8")
    namespace: dict[str, object] = {}
    # Every client a block made, closed at the end: a later block may rebind its name.
    clients: dict[int, AttioClient] = {}
    try:
        for number, block in enumerate(readme_blocks(), 1):
            if block.name is not None:
                (tmp_path / block.name).write_text(block.body, encoding="utf-8")
            elif block.not_run() is not None:
                continue
            elif block.lang == "python":
                run_python(block.body, f"README block {number} ({block.section})", namespace)
                made = [v for v in namespace.values() if isinstance(v, AttioClient)]
                clients |= {id(c): c for c in made}
            elif block.lang == "console":
                run_console(block.body, env, tmp_path)
    finally:
        sys.modules.pop("attio_types", None)
        for client in clients.values():
            client.close()


# -- ## Testing your integration -------------------------------------------------------------------
BROKEN = (
    # The upsert of the person turned into a plain create: a second sign-up then collides.
    '.assert_record(\n        "people", "email_addresses", ',
    '.create(\n        "people", ',
)


def plugin_example(tmp_path: Path, broken: bool = False) -> subprocess.CompletedProcess[str]:
    """The files of ``## Testing your integration`` written to a project of their own (nothing
    of this repository beside them), and pytest run there as a user would: the plugin comes in
    through its entry point, warnings are errors."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Testing your integration\n", 1)[1].split("\n## ", 1)[0]
    files = {m.group(1): m.group(3) for m in BLOCK.finditer(section) if m.group(1)}
    assert set(files) == {"my_crm.py", "test_my_crm.py"}
    if broken:
        assert BROKEN[0] in files["my_crm.py"], "the README's example changed: update BROKEN"
        files["my_crm.py"] = files["my_crm.py"].replace(*BROKEN)
    for name, body in files.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "ATTIO_"))}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error", "-rA"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_the_plugin_example_passes(tmp_path: Path) -> None:
    done = plugin_example(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1].startswith("3 passed"), done.stdout


@pytest.mark.slow
def test_a_broken_version_of_the_plugin_example_fails(tmp_path: Path) -> None:
    """The example's tests can fail: with the upsert made a create, signing up twice meets
    Attio's uniqueness conflict, and the retry test sees one PUT fewer in the journal."""
    done = plugin_example(tmp_path, broken=True)
    assert done.returncode == 1, done.stdout + done.stderr
    failed = sorted(
        line.split("::")[1].split(" ")[0]
        for line in done.stdout.splitlines()
        if line.startswith("FAILED")
    )
    assert failed == ["test_a_failing_attio_is_retried", "test_signing_up_twice_keeps_one_person"]
    assert "400 uniqueness_conflict" in done.stdout, done.stdout
