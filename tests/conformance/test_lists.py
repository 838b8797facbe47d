"""Conformance of lists and list entries (``/v2/lists…``) to Attio's spec."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from .factories import company, entry, member_id, person, pipeline, unique
from .validation import ConformantClient

op = pytest.mark.operation

LIST_LISTS = "GET /v2/lists"
CREATE_LIST = "POST /v2/lists"
GET_LIST = "GET /v2/lists/{list}"
UPDATE_LIST = "PATCH /v2/lists/{list}"
QUERY = "POST /v2/lists/{list}/entries/query"
CREATE = "POST /v2/lists/{list}/entries"
ASSERT = "PUT /v2/lists/{list}/entries"
GET = "GET /v2/lists/{list}/entries/{entry_id}"
PATCH = "PATCH /v2/lists/{list}/entries/{entry_id}"
PUT = "PUT /v2/lists/{list}/entries/{entry_id}"
DELETE = "DELETE /v2/lists/{list}/entries/{entry_id}"
VALUES = "GET /v2/lists/{list}/entries/{entry_id}/attributes/{attribute}/values"

MISSING = str(uuid.UUID(int=2))


def _list_body(slug: str, **overrides: Any) -> dict[str, Any]:
    data = {
        "name": slug.title(),
        "api_slug": slug,
        "parent_object": "people",
        "workspace_access": "full-access",
        "workspace_member_access": [],
        **overrides,
    }
    return {"data": data}


def _entry_body(record: dict[str, Any], **values: Any) -> dict[str, Any]:
    return {
        "data": {
            "parent_record_id": record["id"]["record_id"],
            "parent_object": "companies",
            "entry_values": values,
        }
    }


def _titles(entry_data: dict[str, Any], slug: str, key: str) -> list[str]:
    return [v[key]["title"] for v in entry_data["entry_values"][slug]]


@op(LIST_LISTS, CREATE_LIST, GET_LIST)
def test_create_list_then_list_and_get_it(conformant: ConformantClient) -> None:
    """Spec "Create a list" / "List all lists" / "Get a list" (API-NOTES §2 list shape)."""
    slug = unique("list_")
    created = conformant.data("POST", "/v2/lists", json=_list_body(slug))
    assert created["parent_object"] == ["people"]  # an array (API-NOTES gotcha 6)
    assert slug in [lst["api_slug"] for lst in conformant.data("GET", "/v2/lists")]
    assert conformant.data("GET", f"/v2/lists/{slug}") == created
    assert conformant.data("GET", f"/v2/lists/{created['id']['list_id']}") == created


@op(CREATE_LIST)
def test_create_list_with_member_access(conformant: ConformantClient) -> None:
    """Spec "Create a list": a member with full access satisfies "someone has full access"."""
    access = [{"workspace_member_id": member_id(conformant), "level": "full-access"}]
    created = conformant.data(
        "POST",
        "/v2/lists",
        json=_list_body(unique("list_"), workspace_access=None, workspace_member_access=access),
    )
    assert created["workspace_access"] is None
    assert created["workspace_member_access"] == access


@op(CREATE_LIST)
def test_create_list_errors(conformant: ConformantClient) -> None:
    """Spec: create list 400, 404 (unknown parent object) and 409 ``slug_conflict``.

    API-NOTES §2: someone must end up with full access. 403 ``billing_error`` (plan limits) is
    not emulated: the emulator has no plans.
    """
    slug = unique("list_")
    conformant.post("/v2/lists", json=_list_body(slug), expect=200)
    conformant.post("/v2/lists", json=_list_body(slug), expect=409, code="slug_conflict")
    conformant.post(
        "/v2/lists",
        json=_list_body(unique("list_"), workspace_access="read-only"),
        expect=400,
        code="validation_type",
    )
    conformant.post(
        "/v2/lists",
        json=_list_body(unique("list_"), parent_object="no_such_object"),
        expect=404,
        code="not_found",
    )


@op(CREATE_LIST, UPDATE_LIST)
def test_list_access_for_an_unknown_member_is_value_not_found(
    conformant: ConformantClient,
) -> None:
    """Spec: lists 400 ``value_not_found`` for an unknown workspace member (its example)."""
    access = [{"workspace_member_id": MISSING, "level": "full-access"}]
    conformant.post(
        "/v2/lists",
        json=_list_body(unique("list_"), workspace_member_access=access),
        expect=400,
        code="value_not_found",
    )
    slug = pipeline(conformant)["api_slug"]
    conformant.patch(
        f"/v2/lists/{slug}",
        json={"data": {"workspace_member_access": access}},
        expect=400,
        code="value_not_found",
    )


@op(CREATE_LIST, UPDATE_LIST)
def test_list_member_access_items_need_a_member_id(conformant: ConformantClient) -> None:
    """Spec list schema: each ``workspace_member_access`` item has ``workspace_member_id``.

    Found by a schemathesis run: the emulator used to accept such an item and echo it back.
    """
    access = [{"level": "read-only"}]
    conformant.post(
        "/v2/lists",
        json=_list_body(unique("list_"), workspace_member_access=access),
        expect=400,
        code="validation_type",
    )
    slug = pipeline(conformant)["api_slug"]
    conformant.patch(
        f"/v2/lists/{slug}",
        json={"data": {"workspace_member_access": access}},
        expect=400,
        code="validation_type",
    )


@op(GET_LIST)
def test_get_unknown_list_is_404(conformant: ConformantClient) -> None:
    """Spec: get list 404 ``not_found``."""
    conformant.get("/v2/lists/no_such_list", expect=404, code="not_found")


@op(UPDATE_LIST)
def test_update_list(conformant: ConformantClient) -> None:
    """Spec "Update a list": name, slug and access (API-NOTES §1)."""
    slug = pipeline(conformant)["api_slug"]
    new_slug = unique("renamed_")
    updated = conformant.data(
        "PATCH",
        f"/v2/lists/{slug}",
        json={
            "data": {
                "name": "Renamed",
                "api_slug": new_slug,
                "workspace_access": "read-only",
                "workspace_member_access": [
                    {"workspace_member_id": member_id(conformant), "level": "full-access"}
                ],
            }
        },
    )
    assert (updated["name"], updated["api_slug"]) == ("Renamed", new_slug)
    conformant.get(f"/v2/lists/{new_slug}", expect=200)


@op(UPDATE_LIST)
def test_update_list_errors(conformant: ConformantClient) -> None:
    """Spec: update list 400 (the parent object cannot change, API-NOTES §1) and 404."""
    slug = pipeline(conformant)["api_slug"]
    conformant.patch(
        f"/v2/lists/{slug}",
        json={"data": {"parent_object": "people"}},
        expect=400,
        code="validation_type",
    )
    conformant.patch(
        "/v2/lists/no_such_list", json={"data": {"name": "x"}}, expect=404, code="not_found"
    )


@op(CREATE, GET)
def test_create_entries_allows_duplicate_parents(conformant: ConformantClient) -> None:
    """Spec "Create an entry": the same record may be in a list twice (API-NOTES §5)."""
    lst = pipeline(conformant)["api_slug"]
    co = company(conformant)
    first = entry(conformant, lst, co, stage="Prospect", tier=["Gold"])
    second = entry(conformant, lst, co)
    assert first["id"]["entry_id"] != second["id"]["entry_id"]
    assert first["parent_object"] == "companies"  # a slug string on entries (API-NOTES §2)
    got = conformant.data("GET", f"/v2/lists/{lst}/entries/{first['id']['entry_id']}")
    assert got == first
    assert _titles(got, "stage", "status") == ["Prospect"]


@op(CREATE)
def test_create_entry_errors(conformant: ConformantClient) -> None:
    """Spec: create entry 400 ``value_not_found`` (unknown parent record, §5) and 404."""
    lst = pipeline(conformant)["api_slug"]
    conformant.post(
        f"/v2/lists/{lst}/entries",
        json={
            "data": {"parent_record_id": MISSING, "parent_object": "companies", "entry_values": {}}
        },
        expect=400,
        code="value_not_found",
    )
    conformant.post(
        f"/v2/lists/{lst}/entries",
        json=_entry_body(company(conformant), tier=["No such tier"]),
        expect=400,
        code="value_not_found",
    )
    conformant.post(
        "/v2/lists/no_such_list/entries",
        json=_entry_body(company(conformant)),
        expect=404,
        code="not_found",
    )


@op(ASSERT)
def test_assert_entry_creates_then_replaces(conformant: ConformantClient) -> None:
    """Spec "Assert a list entry by parent": create, then update replacing multiselects (§5)."""
    lst = pipeline(conformant)["api_slug"]
    co = company(conformant)
    path = f"/v2/lists/{lst}/entries"
    first = conformant.data("PUT", path, json=_entry_body(co, tier=["Gold", "Silver"]))
    second = conformant.data("PUT", path, json=_entry_body(co, tier=["Bronze"]))
    assert first["id"] == second["id"]
    assert _titles(second, "tier", "option") == ["Bronze"]


@op(ASSERT)
def test_assert_entry_errors(conformant: ConformantClient) -> None:
    """Spec: assert entry 400 ``multiple_match_results`` (several entries, §5) and 404."""
    lst = pipeline(conformant)["api_slug"]
    co = company(conformant)
    entry(conformant, lst, co)
    entry(conformant, lst, co)
    conformant.put(
        f"/v2/lists/{lst}/entries",
        json=_entry_body(co),
        expect=400,
        code="multiple_match_results",
    )
    conformant.put(
        "/v2/lists/no_such_list/entries", json=_entry_body(co), expect=404, code="not_found"
    )


@op(GET)
def test_get_unknown_entry_is_404(conformant: ConformantClient) -> None:
    """Spec: get entry 404 ``not_found``."""
    lst = pipeline(conformant)["api_slug"]
    conformant.get(f"/v2/lists/{lst}/entries/{MISSING}", expect=404, code="not_found")


@op(PATCH, PUT)
def test_patch_appends_and_put_replaces_entry_values(conformant: ConformantClient) -> None:
    """Spec: PATCH appends multiselect entry values, PUT overwrites them (API-NOTES §5)."""
    lst = pipeline(conformant)["api_slug"]
    made = entry(conformant, lst, company(conformant), tier=["Gold"])
    path = f"/v2/lists/{lst}/entries/{made['id']['entry_id']}"
    patched = conformant.data("PATCH", path, json={"data": {"entry_values": {"tier": ["Silver"]}}})
    assert set(_titles(patched, "tier", "option")) == {"Gold", "Silver"}
    put = conformant.data(
        "PUT", path, json={"data": {"entry_values": {"tier": ["Bronze"], "stage": "Closed"}}}
    )
    assert _titles(put, "tier", "option") == ["Bronze"]
    assert _titles(put, "stage", "status") == ["Closed"]


@op(PATCH, PUT)
def test_update_entry_errors(conformant: ConformantClient) -> None:
    """Spec: PATCH/PUT entry 400 ``immutable_value`` (changing the parent, §5) and 404."""
    lst = pipeline(conformant)["api_slug"]
    made = entry(conformant, lst, company(conformant))
    other = company(conformant)
    path = f"/v2/lists/{lst}/entries/{made['id']['entry_id']}"
    for method in ("PATCH", "PUT"):
        conformant.request(
            method,
            path,
            json={"data": {"parent_record_id": other["id"]["record_id"], "entry_values": {}}},
            expect=400,
            code="immutable_value",
        )
        conformant.request(
            method,
            f"/v2/lists/{lst}/entries/{MISSING}",
            json={"data": {"entry_values": {}}},
            expect=404,
            code="not_found",
        )


@op(DELETE, GET)
def test_delete_entry(conformant: ConformantClient) -> None:
    """Spec "Delete a list entry": ``{}``, then 404 (API-NOTES §0)."""
    lst = pipeline(conformant)["api_slug"]
    made = entry(conformant, lst, company(conformant))
    path = f"/v2/lists/{lst}/entries/{made['id']['entry_id']}"
    assert conformant.delete(path, expect=200).json() == {}
    conformant.get(path, expect=404, code="not_found")
    conformant.delete(path, expect=404, code="not_found")


@op(QUERY)
def test_query_entries_filters_on_entry_and_parent_values(conformant: ConformantClient) -> None:
    """Spec "List entries": entry-value filters and ``path`` through ``parent_record`` (§4, §5)."""
    lst = pipeline(conformant)["api_slug"]
    gold = entry(conformant, lst, company(conformant, name="Gold Co"), tier=["Gold"])
    entry(conformant, lst, company(conformant, name="Plain Co"), tier=["Bronze"])
    path = f"/v2/lists/{lst}/entries/query"
    by_tier = conformant.data("POST", path, json={"filter": {"tier": "Gold"}})
    assert [e["id"]["entry_id"] for e in by_tier] == [gold["id"]["entry_id"]]
    by_parent = conformant.data(
        "POST",
        path,
        json={
            "filter": {
                "path": [[lst, "parent_record"], ["companies", "name"]],
                "constraints": {"value": "Gold Co"},
            }
        },
    )
    assert [e["id"]["entry_id"] for e in by_parent] == [gold["id"]["entry_id"]]
    assert len(conformant.data("POST", path, json={"limit": 1, "offset": 1})) == 1


@op(QUERY)
def test_query_entries_of_unknown_list_is_404(conformant: ConformantClient) -> None:
    """Spec: list entries 404 ``not_found``."""
    conformant.post("/v2/lists/no_such_list/entries/query", json={}, expect=404, code="not_found")


@op(VALUES)
def test_entry_attribute_values_with_history(conformant: ConformantClient) -> None:
    """Spec "List attribute values for a list entry"; ``show_historic`` (API-NOTES §2)."""
    lst = pipeline(conformant)["api_slug"]
    made = entry(conformant, lst, company(conformant), stage="Prospect")
    path = f"/v2/lists/{lst}/entries/{made['id']['entry_id']}"
    conformant.data("PATCH", path, json={"data": {"entry_values": {"stage": "Qualified"}}})
    current = conformant.data("GET", f"{path}/attributes/stage/values")
    assert [v["status"]["title"] for v in current] == ["Qualified"]
    history = conformant.data(
        "GET", f"{path}/attributes/stage/values", params={"show_historic": "true"}
    )
    assert [v["status"]["title"] for v in history] == ["Prospect", "Qualified"]


@op(VALUES)
def test_entry_attribute_values_errors(conformant: ConformantClient) -> None:
    """Spec: entry values 404 ``not_found`` (entry, attribute or list)."""
    lst = pipeline(conformant)["api_slug"]
    made = entry(conformant, lst, company(conformant))
    base = f"/v2/lists/{lst}/entries"
    conformant.get(f"{base}/{MISSING}/attributes/stage/values", expect=404, code="not_found")
    conformant.get(
        f"{base}/{made['id']['entry_id']}/attributes/no_such/values", expect=404, code="not_found"
    )


@op(CREATE)
def test_entries_of_a_people_list(conformant: ConformantClient) -> None:
    """Spec "Create an entry" on a list of people (the parent object given by slug)."""
    slug = unique("list_")
    conformant.data("POST", "/v2/lists", json=_list_body(slug))
    p = person(conformant)
    made = conformant.data(
        "POST",
        f"/v2/lists/{slug}/entries",
        json={
            "data": {
                "parent_record_id": p["id"]["record_id"],
                "parent_object": "people",
                "entry_values": {},
            }
        },
    )
    assert made["parent_record_id"] == p["id"]["record_id"]
