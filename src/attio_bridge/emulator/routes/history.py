"""Routes for history writes: an attribute's whole value history of a record or list entry.

See ``models/history.py`` for the semantics (no webhooks, refused attribute kinds, intervals).
"""

from __future__ import annotations

from typing import Any

from ..http import Call, RouteTable
from ..models.history import write_history

table = RouteTable()


@table.route("PUT", "/v2/objects/{object}/records/{record_id}/attributes/{attribute}/values")
async def write_record_values(call: Call) -> Any:
    ws = call.ws
    obj = ws.schema.get_object(call.path["object"])
    rec = ws.get_record(obj, call.path["record_id"])
    attr = ws.schema.get_attribute(obj, call.path["attribute"])
    data = await call.data()
    return {"data": write_history(ws, obj, rec, attr, data, call.actor)}


@table.route("PUT", "/v2/lists/{list}/entries/{entry_id}/attributes/{attribute}/values")
async def write_entry_values(call: Call) -> Any:
    ws = call.ws
    lst = ws.schema.get_list(call.path["list"])
    entry = ws.get_entry(lst, call.path["entry_id"])
    attr = ws.schema.get_attribute(lst, call.path["attribute"])
    data = await call.data()
    return {"data": write_history(ws, lst, entry, attr, data, call.actor)}
