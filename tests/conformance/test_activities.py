"""Conformance of custom activities and activity records (beta), emails (alpha) and the
sequences unsubscribe list (beta): docs.attio.com/rest-api/endpoint-reference/activities/*,
activity-records/*, emails/list-emails, sequences/*, and the guide rest-api/guides/activities."""

from __future__ import annotations

from typing import Any

import pytest

from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.emulator.models import emails

from .factories import attribute_body, person, unique
from .validation import ConformantClient

op = pytest.mark.operation

LIST = "GET /v2/activities"
CREATE = "POST /v2/activities"
GET = "GET /v2/activities/{activity}"
UPDATE = "PATCH /v2/activities/{activity}"
DELETE = "DELETE /v2/activities/{activity}"
QUERY = "POST /v2/activities/{activity}/records/query"
CREATE_RECORD = "POST /v2/activities/{activity}/records"
ASSERT_RECORD = "PUT /v2/activities/{activity}/records"
GET_RECORD = "GET /v2/activities/{activity}/records/{record_id}"
PATCH_RECORD = "PATCH /v2/activities/{activity}/records/{record_id}"
PUT_RECORD = "PUT /v2/activities/{activity}/records/{record_id}"
DELETE_RECORD = "DELETE /v2/activities/{activity}/records/{record_id}"
EMAILS = "GET /v2/emails"
UNSUBSCRIBE = "POST /v2/sequences/unsubscribed_emails"


def _activity(c: ConformantClient, extends: str = "interactions") -> dict[str, Any]:
    slug = unique("acme_site_visits_")
    body = {
        "data": {
            "api_slug": slug,
            "singular_noun": "Site visit",
            "plural_noun": "Site visits",
            "extends": extends,
        }
    }
    data: dict[str, Any] = c.data("POST", "/v2/activities", json=body)
    return data


def _attribute(api: Any, activity: str, slug: str, type_: str, **extra: Any) -> dict[str, Any]:
    """An attribute of an activity (the attribute endpoints with target ``activities``)."""
    response = api.post(
        f"/v2/activities/{activity}/attributes", json=attribute_body(slug, type_, **extra)
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


@op(LIST, CREATE, GET, UPDATE, DELETE)
def test_activity_lifecycle_and_the_schema_is_permanent(conformant: ConformantClient) -> None:
    """Activities: create (with ``extends``), list (phone calls, the system activity, first),
    get by slug or id, update slug and nouns but not ``extends`` (400), delete (then 404)."""
    made = _activity(conformant, extends="calls")
    assert made["extends"][0]["schema_slug"] == "calls"
    assert made["is_system_activity"] is False
    listed = conformant.request("GET", "/v2/activities").json()
    slugs = [a["api_slug"] for a in listed["data"]]
    assert slugs[0] == "phone_calls" and made["api_slug"] in slugs
    activity_id = made["id"]["activity_id"]
    assert conformant.data("GET", f"/v2/activities/{activity_id}") == made
    renamed = conformant.data(
        "PATCH",
        f"/v2/activities/{activity_id}",
        json={"data": {"api_slug": made["api_slug"] + "_v2", "plural_noun": "Visits"}},
    )
    assert (renamed["api_slug"], renamed["plural_noun"]) == (made["api_slug"] + "_v2", "Visits")
    conformant.patch(
        f"/v2/activities/{activity_id}",
        json={"data": {"extends": "emails"}},
        expect=400,
        code="validation_type",
    )
    assert conformant.request("DELETE", f"/v2/activities/{activity_id}", expect=200).json() == {}
    conformant.get(f"/v2/activities/{activity_id}", expect=404, code="not_found")


@op(CREATE, UPDATE, DELETE)
def test_activity_errors(conformant: ConformantClient) -> None:
    """Create: a taken slug is 409 ``slug_conflict``, an unknown schema 400; the system
    activity cannot be changed or deleted (400 ``system_edit_unauthorized``)."""
    made = _activity(conformant)
    again = {
        "data": {
            "api_slug": made["api_slug"],
            "singular_noun": "A",
            "plural_noun": "B",
            "extends": "activities",
        }
    }
    conformant.post("/v2/activities", json=again, expect=409, code="slug_conflict")
    again["data"] |= {"api_slug": unique("other_"), "extends": "meetings"}
    conformant.post("/v2/activities", json=again, expect=400, code="validation_type")
    conformant.delete("/v2/activities/phone_calls", expect=400, code="system_edit_unauthorized")
    conformant.patch(
        "/v2/activities/phone_calls",
        json={"data": {"plural_noun": "Calls"}},
        expect=400,
        code="system_edit_unauthorized",
    )


@op(CREATE_RECORD, GET_RECORD, PATCH_RECORD, PUT_RECORD, DELETE_RECORD, QUERY)
def test_activity_records_hold_values_like_records(conformant: ConformantClient, api: Any) -> None:
    """Activity records: create (the docs' example ``{"direction": "Outbound"}`` on phone
    calls), get, PATCH appends and PUT overwrites multiselect values, query by filter, delete."""
    call = conformant.data(
        "POST",
        "/v2/activities/phone_calls/records",
        json={"data": {"values": {"direction": "Outbound"}}},
    )
    assert call["values"]["direction"][0]["option"]["title"] == "Outbound"
    act = _activity(conformant)
    slug = act["api_slug"]
    _attribute(api, slug, "pages", "text", is_multiselect=False)
    _attribute(api, slug, "visitor", "record-reference", config={})
    _attribute(api, slug, "tags", "select", is_multiselect=True)
    for title in ("new", "pricing", "docs"):
        api.post(f"/v2/activities/{slug}/attributes/tags/options", json={"data": {"title": title}})
    visitor = person(conformant)["id"]["record_id"]
    values = {
        "pages": "/pricing",
        "visitor": {"target_object": "people", "target_record_id": visitor},
        "tags": ["new"],
    }
    rec = conformant.data(
        "POST", f"/v2/activities/{slug}/records", json={"data": {"values": values}}
    )
    rid = rec["id"]["record_id"]
    assert rec["values"]["visitor"][0]["target_record_id"] == visitor
    path = f"/v2/activities/{slug}/records/{rid}"
    assert conformant.data("GET", path) == rec
    appended = conformant.data("PATCH", path, json={"data": {"values": {"tags": ["pricing"]}}})
    # "the values supplied will be created and prepended" (update ... append multiselect values)
    assert [v["option"]["title"] for v in appended["values"]["tags"]] == ["pricing", "new"]
    replaced = conformant.data("PUT", path, json={"data": {"values": {"tags": ["docs"]}}})
    assert [v["option"]["title"] for v in replaced["values"]["tags"]] == ["docs"]
    found = conformant.data(
        "POST", f"/v2/activities/{slug}/records/query", json={"filter": {"pages": "/pricing"}}
    )
    assert [r["id"]["record_id"] for r in found] == [rid]
    assert conformant.request("DELETE", path, expect=200).json() == {}
    conformant.get(path, expect=404, code="not_found")


@op(ASSERT_RECORD, CREATE_RECORD)
def test_upsert_matches_on_a_unique_attribute(conformant: ConformantClient, api: Any) -> None:
    """Upsert an activity record: the record whose unique matching attribute has the value is
    updated, else one is created; an unknown matching attribute is 400 ``value_not_found``."""
    slug = _activity(conformant)["api_slug"]
    _attribute(api, slug, "visit_key", "text", is_unique=True)
    _attribute(api, slug, "seconds", "number")
    path = f"/v2/activities/{slug}/records"
    first = conformant.data(
        "PUT",
        path,
        params={"matching_attribute": "visit_key"},
        json={"data": {"values": {"visit_key": "v-1", "seconds": 3}}},
    )
    second = conformant.data(
        "PUT",
        path,
        params={"matching_attribute": "visit_key"},
        json={"data": {"values": {"visit_key": "v-1", "seconds": 9}}},
    )
    assert second["id"] == first["id"]
    assert second["values"]["seconds"][0]["value"] == 9
    conformant.put(
        path,
        params={"matching_attribute": "nope"},
        json={"data": {"values": {"visit_key": "v-2"}}},
        expect=400,
        code="value_not_found",
    )
    conformant.post(
        path,
        json={"data": {"values": {"visit_key": "v-1"}}},
        expect=400,
        code="uniqueness_conflict",
    )


def test_activity_events_are_emitted(api: Any, emulator: EmulatorApp) -> None:
    """Webhook reference, activity-events, activity-attribute-events and activity-record-events:
    ``activity.created|updated|deleted`` name the activity, ``activity-attribute.created`` the
    attribute too, ``activity-record.created|deleted`` the record."""
    heard: list[dict[str, Any]] = []
    emulator.state.workspace.listeners.append(heard.append)
    body = {
        "api_slug": "ev_visits",
        "singular_noun": "V",
        "plural_noun": "Vs",
        "extends": "activities",
    }
    act = api.post("/v2/activities", json={"data": body}).json()["data"]
    activity_id = act["id"]["activity_id"]
    attr = _attribute(api, "ev_visits", "page", "text")
    api.patch("/v2/activities/ev_visits", json={"data": {"singular_noun": "Visit"}})
    rec = api.post("/v2/activities/ev_visits/records", json={"data": {"values": {"page": "/"}}})
    rid = rec.json()["data"]["id"]["record_id"]
    api.delete(f"/v2/activities/ev_visits/records/{rid}")
    api.delete("/v2/activities/ev_visits")
    got = [
        (e["event_type"], {k: v for k, v in e["id"].items() if k != "workspace_id"}) for e in heard
    ]
    assert got == [
        ("activity.created", {"activity_id": activity_id}),
        (
            "activity-attribute.created",
            {"activity_id": activity_id, "attribute_id": attr["id"]["attribute_id"]},
        ),
        ("activity.updated", {"activity_id": activity_id}),
        ("activity-record.created", {"activity_id": activity_id, "record_id": rid}),
        ("activity-record.deleted", {"activity_id": activity_id, "record_id": rid}),
        ("activity.deleted", {"activity_id": activity_id}),
    ]


@op(EMAILS)
def test_emails_list_metadata_matching_any_filter(
    conformant: ConformantClient, emulator: EmulatorApp
) -> None:
    """List emails: at least one filter, several combined with OR, newest first, with the
    records linked now (people by address, companies by domain); no filter is a 400."""
    ws = emulator.state.workspace
    ann = person(conformant)
    ann_address = ann["values"]["email_addresses"][0]["email_address"]
    emails.add_email(
        ws,
        subject_line="Intro",
        direction="inbound",
        participants=[("from", ann_address, "Ann"), ("to", "me@ours.test", None)],
        sent_at="2030-01-01T10:00:00.000000000Z",
    )
    emails.add_email(
        ws,
        subject_line="Offer",
        direction="outbound",
        participants=[("from", "me@ours.test", None), ("to", "bob@vendor.test", "Bob")],
        sent_at="2030-02-01T10:00:00.000000000Z",
    )
    both = conformant.request(
        "GET",
        "/v2/emails",
        params={
            "linked_object": "people",
            "linked_record_ids": ann["id"]["record_id"],
            "domain": "vendor.test",
        },
    ).json()
    assert [e["subject_line"] for e in both["data"]] == ["Offer", "Intro"]
    intro = both["data"][1]
    assert intro["linked_records"] == [
        {
            "object_slug": "people",
            "object_id": ann["id"]["object_id"],
            "record_id": ann["id"]["record_id"],
        }
    ]
    one = conformant.request(
        "GET", "/v2/emails", params={"participants": "BOB@vendor.test", "limit": 1}
    )
    assert [e["subject_line"] for e in one.json()["data"]] == ["Offer"]
    conformant.get("/v2/emails", expect=400, code="validation_type")


@op(UNSUBSCRIBE)
def test_unsubscribe_is_safe_to_retry(conformant: ConformantClient) -> None:
    """Add emails to the unsubscribe list: addresses already on it are ignored (their time on
    the list stays); a malformed address is 400 ``validation_type``."""
    first = conformant.data(
        "POST",
        "/v2/sequences/unsubscribed_emails",
        json={"data": {"email_addresses": ["a@x.test"]}},
    )
    again = conformant.data(
        "POST",
        "/v2/sequences/unsubscribed_emails",
        json={"data": {"email_addresses": ["a@x.test", "b@x.test"]}},
    )
    assert again[0] == first[0]
    assert [e["email_address"] for e in again] == ["a@x.test", "b@x.test"]
    conformant.post(
        "/v2/sequences/unsubscribed_emails",
        json={"data": {"email_addresses": ["not-an-address"]}},
        expect=400,
        code="validation_type",
    )


def test_the_control_plane_puts_emails_in_and_refuses_malformed_ones(api: Any) -> None:
    """``POST /_emulator/emails`` stands in for a mailbox sync (the emulator syncs none)."""
    good = {
        "subject_line": "Hi",
        "direction": "outbound",
        "participants": [{"role": "to", "email_address": "zoe@acme.test", "name": None}],
    }
    made = api.post("/_emulator/emails", json=good)
    assert made.status_code == 200 and made.json()["participants"][0]["email_domain"] == "acme.test"
    for bad in ({**good, "direction": "sideways"}, {**good, "participants": [{"role": "x"}]}):
        refused = api.post("/_emulator/emails", json=bad)
        assert refused.status_code == 400 and refused.json()["error"]
    listed = api.get("/v2/emails", params={"domain": "acme.test"}).json()["data"]
    assert [e["subject_line"] for e in listed] == ["Hi"]
