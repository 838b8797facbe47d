"""``--database``: uploaded files, activities and their records survive a restart. An upload is
logged as its request, multipart body and all (emulator/persistence.py), so the bytes come back
with the same file id (docs.attio.com/rest-api/endpoint-reference/files/upload-a-file)."""

from __future__ import annotations

import os
from pathlib import Path

from .test_persistence import running


def test_an_upload_and_an_activity_record_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "ws.sqlite3"
    content = os.urandom(4096) + b"\r\n--not-a-boundary\r\n"
    with running(db) as api:
        rec = api.post("/v2/objects/people/records", json={"data": {"values": {}}}).json()
        rid = rec["data"]["id"]["record_id"]
        up = api.post(
            "/v2/files/upload",
            data={"object": "people", "record_id": rid},
            files={"file": ("scan.bin", content, "application/octet-stream")},
        )
        assert up.status_code == 201, up.text
        entry = up.json()["data"]
        body = {
            "api_slug": "visits",
            "singular_noun": "V",
            "plural_noun": "Vs",
            "extends": "activities",
        }
        act = api.post("/v2/activities", json={"data": body}).json()["data"]
        call = api.post(
            "/v2/activities/phone_calls/records",
            json={"data": {"values": {"direction": "Inbound"}}},
        ).json()["data"]
    with running(db) as api:
        file_id = entry["id"]["file_id"]
        assert api.get(f"/v2/files/{file_id}").json()["data"] == entry
        assert api.get(f"/v2/files/{file_id}/download").content == content  # redirect followed
        assert api.get("/v2/activities/visits").json()["data"] == act
        path = f"/v2/activities/phone_calls/records/{call['id']['record_id']}"
        assert api.get(path).json()["data"] == call
