"""Workspace members, /v2/self and the SCIM schema list in the emulator, through its HTTP API.

Sources: API-NOTES §1, §6 (member and /v2/self shapes), gotcha 5 (no data wrapper on /v2/self),
docs.attio.com/rest-api/scim/list-schemas (SCIM resources User and Group), and the SPEC.
"""

from __future__ import annotations

from starlette.testclient import TestClient

from attio_bridge.emulator import EmulatorConfig, create_app

from ._spec import check_response

MISSING = "00000000-0000-4000-8000-000000000000"


def test_list_and_get_members(api: TestClient) -> None:
    """API-NOTES §6: the workspace member read shape; a missing member is 404 not_found."""
    r = api.get("/v2/workspace_members")
    assert r.status_code == 200, r.text
    members = r.json()["data"]
    assert len(members) == 1
    ada = members[0]
    assert set(ada) == {
        "id",
        "first_name",
        "last_name",
        "avatar_url",
        "email_address",
        "created_at",
        "access_level",
    }
    assert ada["access_level"] in ("admin", "member", "suspended")
    assert set(ada["id"]) == {"workspace_id", "workspace_member_id"}
    got = api.get(f"/v2/workspace_members/{ada['id']['workspace_member_id']}")
    assert got.json()["data"] == ada
    missing = api.get(f"/v2/workspace_members/{MISSING}")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


def test_self_identifies_the_token_without_a_data_wrapper(api: TestClient) -> None:
    """API-NOTES §6 and gotcha 5: /v2/self answers a bare object describing token and workspace."""
    r = api.get("/v2/self")
    assert r.status_code == 200, r.text
    me = r.json()
    assert "data" not in me
    member = api.get("/v2/workspace_members").json()["data"][0]
    workspace_id = member["id"]["workspace_id"]
    assert me["active"] is True
    assert me["token_type"] == "Bearer"
    assert me["iss"] == "attio.com"
    assert me["exp"] is None
    assert isinstance(me["iat"], int)
    assert me["sub"] == me["workspace_id"] == workspace_id
    assert me["aud"] == me["client_id"]
    assert me["authorized_by_workspace_member_id"] == member["id"]["workspace_member_id"]
    assert isinstance(me["scope"], str) and me["scope"]
    assert me["workspace_logo_url"] is None


def test_self_names_the_configured_workspace() -> None:
    """/v2/self reports the workspace name and slug the emulator was configured with."""
    app = create_app(
        EmulatorConfig(
            api_keys=["k"], workspace_name="Acme", workspace_slug="acme", read_rate=0, write_rate=0
        )
    )
    with TestClient(app, base_url="http://e", headers={"Authorization": "Bearer k"}) as client:
        me = client.get("/v2/self").json()
    assert (me["workspace_name"], me["workspace_slug"]) == ("Acme", "acme")


def test_self_needs_a_valid_token(api: TestClient) -> None:
    """API-NOTES §8: an unknown bearer token is refused with 401 unauthorized."""
    r = api.get("/v2/self", headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401
    assert r.json()["code"] == "unauthorized"


def test_scim_schemas_list(api: TestClient) -> None:
    """docs.attio.com/rest-api/scim/list-schemas: a SCIM ListResponse of the User and Group
    schemas."""
    r = api.get("/scim/v2/Schemas")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]
    assert body["startIndex"] == 1
    assert body["totalResults"] == body["itemsPerPage"] == len(body["Resources"])
    ids = [res["id"] for res in body["Resources"]]
    assert ids == [
        "urn:ietf:params:scim:schemas:core:2.0:User",
        "urn:ietf:params:scim:schemas:core:2.0:Group",
    ]
    for res in body["Resources"]:
        assert res["schemas"] == ["urn:ietf:params:scim:schemas:core:2.0:Schema"]
        assert res["meta"]["location"] == f"/scim/v2/Schemas/{res['id']}"
        assert all({"name", "type", "multiValued"} <= set(a) for a in res["attributes"])
    user_attrs = {a["name"] for a in body["Resources"][0]["attributes"]}
    assert {"userName", "name", "emails", "active"} <= user_attrs


def test_workspace_responses_match_the_spec(api: TestClient) -> None:
    """The SPEC's 200 schemas for members, /v2/self and SCIM schemas."""
    members = api.get("/v2/workspace_members").json()
    check_response("GET", "/v2/workspace_members", 200, members)
    member_id = members["data"][0]["id"]["workspace_member_id"]
    one = api.get(f"/v2/workspace_members/{member_id}").json()
    check_response("GET", "/v2/workspace_members/{workspace_member_id}", 200, one)
    check_response("GET", "/v2/self", 200, api.get("/v2/self").json())
    check_response("GET", "/scim/v2/Schemas", 200, api.get("/scim/v2/Schemas").json())
