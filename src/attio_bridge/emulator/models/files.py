"""Files on records: Attio-stored files and folders, connected files and folders (beta).

As docs.attio.com/rest-api/endpoint-reference/files/* describe them: every entry hangs off one
record (``object`` and ``record_id``); an uploaded file (``file_type`` "file", storage provider
``attio``) keeps its bytes, at most 50 MB; a folder ("folder") holds other entries through their
``parent_folder_id``; connected files and folders ("connected-file", "connected-folder") point
at an item of an external provider (Dropbox, Box, Google Drive, Microsoft OneDrive) and hold no
bytes here. Deleting a folder deletes what is inside it.

State lives in ``ws.files`` (file id -> Attio's read shape) and ``ws.file_bytes`` (file id ->
content). With ``--database``, an upload is logged with its request body like any other write,
so the bytes come back on replay.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..clock import new_id, now_ts
from ..errors import EmulatorError, NotFoundError, ValidationTypeError, ValueNotFoundError

if TYPE_CHECKING:
    from ..workspace import Workspace

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # "Maximum file size is 50 MB" (upload-a-file)
PROVIDERS = ("dropbox", "box", "google-drive", "microsoft-onedrive")
STORAGE_PROVIDERS = ("attio", *PROVIDERS)
CONNECTED_TYPES = ("connected-file", "connected-folder")
CREATABLE_TYPES = ("folder", *CONNECTED_TYPES)


class FileTooLargeError(EmulatorError):
    """413: an upload over Attio's 50 MB limit."""

    status_code = 413
    code = "validation_type"


def _record_of(ws: Workspace, object_ident: Any, record_id: Any) -> tuple[str, str, str]:
    """(object id, object slug, record id) of the record a file goes on (404 if missing)."""
    if not isinstance(object_ident, str) or not object_ident:
        raise ValidationTypeError('"object" must be an object slug or ID.')
    if not isinstance(record_id, str) or not record_id:
        raise ValidationTypeError('"record_id" must be a record ID.')
    obj = ws.schema.get_object(object_ident)
    ws.get_record(obj, record_id)
    return obj.id, obj.api_slug, record_id


def _folder(ws: Workspace, folder_id: Any, record_id: str) -> str | None:
    """The parent folder id, checked to be a folder on the same record."""
    if folder_id is None:
        return None
    entry = ws.files.get(folder_id) if isinstance(folder_id, str) else None
    if entry is None or entry["file_type"] != "folder":
        raise ValueNotFoundError(f'Parent folder with ID "{folder_id}" not found.')
    assert isinstance(folder_id, str)
    if entry["record_id"] != record_id:
        raise ValidationTypeError(
            f'Parent folder "{folder_id}" belongs to another record; a file goes in a folder of '
            "its own record."
        )
    return folder_id


def _base(
    ws: Workspace, where: tuple[str, str, str], provider: str, kind: str, actor: dict[str, Any]
) -> dict[str, Any]:
    object_id, object_slug, record_id = where
    return {
        "id": {"workspace_id": ws.workspace_id, "file_id": new_id()},
        "object_id": object_id,
        "object_slug": object_slug,
        "record_id": record_id,
        "storage_provider": provider,
        "created_by_actor": dict(actor),
        "created_at": now_ts(),
        "file_type": kind,
    }


def upload(
    ws: Workspace,
    fields: dict[str, str],
    name: str,
    content: bytes,
    content_type: str | None,
    actor: dict[str, Any],
) -> dict[str, Any]:
    """``POST /v2/files/upload``: store ``content`` as a file on a record."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise FileTooLargeError(
            f"The file is {len(content)} bytes; Attio takes files of at most 50 MB "
            f"({MAX_UPLOAD_BYTES} bytes)."
        )
    where = _record_of(ws, fields.get("object"), fields.get("record_id"))
    parent = _folder(ws, fields.get("parent_folder_id"), where[2])
    entry = _base(ws, where, "attio", "file", actor)
    entry.update(
        name=name or "file",
        content_type=content_type or None,
        content_size=len(content),
        parent_folder_id=parent,
    )
    file_id = entry["id"]["file_id"]
    ws.files[file_id] = entry
    ws.file_bytes[file_id] = content
    return entry


def create(ws: Workspace, data: dict[str, Any], actor: dict[str, Any]) -> dict[str, Any]:
    """``POST /v2/files``: a folder, or a connected file or folder."""
    kind = data.get("file_type")
    if kind not in CREATABLE_TYPES:
        raise ValidationTypeError(
            f'"file_type" must be one of {", ".join(CREATABLE_TYPES)}, got {kind!r}; upload a '
            "file's bytes with POST /v2/files/upload."
        )
    where = _record_of(ws, data.get("object"), data.get("record_id"))
    if kind == "folder":
        name = data.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ValidationTypeError('A folder needs a "name" (a non-empty string).')
        entry = _base(ws, where, "attio", kind, actor)
        entry.update(
            name=name, parent_folder_id=_folder(ws, data.get("parent_folder_id"), where[2])
        )
    else:
        provider = data.get("storage_provider")
        if provider not in PROVIDERS:
            raise ValidationTypeError(
                f'"storage_provider" of a {kind} must be one of {", ".join(PROVIDERS)}, '
                f"got {provider!r}."
            )
        external = data.get("external_provider_file_id")
        if not isinstance(external, str) or not external:
            raise ValidationTypeError(f'A {kind} needs "external_provider_file_id".')
        drive = data.get("microsoft_drive_id")
        entry = _base(ws, where, provider, kind, actor)
        entry.update(
            external_provider_file_id=external,
            microsoft_drive_id=drive if provider == "microsoft-onedrive" else None,
        )
    ws.files[entry["id"]["file_id"]] = entry
    return entry


def get(ws: Workspace, file_id: str) -> dict[str, Any]:
    """One entry; 404 as Attio words it."""
    entry = ws.files.get(file_id)
    if entry is None:
        raise NotFoundError(f'File with ID "{file_id}" not found.')
    return entry


def content(ws: Workspace, file_id: str) -> tuple[dict[str, Any], bytes]:
    """An uploaded file and its bytes; 400 for an entry that has none (a folder, a link)."""
    entry = get(ws, file_id)
    if entry["file_type"] != "file":
        raise ValidationTypeError(
            f'"{file_id}" is a {entry["file_type"]}, which has no content to download.'
        )
    return entry, ws.file_bytes.get(file_id, b"")


def listing(
    ws: Workspace,
    object_ident: str | None,
    record_id: str | None,
    provider: str | None,
    folder_id: str | None,
) -> list[dict[str, Any]]:
    """``GET /v2/files``: "files, externally connected files and folders across the workspace",
    each of ``object``, ``record_id``, ``storage_provider`` and ``parent_folder_id`` an optional
    filter (list-files); an unknown object is 404."""
    if provider is not None and provider not in STORAGE_PROVIDERS:
        raise ValidationTypeError(
            f'"storage_provider" must be one of {", ".join(STORAGE_PROVIDERS)}, got "{provider}".'
        )
    object_id = ws.schema.get_object(object_ident).id if object_ident else None
    return [
        e
        for e in ws.files.values()
        if (object_id is None or e["object_id"] == object_id)
        and (record_id is None or e["record_id"] == record_id)
        and (provider is None or e["storage_provider"] == provider)
        and (folder_id is None or e.get("parent_folder_id") == folder_id)
    ]


def delete(ws: Workspace, file_id: str) -> None:
    """``DELETE /v2/files/{file_id}``; a folder takes what is in it along."""
    get(ws, file_id)
    doomed = [file_id]
    i = 0
    while i < len(doomed):
        doomed += [k for k, e in ws.files.items() if e.get("parent_folder_id") == doomed[i]]
        i += 1
    for key in doomed:
        ws.files.pop(key, None)
        ws.file_bytes.pop(key, None)
