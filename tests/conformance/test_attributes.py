"""Conformance of attributes, select options and statuses (``/v2/{target}/{identifier}/…``)."""

from __future__ import annotations

import pytest

from .factories import attribute_body, pipeline, unique
from .validation import ConformantClient

op = pytest.mark.operation

LIST_ATTRIBUTES = "GET /v2/{target}/{identifier}/attributes"
CREATE_ATTRIBUTE = "POST /v2/{target}/{identifier}/attributes"
GET_ATTRIBUTE = "GET /v2/{target}/{identifier}/attributes/{attribute}"
UPDATE_ATTRIBUTE = "PATCH /v2/{target}/{identifier}/attributes/{attribute}"
LIST_OPTIONS = "GET /v2/{target}/{identifier}/attributes/{attribute}/options"
CREATE_OPTION = "POST /v2/{target}/{identifier}/attributes/{attribute}/options"
UPDATE_OPTION = "PATCH /v2/{target}/{identifier}/attributes/{attribute}/options/{option}"
LIST_STATUSES = "GET /v2/{target}/{identifier}/attributes/{attribute}/statuses"
CREATE_STATUS = "POST /v2/{target}/{identifier}/attributes/{attribute}/statuses"
UPDATE_STATUS = "PATCH /v2/{target}/{identifier}/attributes/{attribute}/statuses/{status}"


@op(LIST_ATTRIBUTES)
@pytest.mark.parametrize("obj", ["people", "companies", "deals", "users", "workspaces"])
def test_list_attributes_of_every_standard_object(conformant: ConformantClient, obj: str) -> None:
    """Spec "List attributes" for each standard object (API-NOTES §2 standard objects)."""
    attrs = conformant.data("GET", f"/v2/objects/{obj}/attributes")
    slugs = {a["api_slug"] for a in attrs}
    assert {"record_id", "created_at", "created_by"} <= slugs


@op(LIST_ATTRIBUTES, CREATE_ATTRIBUTE, UPDATE_ATTRIBUTE)
def test_list_attributes_of_a_list_pages_and_hides_archived(conformant: ConformantClient) -> None:
    """Spec "List attributes" on ``lists``: limit/offset and ``show_archived`` (API-NOTES §1)."""
    lst = pipeline(conformant)["api_slug"]
    base = f"/v2/lists/{lst}/attributes"
    conformant.data("POST", base, json=attribute_body("notes_text", "text"))
    conformant.data("PATCH", f"{base}/notes_text", json={"data": {"is_archived": True}})
    shown = [a["api_slug"] for a in conformant.data("GET", base)]
    assert "notes_text" not in shown and {"stage", "tier"} <= set(shown)
    everything = [
        a["api_slug"] for a in conformant.data("GET", base, params={"show_archived": "true"})
    ]
    assert "notes_text" in everything
    page = conformant.data("GET", base, params={"limit": 1, "offset": 1, "show_archived": "true"})
    assert [a["api_slug"] for a in page] == everything[1:2]


@op(CREATE_ATTRIBUTE, GET_ATTRIBUTE)
@pytest.mark.parametrize(
    ("type_", "extra"),
    [
        ("text", {}),
        ("number", {}),
        ("checkbox", {}),
        (
            "currency",
            {"config": {"currency": {"default_currency_code": "EUR", "display_type": "symbol"}}},
        ),
        ("date", {}),
        ("timestamp", {}),
        ("rating", {}),
        ("select", {"is_multiselect": True}),
        (
            "record-reference",
            {"config": {"record_reference": {"allowed_object_ids": ["companies"]}}},
        ),
        ("actor-reference", {}),
        ("location", {}),
        ("domain", {}),
        ("email-address", {}),
        ("phone-number", {}),
    ],
)
def test_create_attribute_of_each_creatable_type(
    conformant: ConformantClient, type_: str, extra: dict[str, object]
) -> None:
    """Spec "Create an attribute"; the creatable types of API-NOTES §2 (status: lists only)."""
    slug = unique("attr_")
    created = conformant.data(
        "POST", "/v2/objects/people/attributes", json=attribute_body(slug, type_, **extra)
    )
    assert (created["api_slug"], created["type"]) == (slug, type_)
    by_id = conformant.data("GET", f"/v2/objects/people/attributes/{created['id']['attribute_id']}")
    assert by_id == created == conformant.data("GET", f"/v2/objects/people/attributes/{slug}")


@op(CREATE_ATTRIBUTE)
def test_create_status_attribute_on_a_list(conformant: ConformantClient) -> None:
    """Spec "Create an attribute" of type status, which only lists may have (API-NOTES §2)."""
    lst = pipeline(conformant)["api_slug"]
    created = conformant.data(
        "POST", f"/v2/lists/{lst}/attributes", json=attribute_body("phase", "status")
    )
    assert created["type"] == "status"


@op(CREATE_ATTRIBUTE)
def test_create_attribute_with_relationship(conformant: ConformantClient) -> None:
    """Spec "Create an attribute" with ``relationship``: a bidirectional pair (API-NOTES §2)."""
    body = attribute_body(
        "mentor",
        "record-reference",
        config={"record_reference": {"allowed_object_ids": ["people"]}},
        relationship={
            "object": "people",
            "title": "Mentees",
            "api_slug": "mentees",
            "is_multiselect": True,
        },
    )
    created = conformant.data("POST", "/v2/objects/people/attributes", json=body)
    assert created["relationship"]["api_slug"] == "mentees"


@op(CREATE_ATTRIBUTE)
def test_create_attribute_errors(conformant: ConformantClient) -> None:
    """Spec: create attribute 400 ``validation_type``, 404 ``not_found``, 409 ``slug_conflict``.

    API-NOTES §2: personal-name and interaction cannot be created, status only on lists, select
    cannot be unique.
    """
    base = "/v2/objects/people/attributes"
    for bad in (
        attribute_body(unique("a_"), "personal-name"),
        attribute_body(unique("a_"), "interaction"),
        attribute_body(unique("a_"), "status"),
        attribute_body(unique("a_"), "select", is_unique=True),
    ):
        conformant.post(base, json=bad, expect=400, code="validation_type")
    conformant.post(
        "/v2/objects/no_such_object/attributes",
        json=attribute_body("x", "text"),
        expect=404,
        code="not_found",
    )
    conformant.post(
        base, json=attribute_body("job_title", "text"), expect=409, code="slug_conflict"
    )


@op(GET_ATTRIBUTE)
def test_get_unknown_attribute_is_404(conformant: ConformantClient) -> None:
    """Spec: get attribute 404 ``not_found``."""
    conformant.get("/v2/objects/people/attributes/no_such_attribute", expect=404, code="not_found")
    conformant.get("/v2/lists/no_such_list/attributes/stage", expect=404, code="not_found")


@op(UPDATE_ATTRIBUTE)
def test_update_attribute(conformant: ConformantClient) -> None:
    """Spec "Update an attribute": title, description, api_slug, is_required (API-NOTES §1)."""
    slug = unique("attr_")
    conformant.data("POST", "/v2/objects/companies/attributes", json=attribute_body(slug, "text"))
    new_slug = unique("attr_")
    updated = conformant.data(
        "PATCH",
        f"/v2/objects/companies/attributes/{slug}",
        json={"data": {"title": "Renamed", "description": "New.", "api_slug": new_slug}},
    )
    assert (updated["title"], updated["api_slug"]) == ("Renamed", new_slug)


@op(UPDATE_ATTRIBUTE)
def test_update_attribute_errors(conformant: ConformantClient) -> None:
    """Spec: update attribute 400 ``system_edit_unauthorized`` and 404 ``not_found``."""
    conformant.patch(
        "/v2/objects/people/attributes/record_id",
        json={"data": {"api_slug": "renamed_record_id"}},
        expect=400,
        code="system_edit_unauthorized",
    )
    conformant.patch(
        "/v2/objects/people/attributes/no_such_attribute",
        json={"data": {"title": "x"}},
        expect=404,
        code="not_found",
    )


@op(LIST_OPTIONS, CREATE_OPTION, UPDATE_OPTION)
def test_select_options_round_trip(conformant: ConformantClient) -> None:
    """Spec options endpoints: create, rename, archive, ``show_archived`` (API-NOTES §1)."""
    base = "/v2/objects/companies/attributes/categories/options"
    titles = [o["title"] for o in conformant.data("GET", base)]
    assert "SaaS" in titles
    created = conformant.data("POST", base, json={"data": {"title": "Robotics"}})
    renamed = conformant.data("PATCH", f"{base}/Robotics", json={"data": {"title": "Automation"}})
    assert renamed["id"] == created["id"] and renamed["title"] == "Automation"
    archived = conformant.data(
        "PATCH", f"{base}/{created['id']['option_id']}", json={"data": {"is_archived": True}}
    )
    assert archived["is_archived"] is True
    assert "Automation" not in [o["title"] for o in conformant.data("GET", base)]
    shown = conformant.data("GET", base, params={"show_archived": "true"})
    assert "Automation" in [o["title"] for o in shown]


@op(LIST_OPTIONS, CREATE_OPTION, UPDATE_OPTION)
def test_select_option_errors(conformant: ConformantClient) -> None:
    """Spec: options 400 (``value_not_found`` for an unknown option), 404 and 409."""
    base = "/v2/objects/companies/attributes/categories/options"
    conformant.get("/v2/objects/companies/attributes/no_such/options", expect=404)
    conformant.post(base, json={"data": {"title": "SaaS"}}, expect=409, code="slug_conflict")
    conformant.post(base, json={"data": {}}, expect=400, code="validation_type")
    conformant.post(
        "/v2/objects/companies/attributes/no_such/options",
        json={"data": {"title": "x"}},
        expect=404,
        code="not_found",
    )
    # The spec's examples: an unknown option is 400 "Cannot find select attribute with select
    # option title …"; 404 is for an unknown attribute ("Attribute with slug/ID … not found").
    conformant.patch(
        f"{base}/No such option", json={"data": {"title": "x"}}, expect=400, code="value_not_found"
    )
    conformant.patch(
        "/v2/objects/companies/attributes/no_such/options/SaaS",
        json={"data": {"title": "x"}},
        expect=404,
        code="not_found",
    )
    conformant.patch(
        f"{base}/SaaS", json={"data": {"title": "B2B"}}, expect=409, code="slug_conflict"
    )
    conformant.patch(f"{base}/SaaS", json=[], expect=400, code="validation_type")


@op(LIST_STATUSES, CREATE_STATUS, UPDATE_STATUS)
def test_statuses_round_trip(conformant: ConformantClient) -> None:
    """Spec statuses endpoints on a list, plus deals' ``stage`` (API-NOTES §1, §2)."""
    lst = pipeline(conformant)["api_slug"]
    base = f"/v2/lists/{lst}/attributes/stage/statuses"
    assert [s["title"] for s in conformant.data("GET", base)] == ["Prospect", "Qualified", "Closed"]
    created = conformant.data(
        "POST",
        base,
        json={
            "data": {"title": "Won", "celebration_enabled": True, "target_time_in_status": "P7D"}
        },
    )
    assert created["celebration_enabled"] is True
    renamed = conformant.data("PATCH", f"{base}/Won", json={"data": {"title": "Won big"}})
    assert renamed["id"] == created["id"]
    conformant.data(
        "PATCH", f"{base}/{created['id']['status_id']}", json={"data": {"is_archived": True}}
    )
    assert "Won big" not in [s["title"] for s in conformant.data("GET", base)]
    shown = conformant.data("GET", base, params={"show_archived": "true"})
    assert "Won big" in [s["title"] for s in shown]
    stages = conformant.data("GET", "/v2/objects/deals/attributes/stage/statuses")
    assert "Lead" in [s["title"] for s in stages]


@op(LIST_STATUSES, CREATE_STATUS, UPDATE_STATUS)
def test_status_errors(conformant: ConformantClient) -> None:
    """Spec: statuses 400 (``value_not_found`` for an unknown status), 404 and 409."""
    lst = pipeline(conformant)["api_slug"]
    base = f"/v2/lists/{lst}/attributes/stage/statuses"
    conformant.get(f"/v2/lists/{lst}/attributes/no_such/statuses", expect=404, code="not_found")
    conformant.post(base, json={"data": {"title": "Prospect"}}, expect=409, code="slug_conflict")
    conformant.post(
        f"/v2/lists/{lst}/attributes/tier/statuses",
        json={"data": {"title": "x"}},
        expect=400,
        code="validation_type",
    )
    conformant.post(
        f"/v2/lists/{lst}/attributes/no_such/statuses",
        json={"data": {"title": "x"}},
        expect=404,
        code="not_found",
    )
    # As for options: an unknown status is 400 value_not_found, an unknown attribute 404.
    conformant.patch(
        f"{base}/No such", json={"data": {"title": "x"}}, expect=400, code="value_not_found"
    )
    conformant.patch(
        f"/v2/lists/{lst}/attributes/no_such/statuses/Prospect",
        json={"data": {"title": "x"}},
        expect=404,
        code="not_found",
    )
    conformant.patch(
        f"{base}/Prospect", json={"data": {"title": "Closed"}}, expect=409, code="slug_conflict"
    )
    conformant.patch(f"{base}/Prospect", json=[], expect=400, code="validation_type")
