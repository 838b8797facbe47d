"""Routes for objects, attributes, select options and statuses."""

from __future__ import annotations

from typing import Any

from ..errors import ValidationTypeError, ValueNotFoundError
from ..http import Call, RouteTable
from ..models.schema import (
    ActivityDef,
    Attribute,
    ListDef,
    Parent,
    check_default_value,
    option_conflict,
    status_conflict,
)
from ..models.values import check_default
from .body import check_fields, check_not_empty

table = RouteTable()


def _require(data: dict[str, Any], *keys: str) -> None:
    missing = [k for k in keys if k not in data]
    if missing:
        raise ValidationTypeError(f"Missing required fields: {', '.join(missing)}.")


@table.route("GET", "/v2/objects")
async def list_objects(call: Call) -> Any:
    ws = call.ws
    return {"data": [ws.render_object(o) for o in ws.schema.objects.values()]}


@table.route("POST", "/v2/objects")
async def create_object(call: Call) -> Any:
    data = await call.data()
    _require(data, "api_slug", "singular_noun", "plural_noun")
    check_fields(data, api_slug="str", singular_noun="str", plural_noun="str")
    obj = call.ws.schema.create_object(data["api_slug"], data["singular_noun"], data["plural_noun"])
    return {"data": call.ws.render_object(obj)}


@table.route("GET", "/v2/objects/{object}")
async def get_object(call: Call) -> Any:
    return {"data": call.ws.render_object(call.ws.schema.get_object(call.path["object"]))}


@table.route("DELETE", "/v2/objects/{object}")
async def delete_object(call: Call) -> Any:
    ws = call.ws
    ws.delete_object(ws.schema.get_object(call.path["object"]))
    return {}


@table.route("PATCH", "/v2/objects/{object}")
async def update_object(call: Call) -> Any:
    ws = call.ws
    obj = ws.schema.get_object(call.path["object"])
    data = await call.data()
    check_not_empty(data)
    check_fields(data, api_slug="str", singular_noun="str", plural_noun="str")
    if "api_slug" in data:
        ws.schema.rename_object(obj, data["api_slug"])
    for key in ("singular_noun", "plural_noun"):
        if key in data:
            setattr(obj, key, data[key])
    return {"data": ws.render_object(obj)}


def _parent(call: Call) -> Parent:
    return call.ws.schema.get_parent(call.path["target"], call.path["identifier"])


def _attribute(call: Call) -> tuple[Parent, Attribute]:
    parent = _parent(call)
    return parent, call.ws.schema.get_attribute(parent, call.path["attribute"])


def _attr_event(call: Call, parent: Parent, attr: Attribute, verb: str) -> None:
    if isinstance(parent, ActivityDef):
        call.ws.emit(
            f"activity-attribute.{verb}",
            {"activity_id": parent.id, "attribute_id": attr.attribute_id},
            call.actor,
        )
    elif isinstance(parent, ListDef):
        call.ws.emit(
            f"list-attribute.{verb}",
            {"list_id": parent.id, "attribute_id": attr.attribute_id},
            call.actor,
        )
    else:
        call.ws.emit(
            f"object-attribute.{verb}",
            {"object_id": parent.id, "attribute_id": attr.attribute_id},
            call.actor,
        )


@table.route("GET", "/v2/{target}/{identifier}/attributes")
async def list_attributes(call: Call) -> Any:
    parent = _parent(call)
    show_archived = call.query_bool("show_archived")
    limit = call.query_int("limit", 10**9, 1, None)
    offset = call.query_int("offset", 0, 0, None)
    attrs = [a for a in parent.attributes.values() if show_archived or not a.is_archived]
    return {"data": [call.ws.render_attribute(a) for a in attrs[offset : offset + limit]]}


@table.route("POST", "/v2/{target}/{identifier}/attributes")
async def create_attribute(call: Call) -> Any:
    parent = _parent(call)
    data = await call.data()
    _require(
        data,
        "title",
        "description",
        "api_slug",
        "type",
        "is_required",
        "is_unique",
        "is_multiselect",
        "config",
    )
    check_fields(
        data,
        title="str",
        description="str?",
        api_slug="str",
        type="str",
        is_required="bool",
        is_unique="bool",
        is_multiselect="bool",
        config="object",
        relationship="object?",
        default_value="object?",
    )
    ws = call.ws
    created = ws.schema.create_attribute(
        parent, data, lambda attr, default: check_default(attr, default, ws)
    )
    for attr in created:
        _attr_event(call, call.ws.schema.parent_of(attr), attr, "created")
    return {"data": call.ws.render_attribute(created[0])}


@table.route("GET", "/v2/{target}/{identifier}/attributes/{attribute}")
async def get_attribute(call: Call) -> Any:
    _, attr = _attribute(call)
    return {"data": call.ws.render_attribute(attr)}


@table.route("PATCH", "/v2/{target}/{identifier}/attributes/{attribute}")
async def update_attribute(call: Call) -> Any:
    parent, attr = _attribute(call)
    data = await call.data()
    check_not_empty(data)
    check_fields(
        data,
        title="str",
        description="str?",
        api_slug="str",
        is_required="bool",
        is_unique="bool",
        is_archived="bool",
        config="object",
        default_value="object?",
    )
    if attr.is_system_attribute and any(k in data for k in ("api_slug", "is_unique", "type")):
        from ..errors import SystemEditUnauthorizedError

        raise SystemEditUnauthorizedError(
            f'System attribute "{attr.api_slug}" cannot have its slug, type or uniqueness changed.'
        )
    # Everything is checked before anything changes, so a refused update changes nothing.
    if data.get("is_unique") and not attr.is_unique:
        call.ws.schema.check_can_be_unique(parent, attr.type)
    default = check_default(attr, check_default_value(data.get("default_value")), call.ws)
    cur = (data.get("config") or {}).get("currency") or {}
    if not isinstance(cur, dict):
        raise ValidationTypeError('"config.currency" must be an object.')
    if "api_slug" in data:
        call.ws.schema.rename_attribute(parent, attr, data["api_slug"])
    for key in ("title", "description", "is_required", "is_unique", "is_archived"):
        if key in data:
            setattr(attr, key, data[key])
    if "is_unique" in data:
        call.ws.store.reindex_unique(parent, attr)
    if "default_value" in data:
        attr.default_value = default
    if attr.type == "currency" and cur:
        attr.currency_code = cur.get("default_currency_code", attr.currency_code)
        attr.currency_display = cur.get("display_type", attr.currency_display)
    _attr_event(call, parent, attr, "updated")
    return {"data": call.ws.render_attribute(attr)}


@table.route("GET", "/v2/{target}/{identifier}/attributes/{attribute}/options")
async def list_options(call: Call) -> Any:
    _, attr = _attribute(call)
    show_archived = call.query_bool("show_archived")
    opts = [o for o in attr.options.values() if show_archived or not o.is_archived]
    return {"data": [call.ws.render_option(attr, o) for o in opts]}


@table.route("POST", "/v2/{target}/{identifier}/attributes/{attribute}/options")
async def create_option(call: Call) -> Any:
    parent, attr = _attribute(call)
    data = await call.data()
    _require(data, "title")
    check_fields(data, title="str")
    opt = call.ws.schema.add_option(attr, data["title"])
    _attr_event(call, parent, attr, "updated")
    return {"data": call.ws.render_option(attr, opt)}


@table.route("PATCH", "/v2/{target}/{identifier}/attributes/{attribute}/options/{option}")
async def update_option(call: Call) -> Any:
    parent, attr = _attribute(call)
    opt = attr.find_option(call.path["option"])
    if opt is None:
        # SPEC: an unknown option here is 400 value_not_found, not a 404.
        raise ValueNotFoundError(
            f'Cannot find select attribute with select option title "{call.path["option"]}".'
        )
    data = await call.data()
    check_fields(data, title="str", is_archived="bool")
    if "title" in data and data["title"] != opt.title:
        if attr.find_option(data["title"]) is not None:
            raise option_conflict(data["title"])
        opt.title = data["title"]
    if "is_archived" in data:
        opt.is_archived = bool(data["is_archived"])
    _attr_event(call, parent, attr, "updated")
    return {"data": call.ws.render_option(attr, opt)}


@table.route("GET", "/v2/{target}/{identifier}/attributes/{attribute}/statuses")
async def list_statuses(call: Call) -> Any:
    _, attr = _attribute(call)
    if attr.type != "status":
        raise ValidationTypeError("This attribute is not a status attribute.")
    show_archived = call.query_bool("show_archived")
    sts = [s for s in attr.statuses.values() if show_archived or not s.is_archived]
    return {"data": [call.ws.render_status(attr, s) for s in sts]}


@table.route("POST", "/v2/{target}/{identifier}/attributes/{attribute}/statuses")
async def create_status(call: Call) -> Any:
    parent, attr = _attribute(call)
    data = await call.data()
    _require(data, "title")
    check_fields(data, title="str", celebration_enabled="bool", target_time_in_status="str?")
    st = call.ws.schema.add_status(attr, data)
    _attr_event(call, parent, attr, "updated")
    return {"data": call.ws.render_status(attr, st)}


@table.route("PATCH", "/v2/{target}/{identifier}/attributes/{attribute}/statuses/{status}")
async def update_status(call: Call) -> Any:
    parent, attr = _attribute(call)
    st = attr.find_status(call.path["status"])
    if st is None:
        raise ValueNotFoundError(
            f'Cannot find status attribute with status option title "{call.path["status"]}".'
        )
    data = await call.data()
    check_fields(
        data,
        title="str",
        is_archived="bool",
        celebration_enabled="bool",
        target_time_in_status="str?",
    )
    if "title" in data and data["title"] != st.title:
        if attr.find_status(data["title"]) is not None:
            raise status_conflict(data["title"])
        st.title = data["title"]
    for key in ("is_archived", "celebration_enabled", "target_time_in_status"):
        if key in data:
            setattr(st, key, data[key])
    _attr_event(call, parent, attr, "updated")
    return {"data": call.ws.render_status(attr, st)}
