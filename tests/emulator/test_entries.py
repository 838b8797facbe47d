"""Lists and list entries through HTTP (API-NOTES §2 list shape, §5, gotchas 2, 6, 18)."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from .core_helpers import (
    ENVELOPE,
    NANO_TS,
    UUID,
    add_options,
    attribute,
    company,
    error,
    make_list,
    member_id,
    ok,
    person,
    rid,
)

MISSING = "2d4bd5a4-58f4-4ef0-a5e7-d3e77c1a09cd"


@pytest.fixture
def hiring(api: TestClient) -> str:
    """A people list with a multiselect select, a text and a unique text attribute."""
    make_list(api, "hiring")
    attribute(api, "lists", "hiring", "skills", "select", is_multiselect=True)
    add_options(api, "lists", "hiring", "skills", "python", "go", "rust")
    attribute(api, "lists", "hiring", "note", "text")
    attribute(api, "lists", "hiring", "ticket", "text", is_unique=True)
    return "hiring"


def entry_body(parent: str, values: dict[str, Any], obj: str = "people") -> dict[str, Any]:
    """The create/assert body API-NOTES §5 requires."""
    return {"data": {"parent_record_id": parent, "parent_object": obj, "entry_values": values}}


def add(api: TestClient, lst: str, parent: str, values: dict[str, Any]) -> dict[str, Any]:
    """``POST /v2/lists/{lst}/entries``; the created entry."""
    data: dict[str, Any] = ok(api.post(f"/v2/lists/{lst}/entries", json=entry_body(parent, values)))
    return data


def eid(entry: dict[str, Any]) -> str:
    """An entry's id."""
    entry_id: str = entry["id"]["entry_id"]
    return entry_id


def skills(entry: dict[str, Any]) -> list[str]:
    """The titles of an entry's skills, in stored order."""
    return [v["option"]["title"] for v in entry["entry_values"]["skills"]]


# -- lists -----------------------------------------------------------------------------------


def test_list_shape_and_lookup_by_slug_or_id(api: TestClient) -> None:
    """API-NOTES §2 list shape: composite id, ``parent_object`` is an array of slugs; §0: a list
    is addressed by UUID or api_slug."""
    created = make_list(api, "sales", parent="companies")
    assert set(created) >= {
        "id",
        "api_slug",
        "name",
        "parent_object",
        "workspace_access",
        "workspace_member_access",
        "created_by_actor",
        "created_at",
    }
    assert set(created["id"]) == {"workspace_id", "list_id"}
    assert created["parent_object"] == ["companies"]
    assert NANO_TS.match(created["created_at"])
    list_id = created["id"]["list_id"]
    assert ok(api.get(f"/v2/lists/{list_id}")) == created
    assert ok(api.get("/v2/lists/sales")) == created
    assert [lst["api_slug"] for lst in ok(api.get("/v2/lists"))] == ["sales"]


def test_list_parent_given_by_object_id(api: TestClient) -> None:
    """API-NOTES §5: the parent object is given as a slug or ID; it reads back as a slug."""
    object_id = ok(api.get("/v2/objects/companies"))["id"]["object_id"]
    assert make_list(api, "by_id", parent=object_id)["parent_object"] == ["companies"]


def test_list_create_errors(api: TestClient) -> None:
    """API-NOTES §2: creating a list needs all five fields and someone with full access;
    SPEC: an unknown parent object is 404 ``Parent object with slug/ID "<x>" not found.``; §8:
    a duplicate api_slug is 409 slug_conflict."""
    body = {
        "name": "Sales",
        "api_slug": "sales",
        "parent_object": "companies",
        "workspace_access": "full-access",
        "workspace_member_access": [],
    }
    for key in body:
        partial = {k: v for k, v in body.items() if k != key}
        error(api.post("/v2/lists", json={"data": partial}), 400, "validation_type")
    nobody = body | {"workspace_access": "read-only"}
    error(api.post("/v2/lists", json={"data": nobody}), 400, "validation_type")
    msg = error(
        api.post("/v2/lists", json={"data": body | {"parent_object": "gizmos"}}), 404, "not_found"
    )
    assert msg == 'Parent object with slug/ID "gizmos" not found.'
    ok(api.post("/v2/lists", json={"data": body}))
    msg = error(api.post("/v2/lists", json={"data": body}), 409, "slug_conflict")
    assert msg == 'A list with api_slug "sales" already exists.'


def test_list_update_cannot_change_parent(api: TestClient) -> None:
    """API-NOTES §1: PATCH /v2/lists/{list} updates a list; its parent object cannot change."""
    make_list(api, "sales", parent="companies")
    renamed = ok(
        api.patch("/v2/lists/sales", json={"data": {"name": "Deals", "api_slug": "deals"}})
    )
    assert renamed["name"] == "Deals" and renamed["api_slug"] == "deals"
    error(api.get("/v2/lists/sales"), 404, "not_found")
    error(
        api.patch("/v2/lists/deals", json={"data": {"parent_object": "people"}}),
        400,
        "validation_type",
    )


def test_unknown_list_is_404_with_documented_message(api: TestClient) -> None:
    """SPEC GET /v2/lists/{list} 404: ``List with slug/ID "<x>" not found.``."""
    for response in (
        api.get("/v2/lists/nope"),
        api.post("/v2/lists/nope/entries", json=entry_body(MISSING, {})),
        api.get(f"/v2/lists/nope/entries/{MISSING}"),
    ):
        assert error(response, 404, "not_found") == 'List with slug/ID "nope" not found.'


# -- create ----------------------------------------------------------------------------------


def test_entry_shape(api: TestClient, hiring: str) -> None:
    """API-NOTES §2: an entry is ``{id:{workspace_id,list_id,entry_id}, parent_record_id,
    parent_object (a slug string), created_at, entry_values}``; values are arrays."""
    ada = person(api, "ada@example.org")
    entry = add(api, hiring, rid(ada), {"skills": ["python"], "note": "strong"})
    assert set(entry) == {"id", "parent_record_id", "parent_object", "created_at", "entry_values"}
    assert set(entry["id"]) == {"workspace_id", "list_id", "entry_id"}
    assert UUID.match(eid(entry))
    assert entry["parent_record_id"] == rid(ada)
    assert entry["parent_object"] == "people"
    assert NANO_TS.match(entry["created_at"])
    for vals in entry["entry_values"].values():
        assert isinstance(vals, list)
        for v in vals:
            assert set(v) >= ENVELOPE
    assert entry["entry_values"]["ticket"] == []
    assert ok(api.get(f"/v2/lists/{hiring}/entries/{eid(entry)}")) == entry


def test_entry_create_requires_all_three_fields(api: TestClient, hiring: str) -> None:
    """API-NOTES §5: parent_record_id, parent_object and entry_values are all required
    (entry_values may be {})."""
    ada = person(api, "ada@example.org")
    full = entry_body(rid(ada), {})["data"]
    for key in full:
        partial = {k: v for k, v in full.items() if k != key}
        error(
            api.post(f"/v2/lists/{hiring}/entries", json={"data": partial}), 400, "validation_type"
        )
    ok(api.post(f"/v2/lists/{hiring}/entries", json={"data": full}))


def test_entry_parent_must_exist(api: TestClient, hiring: str) -> None:
    """API-NOTES §5: an unknown parent is 400 value_not_found ("Parent record with slug/ID ...")."""
    msg = error(
        api.post(f"/v2/lists/{hiring}/entries", json=entry_body(MISSING, {})),
        400,
        "value_not_found",
    )
    assert msg == f'Parent record with slug/ID "{MISSING}" not found.'


def test_entry_parent_must_be_of_the_list_object(api: TestClient, hiring: str) -> None:
    """API-NOTES §5: a list has one parent object; a company cannot join a people list."""
    acme = company(api, "acme.com")
    error(
        api.post(f"/v2/lists/{hiring}/entries", json=entry_body(rid(acme), {}, obj="companies")),
        400,
        "validation_type",
    )


def test_duplicate_entries_are_allowed(api: TestClient, hiring: str) -> None:
    """API-NOTES §5: the same record may appear several times in one list."""
    ada = person(api, "ada@example.org")
    first = add(api, hiring, rid(ada), {})
    second = add(api, hiring, rid(ada), {})
    assert eid(first) != eid(second)
    assert len(ok(api.post(f"/v2/lists/{hiring}/entries/query", json={}))) == 2


def test_unique_list_attribute_is_enforced(api: TestClient, hiring: str) -> None:
    """API-NOTES §5: unique list attributes are enforced (uniqueness_conflict, §8)."""
    ada = person(api, "ada@example.org")
    grace = person(api, "grace@example.org")
    add(api, hiring, rid(ada), {"ticket": "T-1"})
    error(
        api.post(f"/v2/lists/{hiring}/entries", json=entry_body(rid(grace), {"ticket": "T-1"})),
        400,
        "uniqueness_conflict",
    )


def test_unknown_option_on_entry(api: TestClient, hiring: str) -> None:
    """API-NOTES §2 select row: unknown options are value_not_found, never created."""
    ada = person(api, "ada@example.org")
    error(
        api.post(f"/v2/lists/{hiring}/entries", json=entry_body(rid(ada), {"skills": ["cobol"]})),
        400,
        "value_not_found",
    )


# -- assert ----------------------------------------------------------------------------------


def test_assert_entry_creates_then_updates_then_is_ambiguous(api: TestClient, hiring: str) -> None:
    """API-NOTES §5 assert: no entry -> create; one -> update it (multiselect replaced); several
    -> 400 multiple_match_results."""
    ada = person(api, "ada@example.org")
    url = f"/v2/lists/{hiring}/entries"
    created = ok(api.put(url, json=entry_body(rid(ada), {"skills": ["python", "go"], "note": "a"})))
    updated = ok(api.put(url, json=entry_body(rid(ada), {"skills": ["rust"]})))
    assert eid(updated) == eid(created)
    assert skills(updated) == ["rust"]
    assert updated["entry_values"]["note"][0]["value"] == "a"
    add(api, hiring, rid(ada), {})
    msg = error(
        api.put(url, json=entry_body(rid(ada), {"note": "b"})), 400, "multiple_match_results"
    )
    assert msg.startswith("Multiple entries were found")  # SPEC says "founds"
    assert ok(api.get(f"{url}/{eid(created)}"))["entry_values"]["note"][0]["value"] == "a"


def test_assert_entry_parent_must_exist(api: TestClient, hiring: str) -> None:
    """API-NOTES §5: assert takes the create body; an unknown parent is value_not_found."""
    error(
        api.put(f"/v2/lists/{hiring}/entries", json=entry_body(MISSING, {})), 400, "value_not_found"
    )


# -- update ----------------------------------------------------------------------------------


def test_patch_adds_and_put_replaces_entry_values(api: TestClient, hiring: str) -> None:
    """API-NOTES §5 and gotcha 2: PATCH prepends multiselect values, PUT replaces them; values
    not mentioned are untouched."""
    ada = person(api, "ada@example.org")
    entry = add(api, hiring, rid(ada), {"skills": ["python"], "note": "keep"})
    url = f"/v2/lists/{hiring}/entries/{eid(entry)}"
    patched = ok(api.patch(url, json={"data": {"entry_values": {"skills": ["go"]}}}))
    assert skills(patched) == ["go", "python"]
    assert patched["entry_values"]["note"][0]["value"] == "keep"
    put = ok(api.put(url, json={"data": {"entry_values": {"skills": ["rust"]}}}))
    assert skills(put) == ["rust"]
    assert put["entry_values"]["note"][0]["value"] == "keep"
    assert skills(ok(api.get(url))) == ["rust"]


def test_entry_parent_is_immutable(api: TestClient, hiring: str) -> None:
    """API-NOTES §5: changing an entry's parent is 400 immutable_value (SPEC's message)."""
    ada = person(api, "ada@example.org")
    grace = person(api, "grace@example.org")
    entry = add(api, hiring, rid(ada), {})
    url = f"/v2/lists/{hiring}/entries/{eid(entry)}"
    for method in (api.patch, api.put):
        msg = error(
            method(url, json={"data": {"parent_record_id": rid(grace), "entry_values": {}}}),
            400,
            "immutable_value",
        )
        assert msg == "The parent record for a list entry cannot be updated once created."
    # Naming the same parent again is not a change.
    ok(api.patch(url, json={"data": {"parent_record_id": rid(ada), "entry_values": {"note": "x"}}}))
    assert ok(api.get(url))["parent_record_id"] == rid(ada)


def test_unknown_entry_is_404(api: TestClient, hiring: str) -> None:
    """API-NOTES §8 not_found: an unknown entry."""
    url = f"/v2/lists/{hiring}/entries/{MISSING}"
    for response in (
        api.get(url),
        api.patch(url, json={"data": {"entry_values": {"note": "x"}}}),
        api.delete(url),
        api.get(f"{url}/attributes/note/values"),
    ):
        assert error(response, 404, "not_found") == f'Entry with ID "{MISSING}" not found.'


def test_entry_values_history(api: TestClient, hiring: str) -> None:
    """API-NOTES §1: entry attribute values with ``show_historic`` (oldest first, §2)."""
    ada = person(api, "ada@example.org")
    entry = add(api, hiring, rid(ada), {"note": "one"})
    url = f"/v2/lists/{hiring}/entries/{eid(entry)}"
    ok(api.patch(url, json={"data": {"entry_values": {"note": "two"}}}))
    ok(api.put(url, json={"data": {"entry_values": {"note": "three"}}}))
    assert [v["value"] for v in ok(api.get(f"{url}/attributes/note/values"))] == ["three"]
    hist = ok(api.get(f"{url}/attributes/note/values", params={"show_historic": "true"}))
    assert [v["value"] for v in hist] == ["one", "two", "three"]
    assert [v["active_until"] is None for v in hist] == [False, False, True]


# -- delete and the record's entries ----------------------------------------------------------


def test_delete_entry_answers_empty_object(api: TestClient, hiring: str) -> None:
    """API-NOTES §0, gotcha 18: DELETE answers 200 ``{}``."""
    ada = person(api, "ada@example.org")
    entry = add(api, hiring, rid(ada), {})
    gone = api.delete(f"/v2/lists/{hiring}/entries/{eid(entry)}")
    assert gone.status_code == 200 and gone.json() == {}
    error(api.get(f"/v2/lists/{hiring}/entries/{eid(entry)}"), 404, "not_found")
    assert ok(api.get(f"/v2/objects/people/records/{rid(ada)}/entries")) == []


def test_record_entries_endpoint(api: TestClient, hiring: str) -> None:
    """API-NOTES §3 record entries: ``[{list_id, list_api_slug, entry_id, created_at}]``."""
    other = make_list(api, "alumni")
    ada = person(api, "ada@example.org")
    grace = person(api, "grace@example.org")
    e1 = add(api, hiring, rid(ada), {})
    e2 = add(api, "alumni", rid(ada), {})
    add(api, hiring, rid(grace), {})
    got = ok(api.get(f"/v2/objects/people/records/{rid(ada)}/entries"))
    assert [(e["list_api_slug"], e["entry_id"]) for e in got] == [
        ("hiring", eid(e1)),
        ("alumni", eid(e2)),
    ]
    assert got[1]["list_id"] == other["id"]["list_id"]
    assert all(NANO_TS.match(e["created_at"]) for e in got)
    assert set(got[0]) == {"list_id", "list_api_slug", "entry_id", "created_at"}
    page = ok(
        api.get(f"/v2/objects/people/records/{rid(ada)}/entries", params={"limit": 1, "offset": 1})
    )
    assert [e["entry_id"] for e in page] == [eid(e2)]


def test_deleting_a_record_removes_its_entries(api: TestClient, hiring: str) -> None:
    """API-NOTES §3: deleting a record cascades to its entries."""
    ada = person(api, "ada@example.org")
    grace = person(api, "grace@example.org")
    e1 = add(api, hiring, rid(ada), {"ticket": "T-1"})
    add(api, hiring, rid(grace), {})
    api.delete(f"/v2/objects/people/records/{rid(ada)}")
    error(api.get(f"/v2/lists/{hiring}/entries/{eid(e1)}"), 404, "not_found")
    remaining = ok(api.post(f"/v2/lists/{hiring}/entries/query", json={}))
    assert [e["parent_record_id"] for e in remaining] == [rid(grace)]
    # The deleted entry's unique value is free again.
    add(api, hiring, rid(grace), {"ticket": "T-1"})


def test_list_attribute_paths_by_id(api: TestClient, hiring: str) -> None:
    """API-NOTES §0: list and attribute path params accept UUIDs."""
    list_id = ok(api.get(f"/v2/lists/{hiring}"))["id"]["list_id"]
    note = ok(api.get(f"/v2/lists/{list_id}/attributes/note"))
    assert note["id"]["object_id"] == list_id  # §2: for list attributes, object_id is the list
    ada = person(api, "ada@example.org")
    entry = add(api, list_id, rid(ada), {note["id"]["attribute_id"]: "hi"})
    vals = ok(
        api.get(
            f"/v2/lists/{list_id}/entries/{eid(entry)}/attributes/{note['id']['attribute_id']}/values"
        )
    )
    assert [v["value"] for v in vals] == ["hi"]


def test_list_member_access_names_real_members(api: TestClient) -> None:
    """API-NOTES §2 list shape ``workspace_member_access:[{workspace_member_id, level}]``; SPEC:
    an unknown member is 400 value_not_found, an item without an id validation_type."""
    body = {
        "name": "Private",
        "api_slug": "private",
        "parent_object": "people",
        "workspace_access": None,
    }
    unknown = [{"workspace_member_id": MISSING, "level": "full-access"}]
    msg = error(
        api.post("/v2/lists", json={"data": body | {"workspace_member_access": unknown}}),
        400,
        "value_not_found",
    )
    assert msg == f'Workspace member with ID "{MISSING}" not found.'
    error(
        api.post(
            "/v2/lists",
            json={"data": body | {"workspace_member_access": [{"level": "full-access"}]}},
        ),
        400,
        "validation_type",
    )
    mid = member_id(api)
    access = [{"workspace_member_id": mid, "level": "full-access", "note": "extra"}]
    created = ok(api.post("/v2/lists", json={"data": body | {"workspace_member_access": access}}))
    assert created["workspace_access"] is None
    assert created["workspace_member_access"] == [
        {"workspace_member_id": mid, "level": "full-access"}
    ]
    error(
        api.patch("/v2/lists/private", json={"data": {"workspace_member_access": unknown}}),
        400,
        "value_not_found",
    )
    assert ok(api.get("/v2/lists/private"))["workspace_member_access"] == [
        {"workspace_member_id": mid, "level": "full-access"}
    ]
