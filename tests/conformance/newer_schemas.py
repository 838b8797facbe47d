"""Response schemas of operations newer than the vendored spec (issue 14), by operation and
status, as Attio's current docs describe them (each operation's page is its ``source`` in
``attio_bridge.emulator.spec.NOTES_OPERATIONS``). ``validation.NOTES_RESPONSE_SCHEMAS`` takes
them in beside record merge's.

A note and a meeting are written out as the newer spec has them (the ``attio`` 0.26.1 models
``Note`` and ``Meeting``, with a participant's ``name``). Nothing here reads the vendored spec, so
these schemas load even where the spec is missing (``test_clone.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .differences import ERROR_BODY_SCHEMA

UUID = {
    "type": "string",
    "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
}


def error(
    status: int, codes: Iterable[str], type_: str = "invalid_request_error"
) -> dict[str, Any]:
    """Attio's error body with this status, one of ``codes`` and ``type_``."""
    return {
        **ERROR_BODY_SCHEMA,
        "properties": {
            **ERROR_BODY_SCHEMA["properties"],
            "status_code": {"const": status},
            "type": {"const": type_},
            "code": {"enum": sorted(codes)},
        },
    }


def _data(schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": ["data"], "properties": {"data": schema}}


def _object(required: dict[str, Any], **optional: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "required": sorted(required),
        "properties": {**required, **optional},
    }


def _ids(*keys: str) -> dict[str, Any]:
    return _object({k: UUID for k in ("workspace_id", *keys)})


STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}
ACTOR = _object({"type": NULLABLE_STRING, "id": NULLABLE_STRING})
NOTE = _object(
    {
        "id": _ids("note_id"),
        "parent_object": STRING,
        "parent_record_id": UUID,
        "title": STRING,
        "meeting_id": NULLABLE_STRING,
        "content_plaintext": STRING,
        "content_markdown": STRING,
        "tags": {"type": "array"},
        "created_by_actor": ACTOR,
        "created_at": STRING,
    }
)
MEETING = _object(
    {
        "id": _ids("meeting_id"),
        "title": STRING,
        "description": STRING,
        "is_all_day": {"type": "boolean"},
        "start": {"type": "object"},
        "end": {"type": "object"},
        "participants": {
            "type": "array",
            "items": _object(
                {
                    "status": {"enum": ["accepted", "tentative", "declined", "pending"]},
                    "is_organizer": {"type": "boolean"},
                    "email_address": NULLABLE_STRING,
                    "name": NULLABLE_STRING,
                }
            ),
        },
        "linked_records": {
            "type": "array",
            "items": _object({"object_slug": STRING, "object_id": UUID, "record_id": UUID}),
        },
        "created_at": STRING,
        "created_by_actor": ACTOR,
    }
)


EMPTY = {"type": "object", "maxProperties": 0}
NOT_FOUND = error(404, ("not_found",))
RATE_LIMITED = error(429, ("rate_limit_exceeded",), "rate_limit_error")

# A value as the history write reads it back (docs: write-record-attribute-values): the value's
# own fields beside its envelope.
WRITTEN_VALUE = {
    "type": "object",
    "required": ["active_from", "active_until", "created_by_actor", "attribute_type"],
    "properties": {
        "active_from": {"type": "string", "format": "date-time"},
        "active_until": {"type": ["string", "null"], "format": "date-time"},
        "created_by_actor": {"type": "object", "required": ["type", "id"]},
        "attribute_type": {"type": "string"},
    },
}
HISTORY = {
    "200": _data({"type": "array", "minItems": 1, "items": WRITTEN_VALUE}),
    "400": error(
        400,
        (
            "formula_edit_unauthorized",
            "missing_value",
            "system_edit_unauthorized",
            "uniqueness_conflict",
            "validation_type",
            "value_not_found",
        ),
    ),
    "404": NOT_FOUND,
}


def _view(id_key: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["id", "title", "created_at"],
        "additionalProperties": False,
        "properties": {
            "id": {
                "type": "object",
                "required": ["workspace_id", id_key, "view_id"],
                "additionalProperties": False,
                "properties": {"workspace_id": UUID, id_key: UUID, "view_id": UUID},
            },
            "title": {"type": "string"},
            "created_at": {"type": "string"},
        },
    }


def _views(id_key: str) -> dict[str, dict[str, Any]]:
    page = {
        "type": "object",
        "required": ["data", "pagination"],
        "additionalProperties": False,
        "properties": {
            "data": {"type": "array", "items": _view(id_key)},
            "pagination": {
                "type": "object",
                "required": ["next_cursor"],
                "properties": {"next_cursor": {"type": ["string", "null"]}},
            },
        },
    }
    return {"200": page, "400": error(400, ("validation_type",)), "404": NOT_FOUND}


MEETING_UPDATE = {
    "200": _data(MEETING),
    "400": error(400, ("validation_type", "value_not_found")),
    "404": NOT_FOUND,
}

NEWER_RESPONSE_SCHEMAS: dict[str, dict[str, dict[str, Any]]] = {
    "PATCH /v2/notes/{note_id}": {
        "200": _data(NOTE),
        "400": error(400, ("validation_type",)),
        "404": NOT_FOUND,
    },
    "PUT /v2/objects/{object}/records/{record_id}/attributes/{attribute}/values": HISTORY,
    "PUT /v2/lists/{list}/entries/{entry_id}/attributes/{attribute}/values": HISTORY,
    "DELETE /v2/objects/{object}": {
        "200": EMPTY,
        "400": error(400, ("system_edit_unauthorized",)),
        "404": NOT_FOUND,
    },
    "GET /v2/objects/{object}/views": _views("object_id"),
    "GET /v2/lists/{list}/views": _views("list_id"),
    "PATCH /v2/meetings/{meeting_id}": MEETING_UPDATE,
    "PUT /v2/meetings/{meeting_id}": MEETING_UPDATE,
    "DELETE /v2/meetings/{meeting_id}": {"200": EMPTY, "404": NOT_FOUND},
    # sql/query-sql (and the attio 0.26.1 models): {data: {rows: [{column: value}]}}; 403 for a
    # plan without SQL (billing_error) or a token without its scopes (unauthorized).
    "POST /v2/sql": {
        "200": _data(_object({"rows": {"type": "array", "items": {"type": "object"}}})),
        "400": error(400, ("filter_error", "validation_type")),
        "403": error(403, ("billing_error", "unauthorized"), "auth_error"),
        "429": RATE_LIMITED,
    },
}
"""Newer operations' response schemas, by operation key and status."""
