"""Routes about the workspace itself: members, ``/v2/self`` and the SCIM schema list.

``/v2/self`` and SCIM answer bare objects, not ``{"data": ...}`` (API-NOTES gotcha 5).
"""

from __future__ import annotations

from typing import Any

from ..clock import parse_ts
from ..http import Call, RouteTable

table = RouteTable()


@table.route("GET", "/v2/workspace_members")
async def list_members(call: Call) -> Any:
    ws = call.ws
    return {"data": [ws.render_member(m) for m in ws.members.values()]}


@table.route("GET", "/v2/workspace_members/{workspace_member_id}")
async def get_member(call: Call) -> Any:
    ws = call.ws
    return {"data": ws.render_member(ws.get_member(call.path["workspace_member_id"]))}


@table.route("GET", "/v2/self")
async def identify(call: Call) -> Any:
    ws = call.ws
    token = call.token
    # The token was authorised by the workspace's first admin (the emulator keeps no other record).
    admins = [m for m in ws.members.values() if m.access_level == "admin"]
    candidates = admins or list(ws.members.values())
    authorizer = candidates[0] if candidates else None
    return {
        "active": True,
        # The emulator's keys are workspace tokens (the newer spec: "workspace" or "user").
        "token_level": "workspace",
        "scope": token.scopes,
        "client_id": token.token_id,
        "token_type": "Bearer",
        "exp": None,
        "iat": int(parse_ts(token.created_at).timestamp()),
        "sub": ws.workspace_id,
        "aud": token.token_id,
        "iss": "attio.com",
        "authorized_by_workspace_member_id": authorizer.member_id if authorizer else None,
        "workspace_id": ws.workspace_id,
        "workspace_name": ws.name,
        "workspace_slug": ws.slug,
        "workspace_logo_url": None,
    }


def _attr(name: str, kind: str, description: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "type": kind,
        "multiValued": False,
        "description": description,
        "required": False,
        "mutability": "readWrite",
        "returned": "default",
        **extra,
    }


# The resources Attio lists (docs.attio.com/rest-api/scim/list-schemas): User and Group.
SCIM_SCHEMAS: list[dict[str, Any]] = [
    {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": "urn:ietf:params:scim:schemas:core:2.0:User",
        "name": "User",
        "description": "Attio workspace member",
        "attributes": [
            _attr(
                "userName",
                "string",
                "The user's primary email address",
                required=True,
                uniqueness="server",
            ),
            _attr(
                "name",
                "complex",
                "The user's name",
                subAttributes=[
                    _attr("givenName", "string", "First name"),
                    _attr("familyName", "string", "Last name"),
                ],
            ),
            _attr(
                "emails",
                "complex",
                "The user's email addresses",
                multiValued=True,
                mutability="readOnly",
                subAttributes=[
                    _attr("value", "string", "An email address", mutability="readOnly"),
                    _attr("primary", "boolean", "Whether it is the primary address"),
                ],
            ),
            _attr("active", "boolean", "Whether the user can access the workspace"),
            _attr(
                "appRole",
                "string",
                "The user's access level in the workspace: admin or member",
                canonicalValues=["admin", "member"],
            ),
        ],
        "meta": {
            "resourceType": "Schema",
            "location": "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
        },
    },
    {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": "urn:ietf:params:scim:schemas:core:2.0:Group",
        "name": "Group",
        "description": "Attio's team",
        "attributes": [
            _attr("displayName", "string", "The team's name", required=True, uniqueness="server"),
            _attr(
                "members",
                "complex",
                "The team's members",
                multiValued=True,
                subAttributes=[
                    _attr("value", "string", "A workspace member ID"),
                    _attr("$ref", "reference", "The member's SCIM User resource"),
                ],
            ),
        ],
        "meta": {
            "resourceType": "Schema",
            "location": "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group",
        },
    },
]


@table.route("GET", "/scim/v2/Schemas")
async def scim_schemas(call: Call) -> Any:
    return {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": len(SCIM_SCHEMAS),
        "startIndex": 1,
        "itemsPerPage": len(SCIM_SCHEMAS),
        "Resources": SCIM_SCHEMAS,
    }
