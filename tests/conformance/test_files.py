"""Conformance of files (beta): docs.attio.com/rest-api/endpoint-reference/files/*."""

from __future__ import annotations

import os
import uuid
from typing import Any

import httpx
import pytest

from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.emulator.models.files import MAX_UPLOAD_BYTES

from .factories import person
from .validation import ConformantClient, Seen

op = pytest.mark.operation

LIST = "GET /v2/files"
CREATE = "POST /v2/files"
UPLOAD = "POST /v2/files/upload"
GET = "GET /v2/files/{file_id}"
DELETE = "DELETE /v2/files/{file_id}"
DOWNLOAD = "GET /v2/files/{file_id}/download"
MISSING = str(uuid.UUID(int=7))


def _upload(
    c: ConformantClient, record_id: str, content: bytes, name: str = "notes.txt", **fields: str
) -> httpx.Response:
    """A multipart upload as the docs' curl example sends it (``--form file=@...``)."""
    response: httpx.Response = c.client.post(
        "/v2/files/upload",
        data={"object": "people", "record_id": record_id, **fields},
        files={"file": (name, content, "text/plain")},
    )
    c.seen.append(Seen(c.validator.validate(response).key, response.status_code))
    return response


def _download(c: ConformantClient, file_id: str) -> httpx.Response:
    """The download, its 302 kept (the test client would follow it)."""
    response: httpx.Response = c.client.get(f"/v2/files/{file_id}/download", follow_redirects=False)
    c.seen.append(Seen(c.validator.validate(response).key, response.status_code))
    return response


@op(UPLOAD, GET, DOWNLOAD, LIST)
def test_upload_keeps_the_bytes_and_the_download_redirects_to_them(
    conformant: ConformantClient,
) -> None:
    """Upload a file (201, the File entry) and Download a file (302 to a signed URL): the
    bytes served there are those uploaded, binary ones included, without the API key."""
    rec = person(conformant)["id"]["record_id"]
    content = os.urandom(3000) + b"\r\n--boundary\r\n" + bytes(range(256))
    uploaded = _upload(conformant, rec, content, name="scan.bin")
    assert uploaded.status_code == 201, uploaded.text
    entry = uploaded.json()["data"]
    assert (entry["file_type"], entry["storage_provider"]) == ("file", "attio")
    assert (entry["name"], entry["content_size"]) == ("scan.bin", len(content))
    file_id = entry["id"]["file_id"]
    assert conformant.data("GET", f"/v2/files/{file_id}") == entry
    redirect = _download(conformant, file_id)
    assert redirect.status_code == 302
    signed = redirect.headers["location"]
    fetched = conformant.client.get(signed, headers={"Authorization": ""})
    assert fetched.status_code == 200
    assert fetched.content == content
    tampered = conformant.client.get(signed.replace("signature=", "signature=0"))
    assert tampered.status_code == 400
    listed = conformant.request("GET", "/v2/files", params={"object": "people", "record_id": rec})
    assert [f["id"]["file_id"] for f in listed.json()["data"]] == [file_id]


@op(CREATE, UPLOAD, LIST, DELETE, GET)
def test_folders_hold_entries_and_deleting_one_deletes_its_descendants(
    conformant: ConformantClient,
) -> None:
    """Create a file (folder) and Delete a file: "Deleting a folder will delete all of its
    descendants"; List files filters by folder, by cursor. Its parameters are optional filters
    as list-files documents ("Optional query parameters may be provided to filter results by
    object, record, storage provider or parent folder"); the ``attio`` 0.26.1 SDK is stricter,
    typing ``object`` and ``record_id`` as required."""
    rec = person(conformant)["id"]["record_id"]
    body = {"data": {"file_type": "folder", "object": "people", "record_id": rec, "name": "Docs"}}
    folder = conformant.data("POST", "/v2/files", json=body)
    folder_id = folder["id"]["file_id"]
    inner = [
        _upload(conformant, rec, f"page {i}".encode(), parent_folder_id=folder_id).json()["data"]
        for i in range(3)
    ]
    params: dict[str, Any] = {
        "object": "people",
        "record_id": rec,
        "parent_folder_id": folder_id,
        "limit": 2,
    }
    first = conformant.request("GET", "/v2/files", params=params).json()
    assert len(first["data"]) == 2 and first["pagination"]["next_cursor"]
    params["cursor"] = first["pagination"]["next_cursor"]
    second = conformant.request("GET", "/v2/files", params=params).json()
    assert [f["id"] for f in first["data"] + second["data"]] == [f["id"] for f in inner]
    assert second["pagination"]["next_cursor"] is None
    across = conformant.request("GET", "/v2/files").json()["data"]
    assert {f["id"]["file_id"] for f in across} >= {folder_id, *(f["id"]["file_id"] for f in inner)}
    assert conformant.request("DELETE", f"/v2/files/{folder_id}", expect=200).json() == {}
    for entry in inner:
        conformant.get(f"/v2/files/{entry['id']['file_id']}", expect=404, code="not_found")


@op(CREATE)
def test_connected_files_point_at_another_provider(conformant: ConformantClient) -> None:
    """Create a file: a connected file or folder names its provider and its id there."""
    rec = person(conformant)["id"]["record_id"]
    data = {
        "file_type": "connected-file",
        "object": "people",
        "record_id": rec,
        "storage_provider": "google-drive",
        "external_provider_file_id": "1AbC",
    }
    made = conformant.data("POST", "/v2/files", json={"data": data})
    assert (made["storage_provider"], made["external_provider_file_id"]) == ("google-drive", "1AbC")
    bad = {**data, "storage_provider": "attio"}
    conformant.post("/v2/files", json={"data": bad}, expect=400, code="validation_type")


@op(UPLOAD, GET, DELETE, DOWNLOAD, LIST)
def test_file_errors(conformant: ConformantClient) -> None:
    """Upload: a record that does not exist is 404, a body that is not multipart 400;
    Get/Delete/Download of an unknown id 404; List: an unknown object 404, an unknown storage
    provider 400."""
    rec = person(conformant)["id"]["record_id"]
    assert _upload(conformant, MISSING, b"x").status_code == 404
    not_multipart = conformant.client.post("/v2/files/upload", json={"object": "people"})
    assert not_multipart.status_code == 400
    conformant.get(f"/v2/files/{MISSING}", expect=404, code="not_found")
    conformant.delete(f"/v2/files/{MISSING}", expect=404, code="not_found")
    assert _download(conformant, MISSING).status_code == 404
    conformant.get("/v2/files", params={"object": "nothing"}, expect=404, code="not_found")
    conformant.get("/v2/files", params={"storage_provider": "ftp"}, expect=400)
    folder = conformant.data(
        "POST",
        "/v2/files",
        json={"data": {"file_type": "folder", "object": "people", "record_id": rec, "name": "F"}},
    )
    assert _download(conformant, folder["id"]["file_id"]).status_code == 400


def test_an_upload_over_50_mb_is_refused(emulator: EmulatorApp) -> None:
    """Upload a file: "Maximum file size is 50 MB" (checked on the model: 50 MB through the
    test client would be slow)."""
    from attio_bridge.emulator.errors import EmulatorError
    from attio_bridge.emulator.models import files

    with pytest.raises(EmulatorError) as caught:
        files.upload(
            emulator.state.workspace,
            {"object": "people", "record_id": MISSING},
            "big.bin",
            bytes(MAX_UPLOAD_BYTES + 1),
            None,
            {"type": "system", "id": None},
        )
    assert caught.value.status_code == 413
    assert "50 MB" in caught.value.message
