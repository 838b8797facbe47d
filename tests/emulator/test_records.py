"""Records through HTTP: read shapes, create, PATCH/PUT semantics, assert, history, deletes and
relationships kept in step on both sides (API-NOTES §0, §2, §3, gotchas 1-3, 6, 10, 12, 18)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from .core_helpers import (
    ENVELOPE,
    NANO_TS,
    UUID,
    attribute,
    company,
    create,
    error,
    get,
    ok,
    person,
    rid,
    targets,
)


def emails(record: dict[str, Any]) -> list[str]:
    """A person's email addresses in stored order."""
    return [v["email_address"] for v in record["values"]["email_addresses"]]


def count(api: TestClient, obj: str) -> int:
    """How many records ``obj`` has (through the query endpoint)."""
    return len(ok(api.post(f"/v2/objects/{obj}/records/query", json={})))


def patch(api: TestClient, obj: str, record_id: str, values: dict[str, Any]) -> Any:
    """``PATCH`` a record (multiselect values added)."""
    return api.patch(f"/v2/objects/{obj}/records/{record_id}", json={"data": {"values": values}})


def put(api: TestClient, obj: str, record_id: str, values: dict[str, Any]) -> Any:
    """``PUT`` a record by id (multiselect values replaced)."""
    return api.put(f"/v2/objects/{obj}/records/{record_id}", json={"data": {"values": values}})


def assert_(api: TestClient, obj: str, matching: str, values: dict[str, Any]) -> Any:
    """``PUT /v2/objects/{obj}/records?matching_attribute=`` (assert)."""
    return api.put(
        f"/v2/objects/{obj}/records",
        params={"matching_attribute": matching},
        json={"data": {"values": values}},
    )


# -- read shapes -----------------------------------------------------------------------------


def test_record_read_shape(api: TestClient) -> None:
    """API-NOTES §2 record shape, §0 composite ids and nanosecond timestamps, §9 web_url,
    gotcha 1: every value is an array with the common envelope; an empty attribute is []."""
    ada = person(api, "ada@example.org", name="Lovelace, Ada")
    got = get(api, "people", rid(ada))
    assert set(got) == {"id", "created_at", "web_url", "values"}
    assert set(got["id"]) == {"workspace_id", "object_id", "record_id"}
    assert all(UUID.match(v) for v in got["id"].values())
    people = ok(api.get("/v2/objects/people"))
    assert got["id"]["object_id"] == people["id"]["object_id"]
    assert NANO_TS.match(got["created_at"])
    assert got["web_url"] == f"https://app.attio.com/sandbox/person/{rid(ada)}"
    for slug, vals in got["values"].items():
        assert isinstance(vals, list), slug
        for v in vals:
            assert set(v) >= ENVELOPE, (slug, v)
            assert NANO_TS.match(v["active_from"])
            assert v["active_until"] is None
    assert got["values"]["job_title"] == []
    assert got["values"]["record_id"][0]["value"] == rid(ada)
    actor = got["values"]["email_addresses"][0]["created_by_actor"]
    assert actor["type"] == "api-token" and UUID.match(actor["id"])


def test_web_url_uses_the_singular_noun(api: TestClient) -> None:
    """API-NOTES §9: ``https://app.attio.com/<workspace_slug>/<singular_noun_lower>/<id>``."""
    acme = company(api, "acme.com")
    assert acme["web_url"] == f"https://app.attio.com/sandbox/company/{rid(acme)}"


def test_unknown_record_is_404_with_documented_message(api: TestClient) -> None:
    """API-NOTES §3: unknown record -> 404 not_found ``Record with ID "<id>" not found.``."""
    missing = "2d4bd5a4-58f4-4ef0-a5e7-d3e77c1a09cd"
    for response in (
        api.get(f"/v2/objects/people/records/{missing}"),
        api.delete(f"/v2/objects/people/records/{missing}"),
        patch(api, "people", missing, {"job_title": "x"}),
        put(api, "people", missing, {"job_title": "x"}),
        api.get(f"/v2/objects/people/records/{missing}/attributes/name/values"),
        api.get(f"/v2/objects/people/records/{missing}/entries"),
    ):
        assert error(response, 404, "not_found") == f'Record with ID "{missing}" not found.'


def test_record_of_another_object_is_not_found(api: TestClient) -> None:
    """API-NOTES §3: a record id belongs to one object."""
    ada = person(api, "ada@example.org")
    error(api.get(f"/v2/objects/companies/records/{rid(ada)}"), 404, "not_found")


def test_delete_answers_empty_object_and_the_record_is_gone(api: TestClient) -> None:
    """API-NOTES §0, gotcha 18: deletes answer 200 ``{}``."""
    ada = person(api, "ada@example.org")
    gone = api.delete(f"/v2/objects/people/records/{rid(ada)}")
    assert gone.status_code == 200 and gone.json() == {}
    error(api.get(f"/v2/objects/people/records/{rid(ada)}"), 404, "not_found")
    # Its unique email is free again.
    person(api, "ada@example.org")


def test_paths_and_values_accept_uuids_as_well_as_slugs(api: TestClient) -> None:
    """API-NOTES §0, gotcha 7: path identifiers are a UUID or an api_slug; value keys may be
    attribute ids (§2 write envelope)."""
    people = ok(api.get("/v2/objects/people"))
    object_id = people["id"]["object_id"]
    title = ok(api.get("/v2/objects/people/attributes/job_title"))["id"]["attribute_id"]
    rec = create(api, object_id, {title: "Engineer"})
    assert rec["values"]["job_title"][0]["value"] == "Engineer"
    vals = ok(api.get(f"/v2/objects/{object_id}/records/{rid(rec)}/attributes/{title}/values"))
    assert [v["value"] for v in vals] == ["Engineer"]


# -- create ----------------------------------------------------------------------------------


def test_unique_conflict_is_400_with_the_observed_message(api: TestClient) -> None:
    """API-NOTES §3 and gotcha 12: 400 uniqueness_conflict, message ``The value "{"email_address":
    "x@y.com"}" provided for attribute with ID "<uuid>" conflicts with one already in the
    system.`` (newer messages append the conflicting record ids)."""
    ada = person(api, "ada@example.org")
    attr_id = ok(api.get("/v2/objects/people/attributes/email_addresses"))["id"]["attribute_id"]
    before = count(api, "people")
    msg = error(
        api.post(
            "/v2/objects/people/records",
            json={"data": {"values": {"email_addresses": ["new@example.org", "ADA@example.org"]}}},
        ),
        400,
        "uniqueness_conflict",
    )
    expected = (
        f'The value "{{"email_address":"ada@example.org"}}" provided for attribute with ID '
        f'"{attr_id}" conflicts with one already in the system.'
    )
    assert msg.startswith(expected), msg
    assert rid(ada) in msg
    assert count(api, "people") == before


def test_unique_domains_conflict(api: TestClient) -> None:
    """API-NOTES §2: companies.domains is unique per value."""
    company(api, "acme.com")
    error(
        api.post(
            "/v2/objects/companies/records",
            json={"data": {"values": {"domains": ["https://acme.com/about"]}}},
        ),
        400,
        "uniqueness_conflict",
    )


def test_deal_requires_name_stage_and_owner(api: TestClient) -> None:
    """API-NOTES §2 standard objects: deals' name, stage and owner are required (missing_value,
    §8); SPEC's message names the attribute id."""
    attrs = {a["api_slug"]: a for a in ok(api.get("/v2/objects/deals/attributes"))}
    full = {"name": "Big deal", "stage": "Lead", "owner": "ada@example.com"}
    for slug in full:
        partial = {k: v for k, v in full.items() if k != slug}
        msg = error(
            api.post("/v2/objects/deals/records", json={"data": {"values": partial}}),
            400,
            "missing_value",
        )
        attr_id = attrs[slug]["id"]["attribute_id"]
        assert msg.startswith(f'Required value for attribute with ID "{attr_id}" was not provided.')
    create(api, "deals", full)


def test_required_value_cannot_be_cleared(api: TestClient) -> None:
    """SPEC PATCH/PUT record 400 missing_value: a required attribute cannot be emptied."""
    deal = create(api, "deals", {"name": "D", "stage": "Lead", "owner": "ada@example.com"})
    error(patch(api, "deals", rid(deal), {"name": []}), 400, "missing_value")
    error(put(api, "deals", rid(deal), {"owner": None}), 400, "missing_value")
    assert get(api, "deals", rid(deal))["values"]["name"][0]["value"] == "D"


def test_unknown_and_read_only_attributes(api: TestClient) -> None:
    """API-NOTES §8: unknown attributes are value_not_found; system attributes refuse edits
    (system_edit_unauthorized)."""
    bad = api.post("/v2/objects/people/records", json={"data": {"values": {"shoe_size": 9}}})
    assert "shoe_size" in error(bad, 400, "value_not_found")
    for slug, value in (("record_id", "x"), ("created_at", "2023"), ("avatar_url", "x")):
        error(
            api.post("/v2/objects/people/records", json={"data": {"values": {slug: value}}}),
            400,
            "system_edit_unauthorized",
        )


def test_create_body_needs_values(api: TestClient) -> None:
    """API-NOTES §0: write bodies are ``{"data": {"values": {...}}}``."""
    error(api.post("/v2/objects/people/records", json={"data": {}}), 400, "validation_type")
    error(api.post("/v2/objects/people/records", json={"values": {}}), 400, "validation_type")
    error(
        api.post("/v2/objects/people/records", json={"data": {"values": ["x"]}}),
        400,
        "validation_type",
    )


# -- PATCH and PUT ---------------------------------------------------------------------------


def test_patch_prepends_multiselect_and_overwrites_single(api: TestClient) -> None:
    """API-NOTES §3 PATCH: multiselect values are created and prepended, single values
    overwritten, attributes not mentioned untouched."""
    ada = person(api, "a1@example.org", job_title="Engineer", description="keep me")
    got = ok(
        patch(api, "people", rid(ada), {"email_addresses": ["a2@example.org"], "job_title": "CTO"})
    )
    assert emails(got) == ["a2@example.org", "a1@example.org"]
    assert got["values"]["job_title"][0]["value"] == "CTO"
    assert got["values"]["description"][0]["value"] == "keep me"
    # Writing a value it already has adds nothing.
    again = ok(patch(api, "people", rid(ada), {"email_addresses": ["A1@example.org"]}))
    assert emails(again) == ["a2@example.org", "a1@example.org"]


def test_put_replaces_multiselect_and_leaves_others(api: TestClient) -> None:
    """API-NOTES §3 PUT by id: payload multiselect attributes are overwritten (omitted values
    removed); attributes not mentioned are untouched."""
    ada = person(api, "a1@example.org", job_title="Engineer")
    ok(patch(api, "people", rid(ada), {"email_addresses": ["a2@example.org"]}))
    got = ok(
        put(api, "people", rid(ada), {"email_addresses": ["a3@example.org", "a1@example.org"]})
    )
    assert emails(got) == ["a3@example.org", "a1@example.org"]
    assert got["values"]["job_title"][0]["value"] == "Engineer"
    # The replaced email is free for someone else.
    person(api, "a2@example.org")


def test_unchanged_values_keep_their_active_from(api: TestClient) -> None:
    """API-NOTES §2: a value that is written again unchanged stays the same value (its history
    does not grow)."""
    ada = person(api, "a1@example.org", job_title="Engineer")
    first = ada["values"]["job_title"][0]["active_from"]
    got = ok(put(api, "people", rid(ada), {"job_title": "Engineer"}))
    assert got["values"]["job_title"][0]["active_from"] == first
    hist = ok(
        api.get(
            f"/v2/objects/people/records/{rid(ada)}/attributes/job_title/values",
            params={"show_historic": "true"},
        )
    )
    assert len(hist) == 1


def test_empty_patch_is_validation_type(api: TestClient) -> None:
    """API-NOTES §8 validation_type: an empty PATCH payload (SPEC's message)."""
    ada = person(api, "a1@example.org")
    msg = error(patch(api, "people", rid(ada), {}), 400, "validation_type")
    assert msg.startswith("You passed an empty payload.")


def test_patch_checks_uniqueness_against_other_records(api: TestClient) -> None:
    """API-NOTES §3: a unique conflict refuses the write and changes nothing."""
    person(api, "taken@example.org")
    ada = person(api, "a1@example.org", job_title="Engineer")
    error(
        patch(
            api, "people", rid(ada), {"job_title": "CTO", "email_addresses": ["taken@example.org"]}
        ),
        400,
        "uniqueness_conflict",
    )
    got = get(api, "people", rid(ada))
    assert got["values"]["job_title"][0]["value"] == "Engineer"
    assert emails(got) == ["a1@example.org"]


def test_clearing_with_empty_array(api: TestClient) -> None:
    """API-NOTES §2 write envelope: ``[]`` clears an attribute (OBS)."""
    ada = person(api, "a1@example.org", job_title="Engineer")
    got = ok(put(api, "people", rid(ada), {"job_title": [], "phone_numbers": []}))
    assert got["values"]["job_title"] == []


# -- assert ----------------------------------------------------------------------------------


def test_assert_with_no_match_creates(api: TestClient) -> None:
    """API-NOTES §3 assert: 0 matches -> create (200)."""
    before = count(api, "people")
    got = ok(assert_(api, "people", "email_addresses", {"email_addresses": ["new@example.org"]}))
    assert emails(got) == ["new@example.org"]
    assert count(api, "people") == before + 1


def test_assert_with_one_match_updates_that_record(api: TestClient) -> None:
    """API-NOTES §3 assert and gotcha 2: 1 match -> update; the matching multiselect attribute is
    only added to, every other multiselect in the payload is replaced."""
    ada = person(
        api,
        "a1@example.org",
        job_title="Engineer",
        phone_numbers=["+442079460958"],
        description="keep",
    )
    ok(patch(api, "people", rid(ada), {"email_addresses": ["a2@example.org"]}))
    before = count(api, "people")
    got = ok(
        assert_(
            api,
            "people",
            "email_addresses",
            {
                "email_addresses": ["a3@example.org", "a1@example.org"],
                "phone_numbers": ["+14155552671"],
                "job_title": "CTO",
            },
        )
    )
    assert rid(got) == rid(ada)
    assert count(api, "people") == before
    assert set(emails(got)) == {"a1@example.org", "a2@example.org", "a3@example.org"}
    assert emails(got)[0] == "a3@example.org"
    assert [v["phone_number"] for v in got["values"]["phone_numbers"]] == ["+14155552671"]
    assert got["values"]["job_title"][0]["value"] == "CTO"
    assert got["values"]["description"][0]["value"] == "keep"


def test_assert_by_attribute_id(api: TestClient) -> None:
    """API-NOTES §3: ``matching_attribute`` is a slug or an id."""
    acme = company(api, "acme.com")
    attr_id = ok(api.get("/v2/objects/companies/attributes/domains"))["id"]["attribute_id"]
    got = ok(assert_(api, "companies", attr_id, {"domains": ["acme.com"], "name": "Acme"}))
    assert rid(got) == rid(acme)
    assert got["values"]["name"][0]["value"] == "Acme"


def test_assert_needs_the_matching_value_in_the_payload(api: TestClient) -> None:
    """API-NOTES §3 assert: the record is found by the payload's matching attribute values, so
    a payload without them cannot be asserted (validation_type)."""
    person(api, "a1@example.org")
    before = count(api, "people")
    for values in ({"job_title": "CTO"}, {"email_addresses": [], "job_title": "CTO"}):
        error(assert_(api, "people", "email_addresses", values), 400, "validation_type")
    assert count(api, "people") == before


def test_assert_matching_two_records_is_multiple_match_results(api: TestClient) -> None:
    """API-NOTES §3 assert: two payload emails owned by different people -> an error, like entry
    assert's multiple_match_results."""
    a = person(api, "a@example.org")
    b = person(api, "b@example.org")
    error(
        assert_(
            api,
            "people",
            "email_addresses",
            {"email_addresses": ["a@example.org", "b@example.org"], "job_title": "x"},
        ),
        400,
        "multiple_match_results",
    )
    assert get(api, "people", rid(a))["values"]["job_title"] == []
    assert get(api, "people", rid(b))["values"]["job_title"] == []


def test_assert_other_unique_conflict(api: TestClient) -> None:
    """API-NOTES §3: assert still enforces other unique attributes."""
    attribute(api, "objects", "people", "badge", "text", is_unique=True)
    person(api, "a@example.org", badge="B-1")
    person(api, "b@example.org")
    error(
        assert_(
            api, "people", "email_addresses", {"email_addresses": ["b@example.org"], "badge": "B-1"}
        ),
        400,
        "uniqueness_conflict",
    )


def test_assert_matching_attribute_errors(api: TestClient) -> None:
    """API-NOTES §3 assert: the parameter is required; an unknown attribute is value_not_found
    (SPEC's message); a non-unique one is matching_attribute_definition_not_unique."""
    values = {"email_addresses": ["a@example.org"]}
    error(
        api.put("/v2/objects/people/records", json={"data": {"values": values}}),
        400,
        "validation_type",
    )
    msg = error(assert_(api, "people", "shoe_size", values), 400, "value_not_found")
    assert msg == 'No attribute was found for matching_attribute slug/ID "shoe_size".'
    error(
        assert_(api, "people", "job_title", {"job_title": "x"}),
        400,
        "matching_attribute_definition_not_unique",
    )


def test_deals_cannot_be_asserted_until_a_unique_attribute_exists(api: TestClient) -> None:
    """API-NOTES §2 standard objects and gotcha 3: deals have no unique attribute, so assert by
    ``name`` fails; after adding a unique attribute, assert works."""
    deal = {"name": "Big", "stage": "Lead", "owner": "ada@example.com"}
    error(
        assert_(api, "deals", "name", deal),
        400,
        "matching_attribute_definition_not_unique",
    )
    attribute(api, "objects", "deals", "external_id", "text", is_unique=True)
    first = ok(assert_(api, "deals", "external_id", {**deal, "external_id": "D-1"}))
    second = ok(assert_(api, "deals", "external_id", {"external_id": "D-1", "name": "Bigger"}))
    assert rid(first) == rid(second)
    assert second["values"]["name"][0]["value"] == "Bigger"
    assert count(api, "deals") == 1


def test_assert_create_still_needs_required_values(api: TestClient) -> None:
    """API-NOTES §3: assert that creates enforces required attributes (missing_value)."""
    attribute(api, "objects", "deals", "external_id", "text", is_unique=True)
    error(assert_(api, "deals", "external_id", {"external_id": "D-1"}), 400, "missing_value")


# -- history ---------------------------------------------------------------------------------


def test_history_oldest_first_with_active_until(api: TestClient) -> None:
    """API-NOTES §2 record shape: record reads give current values; ``show_historic=true`` on the
    values endpoint adds replaced ones with ``active_until`` set, sorted oldest first."""
    ada = person(api, "a1@example.org", job_title="Engineer")
    ok(patch(api, "people", rid(ada), {"job_title": "Lead"}))
    ok(put(api, "people", rid(ada), {"job_title": "CTO"}))
    url = f"/v2/objects/people/records/{rid(ada)}/attributes/job_title/values"
    current = ok(api.get(url))
    assert [v["value"] for v in current] == ["CTO"]
    assert current[0]["active_until"] is None
    hist = ok(api.get(url, params={"show_historic": "true"}))
    assert [v["value"] for v in hist] == ["Engineer", "Lead", "CTO"]
    assert all(NANO_TS.match(v["active_until"]) for v in hist[:2])
    assert hist[-1]["active_until"] is None
    assert hist[0]["active_until"] <= hist[1]["active_from"]
    assert [v["active_from"] for v in hist] == sorted(v["active_from"] for v in hist)


def test_history_of_multiselect_removals(api: TestClient) -> None:
    """API-NOTES §2: a multiselect value removed by PUT stays in history, no longer current."""
    ada = person(api, "a1@example.org")
    ok(put(api, "people", rid(ada), {"email_addresses": ["a2@example.org"]}))
    url = f"/v2/objects/people/records/{rid(ada)}/attributes/email_addresses/values"
    assert [v["email_address"] for v in ok(api.get(url))] == ["a2@example.org"]
    hist = ok(api.get(url, params={"show_historic": "true"}))
    assert [(v["email_address"], v["active_until"] is None) for v in hist] == [
        ("a1@example.org", False),
        ("a2@example.org", True),
    ]


def test_history_is_refused_for_interactions(api: TestClient) -> None:
    """API-NOTES §2 record shape: history cannot be requested for COMINT attributes (400)."""
    ada = person(api, "a1@example.org")
    url = f"/v2/objects/people/records/{rid(ada)}/attributes/last_interaction/values"
    error(api.get(url, params={"show_historic": "true"}), 400, "validation_type")
    assert ok(api.get(url)) == []


def test_values_endpoint_unknown_attribute(api: TestClient) -> None:
    """SPEC values endpoint 404: ``Attribute with slug/ID "<x>" not found.``."""
    ada = person(api, "a1@example.org")
    msg = error(
        api.get(f"/v2/objects/people/records/{rid(ada)}/attributes/shoe_size/values"),
        404,
        "not_found",
    )
    assert msg == 'Attribute with slug/ID "shoe_size" not found.'


# -- relationships ---------------------------------------------------------------------------


def test_person_company_and_company_team_stay_in_step(api: TestClient) -> None:
    """API-NOTES §2 and gotcha 10: people.company <-> companies.team update each other."""
    acme = company(api, "acme.com")
    globex = company(api, "globex.com")
    ada = person(api, "ada@example.org", company="acme.com")
    assert targets(ada, "company") == [rid(acme)]
    assert targets(get(api, "companies", rid(acme)), "team") == [rid(ada)]
    # Change the company: the old team lets go, the new one takes the person.
    ok(
        patch(
            api,
            "people",
            rid(ada),
            {"company": {"target_object": "companies", "target_record_id": rid(globex)}},
        )
    )
    assert targets(get(api, "companies", rid(acme)), "team") == []
    assert targets(get(api, "companies", rid(globex)), "team") == [rid(ada)]
    # Clear it.
    ok(put(api, "people", rid(ada), {"company": []}))
    assert targets(get(api, "companies", rid(globex)), "team") == []
    # Set from the other side.
    ok(
        patch(
            api,
            "companies",
            rid(acme),
            {"team": [{"target_object": "people", "target_record_id": rid(ada)}]},
        )
    )
    assert targets(get(api, "people", rid(ada)), "company") == [rid(acme)]
    # Joining another team moves the person (company is single-valued).
    ok(patch(api, "companies", rid(globex), {"team": ["ada@example.org"]}))
    assert targets(get(api, "people", rid(ada)), "company") == [rid(globex)]
    assert targets(get(api, "companies", rid(acme)), "team") == []
    # Deleting the person empties the team.
    ok_delete = api.delete(f"/v2/objects/people/records/{rid(ada)}")
    assert ok_delete.json() == {}
    assert targets(get(api, "companies", rid(globex)), "team") == []


def test_put_team_removes_people_from_the_company(api: TestClient) -> None:
    """API-NOTES §3 PUT replaces a multiselect; the removed people lose their company."""
    acme = company(api, "acme.com")
    a = person(api, "a@example.org", company="acme.com")
    b = person(api, "b@example.org", company="acme.com")
    assert sorted(targets(get(api, "companies", rid(acme)), "team")) == sorted([rid(a), rid(b)])
    ok(put(api, "companies", rid(acme), {"team": ["b@example.org"]}))
    assert targets(get(api, "people", rid(a)), "company") == []
    assert targets(get(api, "people", rid(b)), "company") == [rid(acme)]


def test_deleting_a_company_clears_its_people(api: TestClient) -> None:
    """API-NOTES gotcha 10: the inverse side follows a deleted record."""
    acme = company(api, "acme.com")
    ada = person(api, "ada@example.org", company="acme.com")
    api.delete(f"/v2/objects/companies/records/{rid(acme)}")
    assert targets(get(api, "people", rid(ada)), "company") == []


def test_deal_company_and_company_deals(api: TestClient) -> None:
    """API-NOTES §2 standard objects: deals.associated_company <-> companies.associated_deals and
    deals.associated_people <-> people.associated_deals."""
    acme = company(api, "acme.com")
    ada = person(api, "ada@example.org")
    deal = create(
        api,
        "deals",
        {
            "name": "Big",
            "stage": "Lead",
            "owner": "ada@example.com",
            "associated_company": "acme.com",
            "associated_people": ["ada@example.org"],
        },
    )
    assert targets(get(api, "companies", rid(acme)), "associated_deals") == [rid(deal)]
    assert targets(get(api, "people", rid(ada)), "associated_deals") == [rid(deal)]
    ok(put(api, "deals", rid(deal), {"associated_company": None}))
    assert targets(get(api, "companies", rid(acme)), "associated_deals") == []
    ok(
        patch(
            api,
            "companies",
            rid(acme),
            {"associated_deals": [{"target_object": "deals", "target_record_id": rid(deal)}]},
        )
    )
    assert targets(get(api, "deals", rid(deal)), "associated_company") == [rid(acme)]


def test_custom_relationship_pair(api: TestClient) -> None:
    """API-NOTES §2: ``relationship`` in the attribute create body makes a bidirectional pair."""
    ok(
        api.post(
            "/v2/objects",
            json={
                "data": {
                    "api_slug": "projects",
                    "singular_noun": "Project",
                    "plural_noun": "Projects",
                }
            },
        )
    )
    attr = attribute(
        api,
        "objects",
        "projects",
        "lead",
        "record-reference",
        config={"record_reference": {"allowed_objects": ["people"]}},
        relationship={
            "object": "people",
            "title": "Led projects",
            "api_slug": "led_projects",
            "is_multiselect": True,
        },
    )
    assert attr["relationship"]["api_slug"] == "led_projects"
    inverse = ok(api.get("/v2/objects/people/attributes/led_projects"))
    assert inverse["type"] == "record-reference" and inverse["is_multiselect"] is True
    assert inverse["relationship"]["api_slug"] == "lead"
    ada = person(api, "ada@example.org")
    grace = person(api, "grace@example.org")
    p1 = create(api, "projects", {"lead": "ada@example.org"})
    p2 = create(api, "projects", {"lead": "ada@example.org"})
    assert sorted(targets(get(api, "people", rid(ada)), "led_projects")) == sorted(
        [rid(p1), rid(p2)]
    )
    ok(patch(api, "projects", rid(p1), {"lead": "grace@example.org"}))
    assert targets(get(api, "people", rid(ada)), "led_projects") == [rid(p2)]
    assert targets(get(api, "people", rid(grace)), "led_projects") == [rid(p1)]
    # Write from the people side: p2 moves to grace.
    ok(
        patch(
            api,
            "people",
            rid(grace),
            {"led_projects": [{"target_object": "projects", "target_record_id": rid(p2)}]},
        )
    )
    assert targets(get(api, "projects", rid(p2)), "lead") == [rid(grace)]
    assert targets(get(api, "people", rid(ada)), "led_projects") == []


def test_relationship_object_without_allowed_objects(api: TestClient) -> None:
    """SPEC attribute create: ``relationship.object`` names the other side; ``allowed_objects``
    may be omitted, and if given must contain only that object."""
    attr = attribute(
        api,
        "objects",
        "people",
        "mentor",
        "record-reference",
        relationship={
            "object": "people",
            "title": "Mentees",
            "api_slug": "mentees",
            "is_multiselect": True,
        },
    )
    people_id = ok(api.get("/v2/objects/people"))["id"]["object_id"]
    assert attr["config"]["record_reference"]["allowed_object_ids"] == [people_id]
    mismatch = api.post(
        "/v2/objects/people/attributes",
        json={
            "data": {
                "title": "Employer",
                "description": None,
                "api_slug": "employer",
                "type": "record-reference",
                "is_required": False,
                "is_unique": False,
                "is_multiselect": False,
                "config": {"record_reference": {"allowed_objects": ["deals"]}},
                "relationship": {
                    "object": "companies",
                    "title": "Staff",
                    "api_slug": "staff",
                    "is_multiselect": True,
                },
            }
        },
    )
    error(mismatch, 400, "validation_type")


@pytest.mark.parametrize("obj", ["people", "companies", "deals", "users", "workspaces"])
def test_standard_objects_have_system_attributes(api: TestClient, obj: str) -> None:
    """API-NOTES §2 standard objects: every object has read-only record_id, created_at and
    created_by."""
    attrs = {a["api_slug"]: a for a in ok(api.get(f"/v2/objects/{obj}/attributes"))}
    for slug, type_ in (
        ("record_id", "text"),
        ("created_at", "timestamp"),
        ("created_by", "actor-reference"),
    ):
        assert attrs[slug]["type"] == type_
        assert attrs[slug]["is_writable"] is False


def test_standard_attribute_flags(api: TestClient) -> None:
    """API-NOTES §2 standard objects table: unique (★), multiselect (M) and required (R)."""

    def flags(obj: str) -> dict[str, tuple[str, bool, bool, bool]]:
        return {
            a["api_slug"]: (a["type"], a["is_unique"], a["is_multiselect"], a["is_required"])
            for a in ok(api.get(f"/v2/objects/{obj}/attributes"))
        }

    people = flags("people")
    assert people["email_addresses"] == ("email-address", True, True, False)
    assert people["name"] == ("personal-name", False, False, False)
    assert people["phone_numbers"] == ("phone-number", False, True, False)
    assert people["company"][0] == "record-reference"
    companies = flags("companies")
    assert companies["domains"] == ("domain", True, True, False)
    assert companies["name"] == ("text", False, False, False)
    assert companies["team"] == ("record-reference", False, True, False)
    assert companies["categories"] == ("select", False, True, False)
    deals = flags("deals")
    assert deals["name"][3] and deals["stage"] == ("status", False, False, True)
    assert deals["owner"] == ("actor-reference", False, False, True)
    assert deals["value"][0] == "currency"
    assert not any(unique for slug, (_, unique, _, _) in deals.items() if slug != "record_id")
    users = flags("users")
    assert users["user_id"] == ("text", True, False, True)
    assert users["primary_email_address"][1:] == (True, False, True)
    workspaces = flags("workspaces")
    assert workspaces["workspace_id"] == ("text", True, False, True)


def test_users_are_asserted_by_user_id_and_referenced_by_plain_string(api: TestClient) -> None:
    """API-NOTES §2: users.user_id is unique and required; a plain string names a user by
    user_id in a reference (users -> user_id)."""
    user = ok(
        assert_(
            api,
            "users",
            "user_id",
            {"user_id": "u-1", "primary_email_address": "u1@example.org"},
        )
    )
    ws = create(api, "workspaces", {"workspace_id": "w-1", "users": ["u-1"]})
    assert targets(ws, "users") == [rid(user)]
    assert targets(get(api, "users", rid(user)), "workspace") == [rid(ws)]


def test_message_of_record_reference_not_found_names_the_id(api: TestClient) -> None:
    """API-NOTES §8 value_not_found: a referenced record that does not exist."""
    missing = "2d4bd5a4-58f4-4ef0-a5e7-d3e77c1a09cd"
    msg = error(
        api.post(
            "/v2/objects/people/records",
            json={
                "data": {
                    "values": {
                        "company": {"target_object": "companies", "target_record_id": missing}
                    }
                }
            },
        ),
        400,
        "value_not_found",
    )
    assert re.search(missing, msg)
