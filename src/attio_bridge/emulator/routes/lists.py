"""Routes for lists and list entries."""

from __future__ import annotations

from typing import Any

from ..errors import ValidationTypeError, ValueNotFoundError
from ..http import Call, RouteTable, json_response
from ..models.query import run_query
from ..workspace import Workspace
from .body import check_fields

table = RouteTable()
ACCESS_LEVELS = ("full-access", "read-and-write", "read-only")


def _access(ws: Workspace, data: dict[str, Any]) -> tuple[str | None, list[dict[str, str]]]:
    access = data.get("workspace_access")
    if access is not None and access not in ACCESS_LEVELS:
        raise ValidationTypeError(
            f'"workspace_access" must be one of {", ".join(ACCESS_LEVELS)} or null, got {access!r}.'
        )
    members = data.get("workspace_member_access") or []
    if not isinstance(members, list):
        raise ValidationTypeError('"workspace_member_access" must be an array.')
    kept: list[dict[str, str]] = []
    for m in members:
        if (
            not isinstance(m, dict)
            or m.get("level") not in ACCESS_LEVELS
            or not isinstance(m.get("workspace_member_id"), str)
        ):
            raise ValidationTypeError(
                'Each "workspace_member_access" item needs "workspace_member_id" and a "level" '
                f"among {', '.join(ACCESS_LEVELS)}."
            )
        if m["workspace_member_id"] not in ws.members:
            # SPEC's 400 for lists naming someone who is not a member.
            raise ValueNotFoundError(
                f'Workspace member with ID "{m["workspace_member_id"]}" not found.'
            )
        # Only the two documented keys are kept, so the list reads back in its own shape.
        kept.append({"workspace_member_id": m["workspace_member_id"], "level": m["level"]})
    members = kept
    if access != "full-access" and not any(m["level"] == "full-access" for m in members):
        raise ValidationTypeError(
            'Someone must have full access to a list: set workspace_access to "full-access" or '
            "give a workspace member full-access."
        )
    return access, members


@table.route("GET", "/v2/lists")
async def list_lists(call: Call) -> Any:
    ws = call.ws
    return {"data": [ws.render_list(lst) for lst in ws.schema.lists.values()]}


@table.route("POST", "/v2/lists")
async def create_list(call: Call) -> Any:
    ws = call.ws
    data = await call.data()
    missing = [
        k
        for k in (
            "name",
            "api_slug",
            "parent_object",
            "workspace_access",
            "workspace_member_access",
        )
        if k not in data
    ]
    if missing:
        raise ValidationTypeError(f"Missing required fields: {', '.join(missing)}.")
    check_fields(data, name="str", api_slug="str", parent_object="str")
    access, members = _access(ws, data)
    lst = ws.schema.create_list(
        data["name"], data["api_slug"], str(data["parent_object"]), access, members, call.actor
    )
    ws.emit("list.created", {"list_id": lst.id}, call.actor)
    return {"data": ws.render_list(lst)}


@table.route("GET", "/v2/lists/{list}")
async def get_list(call: Call) -> Any:
    return {"data": call.ws.render_list(call.ws.schema.get_list(call.path["list"]))}


@table.route("PATCH", "/v2/lists/{list}")
async def update_list(call: Call) -> Any:
    ws = call.ws
    lst = ws.schema.get_list(call.path["list"])
    data = await call.data()
    if "parent_object" in data:
        raise ValidationTypeError("The parent object of a list cannot be changed.")
    check_fields(data, name="str", api_slug="str")
    if "workspace_access" in data or "workspace_member_access" in data:
        merged = {
            "workspace_access": data.get("workspace_access", lst.workspace_access),
            "workspace_member_access": data.get(
                "workspace_member_access", lst.workspace_member_access
            ),
        }
        lst.workspace_access, lst.workspace_member_access = _access(ws, merged)
    if "api_slug" in data:
        ws.schema.rename_list(lst, data["api_slug"])
    if "name" in data:
        lst.name = data["name"]
    ws.emit("list.updated", {"list_id": lst.id}, call.actor)
    return {"data": ws.render_list(lst)}


@table.route("POST", "/v2/lists/{list}/entries/query", write=False)
async def query_entries(call: Call) -> Any:
    ws = call.ws
    lst = ws.schema.get_list(call.path["list"])
    body = await call.flat()
    scored = call.state.scores.charge(body, len(ws.store.holders(lst)))
    page = run_query(ws, lst, body)
    return json_response({"data": [ws.render_entry(lst, e) for e in page]}, headers=scored)


@table.route("POST", "/v2/lists/{list}/entries")
async def create_entry(call: Call) -> Any:
    ws = call.ws
    lst = ws.schema.get_list(call.path["list"])
    entry = ws.create_entry(lst, await call.data(), call.actor)
    return {"data": ws.render_entry(lst, entry)}


@table.route("PUT", "/v2/lists/{list}/entries")
async def assert_entry(call: Call) -> Any:
    ws = call.ws
    lst = ws.schema.get_list(call.path["list"])
    entry = ws.assert_entry(lst, await call.data(), call.actor)
    return {"data": ws.render_entry(lst, entry)}


@table.route("GET", "/v2/lists/{list}/entries/{entry_id}")
async def get_entry(call: Call) -> Any:
    ws = call.ws
    lst = ws.schema.get_list(call.path["list"])
    return {"data": ws.render_entry(lst, ws.get_entry(lst, call.path["entry_id"]))}


async def _update(call: Call, mode: str) -> Any:
    ws = call.ws
    lst = ws.schema.get_list(call.path["list"])
    data = await call.data()
    entry = ws.get_entry(lst, call.path["entry_id"])
    ws.store.check_parent_unchanged(entry, data)
    if "entry_values" not in data:
        raise ValidationTypeError('"data.entry_values" is required.')
    entry = ws.update_entry(lst, entry.id, data["entry_values"], mode, call.actor)
    return {"data": ws.render_entry(lst, entry)}


@table.route("PATCH", "/v2/lists/{list}/entries/{entry_id}")
async def patch_entry(call: Call) -> Any:
    return await _update(call, "append")


@table.route("PUT", "/v2/lists/{list}/entries/{entry_id}")
async def put_entry(call: Call) -> Any:
    return await _update(call, "replace")


@table.route("DELETE", "/v2/lists/{list}/entries/{entry_id}")
async def delete_entry(call: Call) -> Any:
    ws = call.ws
    lst = ws.schema.get_list(call.path["list"])
    ws.delete_entry(lst, call.path["entry_id"], call.actor)
    return json_response({})


@table.route("GET", "/v2/lists/{list}/entries/{entry_id}/attributes/{attribute}/values")
async def entry_values(call: Call) -> Any:
    ws = call.ws
    lst = ws.schema.get_list(call.path["list"])
    entry = ws.get_entry(lst, call.path["entry_id"])
    attr = ws.schema.get_attribute(lst, call.path["attribute"])
    vals = ws.attribute_values(lst, entry, attr, call.query_bool("show_historic"))
    offset = call.query_int("offset", 0, 0, None)
    limit = call.query_int("limit", len(vals) or 1, 1, None)
    return {"data": vals[offset : offset + limit]}
