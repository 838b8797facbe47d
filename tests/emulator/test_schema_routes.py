"""Objects, attributes, select options and statuses through HTTP (API-NOTES §1, §2, §8,
gotchas 7 and 16)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from .core_helpers import NANO_TS, add_options, attribute, create, error, make_list, ok, rid

CREATABLE = (
    "text",
    "number",
    "checkbox",
    "currency",
    "date",
    "timestamp",
    "rating",
    "select",
    "record-reference",
    "actor-reference",
    "location",
    "domain",
    "email-address",
    "phone-number",
)
ATTRIBUTE_KEYS = {
    "id",
    "title",
    "description",
    "api_slug",
    "type",
    "is_system_attribute",
    "is_writable",
    "is_required",
    "is_unique",
    "is_multiselect",
    "is_default_value_enabled",
    "is_archived",
    "default_value",
    "relationship",
    "created_at",
    "config",
}


def new_object(api: TestClient, slug: str = "projects") -> dict[str, Any]:
    """``POST /v2/objects``."""
    body = {"api_slug": slug, "singular_noun": slug[:-1].title(), "plural_noun": slug.title()}
    data: dict[str, Any] = ok(api.post("/v2/objects", json={"data": body}))
    return data


def attribute_body(slug: str, type_: str, **fields: Any) -> dict[str, Any]:
    """A complete attribute create body (API-NOTES §2: eight required keys)."""
    return {
        "data": {
            "title": slug.title(),
            "description": None,
            "api_slug": slug,
            "type": type_,
            "is_required": False,
            "is_unique": False,
            "is_multiselect": False,
            "config": {},
            **fields,
        }
    }


# -- objects ---------------------------------------------------------------------------------


def test_standard_objects_are_listed(api: TestClient) -> None:
    """API-NOTES §2 standard objects; object shape ``{id:{workspace_id,object_id}, api_slug,
    singular_noun, plural_noun, created_at}``."""
    objects = ok(api.get("/v2/objects"))
    slugs = {o["api_slug"] for o in objects}
    assert {"people", "companies", "deals", "users", "workspaces"} <= slugs
    for o in objects:
        assert set(o) == {"id", "api_slug", "singular_noun", "plural_noun", "created_at"}
        assert set(o["id"]) == {"workspace_id", "object_id"}
        assert NANO_TS.match(o["created_at"])


def test_custom_object_create_get_update(api: TestClient) -> None:
    """API-NOTES §1: create ``{api_slug, singular_noun, plural_noun}``, get by slug or UUID
    (§0), PATCH slug and nouns; records of a custom object get a web_url (§9)."""
    created = new_object(api)
    object_id = created["id"]["object_id"]
    assert ok(api.get("/v2/objects/projects")) == created
    assert ok(api.get(f"/v2/objects/{object_id}")) == created
    renamed = ok(
        api.patch(
            f"/v2/objects/{object_id}",
            json={"data": {"api_slug": "initiatives", "singular_noun": "Initiative"}},
        )
    )
    assert renamed["api_slug"] == "initiatives" and renamed["singular_noun"] == "Initiative"
    assert renamed["plural_noun"] == "Projects"
    error(api.get("/v2/objects/projects"), 404, "not_found")
    rec = create(api, "initiatives", {})
    assert rec["web_url"] == f"https://app.attio.com/sandbox/initiative/{rid(rec)}"
    # Every object has the system attributes (API-NOTES §2).
    slugs = {a["api_slug"] for a in ok(api.get("/v2/objects/initiatives/attributes"))}
    assert {"record_id", "created_at", "created_by"} <= slugs


def test_object_slug_conflict_is_409(api: TestClient) -> None:
    """API-NOTES §8: a duplicate api_slug is 409 slug_conflict (SPEC's messages)."""
    new_object(api)
    msg = error(
        api.post(
            "/v2/objects",
            json={"data": {"api_slug": "projects", "singular_noun": "P", "plural_noun": "Ps"}},
        ),
        409,
        "slug_conflict",
    )
    assert msg.startswith("Failed to create object.")
    error(
        api.patch("/v2/objects/projects", json={"data": {"api_slug": "people"}}),
        409,
        "slug_conflict",
    )


def test_object_create_validation(api: TestClient) -> None:
    """API-NOTES §1: the three fields are required; slugs are snake_case (SPEC)."""
    error(api.post("/v2/objects", json={"data": {"api_slug": "x"}}), 400, "validation_type")
    error(
        api.post(
            "/v2/objects",
            json={"data": {"api_slug": "Bad Slug", "singular_noun": "B", "plural_noun": "Bs"}},
        ),
        400,
        "validation_type",
    )


def test_unknown_object_message(api: TestClient) -> None:
    """SPEC GET /v2/objects/{object} 404: ``Object with slug/ID "<x>" not found.``."""
    for response in (
        api.get("/v2/objects/gizmos"),
        api.post("/v2/objects/gizmos/records", json={"data": {"values": {}}}),
        api.get("/v2/objects/gizmos/attributes"),
    ):
        assert error(response, 404, "not_found") == 'Object with slug/ID "gizmos" not found.'


# -- attributes ------------------------------------------------------------------------------


@pytest.mark.parametrize("type_", CREATABLE)
def test_each_creatable_type_on_a_custom_object(api: TestClient, type_: str) -> None:
    """API-NOTES §2: the first 15 types but status can be created on objects; the read shape
    has every documented key; the attribute is found by slug or UUID (§0)."""
    new_object(api)
    config: dict[str, Any] = {}
    if type_ == "record-reference":
        config = {"record_reference": {"allowed_objects": ["people"]}}
    if type_ == "currency":
        config = {"currency": {"default_currency_code": "EUR", "display_type": "code"}}
    created = ok(
        api.post(
            "/v2/objects/projects/attributes",
            json=attribute_body("field", type_, config=config),
        )
    )
    assert set(created) == ATTRIBUTE_KEYS
    assert set(created["id"]) == {"workspace_id", "object_id", "attribute_id"}
    assert created["type"] == type_
    assert created["is_system_attribute"] is False and created["is_writable"] is True
    attribute_id = created["id"]["attribute_id"]
    assert ok(api.get(f"/v2/objects/projects/attributes/{attribute_id}")) == created
    assert ok(api.get("/v2/objects/projects/attributes/field")) == created
    if type_ == "currency":
        assert created["config"]["currency"]["default_currency_code"] == "EUR"
    if type_ == "record-reference":
        people = ok(api.get("/v2/objects/people"))["id"]["object_id"]
        assert created["config"]["record_reference"]["allowed_object_ids"] == [people]


def test_attribute_create_requires_the_eight_fields(api: TestClient) -> None:
    """API-NOTES §2: title, description, api_slug, type, is_required, is_unique, is_multiselect
    and config are required."""
    full = attribute_body("field", "text")["data"]
    for key in full:
        partial = {k: v for k, v in full.items() if k != key}
        error(
            api.post("/v2/objects/people/attributes", json={"data": partial}),
            400,
            "validation_type",
        )


@pytest.mark.parametrize("type_", ["personal-name", "interaction", "telepathy"])
def test_uncreatable_types(api: TestClient, type_: str) -> None:
    """API-NOTES §2 and gotcha 16: personal-name and interaction cannot be created."""
    error(
        api.post("/v2/objects/people/attributes", json=attribute_body("field", type_)),
        400,
        "validation_type",
    )


def test_status_only_on_lists(api: TestClient) -> None:
    """API-NOTES §2 and gotcha 16: status attributes can only be created on lists."""
    error(
        api.post("/v2/objects/people/attributes", json=attribute_body("phase", "status")),
        400,
        "validation_type",
    )
    make_list(api, "pipeline")
    assert attribute(api, "lists", "pipeline", "phase", "status")["type"] == "status"


def test_select_cannot_be_unique(api: TestClient) -> None:
    """API-NOTES §2 and gotcha 16: select attributes cannot be unique (on create or update)."""
    error(
        api.post(
            "/v2/objects/people/attributes", json=attribute_body("tier", "select", is_unique=True)
        ),
        400,
        "validation_type",
    )
    attribute(api, "objects", "people", "tier", "select")
    error(
        api.patch("/v2/objects/people/attributes/tier", json={"data": {"is_unique": True}}),
        400,
        "validation_type",
    )


def test_companies_take_no_custom_unique_attribute(api: TestClient) -> None:
    """API-NOTES §2: custom unique attributes cannot be added to companies."""
    error(
        api.post(
            "/v2/objects/companies/attributes", json=attribute_body("ein", "text", is_unique=True)
        ),
        400,
        "validation_type",
    )
    attribute(api, "objects", "people", "badge", "text", is_unique=True)


def test_multiselect_only_for_multiselect_types(api: TestClient) -> None:
    """API-NOTES §2 per-type table: text, number and friends are always single."""
    for type_ in ("text", "number", "checkbox", "currency", "location"):
        error(
            api.post(
                "/v2/objects/people/attributes",
                json=attribute_body(f"m_{type_}", type_, is_multiselect=True),
            ),
            400,
            "validation_type",
        )


def test_attribute_slug_conflict_is_409(api: TestClient) -> None:
    """API-NOTES §8: a duplicate attribute api_slug is 409 slug_conflict (SPEC's message)."""
    msg = error(
        api.post("/v2/objects/people/attributes", json=attribute_body("job_title", "text")),
        409,
        "slug_conflict",
    )
    assert msg.startswith("An attribute with the same API slug already exists on this object.")
    make_list(api, "pipeline")
    attribute(api, "lists", "pipeline", "note", "text")
    msg = error(
        api.post("/v2/lists/pipeline/attributes", json=attribute_body("note", "text")),
        409,
        "slug_conflict",
    )
    assert "on this list" in msg


def test_relationship_inverse_slug_conflict(api: TestClient) -> None:
    """API-NOTES §8 slug_conflict also covers the inverse side of a relationship."""
    new_object(api)
    error(
        api.post(
            "/v2/objects/projects/attributes",
            json=attribute_body(
                "lead",
                "record-reference",
                relationship={
                    "object": "people",
                    "title": "Jobs",
                    "api_slug": "job_title",
                    "is_multiselect": True,
                },
            ),
        ),
        409,
        "slug_conflict",
    )
    # Nothing was half-created.
    error(api.get("/v2/objects/projects/attributes/lead"), 404, "not_found")


def test_attribute_update(api: TestClient) -> None:
    """API-NOTES §1: PATCH updates title, description, api_slug, is_required, is_unique,
    default_value, config and is_archived; archived attributes disappear from listings unless
    ``show_archived`` and can no longer be written."""
    attribute(api, "objects", "people", "nickname", "text")
    updated = ok(
        api.patch(
            "/v2/objects/people/attributes/nickname",
            json={"data": {"title": "Alias", "api_slug": "alias", "description": "aka"}},
        )
    )
    assert (updated["title"], updated["api_slug"], updated["description"]) == (
        "Alias",
        "alias",
        "aka",
    )
    error(api.get("/v2/objects/people/attributes/nickname"), 404, "not_found")
    ok(api.patch("/v2/objects/people/attributes/alias", json={"data": {"is_archived": True}}))
    listed = {a["api_slug"] for a in ok(api.get("/v2/objects/people/attributes"))}
    assert "alias" not in listed
    archived = ok(api.get("/v2/objects/people/attributes", params={"show_archived": "true"}))
    assert "alias" in {a["api_slug"] for a in archived}
    error(
        api.post("/v2/objects/people/records", json={"data": {"values": {"alias": "x"}}}),
        400,
        "value_not_found",
    )


def test_system_attribute_cannot_change_slug(api: TestClient) -> None:
    """API-NOTES §8: system_edit_unauthorized for edits to system attributes."""
    error(
        api.patch(
            "/v2/objects/people/attributes/email_addresses", json={"data": {"api_slug": "mails"}}
        ),
        400,
        "system_edit_unauthorized",
    )


def test_attribute_made_unique_later_can_be_asserted(api: TestClient) -> None:
    """SPEC: uniqueness applies to new data only; the existing value still identifies its
    record for assert (API-NOTES §3)."""
    attribute(api, "objects", "people", "badge", "text")
    ada = create(api, "people", {"badge": "B-1"})
    ok(api.patch("/v2/objects/people/attributes/badge", json={"data": {"is_unique": True}}))
    got = ok(
        api.put(
            "/v2/objects/people/records",
            params={"matching_attribute": "badge"},
            json={"data": {"values": {"badge": "B-1", "job_title": "CTO"}}},
        )
    )
    assert rid(got) == rid(ada)
    error(
        api.post("/v2/objects/people/records", json={"data": {"values": {"badge": "B-1"}}}),
        400,
        "uniqueness_conflict",
    )


def test_attribute_list_pagination(api: TestClient) -> None:
    """API-NOTES §1: the attribute list takes limit and offset."""
    everything = ok(api.get("/v2/objects/people/attributes"))
    page = ok(api.get("/v2/objects/people/attributes", params={"limit": 2, "offset": 1}))
    assert page == everything[1:3]


def test_unknown_attribute_and_target(api: TestClient) -> None:
    """SPEC 404: ``Attribute with slug/ID "<x>" not found.``; the target must be objects or
    lists."""
    msg = error(api.get("/v2/objects/people/attributes/shoe_size"), 404, "not_found")
    assert msg == 'Attribute with slug/ID "shoe_size" not found.'
    error(api.get("/v2/widgets/people/attributes"), 404, "not_found")


# -- options ---------------------------------------------------------------------------------


def test_select_options_crud_by_title_or_id(api: TestClient) -> None:
    """API-NOTES §1: list, create, rename and archive options; the option path param is a UUID
    or the title (§0); archived options are hidden unless ``show_archived`` and can't be
    written; a duplicate title is 409 slug_conflict."""
    attribute(api, "objects", "people", "tier", "select", is_multiselect=True)
    add_options(api, "objects", "people", "tier", "Gold", "Silver")
    base = "/v2/objects/people/attributes/tier/options"
    opts = ok(api.get(base))
    assert [o["title"] for o in opts] == ["Gold", "Silver"]
    assert set(opts[0]) == {"id", "title", "is_archived"}
    assert set(opts[0]["id"]) == {"workspace_id", "object_id", "attribute_id", "option_id"}
    msg = error(api.post(base, json={"data": {"title": "Gold"}}), 409, "slug_conflict")
    assert msg == 'There is already another select option with the title "Gold".'
    renamed = ok(api.patch(f"{base}/Gold", json={"data": {"title": "Platinum"}}))
    assert renamed["id"] == opts[0]["id"] and renamed["title"] == "Platinum"
    error(api.patch(f"{base}/Platinum", json={"data": {"title": "Silver"}}), 409, "slug_conflict")
    silver_id = opts[1]["id"]["option_id"]
    ok(api.patch(f"{base}/{silver_id}", json={"data": {"is_archived": True}}))
    assert [o["title"] for o in ok(api.get(base))] == ["Platinum"]
    everything = ok(api.get(base, params={"show_archived": "true"}))
    assert [(o["title"], o["is_archived"]) for o in everything] == [
        ("Platinum", False),
        ("Silver", True),
    ]
    error(
        api.post("/v2/objects/people/records", json={"data": {"values": {"tier": ["Silver"]}}}),
        400,
        "value_not_found",
    )
    rec = create(api, "people", {"tier": ["Platinum"]})
    assert rec["values"]["tier"][0]["option"]["title"] == "Platinum"


def test_unknown_option_and_non_select(api: TestClient) -> None:
    """SPEC: PATCH of an unknown option is 400 value_not_found; options on a non-select
    attribute are 400 validation_type."""
    attribute(api, "objects", "people", "tier", "select")
    msg = error(
        api.patch(
            "/v2/objects/people/attributes/tier/options/Bronze", json={"data": {"title": "X"}}
        ),
        400,
        "value_not_found",
    )
    assert msg == 'Cannot find select attribute with select option title "Bronze".'
    msg = error(
        api.post("/v2/objects/people/attributes/job_title/options", json={"data": {"title": "X"}}),
        400,
        "validation_type",
    )
    assert msg == "This attribute is not a select attribute."


def test_standard_categories_options(api: TestClient) -> None:
    """API-NOTES §2: companies.categories is a multiselect select with options."""
    titles = [
        o["title"] for o in ok(api.get("/v2/objects/companies/attributes/categories/options"))
    ]
    assert "SaaS" in titles
    acme = create(api, "companies", {"domains": ["acme.com"], "categories": ["SaaS", "B2B"]})
    assert [v["option"]["title"] for v in acme["values"]["categories"]] == ["SaaS", "B2B"]


# -- statuses --------------------------------------------------------------------------------


def test_statuses_crud_by_title_or_id(api: TestClient) -> None:
    """API-NOTES §1: list (``show_archived``), create ``{title, celebration_enabled?,
    target_time_in_status?}``, update or archive by UUID or title (§0); duplicates 409."""
    list_id = make_list(api, "pipeline")["id"]["list_id"]
    attribute(api, "lists", "pipeline", "phase", "status")
    base = f"/v2/lists/{list_id}/attributes/phase/statuses"
    new = ok(api.post(base, json={"data": {"title": "New"}}))
    assert set(new) == {
        "id",
        "title",
        "is_archived",
        "celebration_enabled",
        "target_time_in_status",
    }
    assert set(new["id"]) == {"workspace_id", "object_id", "attribute_id", "status_id"}
    assert new["id"]["object_id"] == list_id
    won = ok(api.post(base, json={"data": {"title": "Won", "celebration_enabled": True}}))
    assert won["celebration_enabled"] is True
    msg = error(api.post(base, json={"data": {"title": "New"}}), 409, "slug_conflict")
    assert msg == 'There is already another status with the title "New".'
    renamed = ok(api.patch(f"{base}/New", json={"data": {"title": "Fresh"}}))
    assert renamed["id"] == new["id"]
    ok(api.patch(f"{base}/{won['id']['status_id']}", json={"data": {"is_archived": True}}))
    assert [s["title"] for s in ok(api.get(base))] == ["Fresh"]
    assert len(ok(api.get(base, params={"show_archived": "true"}))) == 2
    msg = error(api.patch(f"{base}/Lost", json={"data": {"title": "X"}}), 400, "value_not_found")
    assert msg == 'Cannot find status attribute with status option title "Lost".'


def test_deal_stages_are_statuses(api: TestClient) -> None:
    """API-NOTES §2 standard objects: deals.stage has the default statuses."""
    titles = [s["title"] for s in ok(api.get("/v2/objects/deals/attributes/stage/statuses"))]
    assert titles == ["Lead", "In Progress", "Won 🎉", "Lost"]
    msg = error(
        api.post("/v2/objects/people/attributes/job_title/statuses", json={"data": {"title": "X"}}),
        400,
        "validation_type",
    )
    assert msg == "This attribute is not a status attribute."


# -- default values --------------------------------------------------------------------------


def test_static_default_is_normalised_and_fills_new_records(api: TestClient) -> None:
    """API-NOTES §2: ``default_value`` ``{type:"static", template:[values]}``; SPEC reads the
    template back as output values and uses it for new records without a value."""
    attr = attribute(
        api,
        "objects",
        "deals",
        "region",
        "text",
        default_value={"type": "static", "template": [{"value": "EMEA"}]},
    )
    assert attr["is_default_value_enabled"] is True
    assert attr["default_value"] == {
        "type": "static",
        "template": [{"value": "EMEA", "attribute_type": "text"}],
    }
    deal = {"name": "D", "stage": "Lead", "owner": "ada@example.com"}
    assert [v["value"] for v in create(api, "deals", deal)["values"]["region"]] == ["EMEA"]
    own = create(api, "deals", {**deal, "region": "APAC"})
    assert [v["value"] for v in own["values"]["region"]] == ["APAC"]


def test_select_default_set_after_options_exist(api: TestClient) -> None:
    """API-NOTES §1: PATCH an attribute's default_value; select templates name options."""
    attribute(api, "objects", "deals", "tier", "select", is_multiselect=True)
    add_options(api, "objects", "deals", "tier", "Gold", "Silver")
    updated = ok(
        api.patch(
            "/v2/objects/deals/attributes/tier",
            json={"data": {"default_value": {"type": "static", "template": ["Gold", "Silver"]}}},
        )
    )
    assert [o["option"]["title"] for o in updated["default_value"]["template"]] == [
        "Gold",
        "Silver",
    ]
    deal = create(api, "deals", {"name": "D", "stage": "Lead", "owner": "ada@example.com"})
    assert [v["option"]["title"] for v in deal["values"]["tier"]] == ["Gold", "Silver"]
    error(
        api.patch(
            "/v2/objects/deals/attributes/tier",
            json={"data": {"default_value": {"type": "static", "template": ["Bronze"]}}},
        ),
        400,
        "value_not_found",
    )


def test_dynamic_current_user_default(api: TestClient) -> None:
    """SPEC default_value: ``current-user`` fills an actor reference with the creating actor
    (here the API token, as ``created_by_actor`` shows)."""
    attribute(
        api,
        "objects",
        "people",
        "added_by",
        "actor-reference",
        default_value={"type": "dynamic", "template": "current-user"},
    )
    ada = create(api, "people", {})
    creator = ada["values"]["created_by"][0]
    assert [
        (v["referenced_actor_type"], v["referenced_actor_id"]) for v in ada["values"]["added_by"]
    ] == [(creator["referenced_actor_type"], creator["referenced_actor_id"])]


def test_dynamic_duration_default(api: TestClient) -> None:
    """SPEC default_value: an ISO 8601 duration sets a timestamp that far after creation."""
    attribute(
        api,
        "objects",
        "people",
        "follow_up_at",
        "timestamp",
        default_value={"type": "dynamic", "template": "P1DT2H"},
    )
    ada = create(api, "people", {})
    created = datetime.fromisoformat(ada["created_at"][:26])
    due = datetime.fromisoformat(ada["values"]["follow_up_at"][0]["value"][:26])
    # Both instants come from the same request, so they differ by far less than a minute.
    assert abs(due - created - timedelta(days=1, hours=2)) < timedelta(minutes=1)


@pytest.mark.parametrize(
    ("type_", "default"),
    [
        ("text", {"type": "dynamic", "template": "current-user"}),
        ("actor-reference", {"type": "dynamic", "template": "P1M"}),
        ("timestamp", {"type": "dynamic", "template": "next week"}),
        ("number", {"type": "static", "template": ["seven"]}),
        ("number", {"type": "static", "template": [1, 2]}),
        ("number", {"type": "static", "template": 7}),
        ("number", {"type": "sometimes", "template": [7]}),
    ],
)
def test_default_must_suit_the_attribute(
    api: TestClient, type_: str, default: dict[str, Any]
) -> None:
    """SPEC default_value: dynamic templates are ``current-user`` (actor references) or a
    duration (dates, timestamps); static templates are values of the attribute's type."""
    error(
        api.post(
            "/v2/objects/people/attributes",
            json=attribute_body("with_default", type_, default_value=default),
        ),
        400,
        "validation_type",
    )
    error(api.get("/v2/objects/people/attributes/with_default"), 404, "not_found")
