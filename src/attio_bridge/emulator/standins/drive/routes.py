"""The Google Drive stand-in's routes: Drive API v3 files at ``/drive/v3/files[/{fileId}]``.

Shapes follow Drive's v3 reference (developers.google.com/drive/api/reference/rest/v3/files)
and its error guide: errors are ``{"error": {"code", "message", "errors": [{"domain",
"reason", "message", "location"?, "locationType"?}], "status"}}``. Answers carry the fields a
``fields`` selection asks for (``kind, id, name, mimeType`` by default). Tokens: the emulator's
Attio API keys, ``EmulatorConfig.google_tokens`` and every token the Google stand-in issued.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ...http import json_response
from ...persistence import logged_write
from ..google import NAME as GOOGLE
from ..google import GoogleAuth
from .model import DriveError, DriveFile, DriveModel, invalid, write

if TYPE_CHECKING:
    from ...state import EmulatorState

NAME = "drive"  # the registry's key: failure rules' system, the operation log's kind
DEFAULT_FIELDS = ("kind", "id", "name", "mimeType")
# Fields a selection may name: a file's (those the stand-in renders and a few it never sets)
# and a file list's.
KNOWN_FIELDS = frozenset(
    {
        "kind", "id", "name", "mimeType", "parents", "trashed", "explicitlyTrashed",
        "createdTime", "modifiedTime", "webViewLink", "ownedByMe", "starred", "version",
        "description", "driveId", "resourceKey", "owners", "permissions", "size",
        "files", "nextPageToken", "incompleteSearch",
    }
)  # fmt: skip

# -- field selection ----------------------------------------------------------------------------


def _split_fields(fields: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    current = ""
    for ch in fields:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    if depth != 0:
        raise invalid("fields", f"Invalid field selection {fields}")
    parts.append(current.strip())
    return [p for p in parts if p]


def select(
    resource: dict[str, Any], fields: str | None, default: tuple[str, ...]
) -> dict[str, Any]:
    """``resource`` cut down to ``fields`` (``a, b(c, d)`` or ``*``); ``default`` when None."""
    if fields is None:
        return {k: resource[k] for k in default if k in resource}
    if fields.strip() == "*":
        return resource
    out: dict[str, Any] = {}
    for part in _split_fields(fields):
        name, _, sub = part.partition("(")
        name = name.strip()
        if name not in KNOWN_FIELDS:
            raise invalid("fields", f"Invalid field selection {name}")
        if name not in resource:
            continue  # a known field without a value (nextPageToken on the last page)
        value = resource[name]
        if sub:
            inner = sub[:-1] if sub.endswith(")") else sub
            if isinstance(value, list):
                value = [select(v, inner, default) for v in value]
        out[name] = value
    return out


# -- HTTP ---------------------------------------------------------------------------------------


def _auth_error(missing: bool) -> DriveError:
    if missing:
        return DriveError(
            401,
            "required",
            "Request is missing required authentication credential. Expected OAuth 2 access "
            "token, login cookie or other valid authentication credential.",
            "Authorization",
            "header",
        )
    return DriveError(
        401,
        "authError",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
        "cookie or other valid authentication credential.",
        "Authorization",
        "header",
    )


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise DriveError(400, "parseError", "Parse Error") from None
    if not isinstance(body, dict):
        raise DriveError(400, "parseError", "Parse Error")
    return body


def _page_size(request: Request) -> int:
    raw = request.query_params.get("pageSize", "100")
    try:
        size = int(raw)
    except ValueError:
        raise invalid("pageSize") from None
    if not 1 <= size <= 1000:
        raise invalid(
            "pageSize", f"Invalid value '{raw}'. Values must be within the range: [1, 1000]"
        )
    return size


async def _files_list(model: DriveModel, request: Request) -> Response:
    params = request.query_params
    found = model.query(params.get("q"), params.get("orderBy"))
    size = _page_size(request)
    token = params.get("pageToken")
    start = 0
    if token:
        try:
            start = int(token.removeprefix("page-"))
        except ValueError:
            raise invalid("pageToken") from None
    chunk = found[start : start + size]
    listing: dict[str, Any] = {
        "kind": "drive#fileList",
        "incompleteSearch": False,
        "files": [f.render() for f in chunk],
    }
    if start + size < len(found):
        listing["nextPageToken"] = f"page-{start + size}"
    fields = params.get("fields")
    if fields is None:
        listing["files"] = [select(f, None, DEFAULT_FIELDS) for f in listing["files"]]
        return json_response(listing)
    return json_response(select(listing, fields, DEFAULT_FIELDS))


def _one(file: DriveFile, request: Request) -> Response:
    return json_response(select(file.render(), request.query_params.get("fields"), DEFAULT_FIELDS))


async def _dispatch(state: EmulatorState, request: Request, method: str) -> Response:
    file_id = request.path_params.get("file_id")
    if method == "files.list":
        return await _files_list(state.standins.model(NAME, DriveModel), request)
    if method == "files.get":
        assert file_id is not None
        return _one(state.standins.model(NAME, DriveModel).get(file_id), request)
    body = await _json_body(request) if method != "files.delete" else {}
    # Kept with --database once it succeeded (query parameters only choose the answer's
    # fields). The model is looked up after the last await: a reset may have replaced it.
    params = {"method": method, "file_id": file_id, "body": body}
    file = logged_write(
        state,
        NAME,
        params,
        lambda: write(state.standins.model(NAME, DriveModel), method, file_id, body),
    )
    return Response(status_code=204) if file is None else _one(file, request)


_METHODS = {
    ("GET", False): "files.list",
    ("POST", False): "files.create",
    ("GET", True): "files.get",
    ("PATCH", True): "files.update",
    ("DELETE", True): "files.delete",
}


def token_ok(state: EmulatorState, token: str) -> bool:
    """Whether the Drive stand-in accepts ``token``."""
    config = state.config
    return (
        token in config.api_keys
        or token in config.google_tokens
        or token in state.standins.model(GOOGLE, GoogleAuth).issued
    )


def replay(model: DriveModel, params: dict[str, Any]) -> None:
    """Apply a logged write (``{"method", "file_id", "body"}``) again, as the route did."""
    try:
        write(model, params["method"], params["file_id"], params["body"])
    except DriveError as err:
        raise ValueError(f"Drive answered {err.status} {err.reason}") from None


def drive_routes(state: EmulatorState) -> list[BaseRoute]:
    """The ``/drive/v3/files`` routes acting on the live ``DriveModel``."""

    async def endpoint(request: Request) -> Response:
        started = time.perf_counter()
        method = _METHODS[(request.method, "file_id" in request.path_params)]
        try:
            response = await _answer(state, request, method)
        except DriveError as err:
            response = json_response(err.body(), err.status)
        state.journal.record(request, f"{NAME} {method}", response.status_code, started)
        return response

    return [
        Route("/drive/v3/files", endpoint, methods=["GET", "POST"]),
        Route("/drive/v3/files/{file_id}", endpoint, methods=["GET", "PATCH", "DELETE"]),
    ]


async def _answer(state: EmulatorState, request: Request, method: str) -> Response:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip() if scheme.lower() == "bearer" else ""
    if not token:
        raise _auth_error(missing=True)
    if not token_ok(state, token):
        raise _auth_error(missing=False)
    delay = state.latency_s()
    if delay > 0:
        await asyncio.sleep(delay)
    failure = state.standins.failure(NAME, method)
    if failure is not None:
        message = (
            "Internal Error"
            if failure.status >= 500
            else f"{failure.error} (injected by the emulator)"
        )
        raise DriveError(failure.status, failure.error, message)
    return await _dispatch(state, request, method)
