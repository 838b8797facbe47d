"""The installed ``attio-bridge`` executable, one command of each module of ``cli/``, against
the emulator run as a process: what the in-process tests cannot show, that the console script
starts, reads its settings from the environment and talks HTTP (slack_sdk's urllib for
``kickoff``).

The commands run at once (each a process of its own) in a module fixture, against one
workspace: the tests then read each one's outcome. ``emulator`` itself is the process the
others talk to.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from attio_bridge.client import AttioClient
from attio_bridge.testing import EmulatorProcess
from tests.services.conftest import attribute_body, build_workspace

from .test_dry_run_cli import RULES_TOML

KEY = "executable-cli-s3cret-key-6d2b"
MEMBER = "ada@example.com"  # the emulator's workspace member
DOMAIN = "smoketest.io"
EXECUTABLE = Path(sys.executable).with_name("attio-bridge")

# One command of each module of ``cli/`` (the groups it holds share all but their arguments):
# FILE, FORM, RULES, DATA and HOOKS stand for the files the fixture writes, CID for the
# company's id.
COMMANDS: dict[str, list[str]] = {
    "schema": ["schema", "--json", "--object", "companies"],
    "records": ["records", "query", "companies", "--json"],
    "people": ["companies", "get", DOMAIN, "--json"],
    "notes": ["notes", "ls", "companies", "CID", "--json"],
    "tasks": ["tasks", "ls", "--json"],
    "lists": ["entries", "ls", "prospects", "--json"],
    "transfer": ["import", "people", "FILE", "--json"],
    "workflows": [
        *("qualify", "FORM", "--rules", "RULES", "--list", "prospects"),
        *("--assignee", MEMBER, "--dry-run", "--json"),
    ],
    "kickoff": ["kickoff", "Smoke", "--domain", "smoke-kickoff.io", "--dry-run", "--json"],
    "enrich": [
        *("enrich", "companies", "--provider-file", "DATA", "--list", "prospects"),
        *("--dry-run", "--json"),
    ],
    "webhooks": ["webhooks", "sync", "HOOKS", "--json"],
}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Every command of ``COMMANDS`` run to its end, at once, by name: ``returncode``,
    ``stdout`` and ``stderr``."""
    tmp = tmp_path_factory.mktemp("executable")
    files = {
        "FILE": tmp / "people.csv",
        "FORM": tmp / "form.json",
        "RULES": tmp / "rules.toml",
        "DATA": tmp / "data.csv",
        "HOOKS": tmp / "webhooks.toml",
    }
    files["FILE"].write_text("Email,Job title\nsmoke.import@smoketest.io,Tester\n")
    files["FORM"].write_text(json.dumps({"company": "Smoke", "website": DOMAIN, "employees": 80}))
    files["RULES"].write_text(RULES_TOML)
    files["DATA"].write_text(f"domain,description\n{DOMAIN},Smoke tests\n")
    files["HOOKS"].write_text(
        '[[webhooks]]\ntarget_url = "https://smoke.example.com/webhooks/attio"\n'
        '[[webhooks.subscriptions]]\nevent_type = "record.created"\n'
    )
    with EmulatorProcess(api_key=KEY, read_rate=0, write_rate=0) as emu:
        with AttioClient(api_key=KEY, base_url=emu.base_url, read_rate=0, write_rate=0) as c:
            build_workspace(c)
            c.attributes.create("objects", "companies", attribute_body("lead_status", "select"))
            for title in ("Hot", "Cold"):
                c.attributes.create_option("objects", "companies", "lead_status", title=title)
            company = c.records.assert_record(
                "companies", "domains", {"domains": [{"domain": DOMAIN}], "name": "Smoke"}
            )
        names = {**{k: str(v) for k, v in files.items()}, "CID": company.record_id}
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ATTIO_", "SLACK_"))}
        env |= {
            "ATTIO_API_KEY": KEY,
            "ATTIO_BASE_URL": emu.base_url,
            "XDG_CONFIG_HOME": str(tmp / "config"),
            "XDG_STATE_HOME": str(tmp / "state"),
            "SLACK_BOT_TOKEN": KEY,
            "SLACK_API_URL": f"{emu.base_url}/slack/api/",
            "COLUMNS": "120",
        }
        running = {
            name: subprocess.Popen(
                [str(EXECUTABLE), *(names.get(a, a) for a in args)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
                text=True,
            )
            for name, args in COMMANDS.items()
        }
        done: dict[str, Any] = {}
        for name, process in running.items():
            stdout, stderr = process.communicate(timeout=120)
            done[name] = {"returncode": process.returncode, "stdout": stdout, "stderr": stderr}
        yield done


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_module_runs_from_the_installed_executable(
    outcomes: dict[str, Any], name: str
) -> None:
    """Exit 0, its JSON on stdout, and the key nowhere."""
    done = outcomes[name]
    assert done["returncode"] == 0, done["stderr"]
    assert KEY not in done["stdout"] + done["stderr"]
    assert isinstance(json.loads(done["stdout"]), dict | list)  # the JSON a command prints


def test_webhooks_sync_created_the_webhook_and_printed_no_secret(
    outcomes: dict[str, Any],
) -> None:
    """The webhook was made; its secret went to the state store, so only its name shows."""
    done = json.loads(outcomes["webhooks"]["stdout"])
    (change,) = done["changes"]
    assert change["action"] == "create"
    assert change["secret_name"] == f"webhook:{change['webhook_id']}"


def test_kickoff_reached_slack_through_its_stand_in(outcomes: dict[str, Any]) -> None:
    """The dry run looked the channel up in the Slack stand-in, over HTTP, and planned it."""
    plan = json.loads(outcomes["kickoff"]["stdout"])
    slack = [s for s in plan["steps"] if s["system"] == "slack"]
    assert slack and all(s["status"] != "skipped" for s in slack), plan["steps"]
