"""Attio's vendored OpenAPI spec: where it lives, loading it once, and the operations it lists.

The spec (Attio's ``https://api.attio.com/openapi/api`` as of 2026-03, see ``SOURCE.md`` beside
it) is vendored in the repository at ``vendor/attio/openapi.yaml``; ``ATTIO_OPENAPI_SPEC`` points
elsewhere. It is a development aid for the conformance tests and
``scripts/operations_table.py``: the emulator itself never reads it, and PyYAML (a dev
dependency) is imported only when the spec is loaded.

``NOTES_OPERATIONS`` are the endpoints Attio added after that spec which the emulator serves,
as API-NOTES §1b documents them, or a page of Attio's endpoint reference; ``DOCS_OPERATIONS`` are
more of them, each named with its endpoint-reference page; ``NEWER_OPERATIONS`` is both.
"""

from __future__ import annotations

import copy
import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SPEC_ENV = "ATTIO_OPENAPI_SPEC"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")
_REPO_ROOT = Path(__file__).resolve().parents[3]
_PARAM = re.compile(r"\{[^}/]+\}")


@dataclass(frozen=True, slots=True)
class Operation:
    """One API operation: ``GET /v2/objects`` and what the spec (or API-NOTES) says of it."""

    method: str
    path: str
    summary: str
    tag: str
    statuses: tuple[str, ...]
    source: str = "spec"

    @property
    def key(self) -> str:
        """``METHOD /path/{template}``, the name tests and tables use for the operation."""
        return f"{self.method} {self.path}"


DOCS_ROOT = "https://docs.attio.com/rest-api/endpoint-reference/"


def _docs(
    method: str, path: str, summary: str, tag: str, statuses: str | tuple[str, ...], page: str
) -> Operation:
    """An operation Attio documents after the vendored spec; ``page`` is its endpoint-reference
    page under ``DOCS_ROOT``, the source the table names."""
    if isinstance(statuses, str):
        statuses = tuple(statuses.split())
    return Operation(method, path, summary, tag, statuses, source=f"docs {page}")


NOTES_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "POST",
        "/v2/objects/{object}/records/merge",
        "Merge records",
        "Records",
        ("200", "202", "400", "404", "429"),
        source="API-NOTES §1b; docs: records/merge-two-records",
    ),
    _docs(
        "PATCH",
        "/v2/notes/{note_id}",
        "Update a note",
        "Notes",
        ("200", "400", "404"),
        "notes/update-a-note",
    ),
    _docs(
        "PUT",
        "/v2/objects/{object}/records/{record_id}/attributes/{attribute}/values",
        "Write record attribute values",
        "Records",
        ("200", "400", "404"),
        "records/write-record-attribute-values",
    ),
    _docs(
        "PUT",
        "/v2/lists/{list}/entries/{entry_id}/attributes/{attribute}/values",
        "Write list entry attribute values",
        "Entries",
        ("200", "400", "404"),
        "entries/write-list-entry-attribute-values",
    ),
    _docs(
        "DELETE",
        "/v2/objects/{object}",
        "Delete an object",
        "Objects",
        ("200", "400", "404"),
        "objects/delete-an-object",
    ),
    _docs(
        "GET",
        "/v2/objects/{object}/views",
        "List views for object",
        "Object views",
        ("200", "404"),
        "views/list-views-for-object",
    ),
    _docs(
        "GET",
        "/v2/lists/{list}/views",
        "List views for list",
        "List views",
        ("200", "404"),
        "views/list-views-for-list",
    ),
    _docs(
        "PATCH",
        "/v2/meetings/{meeting_id}",
        "Update a meeting (append linked records)",
        "Meetings",
        ("200", "400", "404"),
        "meetings/update-a-meeting-append-linked-records",
    ),
    _docs(
        "PUT",
        "/v2/meetings/{meeting_id}",
        "Update a meeting (overwrite linked records)",
        "Meetings",
        ("200", "400", "404"),
        "meetings/update-a-meeting-overwrite-linked-records",
    ),
    _docs(
        "DELETE",
        "/v2/meetings/{meeting_id}",
        "Delete a meeting",
        "Meetings",
        ("200", "400", "404"),
        "meetings/delete-a-meeting",
    ),
    _docs(
        "POST",
        "/v2/sql",
        "Query SQL",
        "SQL",
        ("200", "400", "403", "429"),
        "sql/query-sql",
    ),
)


# Endpoints newer than the vendored spec, each from its page of Attio's endpoint reference.
DOCS_OPERATIONS: tuple[Operation, ...] = (
    _docs("GET", "/v2/files", "List files", "Files", "200 400 404", "files/list-files"),
    _docs("POST", "/v2/files", "Create a file", "Files", "200 400 404", "files/create-a-file"),
    _docs(
        "POST",
        "/v2/files/upload",
        "Upload a file",
        "Files",
        "201 400 403 404 413",
        "files/upload-a-file",
    ),
    _docs("GET", "/v2/files/{file_id}", "Get a file", "Files", "200 404", "files/get-a-file"),
    _docs(
        "DELETE", "/v2/files/{file_id}", "Delete a file", "Files", "200 404", "files/delete-a-file"
    ),
    _docs(
        "GET",
        "/v2/files/{file_id}/download",
        "Download a file",
        "Files",
        "302 400 404",
        "files/download-a-file",
    ),
    _docs(
        "GET",
        "/v2/activities",
        "List activities",
        "Activities",
        "200",
        "activities/list-activities",
    ),
    _docs(
        "POST",
        "/v2/activities",
        "Create an activity",
        "Activities",
        "200 400 403 409",
        "activities/create-an-activity",
    ),
    _docs(
        "GET",
        "/v2/activities/{activity}",
        "Get an activity",
        "Activities",
        "200 404",
        "activities/get-an-activity",
    ),
    _docs(
        "PATCH",
        "/v2/activities/{activity}",
        "Update an activity",
        "Activities",
        "200 400 403 404 409",
        "activities/update-an-activity",
    ),
    _docs(
        "DELETE",
        "/v2/activities/{activity}",
        "Delete an activity",
        "Activities",
        "200 400 403 404",
        "activities/delete-an-activity",
    ),
    _docs(
        "POST",
        "/v2/activities/{activity}/records/query",
        "List activity records",
        "Activity records",
        "200 400 404",
        "activity-records/list-activity-records",
    ),
    _docs(
        "POST",
        "/v2/activities/{activity}/records",
        "Create an activity record",
        "Activity records",
        "200 400 403 404 409",
        "activity-records/create-an-activity-record",
    ),
    _docs(
        "PUT",
        "/v2/activities/{activity}/records",
        "Upsert an activity record",
        "Activity records",
        "200 400 403 404 409",
        "activity-records/upsert-an-activity-record",
    ),
    _docs(
        "GET",
        "/v2/activities/{activity}/records/{record_id}",
        "Get an activity record",
        "Activity records",
        "200 404",
        "activity-records/get-an-activity-record",
    ),
    _docs(
        "PATCH",
        "/v2/activities/{activity}/records/{record_id}",
        "Update an activity record (append multiselect values)",
        "Activity records",
        "200 400 403 404 409",
        "activity-records/update-an-activity-record-append-multiselect-values",
    ),
    _docs(
        "PUT",
        "/v2/activities/{activity}/records/{record_id}",
        "Update an activity record (overwrite multiselect values)",
        "Activity records",
        "200 400 403 404 409",
        "activity-records/update-an-activity-record-overwrite-multiselect-values",
    ),
    _docs(
        "DELETE",
        "/v2/activities/{activity}/records/{record_id}",
        "Delete an activity record",
        "Activity records",
        "200 403 404",
        "activity-records/delete-an-activity-record",
    ),
    _docs("GET", "/v2/emails", "List emails", "Emails", "200 400 404", "emails/list-emails"),
    _docs(
        "POST",
        "/v2/sequences/unsubscribed_emails",
        "Add emails to the unsubscribe list",
        "Sequences",
        "200 400",
        "sequences/add-emails-to-the-unsubscribe-list",
    ),
)
# Everything newer than the vendored spec: what API-NOTES documents, then Attio's docs pages.
NEWER_OPERATIONS: tuple[Operation, ...] = NOTES_OPERATIONS + DOCS_OPERATIONS


def spec_path() -> Path:
    """Where the vendored spec is read from."""
    override = os.environ.get(SPEC_ENV)
    if override:
        return Path(override)
    return _REPO_ROOT / "vendor" / "attio" / "openapi.yaml"


@functools.cache
def _load(path: Path) -> dict[str, Any]:
    import yaml

    with path.open("rb") as fh:
        loaded = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(loaded, dict) or "paths" not in loaded:
        raise ValueError(f"{path} is not an OpenAPI document")
    return loaded


def load_spec() -> dict[str, Any]:
    """The parsed spec (a private copy; parsing happens once per process).

    Raises ``FileNotFoundError`` when the spec is not where ``spec_path()`` says.
    """
    return copy.deepcopy(_load(spec_path()))


def spec_operations(spec: dict[str, Any]) -> list[Operation]:
    """Every operation of ``spec``, in the spec's order."""
    out: list[Operation] = []
    for path, item in spec["paths"].items():
        for method in HTTP_METHODS:
            op = item.get(method)
            if op is None:
                continue
            tags = op.get("tags") or [""]
            out.append(
                Operation(
                    method.upper(),
                    path,
                    str(op.get("summary", "")),
                    str(tags[0]),
                    tuple(sorted(op.get("responses", {}))),
                )
            )
    return out


def path_shape(path: str) -> str:
    """``path`` with every ``{parameter}`` (Starlette's ``{name:conv}`` too) written ``{}``."""
    return _PARAM.sub("{}", path)


def match_operation(method: str, path: str, operations: list[Operation]) -> Operation | None:
    """The operation a concrete request ``method path`` is for.

    Where several templates match (``/v2/objects/records/search`` also fits
    ``/v2/objects/{object}/records``), the one with more literal segments wins, as in Attio.
    """
    segments = path.rstrip("/").split("/")
    best: tuple[int, Operation] | None = None
    for op in operations:
        if op.method != method.upper():
            continue
        template = op.path.split("/")
        if len(template) != len(segments):
            continue
        literal = 0
        for want, got in zip(template, segments, strict=True):
            if _PARAM.fullmatch(want):
                if not got:
                    break
            elif want == got:
                literal += 1
            else:
                break
        else:
            if best is None or literal > best[0]:
                best = (literal, op)
    return best[1] if best else None
