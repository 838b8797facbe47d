"""The emulator answers with Attio's shapes for the basic record round trip."""

from starlette.testclient import TestClient


def test_create_then_get_person_round_trip(api: TestClient) -> None:
    created = api.post(
        "/v2/objects/people/records",
        json={
            "data": {"values": {"email_addresses": ["Ada@Example.com"], "name": "Lovelace, Ada"}}
        },
    )
    assert created.status_code == 200, created.text
    record_id = created.json()["data"]["id"]["record_id"]
    got = api.get(f"/v2/objects/people/records/{record_id}").json()["data"]
    email = got["values"]["email_addresses"][0]
    assert email["email_address"] == "ada@example.com"
    assert email["original_email_address"] == "Ada@Example.com"
    assert got["values"]["name"][0]["full_name"] == "Ada Lovelace"


def test_unknown_token_gets_attio_401(api: TestClient) -> None:
    r = api.get("/v2/objects", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
    assert set(r.json()) == {"status_code", "type", "code", "message"}
