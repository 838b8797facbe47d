"""Files on records (``/v2/files``, beta): list, get, folders and connected files, upload,
download, delete.

An upload takes bytes, a path or a binary stream (read whole: Attio takes at most 50 MB, and a
body in memory can be sent again if the request is retried). A download follows Attio's 302 to
the signed URL, without the API key, and returns the bytes or writes them to a path or stream.
"""

from __future__ import annotations

import builtins
import mimetypes
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, BinaryIO

from ..._http import Form
from ..._types import NOT_GIVEN, NotGiven, strip_not_given
from ...models import FileEntry
from ..pagination import iter_cursor
from ._base import CURSOR_MAX, AsyncResource, _seg

Source = bytes | str | os.PathLike[str] | BinaryIO


def _read(source: Source, name: str | None) -> tuple[str, bytes]:
    """(file name, content) of what to upload."""
    if isinstance(source, bytes | bytearray):
        return name or "file", bytes(source)
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        return name or path.name, path.read_bytes()
    stream_name = getattr(source, "name", None)
    guessed = Path(stream_name).name if isinstance(stream_name, str) else "file"
    return name or guessed, source.read()


class AsyncFiles(AsyncResource):
    """Files, folders and connected files on records (beta)."""

    async def list_page(
        self,
        *,
        object: str | NotGiven = NOT_GIVEN,
        record_id: str | NotGiven = NOT_GIVEN,
        storage_provider: str | NotGiven = NOT_GIVEN,
        parent_folder_id: str | NotGiven = NOT_GIVEN,
        cursor: str | None = None,
        limit: int | NotGiven = NOT_GIVEN,
    ) -> tuple[builtins.list[FileEntry], str | None]:
        """One page of the workspace's entries, filtered by any of ``object``, ``record_id``,
        ``storage_provider`` and ``parent_folder_id``, and the next cursor."""
        result = await self._get(
            "/v2/files",
            object=object,
            record_id=record_id,
            storage_provider=storage_provider,
            parent_folder_id=parent_folder_id,
            cursor=cursor,
            limit=limit,
        )
        items = [FileEntry.model_validate(f) for f in result.get("data", [])]
        return items, (result.get("pagination") or {}).get("next_cursor")

    def iter(self, **filters: Any) -> AsyncIterator[FileEntry]:
        """Every entry matching ``filters`` (``list_page``'s: ``object``, ``record_id``,
        ``storage_provider``, ``parent_folder_id``)."""

        async def fetch(cursor: str | None) -> tuple[builtins.list[FileEntry], str | None]:
            return await self.list_page(cursor=cursor, limit=CURSOR_MAX, **filters)

        return iter_cursor(fetch)

    async def get(self, file_id: str) -> FileEntry:
        """Get one entry."""
        return FileEntry.model_validate(await self._data("GET", f"/v2/files/{_seg(file_id)}"))

    async def create_folder(
        self,
        object: str,
        record_id: str,
        name: str,
        *,
        parent_folder_id: str | NotGiven = NOT_GIVEN,
    ) -> FileEntry:
        """Create a folder on a record (in another folder with ``parent_folder_id``)."""
        data = strip_not_given(
            {
                "file_type": "folder",
                "object": object,
                "record_id": record_id,
                "name": name,
                "parent_folder_id": parent_folder_id,
            }
        )
        return FileEntry.model_validate(await self._data("POST", "/v2/files", {"data": data}))

    async def connect(
        self,
        object: str,
        record_id: str,
        *,
        storage_provider: str,
        external_provider_file_id: str,
        folder: bool = False,
        microsoft_drive_id: str | NotGiven | None = NOT_GIVEN,
    ) -> FileEntry:
        """Link a file (or with ``folder``, a folder) of Dropbox, Box, Google Drive or
        Microsoft OneDrive (``storage_provider``) to a record."""
        data = strip_not_given(
            {
                "file_type": "connected-folder" if folder else "connected-file",
                "object": object,
                "record_id": record_id,
                "storage_provider": storage_provider,
                "external_provider_file_id": external_provider_file_id,
                "microsoft_drive_id": microsoft_drive_id,
            }
        )
        return FileEntry.model_validate(await self._data("POST", "/v2/files", {"data": data}))

    async def upload(
        self,
        object: str,
        record_id: str,
        file: Source,
        *,
        name: str | None = None,
        content_type: str | None = None,
        parent_folder_id: str | NotGiven = NOT_GIVEN,
    ) -> FileEntry:
        """Upload ``file`` (bytes, a path or a binary stream) to a record; ``name`` defaults to
        the path's or stream's name, ``content_type`` is guessed from the name."""
        file_name, content = _read(file, name)
        guessed = content_type or mimetypes.guess_type(file_name)[0]
        fields = strip_not_given(
            {"object": object, "record_id": record_id, "parent_folder_id": parent_folder_id}
        )
        form = Form(fields, "file", file_name, content, guessed)
        result = await self._client.request("POST", "/v2/files/upload", form=form)
        return FileEntry.model_validate(result["data"])

    async def download(
        self, file_id: str, to: str | os.PathLike[str] | BinaryIO | None = None
    ) -> bytes:
        """An uploaded file's bytes; with ``to`` (a path or binary stream) they are written
        there as they arrive instead, and ``b""`` is returned."""
        redirect = await self._client.request("GET", f"/v2/files/{_seg(file_id)}/download")
        url = redirect["location"]
        if to is None:
            content, _ = await self._client.fetch_signed(url)
            return content
        if isinstance(to, str | os.PathLike):
            with open(to, "wb") as sink:
                await self._client.fetch_signed(url, sink)
        else:
            await self._client.fetch_signed(url, to)
        return b""

    async def delete(self, file_id: str) -> None:
        """Delete an entry; a folder takes everything in it along."""
        await self._data("DELETE", f"/v2/files/{_seg(file_id)}")
