"""``attio-bridge serve`` with no API key, as a process: the sandbox.

The banner names the page, the emulator and the line to change a record with; the page and the
emulator answer on that address; the emulator holds one webhook pointing at the service's
``/webhooks/attio``; the line the banner gives creates a person, whose event arrives on the page
and is processed; the webhook's secret is never printed; SIGTERM stops the service cleanly.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import selectors
import shlex
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest


def _lines_until(proc: subprocess.Popen[bytes], last: str, timeout: float) -> list[str]:
    """What ``proc`` prints up to the line containing ``last``, waiting ``timeout`` at most.

    Read with ``os.read``: a buffered ``readline`` would take several lines from the pipe at
    once and leave the selector waiting for bytes already read."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    text = ""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if selector.select(timeout=0.1):
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                text += chunk.decode()
                lines = text.splitlines()
                for n, line in enumerate(lines):
                    if last in line:
                        return lines[: n + 1]
            elif proc.poll() is not None:
                break
    raise AssertionError(f"no {last!r} within {timeout:.0f} s: {text!r} (exit {proc.poll()})")


def _get(url: str, key: str | None = None) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as got:
        return got.status, got.read().decode()


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], list[str], dict[str, str]]]:
    env = {k: v for k, v in os.environ.items() if k not in ("ATTIO_API_KEY", "ATTIO_BASE_URL")}
    env |= {"PYTHONUNBUFFERED": "1", "XDG_CONFIG_HOME": str(tmp_path), "NO_COLOR": "1"}
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    # The newcomer's shell, as dev.py records it: this installation's scripts not on its PATH.
    venv_bin = str(Path(sys.executable).absolute().parent)
    shell = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin)
    env["ATTIO_BRIDGE_SHELL_PATH"] = shell
    # Temporary folders of earlier sandboxes: one whose process died (its pid names no live
    # process), one of a live process, one without an owner file.
    temp = tmp_path / "tmp"
    gone = subprocess.Popen(["true"])
    gone.wait()
    for name, owner in (("dead", str(gone.pid)), ("live", str(os.getpid())), ("unowned", None)):
        folder = temp / f"attio-bridge-sandbox-{name}"
        folder.mkdir(parents=True)
        if owner is not None:
            (folder / "sandbox.pid").write_text(owner)
    env["TMPDIR"] = str(temp)
    args = [sys.executable, "-m", "attio_bridge.cli", "serve", "--port", "0", "--log-level", "info"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    try:
        yield proc, _lines_until(proc, "Ctrl-C", timeout=60), env
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=10)


def test_the_sandbox_shows_a_change_made_with_the_cli_arriving_on_its_page(
    sandbox: tuple[subprocess.Popen[bytes], list[str], dict[str, str]],
) -> None:
    proc, banner, env = sandbox
    # At start, the folder a killed sandbox left was removed; the others were left alone.
    left = {p.name.removeprefix("attio-bridge-sandbox-") for p in Path(env["TMPDIR"]).iterdir()}
    assert {"live", "unowned"} <= left and "dead" not in left, left
    found = re.fullmatch(
        r"attio-bridge sandbox: the events page is at (http://127\.0\.0\.1:\d+)/", banner[0]
    )
    assert found, banner
    url = found[1]
    key = next(re.search(r"export ATTIO_API_KEY=(\S+)", b) for b in banner if "ATTIO_API_KEY=" in b)
    assert key is not None
    api_key = key[1]

    status, page = _get(f"{url}/")
    assert status == 200 and "<h1>Events</h1>" in page
    assert _get(f"{url}/healthz")[0] == 200
    assert _get(f"{url}/v2/self", api_key)[0] == 200

    status, body = _get(f"{url}/v2/webhooks", api_key)
    (hook,) = json.loads(body)["data"]
    assert hook["target_url"] == f"{url}/webhooks/attio"
    assert hook["status"] == "active"
    assert {"record.created", "record.updated"} <= {s["event_type"] for s in hook["subscriptions"]}

    # The banner's own line, as a newcomer would paste it: its command runs as printed, whether
    # or not this installation's scripts are on PATH (dev.py does not put .venv/bin there).
    (line,) = [b.strip() for b in banner if "people create" in b]
    words = shlex.split(line)
    assignments = dict(w.split("=", 1) for w in words if re.fullmatch(r"[A-Z_]+=\S+", w))
    command = words[len(assignments) :]
    assert Path(command[0]).name == "attio-bridge"
    shell = {**env, "PATH": env["ATTIO_BRIDGE_SHELL_PATH"]}
    subprocess.run(command, env={**shell, **assignments}, check=True, capture_output=True)

    deadline = time.monotonic() + 20
    feed = ""
    while time.monotonic() < deadline:
        feed = _get(f"{url}/events/feed")[1]
        if "record.created" in feed and "status-succeeded" in feed:
            break
        time.sleep(0.1)
    assert "record.created" in feed and "status-succeeded" in feed, feed

    # The banner's jobs line lists the sandbox's jobs, as printed.
    (line,) = [b.strip() for b in banner if " jobs list " in b]
    listed = subprocess.run(
        [*shlex.split(line), "--json"], env=shell, check=True, capture_output=True, text=True
    )
    assert "record.created" in {job["type"] for job in json.loads(listed.stdout)}

    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=20)
    # uvicorn shuts down gracefully, then dies of the signal it caught, as a shell expects.
    assert proc.returncode in (0, -signal.SIGTERM)
    printed = "\n".join(banner) + out.decode()
    assert "service stopped" in printed  # the lifespan's shutdown ran: intake, then the queue
    # the handler's client, made on the queue's loop, was closed on it before that loop stopped
    assert "closing the workspaces' clients failed" not in printed
    assert re.search(r"\b[0-9a-f]{64}\b", printed) is None  # no webhook secret in the output


def test_with_a_key_serve_takes_deliveries_signed_with_the_configured_secret(
    tmp_path: Path,
) -> None:
    """The real mode: the tenant from the environment, two secrets while one is rotated."""
    secret = "whsec-real-mode-5d1c2e8f"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "XDG_CONFIG_HOME": str(tmp_path)}
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    env |= {"ATTIO_API_KEY": "real-mode-key-77aa01", "ATTIO_WEBHOOK_SECRET": f"old-one,{secret}"}
    env.pop("REDIS_URL", None)
    args = [
        sys.executable,
        "-m",
        "attio_bridge.cli",
        "serve",
        "--port",
        "0",
        "--log-format",
        "json",
    ]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    try:
        banner = _lines_until(proc, "Ctrl-C", timeout=60)
        found = re.fullmatch(r"attio-bridge serving at (http://127\.0\.0\.1:\d+)/ .*", banner[0])
        assert found, banner
        url = found[1]
        assert not any("warning" in line for line in banner)
        body = json.dumps({"webhook_id": "w", "events": [{"event_type": "record.created"}]})
        signature = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
        for sent, expected in ((signature, 200), ("0" * 64, 401)):
            request = urllib.request.Request(
                f"{url}/webhooks/attio",
                data=body.encode(),
                headers={"Attio-Signature": sent, "Content-Type": "application/json"},
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:
                    status = answer.status
            except urllib.error.HTTPError as refused:
                status = refused.code
            assert status == expected
        assert _get(f"{url}/readyz")[0] == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
    logged = [json.loads(line) for line in out.decode().splitlines() if line.startswith("{")]
    assert {"service started", "service stopped"} <= {line["event"] for line in logged}
    assert "real-mode-key-77aa01" not in out.decode() and secret not in out.decode()


def test_the_sandbox_service_ignores_its_own_token_and_not_the_newcomers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Echo suppression: the service reads the emulator with a key of its own and ignores the
    actor ``GET /v2/self`` names for that key; the banner's key, the newcomer's, is another."""
    import shutil

    import structlog
    from starlette.testclient import TestClient

    from attio_bridge.cli.serve import _sandbox

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    prepared = _sandbox("127.0.0.1", 0, None, [], True, None, "json", None, tmp_path / "project")
    try:
        (tenant,) = prepared.service.tenants
        newcomer = next(
            re.search(r"ATTIO_API_KEY=(\S+)", line)[1]  # type: ignore[index]
            for line in prepared.banner
            if "people create" in line
        )
        assert newcomer != tenant.api_key
        with TestClient(prepared.fallback) as api:
            me = api.get("/v2/self", headers={"Authorization": f"Bearer {tenant.api_key}"})
            them = api.get("/v2/self", headers={"Authorization": f"Bearer {newcomer}"})
        assert tenant.ignore_actor_ids == (me.json()["client_id"],)
        assert them.json()["client_id"] not in tenant.ignore_actor_ids
        assert prepared.scratch is not None and prepared.scratch.is_dir()  # its own jobs file
    finally:
        if prepared.on_stop is not None:
            prepared.on_stop()  # the sandbox's sync leaves the process's router
        prepared.sock.close()
        if prepared.scratch is not None:
            shutil.rmtree(prepared.scratch, ignore_errors=True)
        structlog.reset_defaults()


def test_the_sandbox_project_is_new_each_run_and_removed_when_it_stops(
    sandbox: tuple[subprocess.Popen[bytes], list[str], dict[str, str]],
) -> None:
    """The emulator reseeds with new ids each start: an import kept from an earlier run would
    name records that no longer exist."""
    proc, banner, env = sandbox
    (line,) = [b for b in banner if "they import into the project" in b]
    found = re.search(r"the project (\S+) \(", line)
    assert found, line
    project = Path(found[1])
    assert not project.is_relative_to(env["XDG_STATE_HOME"]), project
    url = re.findall(r"http://127\.0\.0\.1:\d+", banner[0])[0]
    assert _get(f"{url}/snapshots/")[0] == 200  # the pages made the project's repository
    assert (project / ".git").is_dir()
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=20)
    assert not project.exists()
