"""``client.sql.query`` (``POST /v2/sql``;
docs.attio.com/rest-api/endpoint-reference/sql/query-sql), async and sync: the rows as dicts by
column, and a refused query as ``BadRequestError``."""

from __future__ import annotations

import pytest

from attio_bridge.client import AsyncAttioClient, AttioClient, BadRequestError

from ._factories import person
from ._target import unique

pytestmark = pytest.mark.anyio


@pytest.mark.operation("POST /v2/sql")
async def test_query_returns_rows_by_column(aclient: AsyncAttioClient) -> None:
    """query-sql: ``{"sql": ...}`` answers ``{data: {rows}}``; the client hands back the rows;
    a statement that writes is refused (sql/overview: read-only) with Attio's code."""
    email = f"{unique('sql')}@example.com"
    ada = await person(aclient, email_addresses=[email], job_title="Engineer")
    rows = await aclient.sql.query(
        "SELECT record_id, job_title, email_addresses FROM people "
        f"WHERE record_id = '{ada.record_id}'"
    )
    assert rows == [
        {"record_id": ada.record_id, "job_title": "Engineer", "email_addresses": [email]}
    ]
    with pytest.raises(BadRequestError) as refused:
        await aclient.sql.query("DELETE FROM people")
    assert refused.value.code == "filter_error"


@pytest.mark.operation("POST /v2/sql")
def test_sync_query_returns_rows(client: AttioClient) -> None:
    """The generated sync client: the same rows (query-sql)."""
    rows = client.sql.query("SELECT count(*) AS n FROM people")
    assert isinstance(rows[0]["n"], int)
