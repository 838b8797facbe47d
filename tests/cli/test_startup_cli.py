"""The command starts without importing what the command being run does not need: building
the app, ``--version``, ``--help`` and a command's ``--help`` import none of the workflows, the
state store (SQLAlchemy, Alembic), the emulator or uvicorn, nor does a command that only talks
to Attio. Each case runs in a fresh interpreter, since this process has imported them all; the
tests look at ``sys.modules``, never at the clock."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

HEAVY = (
    "sqlalchemy",
    "alembic",
    "attio_bridge.workflows",
    "attio_bridge.state",
    "attio_bridge.emulator",
    "uvicorn",
)

_PROBE = textwrap.dedent(
    """
    import json, sys
    from attio_bridge.cli import _command, main
    args = json.loads(sys.argv[1])
    if args is None:
        _command()
    else:
        try:
            main(args)
        except SystemExit:
            pass
    heavy = json.loads(sys.argv[2])
    print(json.dumps(sorted(name for name in heavy if name in sys.modules)))
    """
)


def _imported(args: list[str] | None) -> list[str]:
    """The ``HEAVY`` modules a fresh interpreter has imported after running ``args`` (``None``:
    only building the app)."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(args), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "NO_COLOR": "1"},
    )
    imported: list[str] = json.loads(done.stdout.splitlines()[-1])
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
    ],
    ids=repr,
)
def test_a_command_imports_only_what_it_runs(args: list[str] | None) -> None:
    assert _imported(args) == []
