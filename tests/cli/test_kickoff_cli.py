"""``attio-bridge kickoff`` end to end against the emulator as a process (Attio, and the Slack
and Drive stand-ins): ``--json`` output and its effects read back, a re-run creating nothing,
``--dry-run`` sending no write to any system, ``--rollback``, systems not configured skipped,
a refused Slack token reported (exit 1) with the rest done, and bad input as one error line
with its exit code. No token appears in any output (``invoke`` checks the key every run).

The emulator runs as a process: slack_sdk speaks urllib and Drive's connector requests, which
need a real HTTP server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from typer.testing import Result

from attio_bridge.client import AttioClient
from attio_bridge.state import StateStore, open_store
from attio_bridge.testing import EmulatorProcess
from attio_bridge.workflows.kickoff import DRIVE_ATTRIBUTE, SLACK_ATTRIBUTE

from ..workflows._kickoff_support import (
    add_lead_status,
    company_values,
    control,
    drive_for,
    note_texts,
    reset,
    slack_for,
    writes,
)
from ._support import invoke, one_error_line

KEY = "kickoff-cli-s3cret-key-41ab"
CONNECTOR_VARS = (
    "SLACK_BOT_TOKEN",
    "SLACK_API_URL",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "GOOGLE_DRIVE_TOKEN",
    "DRIVE_API_URL",
)


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorProcess]:
    """The emulator as a process, without rate limits (Attio and the stand-ins)."""
    with EmulatorProcess(api_key=KEY, read_rate=0, write_rate=0) as process:
        yield process


@pytest.fixture
def client(emu: EmulatorProcess) -> Iterator[AttioClient]:
    """A client of a fresh workspace whose companies have a ``lead_status`` select; empty
    stand-ins and journal."""
    reset(emu)
    with AttioClient(api_key=KEY, base_url=emu.base_url, read_rate=0, write_rate=0) as c:
        add_lead_status(c)
        control(emu, "DELETE", "/journal")
        yield c


@pytest.fixture
def env(emu: EmulatorProcess, tmp_path: Path, client: AttioClient) -> dict[str, str | None]:
    """The environment pointing Attio, Slack and Drive at the emulator, and the state
    directory into the test's temporary directory."""
    return {
        "ATTIO_API_KEY": KEY,
        "ATTIO_BASE_URL": emu.base_url,
        "SLACK_BOT_TOKEN": KEY,
        "SLACK_API_URL": f"{emu.base_url}/slack/api/",
        "GOOGLE_APPLICATION_CREDENTIALS": None,
        "GOOGLE_DRIVE_TOKEN": KEY,
        "DRIVE_API_URL": f"{emu.base_url}/drive/v3",
        "XDG_STATE_HOME": str(tmp_path / "state-home"),
    }


def recorded_in(env: dict[str, str | None]) -> StateStore:
    """The state store the commands record their runs in: the default one under the test's
    ``XDG_STATE_HOME``."""
    return open_store(environ={"XDG_STATE_HOME": str(env["XDG_STATE_HOME"])})


def run(args: list[str], env: dict[str, str | None], config_home: Path) -> Result:
    """``attio-bridge kickoff ARGS`` with this module's key (never printed)."""
    return invoke(["kickoff", *args], env, config_home, KEY)


def test_kickoff_json_creates_everything_and_a_rerun_nothing(
    emu: EmulatorProcess, client: AttioClient, env: dict[str, str | None], config_home: Path
) -> None:
    """``--json`` prints the result; the company, channel, nested folders, URLs and note are
    there when read back; the same command again creates nothing and sends no write."""
    args = ["Acme", "--domain", "acme.com", "--status", "Hot", "--subfolder", "Legal/NDA"]
    first = run([*args, "--json"], env, config_home)
    assert first.exit_code == 0, first.stderr
    out = json.loads(first.stdout)
    assert out["ok"] is True
    channel = slack_for(emu).find_channel("internal-acme")
    drive = drive_for(emu)
    root = drive.find_folder("Acme")
    assert channel is not None and root is not None
    legal = drive.find_folder("Legal", root.id)
    assert legal is not None and drive.find_folder("NDA", legal.id) is not None
    assert out["slack_channel"]["url"] == channel.url
    assert out["drive_folder"]["url"] == root.url
    values = company_values(client, out["company_id"])
    assert (values["lead_status"], values[SLACK_ATTRIBUTE], values[DRIVE_ATTRIBUTE]) == (
        "Hot",
        channel.url,
        root.url,
    )
    assert len(note_texts(client, out["company_id"])) == 1
    assert out["manifest"] == "kickoff/acme.com"
    with recorded_in(env) as store:
        manifest = store.get("kickoff", "acme.com")
    assert manifest is not None and out["state"] == store.url_for_display
    assert manifest["company"] == {"record_id": out["company_id"], "created": True}
    assert manifest["slack_channel"]["url"] == channel.url

    before = writes(emu)
    again = run([*args, "--json"], env, config_home)
    assert again.exit_code == 0, again.stderr
    assert writes(emu) == before
    assert [s for s in json.loads(again.stdout)["steps"] if s["status"] == "created"] == []


def test_table_output_names_each_step(env: dict[str, str | None], config_home: Path) -> None:
    """Without ``--json`` the command prints a table of the steps, one per system and thing."""
    result = run(["Acme", "--domain", "acme.com", "--no-subfolders"], env, config_home)
    assert result.exit_code == 0, result.stderr
    assert "Kickoff of Acme (acme.com)" in result.stdout
    assert "#internal-acme" in result.stdout
    assert "created" in result.stdout and "google_drive" in result.stdout


def test_an_80_column_table_keeps_links_whole(
    env: dict[str, str | None], config_home: Path
) -> None:
    """At 80 columns the table is one line per step and each link made is printed whole, once,
    on a line of its own (people click them)."""
    result = run(["Acme", "--domain", "acme.com"], env | {"COLUMNS": "80"}, config_home)
    assert result.exit_code == 0, result.stderr
    table, _, below = result.stdout.partition("└")
    assert max(len(line) for line in table.splitlines()) <= 80
    assert sum("Acme/Contracts" in line for line in table.splitlines()) == 1
    links = [line.split(": ", 1)[1] for line in below.splitlines() if ": http" in line]
    assert len(links) == len(set(links)) == 6  # the channel, the folder and 4 subfolders
    assert any(link.startswith("https://app.slack.com/client/") for link in links)
    assert all(" " not in link and not link.endswith("…") for link in links)


def test_dry_run_sends_nothing(
    emu: EmulatorProcess, env: dict[str, str | None], config_home: Path
) -> None:
    """``--dry-run`` prints the plan (JSON here) and no write reaches Attio, Slack or Drive;
    no run is recorded."""
    result = run(["Acme", "--domain", "acme.com", "--dry-run", "--json"], env, config_home)
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["dry_run"] is True
    planned = {(s["system"], s["what"]) for s in out["steps"] if s["status"] == "would create"}
    assert {("attio", "company"), ("slack", "channel"), ("google_drive", "client folder")} <= (
        planned
    )
    assert writes(emu) == []
    with recorded_in(env) as store:
        assert store.items("kickoff") == []


def test_rollback_removes_the_kickoff(
    emu: EmulatorProcess, client: AttioClient, env: dict[str, str | None], config_home: Path
) -> None:
    """``--rollback`` archives the channel, trashes the folder and deletes the company the
    kickoff created; a second rollback has nothing recorded: one error line, exit 4."""
    made = run(["Acme", "--domain", "acme.com", "--json"], env, config_home)
    assert made.exit_code == 0, made.stderr
    undone = run(["Acme", "--domain", "acme.com", "--rollback", "--json"], env, config_home)
    assert undone.exit_code == 0, undone.stderr
    out = json.loads(undone.stdout)
    assert out["found"] and out["manifest_removed"]
    assert slack_for(emu).find_channel("internal-acme") is None
    assert drive_for(emu).find_folder("Acme") is None
    company = client.records.query(
        "companies", filter={"domains": {"domain": {"$eq": "acme.com"}}}, limit=1
    )
    assert company == []
    again = run(["Acme", "--domain", "acme.com", "--rollback"], env, config_home)
    assert again.exit_code == 4
    assert "nothing to roll back" in one_error_line(again)


def test_unconfigured_systems_are_skipped_and_said_so(
    client: AttioClient, env: dict[str, str | None], config_home: Path
) -> None:
    """With no Slack token nor Drive credentials, the company and note are made, both systems
    show as skipped "not configured", and the command succeeds."""
    bare = env | dict.fromkeys(CONNECTOR_VARS)
    result = run(["Acme", "--domain", "acme.com", "--json"], bare, config_home)
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    skipped = {s["system"]: s["detail"] for s in out["steps"] if s["status"] == "skipped"}
    assert skipped == {
        "slack": "Slack is not configured",
        "google_drive": "Google Drive is not configured",
    }
    assert out["company_id"] and out["slack_channel"] is None


def test_refused_slack_token_is_reported_and_the_rest_done(
    emu: EmulatorProcess, client: AttioClient, env: dict[str, str | None], config_home: Path
) -> None:
    """A Slack token the workspace refuses: Drive and Attio are done, the output shows the
    failed step, stderr has one error line naming Slack's refusal, exit 1, and the wrong
    token is printed nowhere."""
    wrong = "xoxb-wrong-token-7777"
    result = run(["Acme", "--domain", "acme.com", "--slack-token", wrong], env, config_home)
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("error: kickoff incomplete") and "invalid_auth" in line
    assert wrong not in result.stdout + result.stderr
    assert "failed" in result.stdout
    root = drive_for(emu).find_folder("Acme")
    assert root is not None
    record = client.records.query(
        "companies", filter={"domains": {"domain": {"$eq": "acme.com"}}}, limit=1
    )[0]
    assert company_values(client, record.record_id)[DRIVE_ATTRIBUTE] == root.url


def test_drive_from_a_service_account_key_file(
    emu: EmulatorProcess, env: dict[str, str | None], config_home: Path, tmp_path: Path
) -> None:
    """``--drive-credentials KEY.json`` (a fresh RSA key whose ``token_uri`` is the emulator's
    token endpoint) is used instead of a token: google-auth exchanges its signed JWT there and
    the client's folder is created."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    key_file = tmp_path / "service-account.json"
    key_file.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "kickoff-test",
                "private_key_id": "0123456789abcdef",
                "private_key": pem,
                "client_email": "kickoff@kickoff-test.iam.gserviceaccount.com",
                "client_id": "1234567890",
                "token_uri": f"{emu.base_url}/google/oauth2/token",
            }
        )
    )
    no_token = env | {"GOOGLE_DRIVE_TOKEN": None}
    args = ["Acme", "--domain", "acme.com", "--drive-credentials", str(key_file), "--json"]
    result = run(args, no_token, config_home)
    assert result.exit_code == 0, result.stderr
    folder = drive_for(emu).find_folder("Acme")
    assert folder is not None
    assert json.loads(result.stdout)["drive_folder"]["id"] == folder.id


@pytest.mark.parametrize(
    ("args", "status", "words"),
    [
        (["--status", "Lukewarm"], 5, "Lukewarm"),
        (["--no-create-attributes"], 5, "prospect_slack_channel"),
        (["--subfolder", "Legal//NDA"], 5, "folder path"),
        (["--subfolder", "Legal", "--no-subfolders"], 2, "--no-subfolders"),
        (["--drive-credentials", "/nonexistent/key.json"], 2, "service-account key file"),
    ],
)
def test_bad_input_is_one_error_line_and_writes_nothing(
    emu: EmulatorProcess,
    env: dict[str, str | None],
    config_home: Path,
    args: list[str],
    status: int,
    words: str,
) -> None:
    """An unknown status, missing attributes with ``--no-create-attributes``, a bad subfolder
    path, clashing options or an unreadable key file: one error line naming it, the exit
    code of its class, and no write anywhere."""
    result = run(["Acme", "--domain", "acme.com", *args], env, config_home)
    assert result.exit_code == status, result.stderr
    line = one_error_line(result)
    assert words in line
    if "--no-create-attributes" in args:
        assert "leave out --no-create-attributes" in line  # the fix, in the command's terms
    assert writes(emu) == []


def test_no_api_key_is_a_usage_error(env: dict[str, str | None], config_home: Path) -> None:
    """Without an Attio key: exit 2 and one line saying how to give one."""
    result = run(["Acme", "--domain", "acme.com"], env | {"ATTIO_API_KEY": None}, config_home)
    assert result.exit_code == 2
    assert "ATTIO_API_KEY" in one_error_line(result)
