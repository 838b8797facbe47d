"""Record queries through HTTP: every filter operator on every type it applies to (API-NOTES §4).

Each type gets its matches and at least one operator the §4 table does not allow, which must be
refused with 400 ``filter_error`` naming the attribute, the property and the operator.
"""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from .core_helpers import (
    add_options,
    attribute,
    company,
    create,
    error,
    make_list,
    member_id,
    ok,
    person,
    rid,
)

MISSING = "2d4bd5a4-58f4-4ef0-a5e7-d3e77c1a09cd"


def query(api: TestClient, obj: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    """``POST /v2/objects/{obj}/records/query`` with a flat body; the records."""
    data: list[dict[str, Any]] = ok(api.post(f"/v2/objects/{obj}/records/query", json=body))
    return data


def refused(api: TestClient, obj: str, body: dict[str, Any]) -> str:
    """The message of the 400 ``filter_error`` a query must get."""
    return error(api.post(f"/v2/objects/{obj}/records/query", json=body), 400, "filter_error")


def codes(records: list[dict[str, Any]]) -> list[str]:
    """The ``code`` text of each gadget, in response order."""
    return [r["values"]["code"][0]["value"] for r in records]


def ids(records: list[dict[str, Any]]) -> list[str]:
    """Record ids in response order."""
    return [rid(r) for r in records]


@pytest.fixture
def gadgets(api: TestClient) -> dict[str, dict[str, Any]]:
    """A custom object with one attribute of each scalar type, and four records A-D.

    D has only its code, so it shows what empty values do.
    """
    ok(
        api.post(
            "/v2/objects",
            json={"data": {"api_slug": "gadgets", "singular_noun": "Gadget", "plural_noun": "Gs"}},
        )
    )
    attribute(api, "objects", "gadgets", "code", "text")
    attribute(api, "objects", "gadgets", "weight", "number")
    attribute(api, "objects", "gadgets", "stars", "rating")
    attribute(
        api,
        "objects",
        "gadgets",
        "price",
        "currency",
        config={"currency": {"default_currency_code": "EUR", "display_type": "code"}},
    )
    attribute(api, "objects", "gadgets", "launched", "date")
    attribute(api, "objects", "gadgets", "seen_at", "timestamp")
    attribute(api, "objects", "gadgets", "in_stock", "checkbox")
    attribute(api, "objects", "gadgets", "tags", "select", is_multiselect=True)
    add_options(api, "objects", "gadgets", "tags", "red", "green", "blue")
    attribute(api, "objects", "gadgets", "owner", "actor-reference")
    owner = member_id(api)
    return {
        "A": create(
            api,
            "gadgets",
            {
                "code": "Alpha-1",
                "weight": 1.5,
                "stars": 1,
                "price": "10.50",
                "launched": "2023-01-02T23:00-10:00",
                "seen_at": "2023-06-01T12:00:00+02:00",
                "in_stock": True,
                "tags": ["red", "green"],
                "owner": owner,
            },
        ),
        "B": create(
            api,
            "gadgets",
            {
                "code": "beta-2",
                "weight": 10,
                "stars": 3,
                "price": 99,
                "launched": "2024",
                "seen_at": "2024-01-01T00:00:00Z",
                "in_stock": False,
                "tags": ["blue"],
            },
        ),
        "C": create(
            api,
            "gadgets",
            {
                "code": "Gamma-3",
                "weight": 100,
                "stars": 5,
                "price": 1000.25,
                "launched": "2025-06-15",
                "seen_at": "2025-06-15T08:30:00Z",
                "in_stock": True,
            },
        ),
        "D": create(api, "gadgets", {"code": "delta"}),
    }


NAMES = {"A": "Alpha-1", "B": "beta-2", "C": "Gamma-3", "D": "delta"}


def expect(*letters: str) -> list[str]:
    """The codes of gadgets A-D, in creation order (the order of an unsorted query)."""
    return [NAMES[letter] for letter in letters]


@pytest.mark.parametrize(
    ("filter_", "matches"),
    [
        # text: $eq, $in, $contains, $starts_with, $ends_with (API-NOTES §4 table)
        ({"code": "beta-2"}, expect("B")),
        ({"code": {"$eq": "Alpha-1"}}, expect("A")),
        ({"code": {"value": "Gamma-3"}}, expect("C")),
        ({"code": {"value": {"$eq": "delta"}}}, expect("D")),
        ({"code": {"$in": ["delta", "Alpha-1", "nope"]}}, expect("A", "D")),
        ({"code": {"$contains": "ALPHA"}}, expect("A")),  # $contains ignores case (§4)
        ({"code": {"$contains": "a-"}}, expect("A", "B", "C")),
        ({"code": {"$starts_with": "gam"}}, expect("C")),
        ({"code": {"$ends_with": "-2"}}, expect("B")),
        # number: $eq, $lt, $lte, $gt, $gte; several operators on one property are AND-ed
        ({"weight": 10}, expect("B")),
        ({"weight": {"$eq": 1.5}}, expect("A")),
        ({"weight": {"$lt": 10}}, expect("A")),
        ({"weight": {"$lte": 10}}, expect("A", "B")),
        ({"weight": {"$gt": 10}}, expect("C")),
        ({"weight": {"value": {"$gte": 10}}}, expect("B", "C")),
        ({"weight": {"$gte": 1.5, "$lt": 100}}, expect("A", "B")),
        # rating
        ({"stars": 1}, expect("A")),
        ({"stars": {"$gte": 3}}, expect("B", "C")),
        ({"stars": {"$lt": 5, "$gt": 1}}, expect("B")),
        ({"stars": {"$lte": 3}}, expect("A", "B")),
        # currency: a number or a numeric string (§4)
        ({"price": "99"}, expect("B")),
        ({"price": 10.5}, expect("A")),
        ({"price": {"$gt": "10.5"}}, expect("B", "C")),
        ({"price": {"currency_value": {"$lte": 10.5}}}, expect("A")),
        ({"price": {"$gte": 99, "$lt": "1000.25"}}, expect("B")),
        # date: operands are coerced like writes ("2024" is 2024-01-01)
        ({"launched": "2023-01-03"}, expect("A")),
        ({"launched": {"$gte": "2024-01-01"}}, expect("B", "C")),
        ({"launched": {"$lt": "2024"}}, expect("A")),
        ({"launched": {"$lte": "2024-01-01T05:00:00Z"}}, expect("A", "B")),
        ({"launched": {"value": {"$gt": "2024-01-01"}}}, expect("C")),
        # timestamp: offsets are converted to UTC before comparing
        ({"seen_at": "2023-06-01T10:00:00Z"}, expect("A")),
        ({"seen_at": {"$eq": "2023-06-01T12:00:00+02:00"}}, expect("A")),
        ({"seen_at": {"$gt": "2024-01-01T00:00:00Z"}}, expect("C")),
        ({"seen_at": {"$gte": "2024-01-01T01:00:00+01:00"}}, expect("B", "C")),
        ({"seen_at": {"$lt": "2024-01-01T00:00:00Z"}}, expect("A")),
        ({"seen_at": {"$lte": "2024-01-01T00:00:00Z"}}, expect("A", "B")),
        # checkbox: $eq true or false
        ({"in_stock": True}, expect("A", "C")),
        ({"in_stock": {"$eq": False}}, expect("B")),
        # select: title or id; multiselect matches when ANY value matches
        ({"tags": "red"}, expect("A")),
        ({"tags": "green"}, expect("A")),
        ({"tags": {"$eq": "blue"}}, expect("B")),
        ({"tags": {"option": "green"}}, expect("A")),
        ({"$or": [{"tags": "red"}, {"tags": "blue"}]}, expect("A", "B")),
    ],
)
def test_scalar_types_filter_with_their_operators(
    api: TestClient, gadgets: dict[str, Any], filter_: dict[str, Any], matches: list[str]
) -> None:
    """API-NOTES §4: each operator the per-type table allows, on text, number, rating, currency,
    date, timestamp, checkbox and select attributes."""
    assert codes(query(api, "gadgets", {"filter": filter_})) == matches


def test_select_filters_by_option_id_and_active_from(
    api: TestClient, gadgets: dict[str, Any]
) -> None:
    """API-NOTES §4: select equality takes the title or the id; ``active_from`` (when the value
    was set) takes $lt, $lte, $gt and $gte."""
    red = next(v for v in gadgets["A"]["values"]["tags"] if v["option"]["title"] == "red")
    option_id = red["option"]["id"]["option_id"]
    assert codes(query(api, "gadgets", {"filter": {"tags": option_id}})) == expect("A")
    assert codes(query(api, "gadgets", {"filter": {"tags": {"$eq": option_id}}})) == expect("A")
    set_at = red["active_from"]
    since = {"filter": {"tags": {"active_from": {"$gt": set_at}}}}
    assert codes(query(api, "gadgets", since)) == expect("B")
    until = {"filter": {"tags": {"active_from": {"$lte": set_at}}}}
    assert codes(query(api, "gadgets", until)) == expect("A")
    before = {"filter": {"tags": {"active_from": {"$lt": set_at}}}}
    assert query(api, "gadgets", before) == []
    after_all = {"filter": {"tags": {"active_from": {"$gte": set_at}}}}
    assert codes(query(api, "gadgets", after_all)) == expect("A", "B")


def test_unknown_select_option_is_a_filter_error(api: TestClient, gadgets: dict[str, Any]) -> None:
    """Options are never created by writes (API-NOTES gotcha 9); a filter naming one that does
    not exist is refused, listing the valid titles."""
    message = refused(api, "gadgets", {"filter": {"tags": "purple"}})
    assert "purple" in message and '"red"' in message and '"blue"' in message


@pytest.mark.parametrize(
    ("attr", "condition", "operator", "allowed"),
    [
        ("code", {"$lt": "b"}, "$lt", "$contains, $ends_with, $eq, $in, $starts_with"),
        ("code", {"$not_empty": True}, "$not_empty", "$contains"),
        ("weight", {"$contains": "1"}, "$contains", "$eq, $gt, $gte, $lt, $lte"),
        ("weight", {"$in": [1, 2]}, "$in", "$eq, $gt, $gte, $lt, $lte"),
        ("stars", {"$starts_with": "1"}, "$starts_with", "$eq, $gt, $gte, $lt, $lte"),
        ("price", {"$ends_with": "5"}, "$ends_with", "$eq, $gt, $gte, $lt, $lte"),
        ("launched", {"$contains": "2023"}, "$contains", "$eq, $gt, $gte, $lt, $lte"),
        ("seen_at", {"$in": ["2023-06-01T10:00:00Z"]}, "$in", "$eq, $gt, $gte, $lt, $lte"),
        ("in_stock", {"$gt": False}, "$gt", "$eq"),
        ("tags", {"$in": ["red", "blue"]}, "$in", "$eq"),
        ("tags", {"$contains": "re"}, "$contains", "$eq"),
        ("tags", {"active_from": {"$eq": "2023-01-01T00:00:00Z"}}, "$eq", "$gt, $gte, $lt"),
        ("owner", {"$in": ["x"]}, "$in", "$eq"),
    ],
)
def test_disallowed_operator_is_refused_naming_attribute_property_and_operator(
    api: TestClient,
    gadgets: dict[str, Any],
    attr: str,
    condition: dict[str, Any],
    operator: str,
    allowed: str,
) -> None:
    """API-NOTES §4 (per-type table) and §8: an operator the type does not support gives 400
    ``filter_error``; the message names the attribute, property and operator and lists what is
    allowed."""
    message = refused(api, "gadgets", {"filter": {attr: condition}})
    assert f'"{attr}"' in message
    assert f'"{operator}"' in message
    assert "property" in message
    assert allowed in message


@pytest.mark.parametrize(
    ("filter_", "fragment"),
    [
        ({"weight": "heavy"}, "takes a number"),
        ({"weight": True}, "takes a number"),
        ({"price": "ten"}, "numeric string"),
        ({"launched": "yesterday"}, "ISO 8601 date"),
        ({"seen_at": "2023-06-01"}, "a date and a time"),  # API-NOTES §4: needs date and time
        ({"in_stock": "yes"}, "true or false"),
        ({"code": 5}, "takes a string"),
        ({"code": {"$in": "Alpha-1"}}, "array"),
        ({"code": {"$contains": 1}}, "takes a string"),
        ({"code": None}, "must be a value"),
        ({"code": ["Alpha-1"]}, "must be a value"),
        ({"code": {}}, "empty"),
        ({"code": {"value": {"eq": "x"}}}, "operators"),
        ({"code": {"$like": "x"}}, '"$like"'),
        ({"code": {"$neq": "x"}}, "$not"),  # API-NOTES §4: no $neq, use $not
        ({"code": {"$or": [{"$eq": "x"}]}}, "filter level"),
    ],
)
def test_malformed_operands_are_filter_errors(
    api: TestClient, gadgets: dict[str, Any], filter_: dict[str, Any], fragment: str
) -> None:
    """API-NOTES §3: a bad filter gives 400 ``filter_error``; the message says what is wrong."""
    assert fragment in refused(api, "gadgets", {"filter": filter_})


def test_personal_name_properties(api: TestClient) -> None:
    """API-NOTES §4: personal-name filters first_name, last_name and full_name with $eq,
    $not_empty, $contains, $starts_with and $ends_with; shorthand compares full_name."""
    ada = rid(person(api, "ada@example.com", name="Lovelace, Ada"))
    grace = rid(person(api, "grace@navy.mil", name="Hopper, Grace"))
    alan = rid(person(api, "alan@example.com", name="Turing, Alan"))
    nameless = rid(person(api, "nobody@example.com"))

    def people(filter_: dict[str, Any]) -> list[str]:
        return ids(query(api, "people", {"filter": filter_}))

    assert people({"name": "Ada Lovelace"}) == [ada]
    assert people({"name": {"full_name": {"$eq": "Grace Hopper"}}}) == [grace]
    assert people({"name": {"first_name": "Alan"}}) == [alan]
    assert people({"name": {"last_name": {"$contains": "RIN"}}}) == [alan]
    assert people({"name": {"$starts_with": "ada"}}) == [ada]
    assert people({"name": {"last_name": {"$ends_with": "PER"}}}) == [grace]
    assert people({"name": {"first_name": {"$not_empty": True}}}) == [ada, grace, alan]
    assert people({"name": {"first_name": {"$not_empty": False}}}) == [nameless]
    message = refused(api, "people", {"filter": {"name": {"first_name": {"$in": ["Ada"]}}}})
    assert '"$in"' in message and '"first_name"' in message and '"name"' in message
    assert "$lt" in refused(api, "people", {"filter": {"name": {"$lt": "B"}}})


def test_email_address_properties_and_any_value(api: TestClient) -> None:
    """API-NOTES §4: email filters on email_address, email_domain, email_root_domain and
    email_local_specifier; a multiselect attribute matches when ANY value matches; the shorthand
    operand is normalised like a write (API-NOTES §2: lowercased)."""
    ada = rid(person(api, "ada@Example.com"))
    ok(
        api.patch(
            f"/v2/objects/people/records/{ada}",
            json={"data": {"values": {"email_addresses": ["ada@work.co.uk"]}}},
        )
    )
    grace = rid(person(api, "grace@navy.mil"))
    alan = rid(person(api, "alan@example.com"))

    def people(filter_: dict[str, Any]) -> list[str]:
        return ids(query(api, "people", {"filter": filter_}))

    assert people({"email_addresses": "ADA@example.com"}) == [ada]
    assert people({"email_addresses": "ada@work.co.uk"}) == [ada]
    assert people({"email_addresses": {"email_address": {"$eq": " Grace@Navy.mil "}}}) == [grace]
    assert people({"email_addresses": {"email_domain": "example.com"}}) == [ada, alan]
    assert people({"email_addresses": {"email_root_domain": "work.co.uk"}}) == [ada]
    assert people({"email_addresses": {"email_local_specifier": "grace"}}) == [grace]
    assert people({"email_addresses": {"$contains": "NAVY"}}) == [grace]
    assert people({"email_addresses": {"email_address": {"$starts_with": "al"}}}) == [alan]
    assert people({"email_addresses": {"email_domain": {"$ends_with": ".uk"}}}) == [ada]
    assert people({"email_addresses": "nobody@example.com"}) == []
    for op, operand in (("$not_empty", True), ("$in", ["a@b.com"]), ("$gt", "a")):
        message = refused(
            api, "people", {"filter": {"email_addresses": {"email_address": {op: operand}}}}
        )
        assert f'"{op}"' in message and '"email_address"' in message


def test_unique_email_lookup_follows_writes_and_deletes(api: TestClient) -> None:
    """Equality on a unique attribute answers from the current values only: a replaced address
    no longer matches, a deleted record is gone (API-NOTES §3 PUT replaces multiselects)."""
    someone = rid(person(api, "old@example.com"))
    assert ids(query(api, "people", {"filter": {"email_addresses": "old@example.com"}})) == [
        someone
    ]
    ok(
        api.put(
            f"/v2/objects/people/records/{someone}",
            json={"data": {"values": {"email_addresses": ["new@example.com"]}}},
        )
    )
    assert query(api, "people", {"filter": {"email_addresses": "old@example.com"}}) == []
    assert ids(query(api, "people", {"filter": {"email_addresses": "new@example.com"}})) == [
        someone
    ]
    assert api.delete(f"/v2/objects/people/records/{someone}").status_code == 200
    assert query(api, "people", {"filter": {"email_addresses": "new@example.com"}}) == []


def test_index_hits_come_back_in_creation_order(api: TestClient) -> None:
    """Results of an unsorted query come in creation order, however the filter found them."""
    first = rid(person(api, "first@example.com"))
    second = rid(person(api, "second@example.com"))
    third = rid(person(api, "third@example.com"))
    either = {
        "$or": [
            {"email_addresses": "third@example.com"},
            {"email_addresses": "first@example.com"},
            {"email_addresses": "second@example.com"},
        ]
    }
    assert ids(query(api, "people", {"filter": either})) == [first, second, third]
    in_ids = {"record_id": {"$in": [third, first]}}
    assert ids(query(api, "people", {"filter": in_ids})) == [first, third]


def test_domain_properties(api: TestClient) -> None:
    """API-NOTES §4: domain filters on domain and root_domain with $eq, $not_empty, $contains,
    $starts_with and $ends_with; the $eq operand drops scheme and path like a write does."""
    acme = rid(company(api, "acme.com"))
    ok(
        api.patch(
            f"/v2/objects/companies/records/{acme}",
            json={"data": {"values": {"domains": ["shop.acme.com"]}}},
        )
    )
    globex = rid(company(api, "globex.io"))
    bare = rid(create(api, "companies", {"name": "No domain"}))

    def companies(filter_: dict[str, Any]) -> list[str]:
        return ids(query(api, "companies", {"filter": filter_}))

    assert companies({"domains": "https://Globex.io/about?x=1"}) == [globex]
    assert companies({"domains": {"domain": {"$eq": "shop.acme.com"}}}) == [acme]
    assert companies({"domains": {"root_domain": "acme.com"}}) == [acme]
    assert companies({"domains": {"$contains": "GLOB"}}) == [globex]
    assert companies({"domains": {"$starts_with": "shop."}}) == [acme]
    assert companies({"domains": {"root_domain": {"$ends_with": ".io"}}}) == [globex]
    assert companies({"domains": {"$not_empty": True}}) == [acme, globex]
    assert companies({"domains": {"domain": {"$not_empty": False}}}) == [bare]
    message = refused(api, "companies", {"filter": {"domains": {"$lt": "b"}}})
    assert '"$lt"' in message and '"domain"' in message and '"domains"' in message


def test_phone_number_properties(api: TestClient) -> None:
    """API-NOTES §4: phone_number is matched against the normalised (E.164) number with $eq,
    $contains, $starts_with and $ends_with; country_code takes $eq and $not_empty."""
    london = rid(person(api, "l@example.com", phone_numbers=["+442079460958"]))
    paris = rid(person(api, "p@example.com", phone_numbers=["+33142685300"]))
    silent = rid(person(api, "s@example.com"))

    def people(filter_: dict[str, Any]) -> list[str]:
        return ids(query(api, "people", {"filter": filter_}))

    assert people({"phone_numbers": "+44 20 7946 0958"}) == [london]
    assert people({"phone_numbers": {"phone_number": {"$eq": "+33142685300"}}}) == [paris]
    assert people({"phone_numbers": {"$contains": "7946"}}) == [london]
    assert people({"phone_numbers": {"phone_number": {"$starts_with": "+33"}}}) == [paris]
    assert people({"phone_numbers": {"$ends_with": "0958"}}) == [london]
    assert people({"phone_numbers": {"country_code": "FR"}}) == [paris]
    assert people({"phone_numbers": {"country_code": {"$not_empty": True}}}) == [london, paris]
    assert people({"phone_numbers": {"country_code": {"$not_empty": False}}}) == [silent]
    message = refused(api, "people", {"filter": {"phone_numbers": {"$in": ["+442079460958"]}}})
    assert '"$in"' in message and '"phone_number"' in message
    message = refused(
        api, "people", {"filter": {"phone_numbers": {"country_code": {"$contains": "G"}}}}
    )
    assert '"$contains"' in message and '"country_code"' in message


def location(**fields: str | None) -> dict[str, str | None]:
    """A location write with all ten keys (API-NOTES §2)."""
    keys = ("line_1", "line_2", "line_3", "line_4", "locality", "region", "postcode")
    base: dict[str, str | None] = dict.fromkeys(keys)
    base.update(country_code=None, latitude=None, longitude=None)
    base.update(fields)
    return base


def test_location_properties(api: TestClient) -> None:
    """API-NOTES §4: location lines, locality, region and postcode take $eq, $contains,
    $starts_with and $ends_with; country_code takes $eq and $starts_with; latitude and
    longitude cannot be filtered, and location has no shorthand property."""
    london = rid(
        person(
            api,
            "l@example.com",
            primary_location=location(
                line_1="10 Main St",
                locality="London",
                region="England",
                postcode="SW1A 1AA",
                country_code="GB",
                latitude="51.5",
                longitude="-0.12",
            ),
        )
    )
    paris = rid(
        person(
            api,
            "p@example.com",
            primary_location=location(locality="Paris", postcode="75001", country_code="FR"),
        )
    )

    def people(filter_: dict[str, Any]) -> list[str]:
        return ids(query(api, "people", {"filter": filter_}))

    assert people({"primary_location": {"locality": "London"}}) == [london]
    assert people({"primary_location": {"locality": {"$contains": "ARI"}}}) == [paris]
    assert people({"primary_location": {"postcode": {"$starts_with": "sw1a"}}}) == [london]
    assert people({"primary_location": {"line_1": {"$ends_with": "main st"}}}) == [london]
    assert people({"primary_location": {"region": {"$eq": "England"}}}) == [london]
    assert people({"primary_location": {"country_code": "FR"}}) == [paris]
    assert people({"primary_location": {"country_code": {"$starts_with": "G"}}}) == [london]
    message = refused(api, "people", {"filter": {"primary_location": {"latitude": "51.5"}}})
    assert "Latitude and longitude cannot be filtered" in message
    message = refused(api, "people", {"filter": {"primary_location": "London"}})
    assert "locality" in message and "shorthand" in message
    message = refused(
        api, "people", {"filter": {"primary_location": {"country_code": {"$contains": "B"}}}}
    )
    assert '"$contains"' in message and "$eq, $starts_with" in message
    message = refused(api, "people", {"filter": {"primary_location": {"region": {"$in": ["x"]}}}})
    assert '"$in"' in message and '"region"' in message


def test_record_reference_properties(api: TestClient) -> None:
    """API-NOTES §4: record references filter on {target_object, target_record_id} equality and
    target_record_id $in; a multiselect reference matches when ANY target matches."""
    acme = rid(company(api, "acme.com"))
    globex = rid(company(api, "globex.io"))
    ada = rid(person(api, "ada@example.com", company="acme.com"))
    grace = rid(person(api, "grace@example.com", company="globex.io"))
    alan = rid(person(api, "alan@example.com", company="acme.com"))
    rid(person(api, "free@example.com"))

    def people(filter_: dict[str, Any]) -> list[str]:
        return ids(query(api, "people", {"filter": filter_}))

    both = {"company": {"target_object": "companies", "target_record_id": acme}}
    assert people(both) == [ada, alan]
    assert people({"company": {"target_record_id": {"$in": [globex, MISSING]}}}) == [grace]
    assert people({"company": acme}) == [ada, alan]
    assert people({"company": {"target_object": "companies", "target_record_id": MISSING}}) == []
    team = ids(query(api, "companies", {"filter": {"team": {"target_record_id": alan}}}))
    assert team == [acme]
    message = refused(api, "people", {"filter": {"company": {"$contains": "a"}}})
    assert '"$contains"' in message and '"target_record_id"' in message
    message = refused(api, "people", {"filter": {"company": {"target_object": "planets"}}})
    assert "planets" in message
    message = refused(api, "people", {"filter": {"company": {"target_object": {"$in": ["x"]}}}})
    assert '"$in"' in message and '"target_object"' in message


def test_actor_reference_properties(api: TestClient, gadgets: dict[str, Any]) -> None:
    """API-NOTES §4: actor references filter on {referenced_actor_type, referenced_actor_id}
    equality; ``created_by`` is such an attribute on every object (API-NOTES §2)."""
    owner = gadgets["A"]["values"]["owner"][0]["referenced_actor_id"]
    both = {"owner": {"referenced_actor_type": "workspace-member", "referenced_actor_id": owner}}
    assert codes(query(api, "gadgets", {"filter": both})) == expect("A")
    assert codes(query(api, "gadgets", {"filter": {"owner": owner}})) == expect("A")
    by_email = {"owner": {"referenced_actor_id": "ada@example.com"}}
    assert codes(query(api, "gadgets", {"filter": by_email})) == expect("A")
    creator = gadgets["A"]["values"]["created_by"][0]
    assert creator["referenced_actor_type"] == "api-token"
    made = {"created_by": {"referenced_actor_id": creator["referenced_actor_id"]}}
    assert codes(query(api, "gadgets", {"filter": made})) == expect("A", "B", "C", "D")
    by_member = {"created_by": {"referenced_actor_type": "workspace-member"}}
    assert query(api, "gadgets", {"filter": by_member}) == []
    message = refused(api, "gadgets", {"filter": {"owner": {"referenced_actor_id": {"$gt": "a"}}}})
    assert '"$gt"' in message and '"referenced_actor_id"' in message


def test_record_id_and_created_at(api: TestClient, gadgets: dict[str, Any]) -> None:
    """API-NOTES §4: record_id takes $eq and $in only; created_at is a timestamp (§2)."""
    a, c = rid(gadgets["A"]), rid(gadgets["C"])
    assert codes(query(api, "gadgets", {"filter": {"record_id": c}})) == expect("C")
    assert codes(query(api, "gadgets", {"filter": {"record_id": {"$eq": a}}})) == expect("A")
    in_ids = {"record_id": {"$in": [c, MISSING, a]}}
    assert codes(query(api, "gadgets", {"filter": in_ids})) == expect("A", "C")
    assert query(api, "gadgets", {"filter": {"record_id": MISSING}}) == []
    # A record of another object is not a gadget.
    other = rid(person(api, "x@example.com"))
    assert query(api, "gadgets", {"filter": {"record_id": other}}) == []
    message = refused(api, "gadgets", {"filter": {"record_id": {"$contains": "a"}}})
    assert '"$contains"' in message and '"record_id"' in message and "$eq, $in" in message
    since = {"created_at": {"$gte": gadgets["B"]["created_at"]}}
    assert codes(query(api, "gadgets", {"filter": since})) == expect("B", "C", "D")
    before = {"created_at": {"$lt": gadgets["B"]["created_at"]}}
    assert codes(query(api, "gadgets", {"filter": before})) == expect("A")


def test_attribute_id_works_like_the_slug(api: TestClient, gadgets: dict[str, Any]) -> None:
    """API-NOTES §4: attribute IDs may be used instead of slugs."""
    attr = ok(api.get("/v2/objects/gadgets/attributes/weight"))
    attr_id = attr["id"]["attribute_id"]
    assert codes(query(api, "gadgets", {"filter": {attr_id: {"$gt": 5}}})) == expect("B", "C")


def test_unknown_attribute_suggests_the_closest_slugs(api: TestClient) -> None:
    """An unknown attribute is a ``filter_error`` that suggests the nearest valid slugs."""
    message = refused(api, "people", {"filter": {"email_adresses": "a@b.com"}})
    assert '"email_adresses"' in message and '"email_addresses"' in message
    message = refused(api, "people", {"filter": {"zzzz": 1}})
    assert "email_addresses" in message and "job_title" in message


def test_logical_operators_nest(api: TestClient, gadgets: dict[str, Any]) -> None:
    """API-NOTES §4: $and, $or (inclusive) and $not nest; several top-level keys are AND-ed;
    there is no $neq (use $not), so $not also keeps records that have no value."""

    def find(filter_: dict[str, Any]) -> list[str]:
        return codes(query(api, "gadgets", {"filter": filter_}))

    assert find({"in_stock": True, "stars": {"$gte": 3}}) == expect("C")
    assert find({"$and": [{"in_stock": True}, {"weight": {"$lt": 50}}]}) == expect("A")
    assert find({"$or": [{"weight": 10}, {"stars": 5}, {"weight": 10}]}) == expect("B", "C")
    assert find({"$not": {"tags": "red"}}) == expect("B", "C", "D")
    assert find({"$not": {"$or": [{"code": "beta-2"}, {"code": "delta"}]}}) == expect("A", "C")
    nested = {
        "$or": [
            {"code": "beta-2"},
            {"$and": [{"in_stock": True}, {"$not": {"weight": {"$gt": 50}}}]},
        ]
    }
    assert find(nested) == expect("A", "B")
    assert find({"$and": [{"$or": [{"stars": 1}, {"stars": 5}]}, {"$not": {"stars": 1}}]}) == (
        expect("C")
    )
    assert find({"$and": []}) == expect("A", "B", "C", "D")
    assert find({"$or": []}) == []
    assert find({}) == expect("A", "B", "C", "D")


@pytest.mark.parametrize(
    ("filter_", "fragment"),
    [
        ({"$and": {"code": "x"}}, "array"),
        ({"$or": "x"}, "array"),
        ({"$not": ["x"]}, "must be an object"),
        ({"$and": ["x"]}, "must be an object"),
        ({"$neq": {"code": "x"}}, "$not"),
        ({"$nor": []}, '"$nor"'),
    ],
)
def test_malformed_logical_operators(
    api: TestClient, gadgets: dict[str, Any], filter_: dict[str, Any], fragment: str
) -> None:
    """API-NOTES §4: $and/$or take arrays of filters and $not one filter; others are refused."""
    assert fragment in refused(api, "gadgets", {"filter": filter_})


def test_status_filters_on_list_entries(api: TestClient) -> None:
    """API-NOTES §4: status equality on title or id (several via $or) and ``active_from``
    comparisons; statuses can only be created on lists (API-NOTES §2)."""
    make_list(api, "pipeline")
    attribute(api, "lists", "pipeline", "stage", "status")
    statuses = {}
    for title in ("Todo", "Doing", "Done"):
        created = ok(
            api.post(
                "/v2/lists/pipeline/attributes/stage/statuses", json={"data": {"title": title}}
            )
        )
        statuses[title] = created["id"]["status_id"]
    entries = {}
    for email, stage in (("a@example.com", "Todo"), ("b@example.com", "Doing")):
        parent = rid(person(api, email))
        body = {"parent_record_id": parent, "parent_object": "people"}
        body["entry_values"] = {"stage": stage}  # type: ignore[assignment]
        entries[stage] = ok(api.post("/v2/lists/pipeline/entries", json={"data": body}))
    todo, doing = (entries[s]["id"]["entry_id"] for s in ("Todo", "Doing"))

    def find(filter_: dict[str, Any]) -> list[str]:
        got = ok(api.post("/v2/lists/pipeline/entries/query", json={"filter": filter_}))
        return [e["id"]["entry_id"] for e in got]

    assert find({"stage": "Doing"}) == [doing]
    assert find({"stage": statuses["Todo"]}) == [todo]
    assert find({"stage": {"$eq": "Todo"}}) == [todo]
    assert find({"stage": {"status": {"$eq": statuses["Doing"]}}}) == [doing]
    assert find({"$or": [{"stage": "Todo"}, {"stage": "Doing"}]}) == [todo, doing]
    assert find({"stage": "Done"}) == []
    set_at = entries["Doing"]["entry_values"]["stage"][0]["active_from"]
    assert find({"stage": {"active_from": {"$gte": set_at}}}) == [doing]
    assert find({"stage": {"active_from": {"$lt": set_at}}}) == [todo]
    assert find({"stage": {"active_from": {"$lte": set_at}}}) == [todo, doing]
    assert find({"stage": {"active_from": {"$gt": set_at}}}) == []
    for condition, op in (({"$contains": "Do"}, "$contains"), ({"$in": ["Todo"]}, "$in")):
        message = error(
            api.post("/v2/lists/pipeline/entries/query", json={"filter": {"stage": condition}}),
            400,
            "filter_error",
        )
        assert f'"{op}"' in message and '"stage"' in message and '"status"' in message
    message = error(
        api.post("/v2/lists/pipeline/entries/query", json={"filter": {"stage": "Nope"}}),
        400,
        "filter_error",
    )
    assert '"Todo"' in message
