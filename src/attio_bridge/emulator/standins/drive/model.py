"""The Google Drive stand-in's model: one account's My Drive (``DriveModel``); no HTTP.

My Drive's root answers to the alias ``root``; a file has at most one parent, as Drive enforces
since 2020. ``files.list`` understands the query subset the connectors use: clauses joined by
``and`` among ``name = | != | contains '...'``, ``mimeType = | != '...'``, ``'ID' in parents``
and ``trashed = true | false``; anything else is a 400, so a client relying on more fails loudly
in tests instead of passing by luck. Like Drive, a list without ``trashed = false`` includes the
trash, and trashing a folder trashes what it holds. Errors are ``DriveError``, which renders
Google's error body.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ...clock import new_id, now_ts, parse_ts

FOLDER_MIME = "application/vnd.google-apps.folder"
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


def write(
    model: DriveModel, method: str, file_id: str | None, body: dict[str, Any]
) -> DriveFile | None:
    """Carry out ``files.create|update|delete`` on ``model``: the file, None after a delete.

    The routes and ``replay`` (``--database``) both go through here.
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
