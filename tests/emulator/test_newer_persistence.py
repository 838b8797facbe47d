"""``--database FILE`` keeps what the newer operations (issue 14) change: an edited note, a
written value history, a merge, a deleted object and updated meeting links survive a restart,
read back identically (ids and timestamps included)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from .core_helpers import ok
from .test_persistence import post, running


def _reads(api: TestClient, paths: list[str]) -> dict[str, Any]:
    return {p: api.get(p).json() for p in paths}


def test_newer_writes_survive_a_restart(tmp_path: Path) -> None:
    """Every GET after the restart answers as before it."""
    db = tmp_path / "ws.sqlite3"
    with running(db) as api:
        people = [
            post(api, "/v2/objects/people/records", {"values": {"email_addresses": [e]}})
            for e in ("a@example.com", "b@example.com", "c@example.com")
        ]
        ids = [p["id"]["record_id"] for p in people]
        note = post(
            api,
            "/v2/notes",
            {
                "parent_object": "people",
                "parent_record_id": ids[0],
                "title": "Call",
                "format": "plaintext",
                "content": "Draft",
            },
        )
        note_path = f"/v2/notes/{note['id']['note_id']}"
        ok(api.patch(note_path, json={"data": {"title": "Call (final)", "content": "Done"}}))
        values = f"/v2/objects/people/records/{ids[0]}/attributes/job_title/values"
        history = [
            {
                "value": "Engineer",
                "active_from": "2020-01-01T00:00:00Z",
                "active_until": "2021-01-01T00:00:00Z",
            },
            {"value": "CTO", "active_from": "2021-01-01T00:00:00Z", "active_until": None},
        ]
        ok(api.put(values, json={"data": {"values": history, "replace_history": True}}))
        merged = post(
            api,
            "/v2/objects/people/records/merge",
            {"primary_record_id": ids[1], "secondary_record_id": ids[2]},
        )["new_record_id"]
        post(api, "/v2/objects", {"api_slug": "gadgets", "singular_noun": "G", "plural_noun": "Gs"})
        assert api.delete("/v2/objects/gadgets").json() == {}
        meeting = post(
            api,
            "/v2/meetings",
            {
                "title": "Kick-off",
                "description": "",
                "start": {"datetime": "2026-03-01T15:00:00Z"},
                "end": {"datetime": "2026-03-01T16:00:00Z"},
                "is_all_day": False,
                "participants": [],
                "external_ref": "ref-1",
            },
        )
        meeting_path = f"/v2/meetings/{meeting['id']['meeting_id']}"
        links = {"linked_records": [{"object": "people", "record_id": ids[0]}]}
        ok(api.patch(meeting_path, json={"data": links}))
        paths = [
            note_path,
            f"{values}?show_historic=true",
            f"/v2/objects/people/records/{merged}",
            f"/v2/objects/people/records/{ids[1]}",
            "/v2/objects/gadgets",
            meeting_path,
        ]
        before = _reads(api, paths)
    assert before[note_path]["data"]["content_plaintext"] == "Done"
    assert before["/v2/objects/gadgets"]["code"] == "not_found"
    with running(db) as api:
        assert _reads(api, paths) == before
