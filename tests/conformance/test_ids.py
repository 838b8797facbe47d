"""Every id the emulator mints is an RFC 4122 UUID, as Attio's are.

Strict clients (one generated from the spec with ``format: uuid`` checks, or one parsing ids
with ``uuid.UUID`` and checking the version) refuse an id whose version or variant bits are
wrong, even when it is 32 hex digits in the right groups. The test builds a workspace with one of
everything on top of the sandbox seed, reads it back through many endpoints and checks every
id-like field: ``id``, any ``*_id``, the values inside an ``id`` object, and the actor ids of
``created_by_actor`` and the like.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from starlette.testclient import TestClient

from .factories import (
    MEMBER_EMAIL,
    attribute_body,
    company,
    deal,
    entry,
    member_id,
    new_meeting,
    person,
    pipeline,
)
from .validation import ConformantClient

# Fields ending in _id that hold something other than an Attio id.
NOT_IDS = frozenset({"external_id"})


def id_fields(node: Any, path: str = "$") -> Iterator[tuple[str, str]]:
    """``(json path, value)`` of every string field that names an id, at any depth."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield from id_fields(item, f"{path}[{i}]")
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        where = f"{path}.{key}"
        if isinstance(value, str) and key not in NOT_IDS and (key == "id" or key.endswith("_id")):
            yield where, value
        elif key == "id" and isinstance(value, dict):
            # A composite id: {"workspace_id", "object_id", "record_id"} and the like.
            yield from ((f"{where}.{k}", v) for k, v in value.items() if isinstance(v, str))
        else:
            yield from id_fields(value, where)


def bad_ids(body: Any) -> list[str]:
    """The id fields of ``body`` that are not RFC 4122 UUIDs with a known version."""
    bad = []
    for where, value in id_fields(body):
        try:
            parsed = uuid.UUID(value)
        except ValueError:
            bad.append(f"{where} = {value!r} (not a UUID)")
            continue
        if str(parsed) != value:
            bad.append(f"{where} = {value!r} (not in canonical form)")
        elif parsed.variant != uuid.RFC_4122 or parsed.version not in range(1, 9):
            bad.append(f"{where} = {value!r} (variant {parsed.variant}, version {parsed.version})")
    return bad


def test_the_checker_refuses_what_a_strict_client_refuses() -> None:
    """The walk finds nested ids, and a hash cut to UUID shape (version 0) is refused."""
    good = str(uuid.uuid4())
    hashed = "3b9ac9ff-8d24-0f1e-1a2b-3c4d5e6f7a8b"  # version nibble 0, variant bits 00
    body = {"data": [{"id": {"record_id": good}, "created_by_actor": {"id": hashed}}]}
    assert [w for w, _ in id_fields(body)] == [
        "$.data[0].id.record_id",
        "$.data[0].created_by_actor.id",
    ]
    assert bad_ids(body) == [
        f"$.data[0].created_by_actor.id = {hashed!r} (variant "
        f"{uuid.UUID(hashed).variant}, version None)"
    ]
    assert bad_ids({"record_id": "C0123"}) == ["$.record_id = 'C0123' (not a UUID)"]


def test_every_minted_id_is_an_rfc_4122_uuid(api: TestClient, conformant: ConformantClient) -> None:
    """A sandbox seed, then one of each resource through the API, then many reads."""
    assert api.post("/_emulator/seed", json={"dataset": "sandbox"}).status_code == 200
    c = conformant
    co = company(c)
    p = person(c, company=co["values"]["domains"][0]["domain"])
    d = deal(c, associated_company=co["values"]["domains"][0]["domain"])
    lst = pipeline(c)
    made_entry = entry(c, lst["api_slug"], co, stage="Prospect", tier=["Gold"])
    c.data("POST", "/v2/objects/people/attributes", json=attribute_body("nickname", "text"))
    author = member_id(c)
    target = {"object": "people", "record_id": p["id"]["record_id"]}
    note = c.data(
        "POST",
        "/v2/notes",
        json={
            "data": {
                "parent_object": "people",
                "parent_record_id": p["id"]["record_id"],
                "title": "Call",
                "format": "plaintext",
                "content": "Notes",
            }
        },
    )
    task = c.data(
        "POST",
        "/v2/tasks",
        json={
            "data": {
                "content": "Follow up",
                "format": "plaintext",
                "deadline_at": None,
                "is_completed": False,
                "linked_records": [
                    {"target_object": "people", "target_record_id": p["id"]["record_id"]}
                ],
                "assignees": [{"workspace_member_email_address": MEMBER_EMAIL}],
            }
        },
    )
    comment = c.data(
        "POST",
        "/v2/comments",
        json={
            "data": {
                "format": "plaintext",
                "content": "Looks good",
                "author": {"type": "workspace-member", "id": author},
                "record": target,
            }
        },
    )
    webhook = c.data(
        "POST",
        "/v2/webhooks",
        json={
            "data": {
                "target_url": "https://hooks.example.com/attio",
                "subscriptions": [{"event_type": "record.created", "filter": None}],
            }
        },
    )
    meeting = new_meeting(c)
    meeting_path = f"/v2/meetings/{meeting['id']['meeting_id']}/call_recordings"
    recording = c.data(
        "POST", meeting_path, json={"data": {"video_url": "https://media.example.com/a.mp4"}}
    )
    record_path = f"/v2/objects/people/records/{p['id']['record_id']}"
    reads = [
        c.get("/v2/self"),
        c.get("/v2/workspace_members"),
        c.get("/v2/objects"),
        c.get("/v2/lists"),
        c.get("/v2/objects/people/attributes"),
        c.get("/v2/objects/companies/attributes"),
        c.get("/v2/objects/deals/attributes/stage/statuses"),
        c.get(f"/v2/lists/{lst['api_slug']}/attributes"),
        c.get(f"/v2/lists/{lst['api_slug']}/attributes/tier/options"),
        c.get(f"/v2/lists/{lst['api_slug']}/attributes/stage/statuses"),
        c.get(record_path),
        c.get(f"{record_path}/attributes/name/values", params={"show_historic": "true"}),
        c.get(f"/v2/objects/companies/records/{co['id']['record_id']}/entries"),
        c.get(f"/v2/objects/deals/records/{d['id']['record_id']}"),
        c.get(f"/v2/lists/{lst['api_slug']}/entries/{made_entry['id']['entry_id']}"),
        c.get("/v2/notes"),
        c.get("/v2/tasks"),
        c.get(f"/v2/threads/{comment['thread_id']}"),
        c.get(f"/v2/comments/{comment['id']['comment_id']}"),
        c.get("/v2/webhooks"),
        c.get("/v2/meetings"),
        c.get(f"{meeting_path}/{recording['id']['call_recording_id']}"),
        c.get(f"{meeting_path}/{recording['id']['call_recording_id']}/transcript"),
    ]
    for obj in c.data("GET", "/v2/objects"):
        reads.append(c.post(f"/v2/objects/{obj['api_slug']}/records/query", json={}))
    for other in c.data("GET", "/v2/lists"):
        reads.append(c.post(f"/v2/lists/{other['api_slug']}/entries/query", json={}))
    bodies = [note, task, comment, webhook, meeting, recording, *(r.json() for r in reads)]
    checked = sum(1 for body in bodies for _ in id_fields(body))
    assert checked > 300  # the walk reached the ids; a broken walk would pass vacuously
    problems = [problem for body in bodies for problem in bad_ids(body)]
    assert problems == [], "\n".join(problems[:40])
