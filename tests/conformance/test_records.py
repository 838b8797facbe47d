"""Conformance of the record endpoints (``/v2/objects/{object}/records…``) and search."""

from __future__ import annotations

import uuid

import pytest

from .factories import MEMBER_EMAIL, company, deal, entry, person, pipeline, unique
from .validation import ConformantClient

op = pytest.mark.operation

QUERY = "POST /v2/objects/{object}/records/query"
CREATE = "POST /v2/objects/{object}/records"
ASSERT = "PUT /v2/objects/{object}/records"
GET = "GET /v2/objects/{object}/records/{record_id}"
PATCH = "PATCH /v2/objects/{object}/records/{record_id}"
PUT = "PUT /v2/objects/{object}/records/{record_id}"
DELETE = "DELETE /v2/objects/{object}/records/{record_id}"
VALUES = "GET /v2/objects/{object}/records/{record_id}/attributes/{attribute}/values"
ENTRIES = "GET /v2/objects/{object}/records/{record_id}/entries"
SEARCH = "POST /v2/objects/records/search"

MISSING = str(uuid.UUID(int=1))


def _record_path(record: dict[str, object], obj: str) -> str:
    rid = record["id"]["record_id"]  # type: ignore[index]
    return f"/v2/objects/{obj}/records/{rid}"


@op(CREATE, GET)
def test_create_and_get_records_of_every_value_type(conformant: ConformantClient) -> None:
    """Spec "Create a record" / "Get a record" with values of many types (API-NOTES §2, §3)."""
    co = company(conformant)
    p = person(conformant, company=co["values"]["domains"][0]["domain"])
    d = deal(
        conformant,
        associated_company=co["values"]["domains"][0]["domain"],
        associated_people=[{"target_object": "people", "target_record_id": p["id"]["record_id"]}],
    )
    assert conformant.data("GET", _record_path(d, "deals")) == d
    got = conformant.data("GET", _record_path(co, "companies"))
    # Relationship attributes update their inverse (API-NOTES §2): deal -> company, person -> team.
    assert [v["target_record_id"] for v in got["values"]["associated_deals"]] == [
        d["id"]["record_id"]
    ]
    assert [v["target_record_id"] for v in got["values"]["team"]] == [p["id"]["record_id"]]
    assert d["values"]["stage"][0]["status"]["title"] == "Lead"
    assert d["values"]["owner"][0]["referenced_actor_type"] == "workspace-member"


@op(CREATE)
def test_create_record_errors(conformant: ConformantClient) -> None:
    """Spec: create record 400 (value_not_found, §8 uniqueness_conflict, missing_value) and 404."""
    p = person(conformant)
    email = p["values"]["email_addresses"][0]["email_address"]
    base = "/v2/objects/people/records"
    conformant.post(
        "/v2/objects/companies/records",
        json={"data": {"values": {"categories": ["No such category"]}}},
        expect=400,
        code="value_not_found",
    )
    conformant.post(
        base,
        json={"data": {"values": {"email_addresses": [email]}}},
        expect=400,
        code="uniqueness_conflict",
    )
    conformant.post(
        "/v2/objects/deals/records",
        json={"data": {"values": {"name": "No stage"}}},
        expect=400,
        code="missing_value",
    )
    conformant.post(
        "/v2/objects/no_such_object/records",
        json={"data": {"values": {}}},
        expect=404,
        code="not_found",
    )


@op(ASSERT)
def test_assert_record_creates_then_updates(conformant: ConformantClient) -> None:
    """Spec "Assert a record": 0 matches create, 1 match updates the same record (API-NOTES §3)."""
    domain = f"{unique('assert')}.example.com"
    path = "/v2/objects/companies/records"
    params = {"matching_attribute": "domains"}
    first = conformant.data(
        "PUT", path, params=params, json={"data": {"values": {"domains": [domain], "name": "One"}}}
    )
    second = conformant.data(
        "PUT", path, params=params, json={"data": {"values": {"domains": [domain], "name": "Two"}}}
    )
    assert first["id"] == second["id"]
    assert second["values"]["name"][0]["value"] == "Two"


@op(ASSERT)
def test_assert_record_errors(conformant: ConformantClient) -> None:
    """Spec: assert 400 (§3 matching_attribute_definition_not_unique, value_not_found) and 404."""
    path = "/v2/objects/people/records"
    body = {"data": {"values": {"job_title": "CTO"}}}
    conformant.put(
        path,
        params={"matching_attribute": "job_title"},
        json=body,
        expect=400,
        code="matching_attribute_definition_not_unique",
    )
    conformant.put(
        path,
        params={"matching_attribute": "no_such_attribute"},
        json=body,
        expect=400,
        code="value_not_found",
    )
    conformant.put(
        "/v2/objects/no_such_object/records",
        params={"matching_attribute": "email_addresses"},
        json=body,
        expect=404,
        code="not_found",
    )


@op(PATCH, PUT)
def test_patch_appends_and_put_replaces_multiselect_values(conformant: ConformantClient) -> None:
    """Spec: PATCH appends multiselect values, PUT overwrites them (API-NOTES §3, gotcha 2)."""
    co = company(conformant, categories=["SaaS"])
    path = _record_path(co, "companies")
    patched = conformant.data("PATCH", path, json={"data": {"values": {"categories": ["Fintech"]}}})
    titles = {v["option"]["title"] for v in patched["values"]["categories"]}
    assert titles == {"SaaS", "Fintech"}
    put = conformant.data("PUT", path, json={"data": {"values": {"categories": ["Retail"]}}})
    assert [v["option"]["title"] for v in put["values"]["categories"]] == ["Retail"]


@op(PATCH, PUT)
def test_update_record_errors(conformant: ConformantClient) -> None:
    """Spec: PATCH/PUT record 400 (value_not_found, §8) and 404 ``not_found``."""
    co = company(conformant)
    path = _record_path(co, "companies")
    for method in ("PATCH", "PUT"):
        conformant.request(
            method,
            path,
            json={"data": {"values": {"categories": ["No such category"]}}},
            expect=400,
            code="value_not_found",
        )
        conformant.request(
            method,
            f"/v2/objects/companies/records/{MISSING}",
            json={"data": {"values": {"name": "x"}}},
            expect=404,
            code="not_found",
        )


@op(PATCH, PUT)
def test_update_record_clearing_a_required_value_is_missing_value(
    conformant: ConformantClient,
) -> None:
    """Spec: PATCH/PUT record 400 ``missing_value`` (its example: a required value not given)."""
    path = _record_path(deal(conformant), "deals")
    for method in ("PATCH", "PUT"):
        conformant.request(
            method,
            path,
            json={"data": {"values": {"name": []}}},
            expect=400,
            code="missing_value",
        )


@op(DELETE, GET)
def test_delete_record_then_get_is_404(conformant: ConformantClient) -> None:
    """Spec "Delete a record": ``{}`` (API-NOTES §0), then 404 on get and on a second delete."""
    path = _record_path(person(conformant), "people")
    assert conformant.delete(path, expect=200).json() == {}
    conformant.get(path, expect=404, code="not_found")
    conformant.delete(path, expect=404, code="not_found")


@op(QUERY)
def test_query_records_filters_sorts_and_pages(conformant: ConformantClient) -> None:
    """Spec "List records": filter, sorts, limit/offset in the body (API-NOTES §3, §4)."""
    marker = unique("Query")
    for n in range(3):
        company(conformant, name=f"{marker} {n}")
    body = {
        "filter": {"name": {"$starts_with": marker}},
        "sorts": [{"direction": "desc", "attribute": "name"}],
        "limit": 2,
        "offset": 0,
    }
    page = conformant.data("POST", "/v2/objects/companies/records/query", json=body)
    assert [r["values"]["name"][0]["value"] for r in page] == [f"{marker} 2", f"{marker} 1"]
    rest = conformant.data(
        "POST", "/v2/objects/companies/records/query", json={**body, "offset": 2}
    )
    assert [r["values"]["name"][0]["value"] for r in rest] == [f"{marker} 0"]
    everything = conformant.data("POST", "/v2/objects/people/records/query", json={})
    assert isinstance(everything, list)


@op(QUERY)
def test_query_records_errors(conformant: ConformantClient) -> None:
    """Spec: query 400 ``filter_error`` and 404 ``not_found``."""
    conformant.post(
        "/v2/objects/people/records/query",
        json={"filter": {"no_such_attribute": "x"}},
        expect=400,
        code="filter_error",
    )
    conformant.post(
        "/v2/objects/no_such_object/records/query", json={}, expect=404, code="not_found"
    )


@op(VALUES)
def test_record_attribute_values_with_history(conformant: ConformantClient) -> None:
    """Spec "List record attribute values"; ``show_historic`` oldest first (API-NOTES §2)."""
    co = company(conformant, name="Before")
    path = _record_path(co, "companies")
    conformant.data("PATCH", path, json={"data": {"values": {"name": "After"}}})
    current = conformant.data("GET", f"{path}/attributes/name/values")
    assert [v["value"] for v in current] == ["After"]
    history = conformant.data(
        "GET", f"{path}/attributes/name/values", params={"show_historic": "true"}
    )
    assert [v["value"] for v in history] == ["Before", "After"]
    assert history[0]["active_until"] is not None and history[1]["active_until"] is None
    page = conformant.data(
        "GET",
        f"{path}/attributes/name/values",
        params={"show_historic": "true", "limit": 1, "offset": 1},
    )
    assert [v["value"] for v in page] == ["After"]


@op(VALUES)
def test_record_attribute_values_errors(conformant: ConformantClient) -> None:
    """Spec: values 400 (history of a COMINT/interaction attribute) and 404 ``not_found``."""
    path = _record_path(person(conformant), "people")
    conformant.get(
        f"{path}/attributes/last_interaction/values",
        params={"show_historic": "true"},
        expect=400,
        code="validation_type",
    )
    conformant.get(f"{path}/attributes/no_such_attribute/values", expect=404, code="not_found")
    conformant.get(
        f"/v2/objects/people/records/{MISSING}/attributes/name/values",
        expect=404,
        code="not_found",
    )


@op(ENTRIES)
def test_record_entries_lists_the_entries_of_a_record(conformant: ConformantClient) -> None:
    """Spec "List record entries": ``[{list_id, list_api_slug, entry_id, created_at}]`` (§3)."""
    lst = pipeline(conformant)
    co = company(conformant)
    made = entry(conformant, lst["api_slug"], co)
    got = conformant.data("GET", f"{_record_path(co, 'companies')}/entries")
    assert [(e["list_api_slug"], e["entry_id"]) for e in got] == [
        (lst["api_slug"], made["id"]["entry_id"])
    ]
    assert conformant.data("GET", f"{_record_path(co, 'companies')}/entries", params={"limit": 1})


@op(SEARCH)
def test_search_finds_people_and_companies(conformant: ConformantClient) -> None:
    """Spec "Search records" (API-NOTES §3): names, domains and emails; ``limit`` ≤ 25."""
    co = company(conformant, name=unique("Searchable "))
    domain = co["values"]["domains"][0]["domain"]
    found = conformant.data(
        "POST",
        "/v2/objects/records/search",
        json={
            "query": domain,
            "objects": ["companies", "people"],
            "request_as": {"type": "workspace"},
            "limit": 5,
        },
    )
    assert [r["id"]["record_id"] for r in found] == [co["id"]["record_id"]]
    assert found[0]["object_slug"] == "companies" and found[0]["domains"] == [domain]
    as_member = conformant.data(
        "POST",
        "/v2/objects/records/search",
        json={
            "query": "",
            "objects": ["people"],
            "request_as": {"type": "workspace-member", "email_address": MEMBER_EMAIL},
        },
    )
    assert isinstance(as_member, list)


@op(SEARCH)
def test_search_unknown_object_is_value_not_found(conformant: ConformantClient) -> None:
    """Spec: search 400 ``value_not_found`` for an unknown object (the spec's example)."""
    conformant.post(
        "/v2/objects/records/search",
        json={"query": "", "objects": ["foobar"], "request_as": {"type": "workspace"}},
        expect=400,
        code="value_not_found",
    )


@op(SEARCH)
def test_search_rejects_a_limit_over_25(conformant: ConformantClient) -> None:
    """Spec: search 400; ``limit`` is 1–25 (API-NOTES §3)."""
    conformant.post(
        "/v2/objects/records/search",
        json={"query": "", "objects": ["people"], "request_as": {"type": "workspace"}, "limit": 26},
        expect=400,
    )


@op(SEARCH)
def test_search_takes_a_whole_number_limit_sent_as_a_float(conformant: ConformantClient) -> None:
    """The spec types search's ``limit`` as ``number``: a client generated from it sends ``25.0``
    (its default) or ``1.0``, and Attio reads them as counts."""
    prefix = unique("Floaty ")
    made = [company(conformant, name=f"{prefix}{i}") for i in range(2)]
    body = {"query": prefix, "objects": ["companies"], "request_as": {"type": "workspace"}}
    found = conformant.data("POST", "/v2/objects/records/search", json={**body, "limit": 25.0})
    assert [r["id"]["record_id"] for r in found] == [c["id"]["record_id"] for c in made]
    one = conformant.data("POST", "/v2/objects/records/search", json={**body, "limit": 1.0})
    assert [r["id"]["record_id"] for r in one] == [made[0]["id"]["record_id"]]


@op(SEARCH, QUERY)
@pytest.mark.parametrize("limit", [True, 2.5, "5"])
def test_search_and_query_refuse_a_limit_that_is_not_a_count(
    conformant: ConformantClient, limit: object
) -> None:
    """JSON's ``true`` is no number (though Python's ``True == 1``), nor is ``2.5`` a count: both
    endpoints answer 400 ``validation_type`` naming the field."""
    search = {"query": "", "objects": ["people"], "request_as": {"type": "workspace"}}
    for path, body in (
        ("/v2/objects/records/search", search),
        ("/v2/objects/people/records/query", {}),
    ):
        refused = conformant.post(
            path, json={**body, "limit": limit}, expect=400, code="validation_type"
        )
        assert '"limit" must be a whole number' in refused.json()["message"]


@op(CREATE, GET)
def test_web_url_is_a_valid_uri_for_any_object_noun(conformant: ConformantClient) -> None:
    """The spec types ``web_url`` as ``format: uri``; API-NOTES §9 builds it from the noun.

    A custom object named "Société" must still give an ASCII, percent-encoded URI (found by the
    schemathesis run, which checks ``uri``; openapi-core here does not).
    """
    slug = unique("societes_")
    body = {"data": {"api_slug": slug, "singular_noun": "Société", "plural_noun": "Sociétés"}}
    conformant.post("/v2/objects", json=body, expect=200)
    made = conformant.data("POST", f"/v2/objects/{slug}/records", json={"data": {"values": {}}})
    url = conformant.data("GET", _record_path(made, slug))["web_url"]
    assert url.isascii() and " " not in url
    assert url.split("/")[-2:] == ["soci%C3%A9t%C3%A9", made["id"]["record_id"]]
