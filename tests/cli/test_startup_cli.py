"""The command starts without importing what the command being run does not need: building
the app, ``--version``, ``--help`` and a command's ``--help`` import none of the workflows, the
state store (SQLAlchemy, Alembic), the emulator, the service (its web app, DBOS, Jinja2,
prometheus-client, structlog) or uvicorn, nor does a command that only talks
to Attio, nor (redis-py) one whose cache is not in Redis. Each case runs in a fresh interpreter,
since this process has imported them all; the tests look at ``sys.modules``, never at the
clock."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from attio_bridge.state import open_store
from attio_bridge.testing.process import EmulatorProcess

HEAVY = (
    "sqlalchemy",
    "alembic",
    "attio_bridge.workflows",
    "attio_bridge.state",
    "attio_bridge.emulator",
    "uvicorn",
    "attio_bridge.web",
    "dbos",
    "jinja2",
    "prometheus_client",
    "structlog",
)

_PROBE = textwrap.dedent(
    """
    import json, sys
    from attio_bridge.cli import _command, main
    args = json.loads(sys.argv[1])
    status = 0
    if args is None:
        _command()
    else:
        try:
            main(args)
        except SystemExit as exit:
            status = exit.code
    heavy = json.loads(sys.argv[2])
    imported = sorted(name for name in heavy if name in sys.modules)
    print(json.dumps({"status": status, "imported": imported}))
    """
)


def _imported(args: list[str] | None, heavy: tuple[str, ...] = HEAVY, **env: str) -> list[str]:
    """The ``heavy`` modules a fresh interpreter has imported after running ``args`` (``None``:
    only building the app) in ``env``."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(args), json.dumps(heavy)],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "NO_COLOR": "1", **env},
    )
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["status"] == 0, done.stderr
    imported: list[str] = found["imported"]
    return imported


@pytest.mark.parametrize(
    "args",
    [
        None,
        ["--version"],
        ["--help"],
        ["self", "--help"],
        ["people", "get", "--help"],
        ["deals", "create", "--help"],
        ["import", "--help"],
        ["snapshot", "import", "--help"],
        ["serve", "--help"],
        ["sandbox", "--help"],
        ["worker", "--help"],
    ],
    ids=repr,
)
def test_a_command_imports_only_what_it_runs(args: list[str] | None) -> None:
    assert _imported(args) == []


def test_a_command_that_talks_to_attio_imports_no_workflow_nor_state(
    attio_emulator_server: EmulatorProcess,
) -> None:
    server = attio_emulator_server
    env = {"ATTIO_BASE_URL": server.base_url, "ATTIO_API_KEY": server.api_key}
    assert _imported(["self", "--json"], **env) == []


def test_a_command_of_the_services_imports_no_redis_without_a_redis_cache(
    attio_emulator_server: EmulatorProcess,
) -> None:
    server = attio_emulator_server
    env = {"ATTIO_BASE_URL": server.base_url, "ATTIO_API_KEY": server.api_key}
    assert _imported(["people", "ls", "--limit", "1", "--json"], (*HEAVY, "redis"), **env) == []


# What the service's intake does not need: Alembic (a database at the head is not migrated),
# the connectors' SDKs (loaded when a handler or an alert uses them) and the workflows.
NOT_FOR_INTAKE = (
    "alembic",
    "requests",
    "google.auth",
    "slack_sdk",
    "hubspot",
    "simple_salesforce",
    "attio_bridge.connectors.drive",
    "attio_bridge.connectors.slack",
    "attio_bridge.workflows",
)


def test_the_service_imports_nothing_its_intake_does_not_need(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state.db'}"
    open_store(url).close()  # a database already at the head
    probe = textwrap.dedent(
        f"""
        import json, sys
        import attio_bridge.web.app, attio_bridge.web.service
        from attio_bridge.state import open_store
        open_store({url!r}).close()
        print(json.dumps(sorted(n for n in {list(NOT_FOR_INTAKE)!r} if n in sys.modules)))
        """
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout.splitlines()[-1]) == [], done.stderr
