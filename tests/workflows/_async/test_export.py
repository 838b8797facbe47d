"""``export_records`` against the in-process emulator: every page, flattened values, the round
trip export -> import into a fresh workspace -> the same records, and its errors. (The commands:
``tests/workflows/test_transfer_commands.py``.)"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from attio_bridge.client import AsyncAttioClient
from attio_bridge.errors import InvalidInputError, MissingError
from attio_bridge.workflows.aio import export_records, import_file

from ._import_support import client_on, rows_of

pytestmark = pytest.mark.anyio
# Set by Attio on create, so never equal across workspaces.
VOLATILE = {"created_at", "created_by"}


async def seed(client: AsyncAttioClient, people: int) -> None:
    for name, domains in (("Acme", ["acme.com", "acme.org"]), ("Globex", ["globex.com"])):
        await client.records.create(
            "companies",
            {
                "name": name,
                "domains": [{"domain": d} for d in domains],
                "description": f"{name}; the company",
            },
        )
    for i in range(people):
        await client.records.create(
            "people",
            {
                "name": [{"first_name": f"P{i}", "last_name": "Zoë", "full_name": f"P{i} Zoë"}],
                "email_addresses": [{"email_address": f"p{i}@acme.com"}],
                "job_title": "Engineer" if i % 2 else None,
            },
        )


def comparable(rows: list[dict[str, Any]]) -> list[str]:
    return sorted(
        json.dumps({k: v for k, v in r.items() if k not in VOLATILE}, sort_keys=True, default=str)
        for r in rows
    )


async def test_csv_export_reads_every_page_and_flattens(client: AsyncAttioClient) -> None:
    await seed(client, 620)  # more than one page of records.iter
    out = io.StringIO()
    assert await export_records(client, "people", out, "csv") == 620
    out.seek(0)
    rows = list(csv.DictReader(out))
    assert len(rows) == 620
    assert list(rows[0])[:4] == ["record_id", "created_at", "created_by", "first_name"]
    assert len({r["email_addresses"] for r in rows}) == 620
    out = io.StringIO()
    await export_records(client, "companies", out, "csv")
    out.seek(0)
    acme = next(r for r in csv.DictReader(out) if r["name"] == "Acme")
    assert sorted(acme["domains"].split("; ")) == ["acme.com", "acme.org"]


async def test_jsonl_export_keeps_lists(client: AsyncAttioClient) -> None:
    await seed(client, 1)
    out = io.StringIO()
    assert await export_records(client, "companies", out, "jsonl") == 2
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    acme = next(r for r in rows if r["name"] == "Acme")
    assert sorted(acme["domains"]) == ["acme.com", "acme.org"]
    assert acme["created_at"].endswith("+00:00")


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
async def test_round_trip_into_a_fresh_workspace(
    client: AsyncAttioClient, tmp_path: Path, fmt: str
) -> None:
    await seed(client, 30)
    files = {}
    for object in ("companies", "people"):
        files[object] = tmp_path / f"{object}.{fmt}"
        with files[object].open("w", encoding="utf-8", newline="") as f:
            await export_records(client, object, f, fmt)
    async with client_on() as fresh:
        companies = await import_file(fresh, "companies", files["companies"], match="domains")
        people = await import_file(fresh, "people", files["people"], match="email_addresses")
        assert (companies.written, people.written) == (2, 30)
        assert (companies.invalid, people.invalid, people.failed) == (0, 0, 0)
        for object in ("companies", "people"):
            assert comparable(await rows_of(fresh, object)) == comparable(
                await rows_of(client, object)
            )


async def test_export_errors_name_what_is_wrong(client: AsyncAttioClient) -> None:
    """An unknown object or list is a ``MissingError`` naming the known ones; an unknown
    format an ``InvalidInputError`` naming the formats; nothing is written to ``out``."""
    out = io.StringIO()
    with pytest.raises(MissingError, match=r"no object or list 'nothing'; known: .*'people'"):
        await export_records(client, "nothing", out)
    with pytest.raises(InvalidInputError, match="format must be one of csv, jsonl, not 'xml'"):
        await export_records(client, "people", out, "xml")
    assert out.getvalue() == ""
