"""Small helpers for the emulator's core tests: writes that must succeed, errors that must fail.

Every helper goes through HTTP (the ``api`` fixture); none reaches into the emulator's state.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.testclient import TestClient

# API-NOTES §0: timestamps are ISO-8601 UTC with nanosecond precision.
NANO_TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# API-NOTES §2: the envelope every value carries.
ENVELOPE = {"active_from", "active_until", "created_by_actor", "attribute_type"}
ERROR_KEYS = {"status_code", "type", "code", "message"}


def ok(response: Any) -> Any:
    """The ``data`` of a 200 response (fails the test with the body otherwise)."""
    assert response.status_code == 200, response.text
    return response.json()["data"]


def error(response: Any, status: int, code: str) -> str:
    """Assert Attio's 4-key error body (API-NOTES §8) with this status and code; its message."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == ERROR_KEYS, body
    assert body["status_code"] == status
    assert body["code"] == code, body
    expected_type = {401: "auth_error", 403: "auth_error", 429: "rate_limit_error"}
    assert body["type"] == expected_type.get(status, "invalid_request_error")
    assert isinstance(body["message"], str) and body["message"]
    message: str = body["message"]
    return message


def create(api: TestClient, obj: str, values: dict[str, Any]) -> dict[str, Any]:
    """``POST /v2/objects/{obj}/records``; the created record."""
    data: dict[str, Any] = ok(
        api.post(f"/v2/objects/{obj}/records", json={"data": {"values": values}})
    )
    return data


def rid(record: dict[str, Any]) -> str:
    """A record's id."""
    record_id: str = record["id"]["record_id"]
    return record_id


def get(api: TestClient, obj: str, record_id: str) -> dict[str, Any]:
    """``GET /v2/objects/{obj}/records/{record_id}``."""
    data: dict[str, Any] = ok(api.get(f"/v2/objects/{obj}/records/{record_id}"))
    return data


def attribute(
    api: TestClient, target: str, ident: str, slug: str, type_: str, **fields: Any
) -> dict[str, Any]:
    """Create an attribute with the body ``POST /v2/{target}/{ident}/attributes`` requires."""
    body: dict[str, Any] = {
        "title": slug.replace("_", " ").title(),
        "description": f"Test attribute {slug}",
        "api_slug": slug,
        "type": type_,
        "is_required": False,
        "is_unique": False,
        "is_multiselect": False,
        "config": {},
    }
    body.update(fields)
    data: dict[str, Any] = ok(api.post(f"/v2/{target}/{ident}/attributes", json={"data": body}))
    return data


def add_options(api: TestClient, target: str, ident: str, slug: str, *titles: str) -> None:
    """Add select options by title."""
    for title in titles:
        ok(
            api.post(
                f"/v2/{target}/{ident}/attributes/{slug}/options", json={"data": {"title": title}}
            )
        )


def make_list(api: TestClient, slug: str, parent: str = "people") -> dict[str, Any]:
    """``POST /v2/lists`` with every required field."""
    body = {
        "name": slug.replace("_", " ").title(),
        "api_slug": slug,
        "parent_object": parent,
        "workspace_access": "full-access",
        "workspace_member_access": [],
    }
    data: dict[str, Any] = ok(api.post("/v2/lists", json={"data": body}))
    return data


def person(api: TestClient, email: str, **values: Any) -> dict[str, Any]:
    """A person with one email address."""
    return create(api, "people", {"email_addresses": [email], **values})


def company(api: TestClient, domain: str, **values: Any) -> dict[str, Any]:
    """A company with one domain."""
    return create(api, "companies", {"domains": [domain], **values})


def targets(record: dict[str, Any], slug: str) -> list[str]:
    """The target record ids of a record-reference attribute, in order."""
    return [v["target_record_id"] for v in record["values"][slug]]


def member_id(api: TestClient, email: str = "ada@example.com") -> str:
    """The id of a workspace member, read back through an actor-reference write on a deal."""
    deal = create(api, "deals", {"name": "probe", "stage": "Lead", "owner": email})
    ident: str = deal["values"]["owner"][0]["referenced_actor_id"]
    gone = api.delete(f"/v2/objects/deals/records/{rid(deal)}")
    assert gone.status_code == 200 and gone.json() == {}, gone.text
    return ident
