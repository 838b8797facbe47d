"""Routes for saved views of objects and lists (``GET /v2/objects/{object}/views``,
``GET /v2/lists/{list}/views``; docs.attio.com/rest-api/endpoint-reference/views/...).

The emulator has no view editor, so each object and list has exactly one saved view, its
default table ("All <plural noun>" for an object, the list's name for a list). The view's id is
derived from the object's or list's id, so it is stable across restarts and needs no state.
Views are ordered by id and paged with a cursor (limit 1-1000, default 500), as documented.
"""

from __future__ import annotations

import uuid
from typing import Any

from ..http import Call, RouteTable
from ..models.meetings import cursor_page
from ..models.schema import ListDef, ObjectDef

table = RouteTable()

VIEWS_MAX = 1000
VIEWS_DEFAULT = 500
_VIEW_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "attio-bridge:emulator:default-view")


def default_view_id(parent_id: str) -> str:
    """The id of the default view of the object or list ``parent_id``."""
    return str(uuid.uuid5(_VIEW_NAMESPACE, parent_id))


def _views(call: Call, parent: ObjectDef | ListDef, id_key: str, title: str) -> Any:
    call.query_bool("show_archived")  # accepted; the default view is never archived
    views = [
        {
            "id": {
                "workspace_id": call.ws.workspace_id,
                id_key: parent.id,
                "view_id": default_view_id(parent.id),
            },
            "title": title,
            "created_at": parent.created_at,
        }
    ]
    limit = call.query_int("limit", VIEWS_DEFAULT, 1, VIEWS_MAX)
    page, next_cursor = cursor_page(views, call.query("cursor"), limit)
    return {"data": page, "pagination": {"next_cursor": next_cursor}}


@table.route("GET", "/v2/objects/{object}/views")
async def list_object_views(call: Call) -> Any:
    obj = call.ws.schema.get_object(call.path["object"])
    return _views(call, obj, "object_id", f"All {obj.plural_noun or obj.api_slug}")


@table.route("GET", "/v2/lists/{list}/views")
async def list_list_views(call: Call) -> Any:
    lst = call.ws.schema.get_list(call.path["list"])
    return _views(call, lst, "list_id", lst.name or lst.api_slug)
