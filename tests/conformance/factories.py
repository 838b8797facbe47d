"""Realistic write payloads and small builders the conformance tests share.

Every builder goes through the validating client, so the set-up calls are checked against the
spec too. Values use the write shapes of API-NOTES §2 (a personal name as ``"Last, First"``, a
company reference as a plain domain, an actor reference as a member's email address).
"""

from __future__ import annotations

import itertools
from typing import Any

from .validation import ConformantClient

MEMBER_EMAIL = "ada@example.com"  # the member every emulator workspace starts with (state.py)
_counter = itertools.count(1)


def unique(prefix: str) -> str:
    """A name no other call in this process has used."""
    return f"{prefix}{next(_counter)}"


def person(c: ConformantClient, **values: Any) -> dict[str, Any]:
    """A new person record (its ``data``)."""
    n = unique("p")
    body = {
        "email_addresses": [f"{n}@example.com"],
        "name": f"Lovelace, Ada {n}",
        "job_title": "Engineer",
        "phone_numbers": ["+442071838750"],
        "primary_location": {
            "line_1": "1 Main Street",
            "line_2": None,
            "line_3": None,
            "line_4": None,
            "locality": "London",
            "region": None,
            "postcode": "N1 1AA",
            "country_code": "GB",
            "latitude": "51.5",
            "longitude": "-0.12",
        },
        **values,
    }
    data: dict[str, Any] = c.data(
        "POST", "/v2/objects/people/records", json={"data": {"values": body}}
    )
    return data


def company(c: ConformantClient, **values: Any) -> dict[str, Any]:
    """A new company record (its ``data``)."""
    n = unique("c")
    body = {"domains": [f"{n}.example.com"], "name": f"Company {n}", "categories": ["SaaS"]}
    body.update(values)
    data: dict[str, Any] = c.data(
        "POST", "/v2/objects/companies/records", json={"data": {"values": body}}
    )
    return data


def deal(c: ConformantClient, **values: Any) -> dict[str, Any]:
    """A new deal record (its ``data``); deals need name, stage and owner (API-NOTES §2)."""
    body = {"name": unique("Deal "), "stage": "Lead", "owner": MEMBER_EMAIL, "value": 1250.5}
    body.update(values)
    data: dict[str, Any] = c.data(
        "POST", "/v2/objects/deals/records", json={"data": {"values": body}}
    )
    return data


def attribute_body(slug: str, type_: str, **extra: Any) -> dict[str, Any]:
    """A create-attribute body with every field Attio requires (API-NOTES §2)."""
    data = {
        "title": slug.replace("_", " ").title(),
        "description": f"The {slug}.",
        "api_slug": slug,
        "type": type_,
        "is_required": False,
        "is_unique": False,
        "is_multiselect": False,
        "config": {},
        **extra,
    }
    return {"data": data}


def pipeline(c: ConformantClient, parent_object: str = "companies") -> dict[str, Any]:
    """A new list with a ``stage`` status attribute and a multiselect ``tier`` select."""
    slug = unique("pipeline_")
    lst: dict[str, Any] = c.data(
        "POST",
        "/v2/lists",
        json={
            "data": {
                "name": slug.replace("_", " ").title(),
                "api_slug": slug,
                "parent_object": parent_object,
                "workspace_access": "full-access",
                "workspace_member_access": [],
            }
        },
    )
    base = f"/v2/lists/{slug}/attributes"
    c.data("POST", base, json=attribute_body("stage", "status"))
    for title in ("Prospect", "Qualified", "Closed"):
        c.data("POST", f"{base}/stage/statuses", json={"data": {"title": title}})
    c.data("POST", base, json=attribute_body("tier", "select", is_multiselect=True))
    for title in ("Gold", "Silver", "Bronze"):
        c.data("POST", f"{base}/tier/options", json={"data": {"title": title}})
    return lst


def entry(
    c: ConformantClient, list_slug: str, record: dict[str, Any], **values: Any
) -> dict[str, Any]:
    """A new entry for ``record`` in list ``list_slug``."""
    data: dict[str, Any] = c.data(
        "POST",
        f"/v2/lists/{list_slug}/entries",
        json={
            "data": {
                "parent_record_id": record["id"]["record_id"],
                "parent_object": record["id"]["object_id"],
                "entry_values": values,
            }
        },
    )
    return data


VIDEO_URL = "https://media.example.com/calls/kick-off.mp4"


def meeting_body(**fields: Any) -> dict[str, Any]:
    """A find-or-create meeting body with every required field (API-NOTES §6)."""
    body = {
        "title": "Kick-off",
        "description": "First call",
        "start": {"datetime": "2030-03-01T15:00:00Z", "timezone": "Europe/London"},
        "end": {"datetime": "2030-03-01T16:00:00Z", "timezone": "Europe/London"},
        "is_all_day": False,
        "participants": [
            {"email_address": MEMBER_EMAIL, "is_organizer": True, "status": "accepted"},
            {"email_address": "guest@example.com", "is_organizer": False, "status": "pending"},
        ],
        "external_ref": unique("ical-"),
        **fields,
    }
    return {"data": body}


def new_meeting(c: ConformantClient, **fields: Any) -> dict[str, Any]:
    """A new meeting (its ``data``)."""
    data: dict[str, Any] = c.data("POST", "/v2/meetings", json=meeting_body(**fields))
    return data


def member_id(c: ConformantClient) -> str:
    """The id of the workspace's first member, found through the API."""
    members = c.data("GET", "/v2/workspace_members")
    for m in members:
        if m["email_address"] == MEMBER_EMAIL:
            return str(m["id"]["workspace_member_id"])
    raise AssertionError(f"no workspace member {MEMBER_EMAIL}")


def seed_workspace(c: ConformantClient) -> dict[str, str]:
    """Resources for path parameters, by name: one to read and update, one to delete, per kind
    (``path_parameters`` picks them for an operation)."""
    ids: dict[str, str] = {"member": member_id(c)}
    for name in ("person", "person_put", "person_delete"):
        ids[name] = person(c)["id"]["record_id"]
    co = company(c)
    lst = pipeline(c)
    ids["list"] = lst["id"]["list_id"]
    for name in ("entry", "entry_put", "entry_delete"):
        ids[name] = entry(c, lst["api_slug"], co, stage="Prospect")["id"]["entry_id"]
    companies = "/v2/objects/companies/attributes"
    ids["categories"] = c.data("GET", f"{companies}/categories")["id"]["attribute_id"]
    saas = [o for o in c.data("GET", f"{companies}/categories/options") if o["title"] == "SaaS"]
    ids["option"] = saas[0]["id"]["option_id"]
    spare = {"api_slug": "fuzz_objects", "singular_noun": "Fuzz", "plural_noun": "Fuzzes"}
    ids["spare_object"] = c.data("POST", "/v2/objects", json={"data": spare})["id"]["object_id"]
    victim = {"api_slug": "fuzz_victims", "singular_noun": "Victim", "plural_noun": "Victims"}
    ids["object_delete"] = c.data("POST", "/v2/objects", json={"data": victim})["id"]["object_id"]
    fuzz = c.data("POST", companies, json=attribute_body("fuzz_text", "text"))
    ids["fuzz_attribute"] = fuzz["id"]["attribute_id"]
    stage = c.data("GET", f"/v2/lists/{ids['list']}/attributes/stage")
    ids["stage"] = stage["id"]["attribute_id"]
    statuses = c.data("GET", f"/v2/lists/{ids['list']}/attributes/stage/statuses")
    ids["status"] = statuses[0]["id"]["status_id"]
    parent = {"parent_object": "people", "parent_record_id": ids["person"]}
    for name in ("note", "note_delete"):
        note = {**parent, "title": "Call", "format": "plaintext", "content": "Notes"}
        ids[name] = c.data("POST", "/v2/notes", json={"data": note})["id"]["note_id"]
    for name in ("task", "task_delete"):
        task = {
            "content": "Follow up",
            "format": "plaintext",
            "deadline_at": None,
            "is_completed": False,
            "linked_records": [{"target_object": "people", "target_record_id": ids["person"]}],
            "assignees": [],
        }
        ids[name] = c.data("POST", "/v2/tasks", json={"data": task})["id"]["task_id"]
    comment = {
        "format": "plaintext",
        "content": "First",
        "author": {"type": "workspace-member", "id": ids["member"]},
        "record": {"object": "people", "record_id": ids["person"]},
    }
    head = c.data("POST", "/v2/comments", json={"data": comment})
    ids["thread"], ids["comment"] = head["thread_id"], head["id"]["comment_id"]
    reply = {k: v for k, v in comment.items() if k != "record"} | {"thread_id": ids["thread"]}
    ids["comment_delete"] = c.data("POST", "/v2/comments", json={"data": reply})["id"]["comment_id"]
    for name in ("meeting", "meeting_delete"):
        ids[name] = new_meeting(c)["id"]["meeting_id"]
    recordings = f"/v2/meetings/{ids['meeting']}/call_recordings"
    for name in ("recording", "recording_delete"):
        made = c.data("POST", recordings, json={"data": {"video_url": VIDEO_URL}})
        ids[name] = made["id"]["call_recording_id"]
    for name in ("webhook", "webhook_delete"):
        hook = {"target_url": "https://hooks.example.com/a", "subscriptions": []}
        ids[name] = c.data("POST", "/v2/webhooks", json={"data": hook})["id"]["webhook_id"]
    _seed_files_and_activities(c, ids)
    return ids


def _seed_files_and_activities(c: ConformantClient, ids: dict[str, str]) -> None:
    """A file with bytes and a folder (docs files/*); two custom activities, one with a unique
    ``visit_key`` attribute and two records (docs activities/*, activity-records/*)."""
    upload = c.client.post(
        "/v2/files/upload",
        data={"object": "people", "record_id": ids["person"]},
        files={"file": ("seed.txt", b"seeded bytes", "text/plain")},
    )
    assert upload.status_code == 201, upload.text
    ids["file"] = upload.json()["data"]["id"]["file_id"]
    folder = {"file_type": "folder", "object": "people", "record_id": ids["person"], "name": "Seed"}
    ids["file_delete"] = c.data("POST", "/v2/files", json={"data": folder})["id"]["file_id"]
    for name in ("activity", "activity_delete"):
        body = {
            "api_slug": unique("seed_visits_"),
            "singular_noun": "Visit",
            "plural_noun": "Visits",
            "extends": "interactions",
        }
        ids[name] = c.data("POST", "/v2/activities", json={"data": body})["api_slug"]
    # The attribute endpoints with target ``activities`` are newer than the vendored spec.
    key = attribute_body("visit_key", "text", is_unique=True)
    made = c.client.post(f"/v2/activities/{ids['activity']}/attributes", json=key)
    assert made.status_code == 200, made.text
    records = f"/v2/activities/{ids['activity']}/records"
    for name in ("activity_record", "activity_record_delete"):
        values = {"visit_key": unique("visit-")}
        rec = c.data("POST", records, json={"data": {"values": values}})
        ids[name] = rec["id"]["record_id"]
    # An email's metadata, as a synced mailbox puts it in (the control plane; docs list-emails).
    email = {
        "direction": "outbound",
        "subject_line": "Offer",
        "participants": [
            {"role": "from", "email_address": "me@ours.test", "name": None},
            {"role": "to", "email_address": "bob@vendor.test", "name": "Bob"},
        ],
    }
    assert c.client.post("/_emulator/emails", json=email).status_code < 300


def path_parameters(label: str, ids: dict[str, str]) -> dict[str, str]:
    """The seeded resources one operation's path names; deletes get their own victims."""
    deleting = label.startswith("DELETE ")
    params = {
        "object": "people",
        "record_id": ids["person_delete" if deleting else "person"],
        "target": "objects",
        "identifier": "companies",
        "attribute": ids["categories"],
        "option": ids["option"],
        "list": ids["list"],
        "entry_id": ids["entry_delete" if deleting else "entry"],
        "workspace_member_id": ids["member"],
        "note_id": ids["note_delete" if deleting else "note"],
        "task_id": ids["task_delete" if deleting else "task"],
        "thread_id": ids["thread"],
        "comment_id": ids["comment_delete" if deleting else "comment"],
        "meeting_id": ids["meeting"],
        "call_recording_id": ids["recording_delete" if deleting else "recording"],
        "webhook_id": ids["webhook_delete" if deleting else "webhook"],
        "file_id": ids["file_delete" if deleting else "file"],
        "activity": ids["activity_delete" if deleting else "activity"],
    }
    # Writes that reshape an object (renames, new required attributes) go to a spare object
    # by id, so the people and companies the other operations use stay as seeded.
    if label == "PATCH /v2/objects/{object}":
        params["object"] = ids["spare_object"]
    if label == "POST /v2/{target}/{identifier}/attributes":
        params["identifier"] = ids["spare_object"]
    if label == "PATCH /v2/{target}/{identifier}/attributes/{attribute}":
        params["attribute"] = ids["fuzz_attribute"]  # renames and archives hit a spare attribute
    if "/statuses" in label:
        params.update(target="lists", identifier=ids["list"], attribute=ids["stage"])
        params["status"] = ids["status"]
    if label.startswith("PUT /v2/objects/{object}/records/{record_id}"):
        params["record_id"] = ids["person_put"]
    if label.startswith("PUT /v2/lists/{list}/entries/{entry_id}"):
        params["entry_id"] = ids["entry_put"]
    if "/records/{record_id}/attributes/" in label:
        params["attribute"] = "name"
    if "/entries/{entry_id}/attributes/" in label:
        params["attribute"] = ids["stage"]
    if label == "DELETE /v2/objects/{object}":
        params["object"] = ids["object_delete"]  # a custom object: standard ones stay
    if label == "DELETE /v2/meetings/{meeting_id}":
        params["meeting_id"] = ids["meeting_delete"]
    if "/v2/activities/{activity}/records" in label:
        # The records of the seeded activity (a delete takes its own victim record).
        params["activity"] = ids["activity"]
        params["record_id"] = ids["activity_record_delete" if deleting else "activity_record"]
    return params
