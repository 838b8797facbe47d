"""Token scopes in the emulator: per-key scopes, Attio's 403 for a request outside them, and
``/v2/self`` reporting them. The scopes each operation needs come from the vendored spec's
``security`` blocks and, for newer operations, the "Required scopes" line of each page of
docs.attio.com/rest-api/endpoint-reference; the 403 body is Attio's ``auth_error``
``unauthorized`` (API-NOTES §8; e.g. activity-records/create-an-activity-record's 403 example).
"""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from attio_bridge.emulator import EmulatorConfig, create_app
from attio_bridge.emulator.app import route_tables
from attio_bridge.emulator.scopes import ALL_SCOPES, REQUIRED, parse_scopes, required_scopes
from attio_bridge.emulator.spec import load_spec, spec_operations

READER = "reader-key"
WRITER = "writer-key"
READ_ONLY = ("record_permission:read", "object_configuration:read")


@pytest.fixture
def two_keys() -> TestClient:
    app = create_app(
        EmulatorConfig(
            api_keys=[READER, WRITER], scopes={READER: READ_ONLY}, read_rate=0, write_rate=0
        )
    )
    return TestClient(app, base_url="http://emulator.test")


def _as(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.operation("POST /v2/objects/{object}/records", "GET /v2/self")
def test_a_read_only_key_reads_but_its_write_is_refused_naming_the_scope(
    two_keys: TestClient,
) -> None:
    """A token without ``record_permission:read-write`` gets 403 ``unauthorized`` for a record
    create (nothing is created), while reads pass; the other key keeps every scope."""
    body = {"data": {"values": {"name": "Ada"}}}
    refused = two_keys.post("/v2/objects/people/records", json=body, headers=_as(READER))
    assert refused.status_code == 403
    error = refused.json()
    assert (error["status_code"], error["type"], error["code"]) == (
        403,
        "auth_error",
        "unauthorized",
    )
    assert set(error) == {"status_code", "type", "code", "message"}
    assert '"record_permission:read-write"' in error["message"]
    query = two_keys.post("/v2/objects/people/records/query", json={}, headers=_as(READER))
    assert query.status_code == 200 and query.json()["data"] == []
    made = two_keys.post("/v2/objects/people/records", json=body, headers=_as(WRITER))
    assert made.status_code == 200
    me = two_keys.get("/v2/self", headers=_as(READER)).json()
    assert me["scope"].split() == list(READ_ONLY)
    assert set(two_keys.get("/v2/self", headers=_as(WRITER)).json()["scope"].split()) == set(
        ALL_SCOPES
    )


def test_read_write_grants_read_and_lists_scopes_follow_the_target(two_keys: TestClient) -> None:
    """A ``:read-write`` scope grants ``:read``; the attribute endpoints need
    ``list_configuration`` on lists, ``object_configuration`` on objects (API-NOTES §1)."""
    assert two_keys.get("/v2/objects/people/attributes", headers=_as(READER)).status_code == 200
    lists = two_keys.get("/v2/lists/anything/attributes", headers=_as(READER))
    assert lists.status_code == 403
    assert "list_configuration:read" in lists.json()["message"]
    assert required_scopes("GET /v2/self", {}) == ()


def test_every_route_has_its_documented_scopes() -> None:
    """Every emulator route is in the table, and for the spec's operations the table says
    what the spec's ``security`` says (the attribute routes follow their target)."""
    routes = {spec.operation for table in route_tables() for spec in table.specs}
    target_dependent = {op for op in routes if "{target}" in op}
    assert routes - target_dependent - {"GET /v2/self"} <= set(REQUIRED)
    spec = load_spec()
    for op in spec_operations(spec):
        if op.key in target_dependent or op.key == "GET /v2/self":
            continue
        security = spec["paths"][op.path][op.method.lower()]["security"][0]["oauth2"]
        assert set(REQUIRED[op.key]) == set(security), op.key


def test_unknown_scopes_are_refused_with_the_list() -> None:
    with pytest.raises(ValueError, match="note:write"):
        parse_scopes("note:read,note:write")
    assert parse_scopes("note:read note:read-write") == ("note:read", "note:read-write")
