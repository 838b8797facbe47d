"""Refreshing, removing, linking and the history of snapshots; marking them stale."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from attio_bridge import AttioClient, MissingError
from attio_bridge.client import AttioAPIError
from attio_bridge.snapshot import Snapshots
from attio_bridge.state import StateStore
from attio_bridge.testing import EmulatorControl

pytestmark = [pytest.mark.attio_seed("sandbox"), pytest.mark.anyio]


def git(project: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=project, capture_output=True, text=True, check=True)
    return done.stdout


async def test_refresh_commits_what_changed_in_one_read(
    snapshots: Snapshots, people: dict[str, str], project: Path, attio_client: AttioClient
) -> None:
    await snapshots.import_records("people", list(people.values()))
    attio_client.records.update("people", people["Priya Sharma"], {"job_title": "CEO"})
    attio_client.records.update("people", people["Ren Sato"], {"job_title": "CMO"})

    result = await snapshots.refresh()

    assert result.reads == 1  # 20 people, one query
    assert sorted(s.name for s in result.changed) == ["Priya Sharma", "Ren Sato"]
    assert result.unchanged == len(people) - 2
    assert result.failed == []
    assert git(project, "log", "-1", "--format=%s") == (
        "Refresh 2 people from Attio: Priya Sharma, Ren Sato\n"
    )
    assert sorted(git(project, "show", "--name-only", "--format=", "HEAD").split()) == [
        "attio/people/priya-sharma.json",
        "attio/people/ren-sato.json",
    ]
    document = json.loads((project / "attio/people/ren-sato.json").read_text())
    assert document["attributes"]["job_title"] == "CMO"
    assert (await snapshots.refresh()).commit is None  # nothing changed since


async def test_refresh_reads_one_query_per_500_records(
    snapshots: Snapshots, attio_client: AttioClient
) -> None:
    ids = [r.id.record_id for r in attio_client.records.query("people", limit=20)]
    made = attio_client.records.query("companies", limit=20)
    await snapshots.import_records("people", ids)
    await snapshots.import_records("companies", [r.id.record_id for r in made])
    result = await snapshots.refresh()
    assert result.reads == 2  # one per object type, each under 500


@pytest.mark.attio_seed("generated", size=501)
async def test_over_500_records_take_one_more_read_of_in_not_of_sql(
    snapshots: Snapshots, attio_client: AttioClient
) -> None:
    ids = [r.id.record_id for r in attio_client.records.query("people", limit=501)]
    assert len(ids) == 501
    imported = await snapshots.import_records("people", ids)
    assert imported.reads == 2
    assert len(imported.imported) == 501
    by_in = await snapshots.refresh(sql=False)
    assert (by_in.reads, by_in.unchanged, by_in.sql) == (2, 501, False)  # $in: 500 ids a query
    by_sql = await snapshots.refresh()
    assert (by_sql.reads, by_sql.unchanged, by_sql.sql) == (1, 501, True)  # SQL: 5,000 a query


async def test_a_stale_snapshot_is_pending_until_refreshed(
    snapshots: Snapshots, people: dict[str, str]
) -> None:
    ada = people["Amara Okafor"]
    await snapshots.import_records("people", [ada])
    assert snapshots.mark_stale(ada) is True
    assert snapshots.mark_stale(ada) is False  # pending already
    assert snapshots.mark_stale("not-imported") is False
    assert snapshots.get(ada).status == "pending"
    await snapshots.refresh()
    assert snapshots.get(ada).status == "synced"


async def test_a_record_deleted_in_attio_is_an_error_after_refresh(
    snapshots: Snapshots, people: dict[str, str], attio_client: AttioClient
) -> None:
    gone = people["Noah Cohen"]
    await snapshots.import_records("people", [gone, people["Amara Okafor"]])
    attio_client.records.delete("people", gone)
    result = await snapshots.refresh()
    assert result.failed == [(gone, f"no person {gone} in Attio any more")]
    assert snapshots.get(gone).status == "error"
    assert snapshots.get(people["Amara Okafor"]).status == "synced"


async def test_list_entries_are_refreshed_through_their_parents(
    snapshots: Snapshots, attio_client: AttioClient, project: Path
) -> None:
    entries = attio_client.entries.query("sales_pipeline", limit=500)
    await snapshots.import_records(
        "list-entries", [e.entry_id for e in entries], list_slug="sales_pipeline"
    )
    attio_client.entries.update("sales_pipeline", entries[0].entry_id, {"stage": "Lost"})
    result = await snapshots.refresh()
    assert result.reads == 1
    assert [s.record_id for s in result.changed] == [entries[0].entry_id]
    assert result.changed[0].attributes["stage"] == "Lost"
    assert result.unchanged == len(entries) - 1


async def test_a_dry_refresh_writes_nothing(
    snapshots: Snapshots, people: dict[str, str], attio_client: AttioClient, project: Path
) -> None:
    await snapshots.import_records("people", [people["Ren Sato"]])
    attio_client.records.update("people", people["Ren Sato"], {"job_title": "CMO"})
    result = await snapshots.refresh(dry_run=True)
    assert [s.name for s in result.changed] == ["Ren Sato"]
    assert result.commit is None
    assert '"Head of Growth"' in (project / "attio/people/ren-sato.json").read_text()


async def test_remove_deletes_files_and_rows_in_one_commit(
    snapshots: Snapshots, people: dict[str, str], project: Path
) -> None:
    ids = [people["Amara Okafor"], people["Ren Sato"]]
    await snapshots.import_records("people", ids)
    sha = snapshots.remove(ids)
    assert sha is not None
    assert snapshots.list() == []
    assert list((project / "attio/people").iterdir()) == []
    assert git(project, "log", "-1", "--format=%s") == (
        "Remove 2 people from the snapshot: Amara Okafor, Ren Sato\n"
    )
    with pytest.raises(MissingError, match="not imported"):
        snapshots.remove(ids)


async def test_link_keeps_experiments_across_reimports(
    snapshots: Snapshots, people: dict[str, str]
) -> None:
    ada = people["Amara Okafor"]
    await snapshots.import_records("people", [ada])
    assert snapshots.link(ada, "persona-v1").experiments == ("persona-v1",)
    assert snapshots.link(ada, "pricing").experiments == ("persona-v1", "pricing")
    assert snapshots.link(ada, "pricing").experiments == ("persona-v1", "pricing")
    await snapshots.import_records("people", [ada])
    assert snapshots.get(ada).experiments == ("persona-v1", "pricing")
    with pytest.raises(MissingError, match="not imported"):
        snapshots.link("nobody", "pricing")


async def test_history_lists_the_commits_of_a_record(
    snapshots: Snapshots, people: dict[str, str], attio_client: AttioClient
) -> None:
    ada = people["Amara Okafor"]
    await snapshots.import_records("people", [ada])
    await snapshots.import_records("people", [people["Ren Sato"]])
    attio_client.records.update("people", ada, {"job_title": "COO"})
    await snapshots.refresh()
    history = snapshots.history(ada)
    assert [c.message.splitlines()[0] for c in history] == [
        "Refresh 1 person from Attio: Amara Okafor",
        "Import 1 person from Attio: Amara Okafor",
    ]
    assert history[0].author == "Ada <ada@x.io>"


async def test_users_and_projects_see_their_own_snapshots(
    snapshots: Snapshots, people: dict[str, str], project: Path, store: StateStore
) -> None:
    await snapshots.import_records("people", [people["Amara Okafor"]])
    other = Snapshots(project, services=snapshots.services, store=store, user="grace")
    try:
        assert other.list() == []
        assert other.imported_ids() == set()
    finally:
        other.close()
    assert snapshots.imported_ids() == {people["Amara Okafor"]}


@pytest.mark.attio_seed("generated", size=1200)
@pytest.mark.parametrize(
    ("operation", "status", "sql"),
    [
        ("POST /v2/objects/{object}/records/query", 400, False),
        ("POST /v2/sql", 401, True),  # not a refusal of SQL (400, 403, 404): no fallback
    ],
)
async def test_a_failing_read_fails_the_refresh_and_changes_nothing(
    snapshots: Snapshots,
    attio_client: AttioClient,
    attio_control: EmulatorControl,
    project: Path,
    operation: str,
    status: int,
    sql: bool,
) -> None:
    ids = [r.id.record_id for r in attio_client.records.iter("people")]
    await snapshots.import_records("people", ids)
    attio_client.records.update("people", ids[-1], {"job_title": "Changed"})
    head = git(project, "rev-parse", "HEAD")
    attio_control.fault(operation, status=status)
    with pytest.raises(AttioAPIError):
        await snapshots.refresh(sql=sql)
    assert git(project, "rev-parse", "HEAD") == head
    assert {s.status for s in snapshots.list()} == {"synced"}
