"""Routes for records: create, assert, get, update, delete, query, values, search, merge."""

from __future__ import annotations

from typing import Any

from ..errors import RateLimitError, ValidationTypeError
from ..http import Call, RouteTable, error_response, json_response, raw_json, retry_after_date
from ..models.query import run_query
from ..models.search import search_records

table = RouteTable()


def _values(data: dict[str, Any]) -> Any:
    if "values" not in data:
        raise ValidationTypeError('"data.values" is required: an object keyed by attribute slug.')
    return data["values"]


@table.route("POST", "/v2/objects/records/search", write=False)
async def search(call: Call) -> Any:
    body = await call.flat()
    return {"data": search_records(call.ws, body)}


@table.route("POST", "/v2/objects/{object}/records/query", write=False)
async def query_records(call: Call) -> Any:
    ws = call.ws
    obj = ws.schema.get_object(call.path["object"])
    body = await call.flat()
    scored = call.state.scores.charge(body, len(ws.store.holders(obj)))
    page = run_query(ws, obj, body)
    # Pre-serialised records (see Workspace.records_json): the page is joined, not re-rendered.
    return raw_json(b'{"data":' + ws.records_json(obj, page) + b"}", headers=scored)


@table.route("POST", "/v2/objects/{object}/records")
async def create_record(call: Call) -> Any:
    ws = call.ws
    obj = ws.schema.get_object(call.path["object"])
    rec = ws.create_record(obj, _values(await call.data()), call.actor)
    return {"data": ws.render_record(obj, rec)}


@table.route("PUT", "/v2/objects/{object}/records")
async def assert_record(call: Call) -> Any:
    ws = call.ws
    obj = ws.schema.get_object(call.path["object"])
    matching = call.query("matching_attribute")
    if not matching:
        raise ValidationTypeError(
            'The "matching_attribute" query parameter is required: name a unique attribute '
            "such as email_addresses or domains."
        )
    rec = ws.assert_record(obj, matching, _values(await call.data()), call.actor)
    return {"data": ws.render_record(obj, rec)}


@table.route("POST", "/v2/objects/{object}/records/merge")
async def merge_records(call: Call) -> Any:
    """Merge two records (docs.attio.com/rest-api/endpoint-reference/records/merge-two-records):
    200 when the new record is readable at once, 202 while the merge still applies. The
    endpoint's own limit, 5 requests per second, applies while rate limiting is on."""
    state = call.state
    if state.budget.write_rate > 0:
        now = state.budget.clock()
        if not state.merge_budget.take(call.token.token_id, True, now):
            return error_response(RateLimitError(), {"Retry-After": retry_after_date(now)})
    ws = call.ws
    obj = ws.schema.get_object(call.path["object"])
    data = await call.data()
    for key in ("primary_record_id", "secondary_record_id"):
        if not isinstance(data.get(key), str):
            raise ValidationTypeError(f'"{key}" is required.')
    new, pending = ws.merge_records(
        obj, data["primary_record_id"], data["secondary_record_id"], call.actor
    )
    return json_response({"data": {"new_record_id": new.id}}, 202 if pending else 200)


@table.route("GET", "/v2/objects/{object}/records/{record_id}")
async def get_record(call: Call) -> Any:
    ws = call.ws
    obj = ws.schema.get_object(call.path["object"])
    rec = ws.get_record(obj, call.path["record_id"])
    return raw_json(b'{"data":' + ws.records_json(obj, (rec,))[1:-1] + b"}")


async def _update(call: Call, mode: str) -> Any:
    ws = call.ws
    obj = ws.schema.get_object(call.path["object"])
    values = _values(await call.data())
    rec = ws.update_record(obj, call.path["record_id"], values, mode, call.actor)
    return {"data": ws.render_record(obj, rec)}


@table.route("PATCH", "/v2/objects/{object}/records/{record_id}")
async def patch_record(call: Call) -> Any:
    return await _update(call, "append")


@table.route("PUT", "/v2/objects/{object}/records/{record_id}")
async def put_record(call: Call) -> Any:
    return await _update(call, "replace")


@table.route("DELETE", "/v2/objects/{object}/records/{record_id}")
async def delete_record(call: Call) -> Any:
    ws = call.ws
    obj = ws.schema.get_object(call.path["object"])
    ws.delete_record(obj, call.path["record_id"], call.actor)
    return json_response({})


@table.route("GET", "/v2/objects/{object}/records/{record_id}/attributes/{attribute}/values")
async def record_values(call: Call) -> Any:
    ws = call.ws
    obj = ws.schema.get_object(call.path["object"])
    rec = ws.get_record(obj, call.path["record_id"])
    attr = ws.schema.get_attribute(obj, call.path["attribute"])
    vals = ws.attribute_values(obj, rec, attr, call.query_bool("show_historic"))
    offset = call.query_int("offset", 0, 0, None)
    limit = call.query_int("limit", len(vals) or 1, 1, None)
    return {"data": vals[offset : offset + limit]}


@table.route("GET", "/v2/objects/{object}/records/{record_id}/entries")
async def record_entries(call: Call) -> Any:
    ws = call.ws
    obj = ws.schema.get_object(call.path["object"])
    rec = ws.get_record(obj, call.path["record_id"])
    limit = call.query_int("limit", 100, 1, 1000)
    offset = call.query_int("offset", 0, 0, None)
    out = []
    for list_id, entry_id in ws.store.entries_of_record.get(rec.id, {}):
        lst = ws.schema.lists.get(list_id)
        entry = ws.store.entries.get(list_id, {}).get(entry_id)
        if lst is None or entry is None:
            continue
        out.append(
            {
                "list_id": lst.id,
                "list_api_slug": lst.api_slug,
                "entry_id": entry.id,
                "created_at": entry.created_at,
            }
        )
    return {"data": out[offset : offset + limit]}
