"""The Google Drive stand-in: files and folders (``DriveModel``) and Drive API v3 routes.

Shapes follow Drive's v3 reference (developers.google.com/drive/api/reference/rest/v3/files)
and its error guide: errors are ``{"error": {"code", "message", "errors": [{"domain",
"reason", "message", "location"?, "locationType"?}], "status"}}``. My Drive's root answers to
the alias ``root``; a file has at most one parent, as Drive enforces since 2020. ``files.list``
understands the query subset the connectors use: clauses joined by ``and`` among
``name = | != | contains '...'``, ``mimeType = | != '...'``, ``'ID' in parents`` and
``trashed = true | false``; anything else is a 400, so a client relying on more fails loudly in
tests instead of passing by luck. Like Drive, a list without ``trashed = false`` includes the
trash, and trashing a folder trashes what it holds.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..clock import new_id, now_ts, parse_ts
from ..http import json_response
from ..persistence import logged_write

if TYPE_CHECKING:
    from ..state import EmulatorState

FOLDER_MIME = "application/vnd.google-apps.folder"
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
STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


class DriveError(Exception):
    """An error answered with Google's error body."""

    def __init__(
        self,
        status: int,
        reason: str,
        message: str,
        location: str | None = None,
        location_type: str = "parameter",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.message = message
        self.location = location
        self.location_type = location_type

    def body(self) -> dict[str, Any]:
        """Google's error body."""
        detail: dict[str, Any] = {
            "domain": "global",
            "reason": self.reason,
            "message": self.message,
        }
        if self.location is not None:
            detail["location"] = self.location
            detail["locationType"] = self.location_type
        return {
            "error": {
                "code": self.status,
                "message": self.message,
                "errors": [detail],
                "status": STATUS_NAMES.get(self.status, "UNKNOWN"),
            }
        }


def not_found(file_id: str, location: str = "fileId") -> DriveError:
    """Drive's 404 for a file id it does not know."""
    return DriveError(404, "notFound", f"File not found: {file_id}.", location)


def invalid(location: str, message: str = "Invalid Value") -> DriveError:
    """Drive's 400 for a parameter it cannot use."""
    return DriveError(400, "invalid", message, location)


def _now() -> str:
    # Drive's RFC 3339 with milliseconds; from clock, so a replay (--database) gives the same.
    return parse_ts(now_ts()).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _hex_id() -> str:
    """32 hex digits from a clock id (kept on the tape, so a replay makes the same)."""
    return new_id().replace("-", "")


@dataclass(slots=True)
class DriveFile:
    """One file or folder as the model keeps it."""

    id: str
    name: str
    mime_type: str
    parents: list[str]
    created_time: str
    modified_time: str
    seq: int
    trashed: bool = False
    explicitly_trashed: bool = False
    description: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def render(self) -> dict[str, Any]:
        """Every field the stand-in knows (``fields=*``)."""
        link = (
            f"https://drive.google.com/drive/folders/{self.id}"
            if self.mime_type == FOLDER_MIME
            else f"https://drive.google.com/file/d/{self.id}/view?usp=drivesdk"
        )
        out: dict[str, Any] = {
            "kind": "drive#file",
            "id": self.id,
            "name": self.name,
            "mimeType": self.mime_type,
            "parents": list(self.parents),
            "trashed": self.trashed,
            "explicitlyTrashed": self.explicitly_trashed,
            "createdTime": self.created_time,
            "modifiedTime": self.modified_time,
            "webViewLink": link,
            "ownedByMe": True,
            "starred": False,
            "version": "1",
        }
        if self.description is not None:
            out["description"] = self.description
        return out


class DriveModel:
    """One account's My Drive: files by id, with the root folder; no HTTP."""

    def __init__(self) -> None:
        self.root_id = "0A" + _hex_id()[:17].upper()
        self._seq = 0
        now = _now()
        self.files: dict[str, DriveFile] = {}
        self.files[self.root_id] = DriveFile(self.root_id, "My Drive", FOLDER_MIME, [], now, now, 0)

    def resolve(self, file_id: str) -> str:
        """``file_id`` with the ``root`` alias resolved."""
        return self.root_id if file_id == "root" else file_id

    def get(self, file_id: str, location: str = "fileId") -> DriveFile:
        """The file ``file_id``; 404 ``notFound`` otherwise."""
        found = self.files.get(self.resolve(file_id))
        if found is None:
            raise not_found(file_id, location)
        return found

    def create(self, body: dict[str, Any]) -> DriveFile:
        """A new file from a ``files.create`` metadata body."""
        name = body.get("name", "Untitled")
        mime = body.get("mimeType", "application/octet-stream")
        parents = body.get("parents")
        if not isinstance(name, str):
            raise invalid("name", "Invalid value for name")
        if not isinstance(mime, str) or not mime:
            raise invalid("mimeType", "Invalid value for mimeType")
        if parents is None:
            parents = [self.root_id]
        if not isinstance(parents, list) or not all(isinstance(p, str) for p in parents):
            raise invalid("parents", "Invalid value for parents")
        if len(parents) > 1:
            raise DriveError(
                403,
                "cannotAddParent",
                "Increasing the number of parents is not allowed.",
            )
        resolved = []
        for parent_id in parents:
            parent = self.get(parent_id, location="parents")
            if parent.mime_type != FOLDER_MIME:
                raise DriveError(400, "invalidParent", "The specified parent is not a folder.")
            resolved.append(parent.id)
        self._seq += 1
        now = _now()
        description = body.get("description")
        file = DriveFile(
            "1" + _hex_id(),
            name,
            mime,
            resolved,
            now,
            now,
            self._seq,
            description=description if isinstance(description, str) else None,
        )
        self.files[file.id] = file
        return file

    def children(self, folder_id: str) -> Iterator[DriveFile]:
        """Every file below ``folder_id``, at any depth."""
        for file in list(self.files.values()):
            if folder_id in file.parents:
                yield file
                yield from self.children(file.id)

    def _changeable(self, file_id: str) -> DriveFile:
        """The file ``file_id``, refused with 403 when it is My Drive's root."""
        file = self.get(file_id)
        if file.id == self.root_id:
            raise DriveError(
                403,
                "insufficientFilePermissions",
                "The user does not have sufficient permissions for this file.",
            )
        return file

    def update(self, file_id: str, body: dict[str, Any]) -> DriveFile:
        """Change a file's name, description or trashed state (``files.update``)."""
        file = self._changeable(file_id)
        # Every check before any change: a refused update changes nothing (and is not logged).
        if "name" in body and not isinstance(body["name"], str):
            raise invalid("name", "Invalid value for name")
        trashed = body.get("trashed")
        if "trashed" in body and not isinstance(trashed, bool):
            raise invalid("trashed", "Invalid value for trashed")
        if "name" in body:
            file.name = body["name"]
        if "description" in body:
            file.description = body["description"] if isinstance(body["description"], str) else None
        if isinstance(trashed, bool):
            file.trashed = trashed
            file.explicitly_trashed = trashed
            for child in self.children(file.id):
                # What a folder holds goes with it, without being trashed explicitly.
                if not child.explicitly_trashed:
                    child.trashed = trashed
        file.modified_time = _now()
        return file

    def delete(self, file_id: str) -> None:
        """Delete a file and, for a folder, everything below it (``files.delete``)."""
        file = self._changeable(file_id)
        for child in list(self.children(file.id)):
            self.files.pop(child.id, None)
        del self.files[file.id]

    def query(self, q: str | None, order_by: str | None) -> list[DriveFile]:
        """The files matching ``q`` (every file but the root when None), sorted by ``order_by``."""
        test = parse_query(q, self) if q else (lambda f: True)
        found = [f for f in self.files.values() if f.id != self.root_id and test(f)]
        return sort_files(found, order_by)


# -- the query language subset ------------------------------------------------------------------

_TOKEN = re.compile(r"\s*(?:('(?:\\.|[^'\\])*')|(!=|=)|([A-Za-z]+))")


def _tokens(q: str) -> list[str]:
    out: list[str] = []
    pos = 0
    q = q.strip()
    while pos < len(q):
        m = _TOKEN.match(q, pos)
        if m is None or m.end() == pos:
            raise invalid("q")
        out.append(m.group(0).strip())
        pos = m.end()
    return out


def _literal(token: str) -> str:
    if len(token) < 2 or token[0] != "'" or token[-1] != "'":
        raise invalid("q")
    return re.sub(r"\\(.)", r"\1", token[1:-1])


def parse_query(q: str, model: DriveModel) -> Any:
    """A predicate over ``DriveFile`` for query ``q``; 400 ``invalid`` outside the subset."""
    tokens = _tokens(q)
    clauses: list[Any] = []
    i = 0
    while True:
        clause = tokens[i : i + 3]
        if len(clause) < 3:
            raise invalid("q")
        a, op, b = clause
        if op == "in" and b == "parents":
            parent = model.resolve(_literal(a))
            clauses.append(lambda f, p=parent: p in f.parents)
        elif a == "name" and op in ("=", "!=", "contains"):
            value = _literal(b)
            if op == "=":
                clauses.append(lambda f, v=value: f.name == v)
            elif op == "!=":
                clauses.append(lambda f, v=value: f.name != v)
            else:
                clauses.append(lambda f, v=value: v.lower() in f.name.lower())
        elif a == "mimeType" and op in ("=", "!="):
            value = _literal(b)
            same = op == "="
            clauses.append(lambda f, v=value, s=same: (f.mime_type == v) == s)
        elif a == "trashed" and op in ("=", "!=") and b in ("true", "false"):
            want = (b == "true") == (op == "=")
            clauses.append(lambda f, w=want: f.trashed == w)
        else:
            raise invalid("q")
        i += 3
        if i == len(tokens):
            break
        if tokens[i] != "and":
            raise invalid("q")
        i += 1
    return lambda f: all(c(f) for c in clauses)


SORT_KEYS = {
    "createdTime": lambda f: f.seq,
    "modifiedTime": lambda f: (f.modified_time, f.seq),
    "name": lambda f: (f.name, f.seq),
    "folder": lambda f: (f.mime_type != FOLDER_MIME, f.seq),
}


def sort_files(files: list[DriveFile], order_by: str | None) -> list[DriveFile]:
    """``files`` sorted by Drive's ``orderBy`` (``createdTime``, ``name desc`` ...)."""
    out = sorted(files, key=lambda f: f.seq)
    if not order_by:
        return out
    for part in reversed([p.strip() for p in order_by.split(",") if p.strip()]):
        key, _, direction = part.partition(" ")
        if key not in SORT_KEYS or direction not in ("", "desc"):
            raise invalid("orderBy", f"Invalid sort key: {part}")
        out.sort(key=SORT_KEYS[key], reverse=direction == "desc")
    return out


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


def write(
    model: DriveModel, method: str, file_id: str | None, body: dict[str, Any]
) -> DriveFile | None:
    """Carry out ``files.create|update|delete`` on ``model``: the file, None after a delete.

    The routes and ``Standins.replay`` (``--database``) both go through here.
    """
    if method == "files.create":
        return model.create(body)
    if file_id is None:
        raise invalid("fileId")
    if method == "files.update":
        return model.update(file_id, body)
    if method == "files.delete":
        model.delete(file_id)
        return None
    raise ValueError(f"{method} is not a Drive write")


async def _dispatch(state: EmulatorState, request: Request, method: str) -> Response:
    file_id = request.path_params.get("file_id")
    if method == "files.list":
        return await _files_list(state.standins.drive, request)
    if method == "files.get":
        assert file_id is not None
        return _one(state.standins.drive.get(file_id), request)
    body = await _json_body(request) if method != "files.delete" else {}
    # Kept with --database once it succeeded (query parameters only choose the answer's
    # fields). The model is looked up after the last await: a reset may have replaced it.
    params = {"method": method, "file_id": file_id, "body": body}
    file = logged_write(
        state, "drive", params, lambda: write(state.standins.drive, method, file_id, body)
    )
    return Response(status_code=204) if file is None else _one(file, request)


_METHODS = {
    ("GET", False): "files.list",
    ("POST", False): "files.create",
    ("GET", True): "files.get",
    ("PATCH", True): "files.update",
    ("DELETE", True): "files.delete",
}


def drive_routes(state: EmulatorState) -> list[Route]:
    """The ``/drive/v3/files`` routes acting on ``state.standins.drive``."""

    async def endpoint(request: Request) -> Response:
        started = time.perf_counter()
        method = _METHODS[(request.method, "file_id" in request.path_params)]
        try:
            response = await _answer(state, request, method)
        except DriveError as err:
            response = json_response(err.body(), err.status)
        state.journal.record(request, f"drive {method}", response.status_code, started)
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
    if not state.standins.google_token_ok(token):
        raise _auth_error(missing=False)
    delay = state.latency_s()
    if delay > 0:
        await asyncio.sleep(delay)
    failure = state.standins.failure("drive", method)
    if failure is not None:
        message = (
            "Internal Error"
            if failure.status >= 500
            else f"{failure.error} (injected by the emulator)"
        )
        raise DriveError(failure.status, failure.error, message)
    return await _dispatch(state, request, method)
