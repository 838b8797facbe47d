"""Routes for files (beta): list, get, create, upload, download, delete (``/v2/files...``).

Shapes and statuses follow docs.attio.com/rest-api/endpoint-reference/files/*: uploads are
``multipart/form-data`` with one binary field ``file`` and the fields ``object``, ``record_id``
and optional ``parent_folder_id``, answered 201; the list pages by cursor (limit 1-200, default
50); a download answers 302 with a signed URL. The emulator signs that URL itself and serves the
bytes at ``/_storage/files/{file_id}`` (``storage_routes``) without a bearer token, as a signed
storage URL is fetched, for a few minutes only.

Multipart bodies are parsed with the standard library's ``email`` parser (the project does not
depend on python-multipart), which keeps the bytes of a part as sent.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..errors import EmulatorError, ValidationTypeError
from ..http import Call, RouteTable, error_response, json_response
from ..models import files
from ..models.meetings import cursor_page

if TYPE_CHECKING:
    from ..state import EmulatorState

table = RouteTable()
SIGNED_URL_SECONDS = 300
# Signs download URLs; made per process, so a URL does not outlive the emulator that issued it.
_SIGNING_KEY = secrets.token_bytes(32)


def _signature(file_id: str, expires: int) -> str:
    return hmac.new(_SIGNING_KEY, f"{file_id}:{expires}".encode(), hashlib.sha256).hexdigest()


def _parts(content_type: str, body: bytes) -> list[Message]:
    """The parts of a ``multipart/form-data`` body; 400 when it is not one."""
    if not content_type.lower().startswith("multipart/form-data"):
        raise ValidationTypeError(
            'Send the upload as multipart/form-data with a binary field "file" and the fields '
            f'"object" and "record_id" (got Content-Type "{content_type or "none"}").'
        )
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise ValidationTypeError("The multipart body could not be read: check its boundary.")
    return [part for part in message.iter_parts() if isinstance(part, Message)]


async def _upload_form(call: Call) -> tuple[dict[str, str], tuple[str, bytes, str | None]]:
    """(text fields, (file name, bytes, content type)) of an upload."""
    body = await call.request.body()
    fields: dict[str, str] = {}
    upload: tuple[str, bytes, str | None] | None = None
    for part in _parts(call.request.headers.get("content-type", ""), body):
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if name == "file":
            if upload is not None:
                raise ValidationTypeError('Send exactly one binary field named "file".')
            filename = part.get_filename() or "file"
            declared = part.get("content-type")
            upload = (filename, data, part.get_content_type() if declared else None)
        else:
            fields[name] = data.decode("utf-8", "replace")
    if upload is None:
        raise ValidationTypeError('The upload has no binary field named "file".')
    return fields, upload


@table.route("GET", "/v2/files")
async def list_files(call: Call) -> Any:
    found = files.listing(
        call.ws,
        call.query("object"),
        call.query("record_id"),
        call.query("storage_provider"),
        call.query("parent_folder_id"),
    )
    limit = call.query_int("limit", 50, 1, 200)
    page, next_cursor = cursor_page(found, call.query("cursor"), limit)
    return {"data": page, "pagination": {"next_cursor": next_cursor}}


@table.route("POST", "/v2/files")
async def create_file(call: Call) -> Any:
    return {"data": files.create(call.ws, await call.data(), call.actor)}


@table.route("POST", "/v2/files/upload")
async def upload_file(call: Call) -> Any:
    fields, (name, content, content_type) = await _upload_form(call)
    entry = files.upload(call.ws, fields, name, content, content_type, call.actor)
    return json_response({"data": entry}, 201)


@table.route("GET", "/v2/files/{file_id}")
async def get_file(call: Call) -> Any:
    return {"data": files.get(call.ws, call.path["file_id"])}


@table.route("DELETE", "/v2/files/{file_id}")
async def delete_file(call: Call) -> Any:
    files.delete(call.ws, call.path["file_id"])
    return {}


@table.route("GET", "/v2/files/{file_id}/download")
async def download_file(call: Call) -> Any:
    file_id = call.path["file_id"]
    files.content(call.ws, file_id)
    expires = int(time.time()) + SIGNED_URL_SECONDS
    url = call.request.url_for("storage-file", file_id=file_id).include_query_params(
        expires=expires, signature=_signature(file_id, expires)
    )
    return RedirectResponse(str(url), status_code=302)


def storage_routes(state: EmulatorState) -> list[Route]:
    """The signed storage URLs downloads redirect to: no bearer token, a signature instead."""

    async def serve(request: Request) -> Response:
        file_id = request.path_params["file_id"]
        try:
            expires = int(request.query_params.get("expires", "0"))
        except ValueError:
            expires = 0
        given = request.query_params.get("signature", "")
        if expires < time.time() or not hmac.compare_digest(given, _signature(file_id, expires)):
            return error_response(
                EmulatorError("The signed URL is invalid or has expired: download again.")
            )
        try:
            entry, content = files.content(state.workspace, file_id)
        except EmulatorError as err:
            return error_response(err)
        name = entry["name"].replace('"', "")
        return Response(
            content,
            media_type=entry["content_type"] or "application/octet-stream",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    return [Route("/_storage/files/{file_id}", serve, methods=["GET"], name="storage-file")]
