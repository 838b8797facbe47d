"""Conformance of workspace members, ``/v2/self`` and the SCIM schema list."""

from __future__ import annotations

import uuid

import pytest

from .factories import MEMBER_EMAIL
from .validation import ConformantClient

op = pytest.mark.operation


@op("GET /v2/workspace_members", "GET /v2/workspace_members/{workspace_member_id}")
def test_list_and_get_workspace_members(conformant: ConformantClient) -> None:
    """Spec members endpoints; the member shape of API-NOTES §6."""
    members = conformant.data("GET", "/v2/workspace_members")
    ada = next(m for m in members if m["email_address"] == MEMBER_EMAIL)
    assert ada["access_level"] in ("admin", "member", "suspended")
    got = conformant.data("GET", f"/v2/workspace_members/{ada['id']['workspace_member_id']}")
    assert got == ada


@op("GET /v2/workspace_members/{workspace_member_id}")
def test_unknown_workspace_member_is_404(conformant: ConformantClient) -> None:
    """Spec: get workspace member 404 ``not_found``."""
    conformant.get(f"/v2/workspace_members/{uuid.UUID(int=7)}", expect=404, code="not_found")


@op("GET /v2/self")
def test_self_is_not_wrapped_in_data(conformant: ConformantClient) -> None:
    """Spec "Identify": a bare object, no ``data`` wrapper (API-NOTES §6, gotcha 5)."""
    body = conformant.get("/v2/self", expect=200).json()
    assert "data" not in body
    assert body["active"] is True and body["token_type"] == "Bearer"
    members = conformant.data("GET", "/v2/workspace_members")
    assert body["authorized_by_workspace_member_id"] in [
        m["id"]["workspace_member_id"] for m in members
    ]


@op("GET /scim/v2/Schemas")
def test_scim_schemas(conformant: ConformantClient) -> None:
    """Spec "List SCIM schemas": a SCIM ListResponse (RFC 7644 §3.4.2)."""
    body = conformant.get("/scim/v2/Schemas", expect=200).json()
    assert body["totalResults"] == len(body["Resources"]) > 0
