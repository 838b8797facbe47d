"""``attio-bridge tasks ls|get|complete|reopen|update|delete`` against the emulator in this process.

Tasks filtered by linked record, assignee, completion and in either order; completed and
reopened, updated (deadline, assignee, links) and deleted, each change checked through the
client; dry runs send nothing (checked in the emulator's journal); bad options, unknown
objects, members and tasks are one error line with the exit code of their class; the API key
appears in no output (``invoke`` checks every run).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import Result

from attio_bridge.cli.tasks import parse_due
from attio_bridge.client import AttioClient, NotFoundError

from ._support import InProcessEmulator, invoke, one_error_line, writes

KEY = "tasks-cli-s3cret-key-4d2a"
MEMBER = "ada@example.com"  # the emulator's workspace member
MISSING = "00000000-0000-4000-8000-000000000000"


def run(args: list[str], env: dict[str, str], config_home: Path) -> Result:
    """``invoke`` with this module's key."""
    return invoke(args, env, config_home, KEY)


def company_id(client: AttioClient, domain: str) -> str:
    """The id of the company with ``domain``, made if missing."""
    record = client.records.assert_record("companies", "domains", {"domains": [{"domain": domain}]})
    return record.record_id


def member_id(client: AttioClient) -> str:
    """The id of the workspace's member."""
    [member] = [m for m in client.workspace_members.list() if m.email_address == MEMBER]
    return member.id["workspace_member_id"]


def new_task(
    client: AttioClient, content: str, *, link: str | None = None, mine: bool = False
) -> str:
    """A new task, linked to the company ``link`` and assigned to the member if ``mine``."""
    task = client.tasks.create(
        content=content,
        linked_records=[{"target_object": "companies", "target_record_id": link}] if link else [],
        assignees=(
            [
                {
                    "referenced_actor_type": "workspace-member",
                    "referenced_actor_id": member_id(client),
                }
            ]
            if mine
            else []
        ),
    )
    return task.id["task_id"]


def listed(args: list[str], env: dict[str, str], config_home: Path) -> list[str]:
    """The ids ``tasks ls ARGS --json`` prints, in order."""
    result = run(["tasks", "ls", *args, "--json"], env, config_home)
    assert result.exit_code == 0, result.stderr
    return [t["task_id"] for t in json.loads(result.stdout)]


def test_ls_filters_and_orders(env: dict[str, str], config_home: Path, client: AttioClient) -> None:
    cid = company_id(client, "tasks-ls.com")
    linked = new_task(client, "Call Acme", link=cid, mine=True)
    loose = new_task(client, "Tidy the desk")
    every = listed([], env, config_home)
    assert every.index(linked) < every.index(loose)
    newest = listed(["--sort", "created_at:desc"], env, config_home)
    assert newest.index(loose) < newest.index(linked)
    assert listed(["--linked", f"companies:{cid}"], env, config_home) == [linked]
    mine = listed(["--assignee", MEMBER], env, config_home)
    assert linked in mine and loose not in mine
    assert listed(["--assignee", member_id(client)], env, config_home) == mine
    unassigned = listed(["--unassigned"], env, config_home)
    assert loose in unassigned and linked not in unassigned

    shown = run(["tasks", "ls", "--linked", f"companies:{cid}", "--json"], env, config_home)
    [task] = json.loads(shown.stdout)
    assert task["content"] == "Call Acme"
    assert task["linked_records"] == [f"companies:{cid}"]
    assert task["assignees"] == [member_id(client)]
    assert task["is_completed"] is False
    table = run(["tasks", "ls", "--linked", f"companies:{cid}"], env, config_home)
    assert table.exit_code == 0, table.stderr
    assert "Call Acme" in table.stdout and MEMBER in table.stdout and cid in table.stdout
    # In 80 columns: the id and the content, the rest named under the table.
    narrow = run(
        ["tasks", "ls", "--linked", f"companies:{cid}"], env | {"COLUMNS": "80"}, config_home
    )
    assert narrow.exit_code == 0, narrow.stderr
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 80
    assert "Call Acme" in narrow.stdout and cid not in narrow.stdout
    assert "not shown: linked, assignees (--json for all)" in narrow.stdout


def test_complete_and_reopen(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    tid = new_task(client, "Send the contract")
    before = writes(emu)
    dry = run(["tasks", "complete", tid, "--dry-run"], env, config_home)
    assert dry.exit_code == 0, dry.stderr
    assert f"PATCH /v2/tasks/{tid}" in dry.stdout
    assert writes(emu) == before
    assert client.tasks.get(tid).is_completed is False

    done = run(["tasks", "complete", tid, "--json"], env, config_home)
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["is_completed"] is True
    assert client.tasks.get(tid).is_completed is True
    assert tid in listed(["--completed"], env, config_home)
    assert tid not in listed(["--open"], env, config_home)

    undone = run(["tasks", "complete", tid, "--undo"], env, config_home)
    assert undone.exit_code == 0, undone.stderr
    assert client.tasks.get(tid).is_completed is False
    assert tid in listed(["--open"], env, config_home)
    run(["tasks", "complete", tid], env, config_home)
    reopened = run(["tasks", "reopen", tid, "--json"], env, config_home)
    assert reopened.exit_code == 0, reopened.stderr
    assert client.tasks.get(tid).is_completed is False


def test_update_get_and_delete(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    cid = company_id(client, "tasks-update.com")
    tid = new_task(client, "Prepare the demo")
    before = writes(emu)
    dry = run(["tasks", "update", tid, "--due", "2032-01-02", "--dry-run"], env, config_home)
    assert dry.exit_code == 0, dry.stderr
    assert f"PATCH /v2/tasks/{tid}" in dry.stdout
    assert writes(emu) == before
    assert client.tasks.get(tid).deadline_at is None

    updated = run(
        [
            "tasks",
            "update",
            tid,
            "--due",
            "2032-01-02",
            "--assignee",
            MEMBER,
            "--link",
            f"companies:{cid}",
            "--json",
        ],
        env,
        config_home,
    )
    assert updated.exit_code == 0, updated.stderr
    task = client.tasks.get(tid)
    assert (task.deadline_at or "").startswith("2032-01-02")
    assert [a["referenced_actor_id"] for a in task.assignees] == [member_id(client)]
    assert [x["target_record_id"] for x in task.linked_records] == [cid]
    assert json.loads(updated.stdout)["linked_records"] == [f"companies:{cid}"]

    relative = run(["tasks", "update", tid, "--due", "+2d"], env, config_home)
    assert relative.exit_code == 0, relative.stderr
    assert not (client.tasks.get(tid).deadline_at or "").startswith("2032")
    cleared = run(["tasks", "update", tid, "--due", "none"], env, config_home)
    assert cleared.exit_code == 0, cleared.stderr
    assert client.tasks.get(tid).deadline_at is None

    got = run(["tasks", "get", tid], env, config_home)
    assert got.exit_code == 0, got.stderr
    assert "Prepare the demo" in got.stdout and MEMBER in got.stdout

    both = run(
        ["tasks", "update", tid, "--assignee", "none", "--assignee", MEMBER], env, config_home
    )
    assert both.exit_code == 2
    assert "--assignee none clears them: give it alone" in one_error_line(both)
    nobody = run(["tasks", "update", tid, "--assignee", "none", "--link", "none"], env, config_home)
    assert nobody.exit_code == 0, nobody.stderr
    task = client.tasks.get(tid)
    assert (task.assignees, task.linked_records) == ([], [])

    before = writes(emu)
    dry_delete = run(["tasks", "delete", tid, "--dry-run"], env, config_home)
    assert dry_delete.exit_code == 0, dry_delete.stderr
    assert f"DELETE /v2/tasks/{tid}" in dry_delete.stdout
    assert writes(emu) == before
    deleted = run(["tasks", "delete", tid], env, config_home)
    assert deleted.exit_code == 0, deleted.stderr
    assert deleted.stdout.strip() == f"deleted task {tid}"
    with pytest.raises(NotFoundError):
        client.tasks.get(tid)
    assert tid not in listed([], env, config_home)


def test_errors_are_one_line_with_their_exit_code(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    tid = new_task(client, "Untouched")
    before = writes(emu)
    cases = [
        (["tasks", "ls", "--linked", "companies"], 2, "--linked"),
        (["tasks", "ls", "--linked", f"spaceships:{MISSING}"], 4, "spaceships"),
        (["tasks", "ls", "--assignee", "who@nowhere.com"], 5, "assignee"),
        (["tasks", "ls", "--open", "--completed"], 2, "--open"),
        (["tasks", "ls", "--assignee", MEMBER, "--unassigned"], 2, "--unassigned"),
        (["tasks", "ls", "--sort", "deadline_at"], 2, "--sort"),
        (["tasks", "get", MISSING], 4, MISSING),
        (["tasks", "complete", MISSING, "--dry-run"], 4, MISSING),
        (["tasks", "update", tid], 2, "nothing to change"),
        (["tasks", "update", tid, "--due", "someday"], 5, "--due"),
        (["tasks", "update", tid, "--assignee", "who@nowhere.com"], 5, "assignees"),
        (["tasks", "update", tid, "--link", f"spaceships:{MISSING}"], 4, "spaceships"),
        (
            ["tasks", "update", tid, "--link", f"companies:{MISSING}"],
            4,
            f"no companies record {MISSING}",
        ),
        (
            ["tasks", "create", "X", "--link", f"companies:{MISSING}"],
            4,
            f"no companies record {MISSING}",
        ),
        (["tasks", "update", MISSING, "--due", "2032-01-02", "--dry-run"], 4, MISSING),
        (["tasks", "delete", MISSING, "--dry-run"], 4, MISSING),
    ]
    for args, code, named in cases:
        result = run(args, env, config_home)
        assert result.exit_code == code, (args, result.stdout, result.stderr)
        assert named in one_error_line(result), args
    assert writes(emu) == before
    missing = run(["tasks", "update", MISSING, "--due", "2032-01-02"], env, config_home)
    assert missing.exit_code == 4
    assert MISSING in one_error_line(missing)
    assert client.tasks.get(tid).deadline_at is None


# -- relative deadlines --------------------------------------------------------------------------
LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A Thursday afternoon: +3d is Sunday, the next business day Friday, both at 09:00.
        ("+3d", datetime(2026, 3, 29, 9, 0, tzinfo=LONDON)),
        ("+0d", datetime(2026, 3, 26, 9, 0, tzinfo=LONDON)),
        ("next-business-day", datetime(2026, 3, 27, 9, 0, tzinfo=LONDON)),
    ],
)
def test_relative_deadlines_are_at_nine_local_time(text: str, expected: datetime) -> None:
    now = datetime(2026, 3, 26, 15, 47, 12, 345678, tzinfo=LONDON)
    due = parse_due(text, now)
    assert isinstance(due, datetime)
    assert due == expected
    # The clocks go forward on 29 March: 09:00 there is 08:00 UTC, not the offset of "now".
    assert due.astimezone(UTC).hour == expected.astimezone(UTC).hour


def test_plus_days_on_the_command_line_is_nine_local_time(
    env: dict[str, str], config_home: Path
) -> None:
    before = date.today()
    result = run(["tasks", "create", "In three days", "--due", "+3d", "--json"], env, config_home)
    after = date.today()
    assert result.exit_code == 0, result.stderr
    sent = datetime.fromisoformat(json.loads(result.stdout)["deadline_at"].replace("Z", "+00:00"))
    # Nine in the morning, local time, three days from today (today read on either side of
    # the run, in case midnight passes during it).
    at_nine = {
        datetime.combine(day + timedelta(days=3), time(9)).astimezone() for day in (before, after)
    }
    assert sent in at_nine
