"""README's ``## Workflows`` section, run as a newcomer would: every example against a fresh
``attio-bridge sandbox`` started the way the Quick start says, in the order written.

Python blocks run in one namespace (the first makes the client and ``services``), console
blocks run through bash with what the sandbox's banner told to export, and a data block
(CSV, TOML, JSON) is written to the file named just before it (`` `name.ext`: ``). A command
that fails, a Python block that raises, or a banner without the exports fails the test.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from attio_bridge.testing.process import free_port

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"(?:^`([\w.-]+)`:?\s*\n\s*\n)?^```(\w+)\n(.*?)^```", re.S | re.M)
EXPORT = re.compile(r"(\w+)=(\S+)")

pytestmark = pytest.mark.slow


def workflow_blocks() -> list[tuple[str | None, str, str]]:
    """(file name or None, language, body) of each code block of ``## Workflows``."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Workflows\n", 1)[1].split("\n## ", 1)[0]
    return [(m.group(1), m.group(2), m.group(3)) for m in BLOCK.finditer(section)]


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


@pytest.mark.skipif(shutil.which("bash") is None, reason="the README's commands are bash")
def test_every_workflow_example_runs_against_the_sandbox(
    sandbox: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each example of the Workflows section works, in order, on a fresh sandbox."""
    blocks = workflow_blocks()
    assert {lang for _, lang, _ in blocks} >= {"python", "console"}
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
    (tmp_path / "notes.md").write_text("## Outcomes\n\n- SSO is a **must**\n", encoding="utf-8")
    namespace: dict[str, object] = {}
    try:
        for number, (name, lang, body) in enumerate(blocks, 1):
            if name is not None:
                (tmp_path / name).write_text(body, encoding="utf-8")
            elif lang == "python":
                exec(compile(body, f"README Workflows block {number}", "exec"), namespace)
            elif lang == "console":
                run_console(body, env, tmp_path)
    finally:
        client = namespace.get("attio")
        close = getattr(client, "close", None)
        if callable(close):
            close()


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


def test_the_plugin_example_passes(tmp_path: Path) -> None:
    done = plugin_example(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1].startswith("3 passed"), done.stdout


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
