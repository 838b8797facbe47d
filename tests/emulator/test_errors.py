"""Every error uses Attio's 4-key body ``{status_code, type, code, message}`` (API-NOTES §8,
gotcha 12): malformed JSON, wrong body shapes, unknown paths and methods, bad query parameters
and auth failures."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from .core_helpers import error, make_list, ok, person, rid

MISSING = "2d4bd5a4-58f4-4ef0-a5e7-d3e77c1a09cd"

WRITE_ENDPOINTS = [
    ("POST", "/v2/objects"),
    ("PATCH", "/v2/objects/people"),
    ("POST", "/v2/objects/people/attributes"),
    ("PATCH", "/v2/objects/people/attributes/job_title"),
    ("POST", "/v2/objects/companies/attributes/categories/options"),
    ("PATCH", "/v2/objects/companies/attributes/categories/options/SaaS"),
    ("POST", "/v2/objects/deals/attributes/stage/statuses"),
    ("POST", "/v2/objects/people/records"),
    ("PUT", "/v2/objects/people/records?matching_attribute=email_addresses"),
    ("POST", "/v2/objects/people/records/query"),
    ("POST", "/v2/lists"),
]


@pytest.mark.parametrize(("method", "path"), WRITE_ENDPOINTS)
@pytest.mark.parametrize("body", [b"{bad", b'{"data": ', b"\xff\xfe", b"[1, 2"])
def test_malformed_json_is_validation_type(
    api: TestClient, method: str, path: str, body: bytes
) -> None:
    """API-NOTES §8: a body that is not JSON is 400 validation_type with the 4-key body."""
    response = api.request(method, path, content=body, headers={"content-type": "application/json"})
    error(response, 400, "validation_type")


@pytest.mark.parametrize(
    ("method", "path"), [e for e in WRITE_ENDPOINTS if not e[1].endswith("/query")]
)
@pytest.mark.parametrize("body", [[], {"values": {}}, {"data": None}, {"data": []}, "x", 5])
def test_write_bodies_must_be_wrapped_in_data(
    api: TestClient, method: str, path: str, body: Any
) -> None:
    """API-NOTES §0: write bodies are ``{"data": {...}}``; anything else is validation_type."""
    error(api.request(method, path, json=body), 400, "validation_type")


@pytest.mark.parametrize("body", [[], "x", 5])
def test_flat_query_bodies_must_be_objects(api: TestClient, body: Any) -> None:
    """API-NOTES §0: query bodies are flat JSON objects."""
    error(api.post("/v2/objects/people/records/query", json=body), 400, "validation_type")


def test_unknown_path_and_method_are_404_with_attio_body(api: TestClient) -> None:
    """API-NOTES §8 not_found: the API answers every miss with its own error body (never a bare
    405 or an HTML page)."""
    error(api.get("/v2/nothing/here"), 404, "not_found")
    error(api.delete("/v2/workspace_members"), 404, "not_found")
    error(api.post("/v2/objects/people"), 404, "not_found")
    error(api.get("/v1/objects"), 404, "not_found")


@pytest.mark.parametrize("method", ["OPTIONS", "TRACE", "PROPFIND", "HEAD", "DELETE"])
@pytest.mark.parametrize("path", ["/v2/notes", "/v2/nothing/here", "/", "/_emulator/reset"])
def test_any_method_on_any_path_gets_attio_body(api: TestClient, method: str, path: str) -> None:
    """Issue 10: ``OPTIONS`` (and any method no route takes) answered Starlette's plain-text
    405. Every miss is Attio's 404 body, as for an unknown path (API-NOTES §8 not_found);
    where the path is served by other methods, the message names them."""
    if (method, path) == ("HEAD", "/v2/notes"):
        return  # a GET route's: served
    answer = api.request(method, path)
    assert answer.headers["content-type"].startswith("application/json")
    if method == "HEAD":  # no body to read, but the status and type are Attio's
        assert answer.status_code == 404
        return
    message = error(answer, 404, "not_found")
    assert message.startswith(f"No route for {method} {path} in the Attio API")
    if path == "/v2/notes":
        assert message.endswith(": /v2/notes takes GET, POST.")


def test_auth_failures_are_401_auth_error(api: TestClient) -> None:
    """API-NOTES §8: a missing or invalid token is 401 ``unauthorized`` of type auth_error."""
    for headers in (
        {"Authorization": "Bearer wrong"},
        {"Authorization": "Basic dGVzdC1rZXk6"},
        {"Authorization": "Bearer "},
        {"Authorization": ""},
    ):
        error(api.get("/v2/objects", headers=headers), 401, "unauthorized")
    error(
        api.post(
            "/v2/objects/people/records",
            json={"data": {"values": {}}},
            headers={"Authorization": "Bearer wrong"},
        ),
        401,
        "unauthorized",
    )


def test_bad_query_parameters_are_validation_type(api: TestClient) -> None:
    """API-NOTES §8 validation_type: query parameters of the wrong type or range."""
    ada = person(api, "ada@example.org")
    values = f"/v2/objects/people/records/{rid(ada)}/attributes/name/values"
    error(api.get(values, params={"show_historic": "maybe"}), 400, "validation_type")
    error(api.get(values, params={"limit": "ten"}), 400, "validation_type")
    refused = error(api.get(values, params={"offset": "-1"}), 400, "validation_type")
    # Issue 10: this said "must be between 0." (and a limit "between 1."): the real bounds.
    assert refused == (
        'Query parameter "offset" must be a whole number of at least 0 and at most '
        '9007199254740991, got "-1".'
    )
    refused = error(api.get(values, params={"limit": "0"}), 400, "validation_type")
    assert "at least 1 and at most 9007199254740991" in refused
    for huge in ("9223372036854775807", "1" * 5000, "5_0", "٣"):
        error(api.get(values, params={"offset": huge}), 400, "validation_type")
    entries = f"/v2/objects/people/records/{rid(ada)}/entries"
    error(api.get(entries, params={"limit": "1001"}), 400, "validation_type")
    error(api.get(entries, params={"limit": "0"}), 400, "validation_type")
    error(
        api.get("/v2/objects/people/attributes", params={"show_archived": "yes please"}),
        400,
        "validation_type",
    )


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/v2/objects/gizmos", 'Object with slug/ID "gizmos" not found.'),
        ("/v2/lists/gizmos", 'List with slug/ID "gizmos" not found.'),
        ("/v2/objects/people/attributes/gizmo", 'Attribute with slug/ID "gizmo" not found.'),
        (f"/v2/objects/people/records/{MISSING}", f'Record with ID "{MISSING}" not found.'),
    ],
)
def test_not_found_messages_follow_the_documented_patterns(
    api: TestClient, path: str, message: str
) -> None:
    """API-NOTES §8 (``<Thing> with slug/ID "<x>" not found.``) and §3 (records are addressed by
    ID: ``Record with ID "<id>" not found.``), as in SPEC's 404 examples."""
    assert error(api.get(path), 404, "not_found") == message


def test_error_types_by_status(api: TestClient) -> None:
    """API-NOTES §8 types: invalid_request_error for 400, 404 and 409."""
    make_list(api, "dupe")
    conflict = api.post(
        "/v2/lists",
        json={
            "data": {
                "name": "Dupe",
                "api_slug": "dupe",
                "parent_object": "people",
                "workspace_access": "full-access",
                "workspace_member_access": [],
            }
        },
    )
    error(conflict, 409, "slug_conflict")
    bad = api.post("/v2/objects/people/records", json={"data": {"values": {"name": 5}}})
    error(bad, 400, "validation_type")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", 5),
        ("description", ["x"]),
        ("api_slug", None),
        ("type", {"x": 1}),
        ("is_required", "yes"),
        ("is_unique", 1),
        ("is_multiselect", None),
        ("config", "x"),
        ("relationship", 5),
        ("default_value", {"type": "sometimes"}),
    ],
)
def test_attribute_body_field_types(api: TestClient, field: str, value: Any) -> None:
    """API-NOTES §8 validation_type: an attribute create body with a field of the wrong type
    (SPEC request schema) is refused and creates nothing."""
    body = {
        "title": "Tier",
        "description": None,
        "api_slug": "tier",
        "type": "text",
        "is_required": False,
        "is_unique": False,
        "is_multiselect": False,
        "config": {},
        field: value,
    }
    error(api.post("/v2/objects/people/attributes", json={"data": body}), 400, "validation_type")
    error(api.get("/v2/objects/people/attributes/tier"), 404, "not_found")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v2/objects", {"api_slug": "gizmos", "singular_noun": 5, "plural_noun": "Gizmos"}),
        ("/v2/objects/companies/attributes/categories/options", {"title": ["x"]}),
        ("/v2/objects/deals/attributes/stage/statuses", {"title": {}}),
        ("/v2/objects/deals/attributes/stage/statuses", {"title": "X", "celebration_enabled": 1}),
        (
            "/v2/lists",
            {
                "name": 5,
                "api_slug": "l",
                "parent_object": "people",
                "workspace_access": "full-access",
                "workspace_member_access": [],
            },
        ),
    ],
)
def test_schema_body_field_types(api: TestClient, path: str, body: dict[str, Any]) -> None:
    """API-NOTES §8 validation_type: schema write bodies with a field of the wrong type."""
    error(api.post(path, json={"data": body}), 400, "validation_type")


def test_empty_object_update_is_validation_type(api: TestClient) -> None:
    """SPEC PATCH /v2/objects/{object} 400: ``You passed an empty payload...``."""
    msg = error(api.patch("/v2/objects/people", json={"data": {}}), 400, "validation_type")
    assert msg.startswith("You passed an empty payload.")
    assert ok(api.get("/v2/objects/people"))["api_slug"] == "people"
