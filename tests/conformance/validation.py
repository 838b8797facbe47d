"""Checking emulator responses against Attio's spec with openapi-core, and saying why they fail.

``SpecValidator`` maps an httpx request/response pair (what starlette's ``TestClient`` returns)
onto openapi-core's request and response protocols and validates the response against the
spec, as patched by ``differences.py``. Operations the spec does not have but API-NOTES
documents (record merge, §1b) are checked against the hand-written schemas in
``NOTES_RESPONSE_SCHEMAS``. A failure raises ``NonConformance`` whose message names the
operation, the status and, per mismatch, the JSON path with what the spec expected and what the
emulator sent.

``ConformantClient`` wraps the ``api`` client: every call is validated and remembered, so a test
can be checked against the operations it claims to cover.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import orjson
from jsonschema import (  # type: ignore[import-untyped]
    Draft202012Validator,
    FormatChecker,
    ValidationError,
)
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.responses.exceptions import ResponseNotFound
from starlette.testclient import TestClient
from werkzeug.datastructures import Headers, ImmutableMultiDict

from attio_bridge.emulator.spec import NOTES_OPERATIONS, Operation, match_operation

from .differences import ERROR_BODY_SCHEMA

# Requests are validated as if they had gone to Attio: the spec's only server.
SPEC_HOST = "https://api.attio.com"
UUID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
OPERATION_KEY = re.compile(r"^(GET|POST|PUT|PATCH|DELETE) /\S*$")

MERGE_RESPONSE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["data"],
    "additionalProperties": False,
    "properties": {
        "data": {
            "type": "object",
            "required": ["new_record_id"],
            "additionalProperties": False,
            "properties": {"new_record_id": {"type": "string", "pattern": UUID_PATTERN}},
        }
    },
}
"""``POST …/records/merge`` answers ``{data: {new_record_id}}`` with 200 or 202 (API-NOTES §1b)."""


SQL_RESPONSE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["data"],
    "properties": {
        "data": {
            "type": "object",
            "required": ["rows"],
            "properties": {"rows": {"type": "array", "items": {"type": "object"}}},
        }
    },
}
"""``POST /v2/sql`` answers ``{data: {rows: [{column: value}]}}``."""


def _error_schema(status: int, codes: Iterable[str]) -> dict[str, Any]:
    schema: dict[str, Any] = {
        **ERROR_BODY_SCHEMA,
        "properties": {
            **ERROR_BODY_SCHEMA["properties"],
            "status_code": {"const": status},
            "type": {"const": "invalid_request_error"},
            "code": {"enum": sorted(codes)},
        },
    }
    return schema


NOTES_RESPONSE_SCHEMAS: dict[str, dict[str, dict[str, Any]]] = {
    "POST /v2/objects/{object}/records/merge": {
        "200": MERGE_RESPONSE_SCHEMA,
        "202": MERGE_RESPONSE_SCHEMA,
        # Self-merge (§1b), or a body without the two record ids (§8 validation_type).
        "400": _error_schema(400, ("self_merge", "validation_type")),
        # An unknown object or record; a record still merging (§8).
        "404": _error_schema(404, ("not_found", "merge_in_progress")),
    },
    # docs.attio.com/rest-api/endpoint-reference/sql/query-sql (and the attio 0.26.1 models).
    "POST /v2/sql": {
        "200": SQL_RESPONSE_SCHEMA,
        "400": _error_schema(400, ("filter_error", "validation_type")),
        "403": {
            **ERROR_BODY_SCHEMA,
            "properties": {**ERROR_BODY_SCHEMA["properties"], "code": {"const": "billing_error"}},
        },
        "429": {
            **ERROR_BODY_SCHEMA,
            "properties": {
                **ERROR_BODY_SCHEMA["properties"],
                "code": {"const": "rate_limit_exceeded"},
            },
        },
    },
}
"""Hand-written response schemas of the API-NOTES operations, by operation and status."""


class NonConformance(AssertionError):
    """A response that does not match what Attio documents for it."""


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One place where a response differs from its schema."""

    path: str
    expected: str
    got: str

    def __str__(self) -> str:
        return f"  at {self.path}: expected {self.expected}; got {self.got}"


def json_path(parts: Iterable[Any]) -> str:
    """A JSONPath-like rendering of a jsonschema error path: ``$.data[0].values``."""
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _short(value: Any, limit: int = 160) -> str:
    text = orjson.dumps(value, default=str).decode()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _leaves(error: ValidationError) -> list[ValidationError]:
    """The errors that explain ``error``: for anyOf/oneOf, those of the closest branch.

    The closest branch is the one whose ``enum``/``const`` checks pass (those pick a branch,
    e.g. ``attribute_type``), then the one with the fewest errors, then the one whose errors
    reach deepest into the value.
    """
    if not error.context:
        return [error]
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)

    def rank(errors: list[ValidationError]) -> tuple[int, int, int]:
        discriminating = sum(1 for e in errors if e.validator in ("enum", "const"))
        return (discriminating, len(errors), -max(len(e.absolute_path) for e in errors))

    best = min(branches.values(), key=rank)
    out: list[ValidationError] = []
    for sub in best:
        out.extend(_leaves(sub))
    return out


def mismatches(errors: Iterable[ValidationError]) -> list[Mismatch]:
    """Readable mismatches for jsonschema errors, sorted by path."""
    found: dict[tuple[str, str], Mismatch] = {}
    for error in errors:
        for leaf in _leaves(error):
            validator = str(leaf.validator)
            if validator in ("required", "additionalProperties"):
                expected, got = leaf.message, _short(sorted(leaf.instance))
            else:
                expected = f"{validator} {_short(leaf.validator_value)}"
                got = _short(leaf.instance)
            m = Mismatch(json_path(leaf.absolute_path), expected, got)
            found[(m.path, m.expected)] = m
    return sorted(found.values(), key=lambda m: (m.path, m.expected))


class _Request:
    """An httpx request as openapi-core's ``Request`` protocol sees it."""

    def __init__(self, request: httpx.Request) -> None:
        url = urlsplit(str(request.url))
        self.host_url = SPEC_HOST
        self.path = url.path
        self.method = request.method.lower()
        self.body: bytes | None = request.content or None
        self.content_type = request.headers.get("content-type", "")
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qs(url.query, keep_blank_values=True)),
            header=Headers(dict(request.headers)),
            cookie=ImmutableMultiDict(),
        )


class _Response:
    """An httpx response as openapi-core's ``Response`` protocol sees it."""

    def __init__(self, response: httpx.Response) -> None:
        self.status_code = response.status_code
        self.content_type = response.headers.get("content-type", "")
        self.headers = Headers(dict(response.headers))
        self.data: bytes | None = response.content


class SpecValidator:
    """Validates responses against the (patched) spec and the API-NOTES schemas."""

    def __init__(self, spec: dict[str, Any], operations: list[Operation]) -> None:
        # The spec is Attio's own, known to load; checking it again costs seconds per session.
        self.openapi = OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))
        self.operations = operations + list(NOTES_OPERATIONS)

    def operation_for(self, request: httpx.Request) -> Operation | None:
        """The spec (or API-NOTES) operation ``request`` is for."""
        return match_operation(request.method, request.url.path, self.operations)

    def validate(self, response: httpx.Response) -> Operation:
        """Raise ``NonConformance`` unless ``response`` is what the spec documents."""
        request = response.request
        op = self.operation_for(request)
        where = f"{request.method} {request.url.path}"
        if op is None:
            raise NonConformance(f"{where}: no operation in the spec or API-NOTES has this path")
        label = f"{op.key} ({where}) -> {response.status_code}"
        if op.source != "spec":
            self._validate_notes(op, response, label)
            return op
        try:
            self.openapi.validate_response(_Request(request), _Response(response))
        except ResponseNotFound as exc:
            raise NonConformance(
                f"{label}: status not documented (documented: {', '.join(exc.availableresponses)})"
            ) from None
        except Exception as exc:
            cause = exc.__cause__
            errors = list(getattr(cause, "schema_errors", None) or [])
            if not errors:
                raise NonConformance(f"{label}: {exc}") from exc
            lines = "\n".join(str(m) for m in mismatches(errors))
            raise NonConformance(f"{label}: the body does not match the spec\n{lines}") from None
        return op

    def _validate_notes(self, op: Operation, response: httpx.Response, label: str) -> None:
        schemas = NOTES_RESPONSE_SCHEMAS[op.key]
        schema = schemas.get(str(response.status_code))
        if schema is None:
            raise NonConformance(
                f"{label}: status not documented (documented: {', '.join(sorted(schemas))})"
            )
        try:
            body = response.json()
        except ValueError:
            raise NonConformance(
                f"{label}: the body is not JSON: {response.text[:200]!r}"
            ) from None
        validator = Draft202012Validator(schema, format_checker=FormatChecker())
        errors = list(validator.iter_errors(body))
        if errors:
            lines = "\n".join(str(m) for m in mismatches(errors))
            raise NonConformance(f"{label}: the body does not match API-NOTES\n{lines}")


@dataclass(slots=True)
class Seen:
    """One validated exchange."""

    operation: str
    status: int


@dataclass
class ConformantClient:
    """The ``api`` client, with every response validated against the spec and remembered."""

    client: TestClient
    validator: SpecValidator
    seen: list[Seen] = field(default_factory=list)

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        expect: int | None = None,
        code: str | None = None,
    ) -> httpx.Response:
        """Send, validate the response, and check its status (and error ``code``) if given."""
        response: httpx.Response = self.client.request(
            method, path, json=json, params=params, headers=headers
        )
        op = self.validator.validate(response)
        self.seen.append(Seen(op.key, response.status_code))
        if expect is not None and response.status_code != expect:
            raise AssertionError(
                f"{method} {path}: expected {expect}, got {response.status_code}: "
                f"{response.text[:500]}"
            )
        if code is not None:
            got = response.json().get("code")
            assert got == code, f"{method} {path}: expected code {code!r}, got {got!r}"
        return response

    def get(self, path: str, **kw: Any) -> httpx.Response:
        """``GET path``, validated."""
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        """``POST path``, validated."""
        return self.request("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> httpx.Response:
        """``PUT path``, validated."""
        return self.request("PUT", path, **kw)

    def patch(self, path: str, **kw: Any) -> httpx.Response:
        """``PATCH path``, validated."""
        return self.request("PATCH", path, **kw)

    def delete(self, path: str, **kw: Any) -> httpx.Response:
        """``DELETE path``, validated."""
        return self.request("DELETE", path, **kw)

    def data(self, method: str, path: str, **kw: Any) -> Any:
        """The ``data`` of a successful (200) call."""
        kw.setdefault("expect", 200)
        return self.request(method, path, **kw).json()["data"]

    def operations(self) -> set[str]:
        """Every operation this client has exercised."""
        return {s.operation for s in self.seen}


def iter_marked_operations(markers: Iterator[Any]) -> Iterator[str]:
    """The operation keys named by ``@pytest.mark.operation(...)`` markers."""
    for marker in markers:
        for arg in marker.args:
            yield str(arg)
