"""The one allow-list of known differences between Attio's spec and what Attio does.

Where the vendored spec (``openapi.yaml``) and documented behaviour (``API-NOTES.md``) disagree,
API-NOTES wins. Each ``KnownDifference`` says what the spec says, what Attio does instead, and
where that is documented, and carries a ``patch`` that edits the parsed spec so it describes
Attio's behaviour. ``apply_differences()`` applies every patch; the conformance
tests and the schemathesis run validate against the result, so nothing is relaxed anywhere
else. Each patch returns how many places it changed: ``test_known_differences.py`` fails when a
patch no longer changes anything (the spec was fixed, so the entry must go) and shows, per
entry, that the emulator does what API-NOTES says.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from attio_bridge.emulator.spec import HTTP_METHODS

Patch = Callable[[dict[str, Any]], int]

ERROR_BODY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["status_code", "type", "code", "message"],
    "properties": {
        "status_code": {"type": "integer", "minimum": 400},
        "type": {"type": "string"},
        "code": {"type": "string"},
        "message": {"type": "string"},
    },
}
"""Attio's error body (API-NOTES §8): every error has these four keys."""

# API-NOTES §8, "Known codes": the error codes Attio answers with, by HTTP status.
ERROR_CODES_BY_STATUS: dict[str, tuple[str, ...]] = {
    "400": (
        "filter_error",
        "immutable_value",
        "matching_attribute_definition_not_unique",
        "missing_value",
        "multiple_match_results",
        "self_merge",
        "system_edit_unauthorized",
        "uniqueness_conflict",
        "validation_type",
        "value_not_found",
    ),
    "404": ("merge_in_progress", "not_found"),
    "409": ("slug_conflict",),
}


@dataclass(frozen=True, slots=True)
class KnownDifference:
    """One documented way in which Attio (and so the emulator) differs from its spec."""

    key: str
    operations: tuple[str, ...]
    spec_says: str
    attio_does: str
    source: str
    patch: Patch


def _nodes(node: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object inside ``node``, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _nodes(value)


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                yield f"{method.upper()} {path}", item[method]


def _error_bodies(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(status, body schema) of every documented 4xx response."""
    for _, op in _operations(spec):
        for status, response in op.get("responses", {}).items():
            if not status.startswith("4"):
                continue
            schema = response.get("content", {}).get("application/json", {}).get("schema")
            if isinstance(schema, dict):
                yield status, schema


def _nullable_keyword(spec: dict[str, Any]) -> int:
    changed = 0
    for node in _nodes(spec):
        if node.get("nullable") is True and isinstance(node.get("type"), str):
            node["type"] = [node["type"], "null"]
            del node["nullable"]
            changed += 1
    return changed


def _null_in_nullable_enums(spec: dict[str, Any]) -> int:
    changed = 0
    for node in _nodes(spec):
        types = node.get("type")
        enum = node.get("enum")
        nullable = isinstance(types, list) and "null" in types
        if nullable and isinstance(enum, list) and None not in enum:
            enum.append(None)
            changed += 1
    return changed


def _timestamps_are_datetimes(spec: dict[str, Any]) -> int:
    changed = 0
    for node in _nodes(spec):
        description = node.get("description")
        if (
            node.get("format") == "date"
            and isinstance(description, str)
            and description.startswith("A timestamp value")
        ):
            node["format"] = "date-time"
            changed += 1
    return changed


def _status_code_spelling(spec: dict[str, Any]) -> int:
    changed = 0
    for _, schema in _error_bodies(spec):
        props = schema.get("properties", {})
        if "statusCode" in props:
            props["status_code"] = props.pop("statusCode")
            schema["required"] = [
                "status_code" if k == "statusCode" else k for k in schema.get("required", [])
            ]
            changed += 1
    return changed


def _error_codes_per_status(spec: dict[str, Any]) -> int:
    changed = 0
    for status, schema in _error_bodies(spec):
        code = schema.get("properties", {}).get("code", {})
        documented = ERROR_CODES_BY_STATUS.get(status)
        if documented is None or not isinstance(code.get("enum"), list):
            continue
        widened = sorted(set(code["enum"]) | set(documented))
        if widened != sorted(code["enum"]):
            code["enum"] = widened
            changed += 1
    return changed


def _no_content_is_empty(spec: dict[str, Any]) -> int:
    changed = 0
    for _, op in _operations(spec):
        response = op.get("responses", {}).get("204")
        if isinstance(response, dict) and "content" in response:
            del response["content"]
            changed += 1
    return changed


def _error_body_for_undocumented_statuses(spec: dict[str, Any]) -> int:
    changed = 0
    for _, op in _operations(spec):
        responses = op.setdefault("responses", {})
        if "default" in responses:
            continue
        responses["default"] = {
            "description": "Any other error, in Attio's error body (API-NOTES §8).",
            "content": {"application/json": {"schema": copy.deepcopy(ERROR_BODY_SCHEMA)}},
        }
        changed += 1
    return changed


KNOWN_DIFFERENCES: tuple[KnownDifference, ...] = (
    KnownDifference(
        key="openapi-3.0-nullable",
        operations=("*",),
        spec_says=(
            "Some fields (every `created_by_actor.id`/`.type`, `owner_actor`, comment `author` "
            "and `resolved_by`) are marked with OpenAPI 3.0's `nullable: true`, which an "
            "OpenAPI 3.1 document ignores, so their `type: string` rejects null."
        ),
        attio_does=(
            'Sends null there: a system actor is `{type: "system", id: null}`; an unresolved '
            "comment has `resolved_by: {type: null, id: null}`."
        ),
        source="The spec itself (`nullable: true`); API-NOTES §2 (actors: for system, id is null).",
        patch=_nullable_keyword,
    ),
    KnownDifference(
        key="nullable-enums",
        operations=("*",),
        spec_says=(
            'Many fields are declared `type: [string, "null"]` with an `enum` that leaves null '
            "out (e.g. attribute `config.currency.default_currency_code`), so JSON Schema "
            "rejects the null the type allows."
        ),
        attio_does=(
            "Sends null there: a non-currency attribute has `config.currency` "
            "`{default_currency_code: null, display_type: null}`."
        ),
        source=(
            'The spec itself (`type` includes "null"); API-NOTES §2 (attribute shape: config '
            "currency for every attribute)."
        ),
        patch=_null_in_nullable_enums,
    ),
    KnownDifference(
        key="timestamp-format",
        operations=("*",),
        spec_says="A timestamp attribute value is `format: date`.",
        attio_does=(
            "Sends an ISO-8601 UTC date-time with nanoseconds, "
            '"2023-01-01T15:00:00.000000000Z" (the spec\'s own example).'
        ),
        source='API-NOTES §0 ("some spec fields say format: date but carry datetimes") and §2.',
        patch=_timestamps_are_datetimes,
    ),
    KnownDifference(
        key="error-status-code-spelling",
        operations=("POST /v2/comments", "POST /v2/meetings"),
        spec_says="The 400 body of these two operations has `statusCode`.",
        attio_does="Every error body has `status_code`.",
        source="API-NOTES §8 (error body is always {status_code, type, code, message}).",
        patch=_status_code_spelling,
    ),
    KnownDifference(
        key="204-without-body",
        operations=("DELETE /v2/meetings/{meeting_id}/call_recordings/{call_recording_id}",),
        spec_says="The 204 response has an application/json body `{}`.",
        attio_does="Answers 204 with no body at all (HTTP forbids a body on 204).",
        source="API-NOTES §0 and gotcha 18 (call-recording delete returns 204 with no body).",
        patch=_no_content_is_empty,
    ),
    KnownDifference(
        key="error-codes-per-status",
        operations=("*",),
        spec_says=(
            "Each documented error status lists exactly one `code` (e.g. POST …/records 400: "
            "only `value_not_found`)."
        ),
        attio_does=(
            "Answers a status with any of its documented codes: 400 with validation_type, "
            "missing_value, value_not_found, uniqueness_conflict, …; 404 with not_found or "
            "merge_in_progress."
        ),
        source="API-NOTES §8 (known codes and their HTTP statuses), §3, §5.",
        patch=_error_codes_per_status,
    ),
    KnownDifference(
        key="undocumented-error-statuses",
        operations=("*",),
        spec_says=(
            "Most operations list only some error statuses (none list 401 or 429; POST "
            "/v2/objects lists no 400)."
        ),
        attio_does=(
            "Any operation can answer 401 (bad token), 429 (rate limit) or a 400 for a "
            "malformed body, always in the error body {status_code, type, code, message}. "
            "Statuses the spec does not list are checked against that body."
        ),
        source="API-NOTES §8 (rate limits, error body, codes).",
        patch=_error_body_for_undocumented_statuses,
    ),
)


def apply_differences(spec: dict[str, Any], *, skip: str | None = None) -> dict[str, int]:
    """Patch ``spec`` in place with every known difference but ``skip``; places changed, by key."""
    return {diff.key: diff.patch(spec) for diff in KNOWN_DIFFERENCES if diff.key != skip}


@dataclass(frozen=True, slots=True)
class SdkDifference:
    """Where the ``attio`` 0.26.1 SDK's model is stricter than Attio's documentation: ``model``
    refuses ``documented``, a body Attio documents (``page``) for operation ``key``."""

    key: str
    model: str
    sdk: str
    attio: str
    page: str
    documented: dict[str, Any]


SDK_DIFFERENCES: dict[str, SdkDifference] = {}
"""By operation: the differences ``test_sdk_models.py`` expects (and shows still hold)."""
