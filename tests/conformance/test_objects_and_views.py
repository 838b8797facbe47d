"""Conformance of ``DELETE /v2/objects/{object}`` and the saved-view lists (newer than the
vendored spec).

Sources: docs.attio.com/rest-api/endpoint-reference/objects/delete-an-object ("only custom
objects can be deleted; system objects, such as people and companies, cannot", along with all
their records), .../views/list-views-for-object and .../views/list-views-for-list (ordered by
view id, cursor pagination, limit 1-1000).
"""

from __future__ import annotations

import pytest

from .factories import attribute_body, company, pipeline, unique
from .validation import ConformantClient

DELETE_OBJECT = "DELETE /v2/objects/{object}"
OBJECT_VIEWS = "GET /v2/objects/{object}/views"
LIST_VIEWS = "GET /v2/lists/{list}/views"


def _custom_object(c: ConformantClient) -> str:
    slug = unique("gadgets_")
    body = {"data": {"api_slug": slug, "singular_noun": "Gadget", "plural_noun": "Gadgets"}}
    c.data("POST", "/v2/objects", json=body)
    return slug


@pytest.mark.operation(DELETE_OBJECT, "GET /v2/objects/{object}")
def test_delete_a_custom_object_with_its_records_and_lists(conformant: ConformantClient) -> None:
    """docs delete-an-object: the object goes with its records; its lists and the other side
    of its relationships go too (nothing may point at a deleted object). Its slug is free."""
    slug = _custom_object(conformant)
    rel = attribute_body(
        "maker",
        "record-reference",
        relationship={
            "object": "companies",
            "title": "Gadgets",
            "api_slug": "gadgets_made",
            "is_multiselect": True,
        },
    )
    conformant.data("POST", f"/v2/objects/{slug}/attributes", json=rel)
    maker = company(conformant)
    target = {"target_object": "companies", "target_record_id": maker["id"]["record_id"]}
    gadget = conformant.data(
        "POST",
        f"/v2/objects/{slug}/records",
        json={"data": {"values": {"maker": [target]}}},
    )
    lst = pipeline(conformant, parent_object=slug)["api_slug"]
    maker_path = f"/v2/objects/companies/records/{maker['id']['record_id']}"
    linked = conformant.data("GET", maker_path)["values"]["gadgets_made"]
    assert [v["target_record_id"] for v in linked] == [gadget["id"]["record_id"]]
    assert conformant.delete(f"/v2/objects/{slug}", expect=200).json() == {}
    conformant.get(f"/v2/objects/{slug}", expect=404, code="not_found")
    conformant.get(f"/v2/lists/{lst}", expect=404, code="not_found")
    conformant.get(
        f"/v2/objects/{slug}/records/{gadget['id']['record_id']}", expect=404, code="not_found"
    )
    after = conformant.data("GET", maker_path)
    assert "gadgets_made" not in after["values"]
    body = {"data": {"api_slug": slug, "singular_noun": "Gadget", "plural_noun": "Gadgets"}}
    conformant.data("POST", "/v2/objects", json=body)


@pytest.mark.operation(DELETE_OBJECT)
def test_standard_objects_cannot_be_deleted(conformant: ConformantClient) -> None:
    """docs delete-an-object: system objects such as people and companies cannot be deleted
    (400 ``system_edit_unauthorized``); an unknown object is 404 ``not_found``."""
    for slug in ("people", "companies", "deals"):
        conformant.delete(f"/v2/objects/{slug}", expect=400, code="system_edit_unauthorized")
    conformant.get("/v2/objects/people", expect=200)
    conformant.delete("/v2/objects/no_such_object", expect=404, code="not_found")


@pytest.mark.operation(OBJECT_VIEWS, LIST_VIEWS)
def test_every_object_and_list_has_a_default_view(conformant: ConformantClient) -> None:
    """docs list-views-for-object / list-views-for-list: ``{data: [{id: {workspace_id,
    object_id|list_id, view_id}, title, created_at}], pagination: {next_cursor}}``. The
    emulator keeps one saved view each, the default table, with a stable id."""
    people = conformant.data("GET", "/v2/objects/people")
    page = conformant.get("/v2/objects/people/views", expect=200).json()
    assert page["pagination"] == {"next_cursor": None}
    (view,) = page["data"]
    assert view["id"]["object_id"] == people["id"]["object_id"]
    assert view["title"] == "All People"
    again = conformant.get(f"/v2/objects/{people['id']['object_id']}/views", expect=200).json()
    assert again["data"] == page["data"]
    lst = pipeline(conformant)
    (list_view,) = conformant.data("GET", f"/v2/lists/{lst['api_slug']}/views")
    assert list_view["id"]["list_id"] == lst["id"]["list_id"]
    assert list_view["title"] == lst["name"]
    assert list_view["id"]["view_id"] != view["id"]["view_id"]


@pytest.mark.operation(OBJECT_VIEWS, LIST_VIEWS)
def test_view_errors(conformant: ConformantClient) -> None:
    """docs list-views-for-object: an unknown object or list is 404 ``not_found``; ``limit``
    outside 1-1000 is 400 ``validation_type``."""
    conformant.get("/v2/objects/nothing/views", expect=404, code="not_found")
    conformant.get("/v2/lists/nothing/views", expect=404, code="not_found")
    for limit in ("0", "1001"):
        conformant.get(
            "/v2/objects/people/views",
            params={"limit": limit},
            expect=400,
            code="validation_type",
        )
