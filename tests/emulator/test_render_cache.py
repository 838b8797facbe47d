"""Records are served from their cached JSON, which must never go stale.

Each read of a record after a change must show the change, whichever way it happened: a write to
the record, the other side of a relationship, a new or archived attribute, a renamed object.
"""

from typing import Any

from starlette.testclient import TestClient


def _company(api: TestClient) -> str:
    r = api.post(
        "/v2/objects/companies/records",
        json={"data": {"values": {"name": "Acme", "domains": ["acme.com"]}}},
    )
    assert r.status_code == 200, r.text
    record_id: str = r.json()["data"]["id"]["record_id"]
    return record_id


def _get(api: TestClient, record_id: str) -> dict[str, Any]:
    data: dict[str, Any] = api.get(f"/v2/objects/companies/records/{record_id}").json()["data"]
    return data


def _page(api: TestClient) -> list[dict[str, Any]]:
    r = api.post("/v2/objects/companies/records/query", json={})
    data: list[dict[str, Any]] = r.json()["data"]
    return data


def test_own_write_shows_after_a_cached_read(api: TestClient) -> None:
    cid = _company(api)
    assert _get(api, cid)["values"]["name"][0]["value"] == "Acme"
    api.patch(f"/v2/objects/companies/records/{cid}", json={"data": {"values": {"name": "Acme 2"}}})
    assert _get(api, cid)["values"]["name"][0]["value"] == "Acme 2"
    assert _page(api)[0]["values"]["name"][0]["value"] == "Acme 2"


def test_relationship_change_on_the_other_record_shows(api: TestClient) -> None:
    """API-NOTES §2: writing people.company updates companies.team, which was cached."""
    cid = _company(api)
    assert _get(api, cid)["values"]["team"] == []
    r = api.post(
        "/v2/objects/people/records",
        json={"data": {"values": {"email_addresses": ["ada@acme.com"], "company": "acme.com"}}},
    )
    pid = r.json()["data"]["id"]["record_id"]
    assert [v["target_record_id"] for v in _get(api, cid)["values"]["team"]] == [pid]
    api.delete(f"/v2/objects/people/records/{pid}")
    assert _get(api, cid)["values"]["team"] == []


def test_schema_changes_show_on_cached_records(api: TestClient) -> None:
    cid = _company(api)
    assert "tier" not in _page(api)[0]["values"]
    r = api.post(
        "/v2/objects/companies/attributes",
        json={
            "data": {
                "title": "Tier",
                "description": None,
                "api_slug": "tier",
                "type": "text",
                "is_required": False,
                "is_unique": False,
                "is_multiselect": False,
                "config": {},
            }
        },
    )
    assert r.status_code == 200, r.text
    assert _get(api, cid)["values"]["tier"] == []
    api.patch("/v2/objects/companies/attributes/tier", json={"data": {"is_archived": True}})
    assert "tier" not in _get(api, cid)["values"]
    api.patch("/v2/objects/companies", json={"data": {"singular_noun": "Organisation"}})
    assert "/organisation/" in _get(api, cid)["web_url"]
