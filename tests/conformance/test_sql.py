"""SQL (``POST /v2/sql``), which the vendored spec predates.

docs.attio.com/rest-api/endpoint-reference/sql/query-sql: ``{"sql": "..."}`` answers
``{data: {rows: [...]}}``; Enterprise plan only; 2 requests per second. docs.attio.com/sql/overview
(Limitations): read-only, only ``SELECT``; a 30-second execution timeout.
docs.attio.com/sql/available-data and /sql/guides/querying-with-sql: a table per object in the
default schema ``objects`` and per list in ``lists``, named by slug, a column per attribute slug,
record references as structs ``{entity_definition_id, entity_instance_id}``, ``parent_record`` on
every entry, ``information_schema`` to discover them. Bodies are checked against
``validation.NOTES_RESPONSE_SCHEMAS``.
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from typing import Any

import pytest

from attio_bridge.emulator import EmulatorConfig, create_app
from attio_bridge.emulator.app import EmulatorApp

from ..conftest import API_KEY
from .factories import attribute_body, company, entry, person, pipeline
from .validation import ConformantClient

SQL = "POST /v2/sql"


@pytest.fixture
def emulator() -> EmulatorApp:
    """No rate limits, SQL's own included (the limit has its own test)."""
    return create_app(EmulatorConfig(api_keys=[API_KEY], read_rate=0, write_rate=0, sql_rate=0))


def rows(c: ConformantClient, sql: str) -> list[dict[str, Any]]:
    response = c.post("/v2/sql", json={"sql": sql})
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["data"]["rows"]
    return found


def refusal(c: ConformantClient, sql: Any, status: int = 400) -> dict[str, Any]:
    response = c.post("/v2/sql", json={"sql": sql})
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.operation(SQL)
def test_objects_are_tables_named_by_slug_with_a_column_per_attribute(
    conformant: ConformantClient,
) -> None:
    """query-sql, querying-with-sql: ``FROM companies`` is ``objects.companies``; columns are
    attribute slugs; a record reference is ``{entity_definition_id, entity_instance_id}`` that
    joins on the target's ``record_id``; multiselect values are arrays."""
    acme = company(conformant, name="Acme SQL", categories=["SaaS", "B2B"])
    link = {"target_object": "companies", "target_record_id": acme["id"]["record_id"]}
    ada = person(conformant, company=[link])
    [row] = rows(
        conformant,
        "SELECT record_id, name, categories FROM objects.companies WHERE name = 'Acme SQL'",
    )
    assert row == {
        "record_id": acme["id"]["record_id"],
        "name": "Acme SQL",
        "categories": ["SaaS", "B2B"],
    }
    [joined] = rows(
        conformant,
        "SELECT p.record_id, p.name ->> 'full_name' AS full_name, c.name AS company, "
        "p.company AS ref FROM people p JOIN companies c "
        "ON c.record_id = p.company ->> 'entity_instance_id'",
    )
    assert joined["record_id"] == ada["id"]["record_id"]
    assert joined["company"] == "Acme SQL"
    assert joined["full_name"] == ada["values"]["name"][0]["full_name"]
    # entity_definition_id is the object's UUID, never its slug.
    assert joined["ref"] == {
        "entity_definition_id": acme["id"]["object_id"],
        "entity_instance_id": acme["id"]["record_id"],
    }


@pytest.mark.operation(SQL)
def test_lists_are_tables_in_the_lists_schema(conformant: ConformantClient) -> None:
    """available-data: a table per list under ``lists``, a row per entry, with ``entry_id``,
    ``parent_record`` and the list's attributes; it joins back to the object."""
    lst = pipeline(conformant)
    acme = company(conformant, name="Listed Co")
    made = entry(conformant, lst["api_slug"], acme, stage="Qualified", tier=["Gold"])
    [row] = rows(
        conformant,
        f"SELECT e.entry_id, e.stage, e.tier, c.name FROM lists.{lst['api_slug']} e "
        "JOIN companies c ON c.record_id = e.parent_record ->> 'entity_instance_id'",
    )
    assert row == {
        "entry_id": made["id"]["entry_id"],
        "stage": "Qualified",
        "tier": ["Gold"],
        "name": "Listed Co",
    }


@pytest.mark.operation(SQL)
def test_information_schema_lists_tables_and_columns(conformant: ConformantClient) -> None:
    """available-data, "Discovering the schema": the documented queries work as written."""
    lst = pipeline(conformant)
    tables = rows(
        conformant,
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_schema NOT IN ('information_schema', 'pg_catalog') "
        "ORDER BY table_schema, table_name;",
    )
    assert {"table_schema": "objects", "table_name": "people"} in tables
    assert {"table_schema": "lists", "table_name": lst["api_slug"]} in tables
    columns = rows(
        conformant,
        "SELECT table_schema, table_name, column_name, ordinal_position, data_type, is_nullable "
        "FROM information_schema.columns WHERE table_schema IN ('objects', 'lists') "
        "ORDER BY table_schema, table_name, ordinal_position;",
    )
    people = [c["column_name"] for c in columns if c["table_name"] == "people"]
    assert people[0] == "record_id"
    assert {"name", "email_addresses", "company"} <= set(people)


@pytest.mark.operation(SQL, "DELETE /v2/objects/{object}/records/{record_id}")
def test_rows_are_the_workspace_as_it_is_now(conformant: ConformantClient) -> None:
    """query-sql answers from the workspace's current data: a change, a new record, a deleted one
    and a new attribute each show in the next query (the emulator keeps its tables between
    queries and must not answer from an old copy)."""
    acme = company(conformant, name="Before")
    assert rows(conformant, "SELECT name FROM companies") == [{"name": "Before"}]
    path = f"/v2/objects/companies/records/{acme['id']['record_id']}"
    conformant.data("PATCH", path, json={"data": {"values": {"name": "After"}}})
    assert rows(conformant, "SELECT name FROM companies") == [{"name": "After"}]
    other = company(conformant, name="Second")
    assert len(rows(conformant, "SELECT name FROM companies")) == 2
    conformant.delete(f"/v2/objects/companies/records/{other['id']['record_id']}")
    assert rows(conformant, "SELECT name FROM companies") == [{"name": "After"}]
    conformant.data("POST", "/v2/objects/companies/attributes", json=attribute_body("tier", "text"))
    assert rows(conformant, "SELECT name, tier FROM companies") == [{"name": "After", "tier": None}]


@pytest.mark.operation(SQL)
@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM people",
        "INSERT INTO companies (name) VALUES ('x')",
        "UPDATE companies SET name = 'x'",
        "DROP TABLE companies",
        "CREATE TABLE t (x)",
        "PRAGMA query_only = OFF",
        "ATTACH DATABASE ':memory:' AS other",
    ],
)
def test_only_select_is_supported(conformant: ConformantClient, statement: str) -> None:
    """sql/overview, Limitations: "only SELECT is supported. INSERT, UPDATE, DELETE, and DDL
    statements are rejected" (400 ``filter_error``, the one error the SDK's model names); the
    workspace is untouched."""
    company(conformant, name="Kept")
    body = refusal(conformant, statement)
    assert body["code"] == "filter_error"
    assert "only SELECT" in body["message"]
    assert rows(conformant, "SELECT name FROM companies") == [{"name": "Kept"}]


@pytest.mark.operation(SQL)
@pytest.mark.parametrize(
    ("sql", "said"),
    [
        ("SELECT * FROM no_such_object", "no such table"),
        ("SELECT 1; SELECT 2", "one statement"),
        ("SELEC name FROM people", "syntax error"),
        ("", '"sql" is required'),
        (None, '"sql" is required'),
    ],
)
def test_a_query_that_cannot_run_is_400_saying_why(
    conformant: ConformantClient, sql: Any, said: str
) -> None:
    """query-sql: a bad query is 400 ``invalid_request_error`` whose message says what is
    wrong."""
    body = refusal(conformant, sql)
    assert body["type"] == "invalid_request_error"
    assert said in body["message"]


def test_a_query_past_the_timeout_is_stopped() -> None:
    """sql/overview, Limitations: a 30-second execution timeout, "so very complex queries may
    fail" (here shortened to a tenth of a second)."""
    from starlette.testclient import TestClient

    app = create_app(EmulatorConfig(api_keys=[API_KEY], read_rate=0, sql_rate=0, sql_timeout_s=0.1))
    with TestClient(app, headers={"Authorization": f"Bearer {API_KEY}"}) as c:
        forever = (
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n"
        )
        response = c.post("/v2/sql", json={"sql": forever})
    assert response.status_code == 400
    assert "0.1-second execution timeout" in response.json()["message"]


def test_more_rows_than_the_cap_is_400_asking_for_a_limit() -> None:
    """Attio documents no row cap; the emulator's (``sql_row_limit``) refuses a query that would
    return more rows rather than cutting it short silently, and a LIMIT makes it pass."""
    from starlette.testclient import TestClient

    app = create_app(EmulatorConfig(api_keys=[API_KEY], read_rate=0, sql_rate=0, sql_row_limit=5))
    many = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n LIMIT 6) SELECT x FROM n"
    with TestClient(app, headers={"Authorization": f"Bearer {API_KEY}"}) as c:
        refused = c.post("/v2/sql", json={"sql": many})
        capped = c.post("/v2/sql", json={"sql": many.replace("LIMIT 6", "LIMIT 5")})
    assert refused.status_code == 400
    assert "more than 5 rows" in refused.json()["message"]
    assert [r["x"] for r in capped.json()["data"]["rows"]] == [1, 2, 3, 4, 5]


def test_sql_is_limited_to_two_requests_a_second() -> None:
    """query-sql: "This endpoint is rate limited to 2 requests per second" (per token): the
    third in one second is 429 with an HTTP-date ``Retry-After``."""
    from starlette.testclient import TestClient

    app = create_app(EmulatorConfig(api_keys=[API_KEY], read_rate=0))
    app.state.sql_budget.clock = lambda: 1_700_000_000.5
    with TestClient(app, headers={"Authorization": f"Bearer {API_KEY}"}) as c:
        statuses = [c.post("/v2/sql", json={"sql": "SELECT 1 AS one"}) for _ in range(3)]
    assert [r.status_code for r in statuses] == [200, 200, 429]
    assert statuses[2].json()["code"] == "rate_limit_exceeded"
    retry_at = parsedate_to_datetime(statuses[2].headers["Retry-After"]).timestamp()
    assert retry_at == 1_700_000_001


def test_a_workspace_without_the_enterprise_plan_gets_403() -> None:
    """query-sql: "Your workspace must be on the Enterprise plan in order to access this
    endpoint": 403 ``billing_error`` otherwise."""
    from starlette.testclient import TestClient

    app = create_app(EmulatorConfig(api_keys=[API_KEY], sql_enabled=False))
    with TestClient(app, headers={"Authorization": f"Bearer {API_KEY}"}) as c:
        response = c.post("/v2/sql", json={"sql": "SELECT 1"})
    assert response.status_code == 403
    assert response.json()["code"] == "billing_error"
    assert "Enterprise plan" in response.json()["message"]


def test_a_token_without_the_record_scopes_gets_403_naming_the_scope() -> None:
    """query-sql's required scopes (``record_permission:read``, ``object_configuration:read``,
    ``emulator/scopes.py``): a token without one is refused with Attio's 403 ``unauthorized``
    naming it, before any SQL runs; a token with both reads."""
    from starlette.testclient import TestClient

    notes_only, reader = "notes-only-key", "reader-key"
    scopes = {
        notes_only: ("note:read", "object_configuration:read"),
        reader: ("record_permission:read", "object_configuration:read"),
    }
    app = create_app(
        EmulatorConfig(api_keys=[notes_only, reader], scopes=scopes, read_rate=0, sql_rate=0)
    )
    with TestClient(app) as c:
        refused = c.post(
            "/v2/sql",
            json={"sql": "SELECT 1 AS one"},
            headers={"Authorization": f"Bearer {notes_only}"},
        )
        allowed = c.post(
            "/v2/sql",
            json={"sql": "SELECT 1 AS one"},
            headers={"Authorization": f"Bearer {reader}"},
        )
    assert refused.status_code == 403
    assert (refused.json()["type"], refused.json()["code"]) == ("auth_error", "unauthorized")
    assert '"record_permission:read"' in refused.json()["message"]
    assert allowed.status_code == 200
    assert allowed.json()["data"]["rows"] == [{"one": 1}]
