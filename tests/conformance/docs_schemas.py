"""Response schemas of operations newer than the vendored spec, written from Attio's endpoint
reference (docs.attio.com/rest-api/endpoint-reference/files/*, activities/*,
activity-records/*, emails/list-emails, sequences/*; the models of the ``attio`` 0.26.1 SDK
generated from the same spec agree), by operation and status. ``validation.py`` checks the
emulator's answers to these operations against them.
"""

from __future__ import annotations

from typing import Any

from .differences import ERROR_BODY_SCHEMA

UUID = {
    "type": "string",
    "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
}
STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}
ACTOR = {
    "type": "object",
    "required": ["type", "id"],
    "properties": {
        "type": {"enum": ["api-token", "workspace-member", "system", "app"]},
        "id": {"type": ["string", "null"]},
    },
}


def _object(required: dict[str, Any], **optional: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "required": sorted(required),
        "properties": {**required, **optional},
    }


def _error(status: int, *codes: str) -> dict[str, Any]:
    kind = "auth_error" if status in (401, 403) else "invalid_request_error"
    return {
        **ERROR_BODY_SCHEMA,
        "properties": {
            **ERROR_BODY_SCHEMA["properties"],
            "status_code": {"const": status},
            "type": {"const": kind},
            "code": {"enum": sorted(codes)},
        },
    }


def _data(item: dict[str, Any]) -> dict[str, Any]:
    return _object({"data": item})


def _page(item: dict[str, Any]) -> dict[str, Any]:
    return _object(
        {
            "data": {"type": "array", "items": item},
            "pagination": _object({"next_cursor": NULLABLE_STRING}),
        }
    )


_FILE_BASE = {
    "id": _object({"workspace_id": UUID, "file_id": UUID}),
    "object_id": UUID,
    "object_slug": STRING,
    "record_id": UUID,
    "storage_provider": {"enum": ["attio", "dropbox", "box", "google-drive", "microsoft-onedrive"]},
    "created_by_actor": ACTOR,
    "created_at": STRING,
}
FILE_ENTRY = {
    "oneOf": [
        _object(
            {
                **_FILE_BASE,
                "file_type": {"const": "file"},
                "name": STRING,
                "content_type": NULLABLE_STRING,
                "content_size": {"type": ["integer", "null"]},
                "parent_folder_id": {"oneOf": [UUID, {"type": "null"}]},
            }
        ),
        _object(
            {
                **_FILE_BASE,
                "file_type": {"const": "folder"},
                "name": STRING,
                "parent_folder_id": {"oneOf": [UUID, {"type": "null"}]},
            }
        ),
        _object(
            {
                **_FILE_BASE,
                "file_type": {"enum": ["connected-file", "connected-folder"]},
                "external_provider_file_id": STRING,
                "microsoft_drive_id": NULLABLE_STRING,
            }
        ),
    ]
}
ACTIVITY = _object(
    {
        "id": _object({"workspace_id": UUID, "activity_id": UUID}),
        "api_slug": STRING,
        "singular_noun": STRING,
        "plural_noun": STRING,
        "extends": {
            "type": "array",
            "items": _object({"schema_id": UUID, "schema_slug": STRING}),
        },
        "is_system_activity": {"type": "boolean"},
        "created_at": STRING,
    }
)
ACTIVITY_RECORD = _object(
    {
        "id": _object({"workspace_id": UUID, "activity_id": UUID, "record_id": UUID}),
        "created_at": STRING,
        "values": {"type": "object", "additionalProperties": {"type": "array"}},
    }
)
EMAIL = _object(
    {
        "id": _object({"workspace_id": UUID, "mailbox_id": UUID, "email_id": UUID}),
        "sent_at": STRING,
        "direction": {"enum": ["inbound", "outbound"]},
        "subject_line": NULLABLE_STRING,
        "participants": {
            "type": "array",
            "items": _object(
                {
                    "role": {"enum": ["from", "reply-to", "to", "cc", "bcc"]},
                    "email_address": STRING,
                    "email_domain": STRING,
                    "name": NULLABLE_STRING,
                }
            ),
        },
        "linked_records": {
            "type": "array",
            "items": _object({"object_slug": STRING, "object_id": UUID, "record_id": UUID}),
        },
    }
)
EMPTY = {"type": "object", "maxProperties": 0}
FORBIDDEN = _error(403, "unauthorized", "billing_error", "quota_exceeded")

DOCS_RESPONSE_SCHEMAS: dict[str, dict[str, dict[str, Any]]] = {
    "GET /v2/files": {
        "200": _page(FILE_ENTRY),
        "400": _error(400, "validation_type"),
        "404": _error(404, "not_found"),
    },
    "POST /v2/files": {
        "200": _data(FILE_ENTRY),
        "400": _error(400, "validation_type", "value_not_found"),
        "404": _error(404, "not_found"),
    },
    "POST /v2/files/upload": {
        "201": _data(FILE_ENTRY),
        "400": _error(400, "validation_type", "value_not_found"),
        "403": FORBIDDEN,
        "404": _error(404, "not_found"),
        "413": _error(413, "validation_type"),
    },
    "GET /v2/files/{file_id}": {"200": _data(FILE_ENTRY), "404": _error(404, "not_found")},
    "DELETE /v2/files/{file_id}": {"200": EMPTY, "404": _error(404, "not_found")},
    # The redirect's body is not documented beyond "Redirect"; its Location is the point.
    "GET /v2/files/{file_id}/download": {
        "302": {},
        "400": _error(400, "validation_type"),
        "404": _error(404, "not_found"),
    },
    "GET /v2/activities": {"200": _page(ACTIVITY)},
    "POST /v2/activities": {
        "200": _data(ACTIVITY),
        "400": _error(400, "validation_type"),
        "403": FORBIDDEN,
        "409": _error(409, "slug_conflict"),
    },
    "GET /v2/activities/{activity}": {"200": _data(ACTIVITY), "404": _error(404, "not_found")},
    "PATCH /v2/activities/{activity}": {
        "200": _data(ACTIVITY),
        "400": _error(400, "validation_type", "system_edit_unauthorized"),
        "403": FORBIDDEN,
        "404": _error(404, "not_found"),
        "409": _error(409, "slug_conflict"),
    },
    "DELETE /v2/activities/{activity}": {
        "200": EMPTY,
        "400": _error(400, "system_edit_unauthorized"),
        "403": FORBIDDEN,
        "404": _error(404, "not_found"),
    },
    "POST /v2/activities/{activity}/records/query": {
        "200": _object({"data": {"type": "array", "items": ACTIVITY_RECORD}}),
        "400": _error(400, "filter_error", "validation_type"),
        "404": _error(404, "not_found"),
    },
}
_RECORD_WRITE = {
    "200": _data(ACTIVITY_RECORD),
    "400": _error(
        400,
        "validation_type",
        "value_not_found",
        "missing_value",
        "uniqueness_conflict",
        "multiple_match_results",
        "system_edit_unauthorized",
    ),
    "403": FORBIDDEN,
    "404": _error(404, "not_found"),
    "409": _error(409, "concurrent_write_conflict"),
}
for _key in (
    "POST /v2/activities/{activity}/records",
    "PUT /v2/activities/{activity}/records",
    "PATCH /v2/activities/{activity}/records/{record_id}",
    "PUT /v2/activities/{activity}/records/{record_id}",
):
    DOCS_RESPONSE_SCHEMAS[_key] = _RECORD_WRITE
DOCS_RESPONSE_SCHEMAS["GET /v2/activities/{activity}/records/{record_id}"] = {
    "200": _data(ACTIVITY_RECORD),
    "404": _error(404, "not_found"),
}
DOCS_RESPONSE_SCHEMAS["DELETE /v2/activities/{activity}/records/{record_id}"] = {
    "200": EMPTY,
    "403": FORBIDDEN,
    "404": _error(404, "not_found"),
}
DOCS_RESPONSE_SCHEMAS["GET /v2/emails"] = {
    "200": _page(EMAIL),
    "400": _error(400, "validation_type"),
    "404": _error(404, "not_found"),
}
DOCS_RESPONSE_SCHEMAS["POST /v2/sequences/unsubscribed_emails"] = {
    "200": _data(
        {
            "type": "array",
            "items": _object({"email_address": STRING, "created_at": STRING}),
        }
    ),
    "400": _error(400, "validation_type"),
}
