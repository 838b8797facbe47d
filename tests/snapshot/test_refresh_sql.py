"""The refresh's SQL path (``POST /v2/sql``) against the sandbox workspace: the same files and
index rows as the queries of ``$in``, in fewer reads, and the queries of ``$in`` again where the
workspace refuses SQL (no Enterprise plan, or a token refused)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from attio_bridge import AsyncServices, AttioClient
from attio_bridge.emulator import EmulatorConfig
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.snapshot import RefreshResult, Snapshots, init_project
from attio_bridge.state import StateStore
from attio_bridge.testing import EmulatorControl

pytestmark = [pytest.mark.attio_seed("sandbox"), pytest.mark.anyio]


@pytest.fixture
def attio_emulator_config(attio_api_key: str, request: pytest.FixtureRequest) -> EmulatorConfig:
    """The sandbox without rate limits (SQL's 2 a second included); ``sql_enabled`` from the
    test's indirect parameter (False: the workspace is not on the Enterprise plan)."""
    return EmulatorConfig(
        api_keys=[attio_api_key],
        read_rate=0,
        write_rate=0,
        sql_rate=0,
        seed="sandbox",
        sql_enabled=getattr(request, "param", True),
    )


def operations(app: EmulatorApp) -> list[str]:
    return [e.operation for e in app.state.journal.entries]


def files_of(project: Path) -> dict[str, dict[str, Any]]:
    """Every snapshot file, without the time it was taken (the two projects differ in that)."""
    found = {}
    for path in sorted((project / "attio").rglob("*.json")):
        document = json.loads(path.read_text())
        document.pop("imported_at")
        found[str(path.relative_to(project))] = document
    return found


def rows_of(snapshots: Snapshots) -> list[dict[str, Any]]:
    """The index rows, without the project's name and the import time."""
    return [
        {k: v for k, v in s.row().items() if k not in ("project", "imported_at")}
        for s in snapshots.list()
    ]


async def import_everything(snapshots: Snapshots, client: AttioClient) -> None:
    for kind in ("people", "companies"):
        ids = [r.id.record_id for r in client.records.query(kind, limit=500)]
        await snapshots.import_records(kind, ids)  # type: ignore[arg-type]
    entries = [e.entry_id for e in client.entries.query("sales_pipeline", limit=500)]
    await snapshots.import_records("list-entries", entries, list_slug="sales_pipeline")


def summary(result: RefreshResult) -> tuple[object, ...]:
    return ([s.record_id for s in result.changed], result.unchanged, result.failed)


async def test_sql_and_in_refresh_the_same_files_and_index(
    tmp_path: Path,
    services: AsyncServices,
    store: StateStore,
    attio_client: AttioClient,
    attio_emulator: EmulatorApp,
) -> None:
    projects = {}
    for name in ("by-sql", "by-in"):
        init_project(tmp_path / name)
        projects[name] = Snapshots(tmp_path / name, services=services, store=store, user="ada")
        await import_everything(projects[name], attio_client)
    people = [r.id.record_id for r in attio_client.records.query("people", limit=3)]
    attio_client.records.update("people", people[0], {"job_title": "Chief Refresher"})
    attio_client.records.update("people", people[1], {"job_title": None})
    attio_client.records.delete("people", people[2])
    company = attio_client.records.query("companies", limit=1)[0].id.record_id
    attio_client.records.update("companies", company, {"description": "Refreshed by SQL"})
    entry = attio_client.entries.query("sales_pipeline", limit=1)[0].entry_id
    attio_client.entries.update("sales_pipeline", entry, {"stage": "Lost"})

    attio_emulator.state.journal.entries.clear()
    by_sql = await projects["by-sql"].refresh()
    sql_operations = operations(attio_emulator)
    by_in = await projects["by-in"].refresh(sql=False)

    assert (by_sql.sql, by_in.sql) == (True, False)
    assert "POST /v2/sql" in sql_operations
    assert not any(o.endswith("/query") for o in sql_operations)
    assert summary(by_sql) == summary(by_in)
    # (and the records whose references to the deleted person went with it)
    assert {people[0], people[1], company, entry} <= {s.record_id for s in by_sql.changed}
    assert by_sql.failed[0][0] == people[2]
    assert files_of(tmp_path / "by-sql") == files_of(tmp_path / "by-in")
    assert rows_of(projects["by-sql"]) == rows_of(projects["by-in"])
    assert by_sql.reads == 3  # one SQL query per object type and list
    for made in projects.values():
        made.close()


@pytest.mark.parametrize("attio_emulator_config", [False], indirect=True)
async def test_a_workspace_without_the_enterprise_plan_refreshes_by_in(
    snapshots: Snapshots, attio_client: AttioClient, attio_emulator: EmulatorApp
) -> None:
    await import_everything(snapshots, attio_client)
    person = attio_client.records.query("people", limit=1)[0].id.record_id
    attio_client.records.update("people", person, {"job_title": "Chief Refresher"})
    attio_emulator.state.journal.entries.clear()

    result = await snapshots.refresh()

    assert result.sql is False
    assert [s.record_id for s in result.changed] == [person]
    assert snapshots.get(person).attributes["job_title"] == "Chief Refresher"
    refused = [e for e in attio_emulator.state.journal.entries if e.path == "/v2/sql"]
    assert [e.status for e in refused] == [403]  # asked once: the plan will not change mid-run
    assert "POST /v2/objects/{object}/records/query" in operations(attio_emulator)


async def test_a_token_refused_sql_refreshes_by_in(
    snapshots: Snapshots,
    attio_client: AttioClient,
    attio_emulator: EmulatorApp,
    attio_control: EmulatorControl,
) -> None:
    # The emulator's SQL needs the scopes records/query needs, so a token that can refresh at
    # all is never refused there for a scope; Attio's 403 is stood in for by a fault.
    await import_everything(snapshots, attio_client)
    entry = attio_client.entries.query("sales_pipeline", limit=1)[0].entry_id
    attio_client.entries.update("sales_pipeline", entry, {"stage": "Lost"})
    attio_control.fault("POST /v2/sql", status=403)
    attio_emulator.state.journal.entries.clear()

    result = await snapshots.refresh()

    assert result.sql is False
    assert [s.record_id for s in result.changed] == [entry]
    assert operations(attio_emulator).count("POST /v2/sql") == 1
