"""The export's SQL path (``POST /v2/sql``, docs.attio.com/sql/overview) against the emulator's
sandbox workspace: the same rows as paging for every object and list, in fewer requests, and
paging again where the workspace has no SQL."""

from __future__ import annotations

import io
import json

import pytest

from attio_bridge.emulator import EmulatorConfig, create_app
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.workflows.aio import export_records

from .._clients import API_KEY
from ._import_support import client_on

pytestmark = pytest.mark.anyio


def sandbox(**config: object) -> EmulatorApp:
    """The seeded sandbox workspace (every attribute type), without rate limits."""
    return create_app(
        EmulatorConfig(
            api_keys=[API_KEY], read_rate=0, write_rate=0, sql_rate=0, seed="sandbox", **config
        )
    )


def operations(app: EmulatorApp) -> list[str]:
    return [e.operation for e in app.state.journal.entries]


async def exported(app: EmulatorApp, target: str, fmt: str, *, sql: bool) -> list[str]:
    """The export's lines, the header first (CSV) and the rows in a stable order."""
    out = io.StringIO()
    async with client_on(app) as client:
        await export_records(client, target, out, fmt, sql=sql)
    lines = out.getvalue().splitlines()
    head = lines[:1] if fmt == "csv" else []
    return head + sorted(lines[len(head) :])


@pytest.mark.operation("POST /v2/sql")
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
async def test_sql_export_writes_the_rows_paging_writes(fmt: str) -> None:
    """Every object and list of the sandbox, both ways: the same lines (CSV cells and JSON
    values alike); the SQL path reads no page of records or entries."""
    app = sandbox()
    targets = [o.api_slug for o in app.state.workspace.schema.objects.values()]
    targets += [lst.api_slug for lst in app.state.workspace.schema.lists.values()]
    compared = 0
    for target in targets:
        paged = await exported(app, target, fmt, sql=False)
        app.state.journal.entries.clear()
        by_sql = await exported(app, target, fmt, sql=True)
        assert by_sql == paged, target
        compared += len(paged)
        ops = operations(app)
        assert "POST /v2/sql" in ops
        assert not [o for o in ops if o.endswith(("/records/query", "/entries/query"))], target
    assert compared > 30  # the sandbox's records and entries, not empty tables


async def test_sql_export_falls_back_to_paging_without_sql() -> None:
    """A workspace whose plan has no SQL (403 ``billing_error``): the same rows, by paging."""
    app = sandbox(sql_enabled=False)
    rows = await exported(app, "people", "jsonl", sql=True)
    ops = operations(app)
    assert rows == await exported(app, "people", "jsonl", sql=False)
    assert "POST /v2/sql" in ops and "POST /v2/objects/{object}/records/query" in ops


async def test_sql_export_pages_past_one_sql_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """More rows than one SQL page: every row once, over several SQL queries."""
    # The exporter module of this flavour (async, or the generated sync one).
    monkeypatch.setitem(export_records.__globals__, "SQL_PAGE", 3)
    app = sandbox()
    by_sql = await exported(app, "people", "jsonl", sql=True)
    assert operations(app).count("POST /v2/sql") > 2
    ids = [json.loads(line)["record_id"] for line in by_sql]
    assert (
        len(ids)
        == len(set(ids))
        == len(app.state.workspace.store.holders(app.state.workspace.schema.get_object("people")))
    )
