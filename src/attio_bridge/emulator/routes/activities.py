"""Routes for custom activities and activity records (beta), emails (alpha) and sequences (beta).

Paths and shapes as docs.attio.com/rest-api/endpoint-reference/activities/*,
activity-records/*, emails/list-emails and sequences/* give them: activities page by cursor
(limit default 100), activity records take the record operations' bodies (``{"data":
{"values": ...}}``, flat query bodies) and answer ``{"data": ...}``.
"""

from __future__ import annotations

from typing import Any

from ..errors import ValidationTypeError
from ..http import Call, RouteTable
from ..models import activities, emails
from ..models.meetings import cursor_page
from ..models.query import run_query
from ..models.schema import ActivityDef

table = RouteTable()


def _activity(call: Call) -> ActivityDef:
    return call.ws.schema.get_activity(call.path["activity"])


async def _values(call: Call) -> Any:
    data = await call.data()
    if "values" not in data:
        raise ValidationTypeError('"data.values" is required: an object keyed by attribute slug.')
    return data["values"]


# -- activities ----------------------------------------------------------------------------------
@table.route("GET", "/v2/activities")
async def list_activities(call: Call) -> Any:
    ws = call.ws
    found = [activities.render(ws, a) for a in ws.schema.activities.values()]
    page, next_cursor = cursor_page(
        found, call.query("cursor"), call.query_int("limit", 100, 1, 1000)
    )
    return {"data": page, "pagination": {"next_cursor": next_cursor}}


@table.route("POST", "/v2/activities")
async def create_activity(call: Call) -> Any:
    act = activities.create(call.ws, await call.data(), call.actor)
    return {"data": activities.render(call.ws, act)}


@table.route("GET", "/v2/activities/{activity}")
async def get_activity(call: Call) -> Any:
    return {"data": activities.render(call.ws, _activity(call))}


@table.route("PATCH", "/v2/activities/{activity}")
async def update_activity(call: Call) -> Any:
    data = await call.data()
    act = activities.update(call.ws, call.path["activity"], data, call.actor)
    return {"data": activities.render(call.ws, act)}


@table.route("DELETE", "/v2/activities/{activity}")
async def delete_activity(call: Call) -> Any:
    activities.delete(call.ws, call.path["activity"], call.actor)
    return {}


# -- activity records ----------------------------------------------------------------------------
@table.route("POST", "/v2/activities/{activity}/records/query", write=False)
async def query_records(call: Call) -> Any:
    ws, act = call.ws, _activity(call)
    page = run_query(ws, act, await call.flat())
    return {"data": [activities.render_record(ws, act, rec) for rec in page]}


@table.route("POST", "/v2/activities/{activity}/records")
async def create_record(call: Call) -> Any:
    values = await _values(call)
    ws, act = call.ws, _activity(call)
    rec = activities.create_record(ws, act, values, call.actor)
    return {"data": activities.render_record(ws, act, rec)}


@table.route("PUT", "/v2/activities/{activity}/records")
async def assert_record(call: Call) -> Any:
    values = await _values(call)
    ws, act = call.ws, _activity(call)
    matching = call.query("matching_attribute")
    if not matching:
        raise ValidationTypeError(
            'The "matching_attribute" query parameter is required: name a unique attribute.'
        )
    rec = activities.assert_record(ws, act, matching, values, call.actor)
    return {"data": activities.render_record(ws, act, rec)}


@table.route("GET", "/v2/activities/{activity}/records/{record_id}")
async def get_record(call: Call) -> Any:
    ws, act = call.ws, _activity(call)
    rec = activities.get_record(ws, act, call.path["record_id"])
    return {"data": activities.render_record(ws, act, rec)}


async def _update(call: Call, mode: str) -> Any:
    values = await _values(call)
    ws, act = call.ws, _activity(call)
    rec = activities.update_record(ws, act, call.path["record_id"], values, mode, call.actor)
    return {"data": activities.render_record(ws, act, rec)}


@table.route("PATCH", "/v2/activities/{activity}/records/{record_id}")
async def patch_record(call: Call) -> Any:
    return await _update(call, "append")


@table.route("PUT", "/v2/activities/{activity}/records/{record_id}")
async def put_record(call: Call) -> Any:
    return await _update(call, "replace")


@table.route("DELETE", "/v2/activities/{activity}/records/{record_id}")
async def delete_record(call: Call) -> Any:
    activities.delete_record(call.ws, _activity(call), call.path["record_id"], call.actor)
    return {}


# -- emails and sequences ------------------------------------------------------------------------
@table.route("GET", "/v2/emails")
async def list_emails(call: Call) -> Any:
    found = emails.list_emails(
        call.ws,
        linked_object=call.query("linked_object"),
        linked_record_ids=call.query("linked_record_ids"),
        participants=call.query("participants"),
        domain=call.query("domain"),
        sent_after=call.query("sent_after"),
        sent_before=call.query("sent_before"),
        exclude_automated=call.query_bool("exclude_automated_participants"),
    )
    page, next_cursor = cursor_page(
        found, call.query("cursor"), call.query_int("limit", 25, 1, 100)
    )
    return {"data": page, "pagination": {"next_cursor": next_cursor}}


@table.route("POST", "/v2/sequences/unsubscribed_emails")
async def unsubscribe(call: Call) -> Any:
    return {"data": emails.unsubscribe(call.ws, await call.data())}
