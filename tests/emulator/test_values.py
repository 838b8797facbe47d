"""Every write form Attio accepts per attribute type, and what it reads back (API-NOTES §2).

Custom attributes of each creatable type live on a custom object made with ``POST /v2/objects``;
standard attributes (people, companies, deals) are tested where Attio documents them.
"""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from .core_helpers import (
    ENVELOPE,
    NANO_TS,
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

LOCATION_KEYS = (
    "line_1",
    "line_2",
    "line_3",
    "line_4",
    "locality",
    "region",
    "postcode",
    "country_code",
    "latitude",
    "longitude",
)


@pytest.fixture
def gadgets(api: TestClient) -> str:
    """A custom object with one custom attribute of every creatable type (API-NOTES §2)."""
    ok(
        api.post(
            "/v2/objects",
            json={
                "data": {"api_slug": "gadgets", "singular_noun": "Gadget", "plural_noun": "Gadgets"}
            },
        )
    )
    attribute(api, "objects", "gadgets", "label", "text")
    attribute(api, "objects", "gadgets", "count", "number")
    attribute(api, "objects", "gadgets", "active", "checkbox")
    attribute(
        api,
        "objects",
        "gadgets",
        "price",
        "currency",
        config={"currency": {"default_currency_code": "GBP", "display_type": "symbol"}},
    )
    attribute(api, "objects", "gadgets", "due", "date")
    attribute(api, "objects", "gadgets", "seen_at", "timestamp")
    attribute(api, "objects", "gadgets", "score", "rating")
    attribute(api, "objects", "gadgets", "kind", "select")
    add_options(api, "objects", "gadgets", "kind", "Widget", "Sprocket")
    attribute(api, "objects", "gadgets", "tags", "select", is_multiselect=True)
    add_options(api, "objects", "gadgets", "tags", "red", "green", "blue")
    attribute(api, "objects", "gadgets", "keeper", "actor-reference")
    attribute(api, "objects", "gadgets", "place", "location")
    attribute(api, "objects", "gadgets", "site", "domain")
    attribute(api, "objects", "gadgets", "contact", "email-address")
    attribute(api, "objects", "gadgets", "phone", "phone-number")
    attribute(
        api,
        "objects",
        "gadgets",
        "maker",
        "record-reference",
        config={"record_reference": {"allowed_objects": ["companies"]}},
    )
    attribute(
        api,
        "objects",
        "gadgets",
        "fans",
        "record-reference",
        is_multiselect=True,
        config={"record_reference": {"allowed_objects": ["people"]}},
    )
    return "gadgets"


def write(api: TestClient, obj: str, slug: str, value: Any) -> list[dict[str, Any]]:
    """Create a record with one value; the attribute's values as read back (envelope checked)."""
    rec = create(api, obj, {slug: value})
    got = ok(api.get(f"/v2/objects/{obj}/records/{rid(rec)}"))
    vals: list[dict[str, Any]] = got["values"][slug]
    for v in vals:
        assert set(v) >= ENVELOPE, v
        assert NANO_TS.match(v["active_from"])
        assert v["active_until"] is None
    return vals


def fields(vals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The type-specific fields of each value (the envelope removed)."""
    return [{k: v for k, v in val.items() if k not in ENVELOPE} for val in vals]


def refuse(api: TestClient, obj: str, values: dict[str, Any], code: str) -> str:
    """A create that Attio refuses with 400 ``code``; its message."""
    return error(
        api.post(f"/v2/objects/{obj}/records", json={"data": {"values": values}}), 400, code
    )


# -- scalars ---------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["hello", {"value": "hello"}, ["hello"]])
def test_text_accepts_string_object_and_one_element_array(
    api: TestClient, gadgets: str, written: Any
) -> None:
    """API-NOTES §2 text row; gotcha 1: a single attribute takes a bare value or a 1-array."""
    assert fields(write(api, gadgets, "label", written)) == [{"value": "hello"}]


@pytest.mark.parametrize(("written", "read"), [(3, 3), (2.5, 2.5), ({"value": -7}, -7)])
def test_number_forms(api: TestClient, gadgets: str, written: Any, read: float) -> None:
    """API-NOTES §2 number row: a number or ``{value}``."""
    assert fields(write(api, gadgets, "count", written)) == [{"value": read}]


@pytest.mark.parametrize(
    ("written", "read"),
    [(True, True), (False, False), ("true", True), ("false", False), ({"value": True}, True)],
)
def test_checkbox_forms(api: TestClient, gadgets: str, written: Any, read: bool) -> None:
    """API-NOTES §2 checkbox row: booleans, "true"/"false" strings, or ``{value}``."""
    assert fields(write(api, gadgets, "active", written)) == [{"value": read}]


def test_checkbox_refuses_other_strings(api: TestClient, gadgets: str) -> None:
    """API-NOTES §2 checkbox row: only the two boolean strings are accepted."""
    refuse(api, gadgets, {"active": "yes"}, "validation_type")


@pytest.mark.parametrize(
    ("written", "read"),
    [
        (12, 12),
        ("4.99", 4.99),
        ({"currency_value": 10.5}, 10.5),
        ("4.990000", 4.99),
        (1.2345, 1.2345),
    ],
)
def test_currency_forms_take_the_code_from_the_attribute(
    api: TestClient, gadgets: str, written: Any, read: float
) -> None:
    """API-NOTES §2 currency row: number, numeric string or ``{currency_value}``; the code is the
    attribute's configured currency."""
    assert fields(write(api, gadgets, "price", written)) == [
        {"currency_value": read, "currency_code": "GBP"}
    ]


def test_currency_code_is_not_writable(api: TestClient, gadgets: str) -> None:
    """API-NOTES §2 currency row and gotcha 9: the currency code cannot be written."""
    refuse(
        api, gadgets, {"price": {"currency_value": 5, "currency_code": "USD"}}, "validation_type"
    )


@pytest.mark.parametrize("written", [1.23456, "0.00001", "lots"])
def test_currency_refuses_more_than_four_decimals_and_non_numbers(
    api: TestClient, gadgets: str, written: Any
) -> None:
    """API-NOTES §2 currency row: ``currency_value`` has at most 4 decimal places."""
    refuse(api, gadgets, {"price": written}, "validation_type")


def test_standard_deal_value_is_usd(api: TestClient) -> None:
    """API-NOTES §2 standard objects: deals.value is a currency attribute defaulting to USD."""
    vals = fields(write_deal(api, {"value": 1500})["values"]["value"])
    assert vals == [{"currency_value": 1500, "currency_code": "USD"}]


def write_deal(api: TestClient, extra: dict[str, Any]) -> dict[str, Any]:
    """A deal with the three required values plus ``extra``."""
    return create(
        api, "deals", {"name": "Deal", "stage": "Lead", "owner": "ada@example.com", **extra}
    )


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("2023", "2023-01-01"),
        ("2023-07", "2023-07-01"),
        ("2023-01-02T23:00-10:00", "2023-01-03"),
        ({"value": "2024-02-29"}, "2024-02-29"),
        ("2024-03-05T12:00:00Z", "2024-03-05"),
    ],
)
def test_date_is_coerced_to_a_utc_day(
    api: TestClient, gadgets: str, written: Any, read: str
) -> None:
    """API-NOTES §2 date row: partial dates are filled, time and zone trimmed after UTC
    conversion ("2023-01-02T23:00-10:00" -> "2023-01-03")."""
    assert fields(write(api, gadgets, "due", written)) == [{"value": read}]


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("2023", "2023-01-01T00:00:00.000000000Z"),
        ("2023-06-01T12:00:00+02:00", "2023-06-01T10:00:00.000000000Z"),
        ("2023-06-01T12:00", "2023-06-01T12:00:00.000000000Z"),
        ({"value": "2023-06-01T12:00:00.5Z"}, "2023-06-01T12:00:00.500000000Z"),
        ("2023-06-01T12:00:00.123456789Z", "2023-06-01T12:00:00.123456789Z"),
    ],
)
def test_timestamp_is_utc_with_nanoseconds(
    api: TestClient, gadgets: str, written: Any, read: str
) -> None:
    """API-NOTES §2 timestamp row and §0: any partial ISO string, offsets converted to UTC,
    read back with nanosecond precision."""
    vals = fields(write(api, gadgets, "seen_at", written))
    assert vals == [{"value": read}]
    assert NANO_TS.match(vals[0]["value"])


@pytest.mark.parametrize("written", ["soon", "2023-13-01", 20230101])
def test_dates_and_timestamps_refuse_non_iso(api: TestClient, gadgets: str, written: Any) -> None:
    """API-NOTES §8 validation_type: a value of the wrong shape."""
    refuse(api, gadgets, {"due": written}, "validation_type")
    refuse(api, gadgets, {"seen_at": written}, "validation_type")


@pytest.mark.parametrize("written", [0, 3, 5, {"value": 4}])
def test_rating_zero_to_five(api: TestClient, gadgets: str, written: Any) -> None:
    """API-NOTES §2 rating row: 0-5."""
    expected = written["value"] if isinstance(written, dict) else written
    assert fields(write(api, gadgets, "score", written)) == [{"value": expected}]


@pytest.mark.parametrize("written", [6, -1, 2.5, "3"])
def test_rating_refuses_out_of_range(api: TestClient, gadgets: str, written: Any) -> None:
    """API-NOTES §2 rating row: only whole numbers from 0 to 5."""
    refuse(api, gadgets, {"score": written}, "validation_type")


# -- select and status -----------------------------------------------------------------------


def test_select_by_title_and_by_id(api: TestClient, gadgets: str) -> None:
    """API-NOTES §2 select row: a title string or ``{option: uuid or title}``."""
    by_title = write(api, gadgets, "kind", "Widget")
    option = by_title[0]["option"]
    assert option["title"] == "Widget" and option["is_archived"] is False
    assert set(option["id"]) == {"workspace_id", "object_id", "attribute_id", "option_id"}
    by_id = write(api, gadgets, "kind", {"option": option["id"]["option_id"]})
    assert by_id[0]["option"] == option
    assert write(api, gadgets, "kind", {"option": "Sprocket"})[0]["option"]["title"] == "Sprocket"


def test_multiselect_select_takes_an_array(api: TestClient, gadgets: str) -> None:
    """API-NOTES §2 select row: a multiselect takes an array of titles or option objects."""
    green = write(api, gadgets, "tags", ["green"])[0]["option"]["id"]["option_id"]
    vals = write(api, gadgets, "tags", ["red", {"option": green}])
    assert [v["option"]["title"] for v in vals] == ["red", "green"]


def test_unknown_select_option_is_value_not_found_listing_options(
    api: TestClient, gadgets: str
) -> None:
    """API-NOTES §2 select row, gotcha 9: unknown options fail and are never auto-created; the
    message starts like SPEC's example ("Cannot find select attribute with select option title")."""
    msg = refuse(api, gadgets, {"kind": "Gizmo"}, "value_not_found")
    assert msg.startswith('Cannot find select attribute with select option title "Gizmo".')
    assert '"Widget"' in msg and '"Sprocket"' in msg
    refuse(api, gadgets, {"tags": ["red", "mauve"]}, "value_not_found")
    options = ok(api.get("/v2/objects/gadgets/attributes/tags/options"))
    assert sorted(o["title"] for o in options) == ["blue", "green", "red"]


def test_status_by_title_and_id_and_unknown(api: TestClient) -> None:
    """API-NOTES §2 status row: title string or ``{status: uuid or title}``; an unknown status
    is value_not_found listing the valid statuses (deals.stage's defaults, §2 standard objects)."""
    deal = write_deal(api, {})
    lead = deal["values"]["stage"][0]["status"]
    assert lead["title"] == "Lead"
    assert set(lead) >= {
        "id",
        "title",
        "is_archived",
        "celebration_enabled",
        "target_time_in_status",
    }
    again = write_deal(api, {"stage": {"status": lead["id"]["status_id"]}})
    assert again["values"]["stage"][0]["status"]["id"] == lead["id"]
    won = write_deal(api, {"stage": {"status": "Won 🎉"}})
    assert won["values"]["stage"][0]["status"]["celebration_enabled"] is True
    msg = refuse(
        api,
        "deals",
        {"name": "D", "stage": "Negotiation", "owner": "ada@example.com"},
        "value_not_found",
    )
    assert msg.startswith('Cannot find status attribute with status option title "Negotiation".')
    for title in ("Lead", "In Progress", "Won 🎉", "Lost"):
        assert f'"{title}"' in msg


# -- references ------------------------------------------------------------------------------


def test_record_reference_by_id(api: TestClient, gadgets: str) -> None:
    """API-NOTES §2 record-reference row: ``{target_object, target_record_id}``; reads give the
    target object's slug (gotcha 6)."""
    acme = company(api, "acme.com")
    vals = write(
        api, gadgets, "maker", {"target_object": "companies", "target_record_id": rid(acme)}
    )
    assert fields(vals) == [{"target_object": "companies", "target_record_id": rid(acme)}]


@pytest.mark.parametrize(
    "written",
    [
        {"target_object": "companies", "domains": [{"domain": "acme.com"}]},
        {"target_object": "companies", "domains": ["acme.com"]},
        "acme.com",
        ["acme.com"],
    ],
)
def test_record_reference_by_unique_attribute_or_plain_string(
    api: TestClient, gadgets: str, written: Any
) -> None:
    """API-NOTES §2 record-reference row, gotcha 10: by a unique matching attribute, or a plain
    string (companies -> domain) when one standard object is allowed."""
    acme = company(api, "acme.com")
    vals = write(api, gadgets, "maker", written)
    assert fields(vals) == [{"target_object": "companies", "target_record_id": rid(acme)}]


def test_person_reference_by_plain_email(api: TestClient, gadgets: str) -> None:
    """API-NOTES §2 record-reference row: people are named by email in the plain-string form."""
    ada = person(api, "ada@example.org")
    vals = write(api, gadgets, "fans", ["ADA@example.org"])
    assert [v["target_record_id"] for v in vals] == [rid(ada)]


@pytest.mark.parametrize(
    "written",
    [
        {"target_object": "companies", "target_record_id": "00000000-0000-4000-8000-000000000000"},
        {"target_object": "companies", "domains": ["nowhere.com"]},
        "nowhere.com",
    ],
)
def test_record_reference_target_must_exist(api: TestClient, gadgets: str, written: Any) -> None:
    """API-NOTES gotcha 10: the target must already exist (value_not_found, §8)."""
    refuse(api, gadgets, {"maker": written}, "value_not_found")


def test_record_reference_refuses_other_objects(api: TestClient, gadgets: str) -> None:
    """API-NOTES §2 attribute config: ``allowed_object_ids`` limits what may be referenced."""
    ada = person(api, "ada@example.org")
    refuse(
        api,
        gadgets,
        {"maker": {"target_object": "people", "target_record_id": rid(ada)}},
        "validation_type",
    )


def test_actor_reference_by_id_email_and_object(api: TestClient, gadgets: str) -> None:
    """API-NOTES §2 actor-reference row: member id, ``{workspace_member_email_address}`` or a
    plain email all name the same member."""
    mid = member_id(api)
    expected = [{"referenced_actor_type": "workspace-member", "referenced_actor_id": mid}]
    for written in (
        {"referenced_actor_type": "workspace-member", "referenced_actor_id": mid},
        {"workspace_member_email_address": "ada@example.com"},
        "Ada@Example.com",
    ):
        assert fields(write(api, gadgets, "keeper", written)) == expected


def test_actor_reference_unknown_member_and_non_member_actor(api: TestClient, gadgets: str) -> None:
    """API-NOTES §2: only workspace members can be written; unknown ones are value_not_found."""
    refuse(api, gadgets, {"keeper": "nobody@example.com"}, "value_not_found")
    refuse(
        api,
        gadgets,
        {"keeper": {"referenced_actor_type": "api-token", "referenced_actor_id": "x"}},
        "validation_type",
    )


# -- location, domain, email, phone, name ----------------------------------------------------


def test_location_object_needs_all_ten_keys(api: TestClient, gadgets: str) -> None:
    """API-NOTES §2 location row, gotcha 9: all 10 keys (null where unset), lat/long strings."""
    full = dict.fromkeys(LOCATION_KEYS) | {
        "line_1": "1 Main St",
        "locality": "London",
        "country_code": "GB",
        "latitude": "51.5",
        "longitude": "-0.12",
    }
    assert fields(write(api, gadgets, "place", full)) == [full]
    partial = {k: v for k, v in full.items() if k != "line_4"}
    msg = refuse(api, gadgets, {"place": partial}, "validation_type")
    assert "line_4" in msg
    refuse(api, gadgets, {"place": full | {"latitude": 51.5}}, "validation_type")


def test_location_string_is_parsed_into_all_keys(api: TestClient, gadgets: str) -> None:
    """API-NOTES §2 location row: a free-text string is parsed; every key is present."""
    got = fields(write(api, gadgets, "place", "1 Main St, London, GB"))[0]
    assert set(got) == set(LOCATION_KEYS)
    assert got["country_code"] == "GB"
    assert got["locality"] == "London"
    assert got["line_1"] == "1 Main St"


@pytest.mark.parametrize(
    ("written", "domain", "root"),
    [
        ("app.attio.com", "app.attio.com", "attio.com"),
        ("https://www.Acme.co.uk/about?x=1", "www.acme.co.uk", "acme.co.uk"),
        ({"domain": "acme.com/pricing"}, "acme.com", "acme.com"),
    ],
)
def test_domain_drops_scheme_path_and_query(
    api: TestClient, gadgets: str, written: Any, domain: str, root: str
) -> None:
    """API-NOTES §2 domain row: paths and query strings are stripped, root_domain inferred."""
    assert fields(write(api, gadgets, "site", written)) == [{"domain": domain, "root_domain": root}]


def test_email_is_lowercased_with_domain_parts(api: TestClient, gadgets: str) -> None:
    """API-NOTES §2 email-address row: normalised address and its domain parts."""
    vals = fields(write(api, gadgets, "contact", "Ada.Lovelace@Mail.Example.CO.UK"))
    assert vals == [
        {
            "original_email_address": "Ada.Lovelace@Mail.Example.CO.UK",
            "email_address": "ada.lovelace@mail.example.co.uk",
            "email_domain": "mail.example.co.uk",
            "email_root_domain": "example.co.uk",
            "email_local_specifier": "ada.lovelace",
        }
    ]
    assert (
        fields(write(api, gadgets, "contact", {"email_address": "b@x.io"}))[0]["email_address"]
        == "b@x.io"
    )


@pytest.mark.parametrize("written", ["not-an-email", "a@", "@x.com", {"email": "a@x.com"}])
def test_email_is_strictly_validated(api: TestClient, gadgets: str, written: Any) -> None:
    """API-NOTES §2 email-address row: strictly validated."""
    refuse(api, gadgets, {"contact": written}, "validation_type")


@pytest.mark.parametrize(
    "written",
    [
        "+44 20 7946 0958",
        {"original_phone_number": "020 7946 0958", "country_code": "GB"},
        {"original_phone_number": "+442079460958", "country_code": None},
    ],
)
def test_phone_is_e164(api: TestClient, gadgets: str, written: Any) -> None:
    """API-NOTES §2 phone-number row: ``+`` and country code, or ``{original_phone_number,
    country_code}`` (country_code may be null with a ``+``); E.164-normalised."""
    got = fields(write(api, gadgets, "phone", written))[0]
    assert got["phone_number"] == "+442079460958"
    assert got["country_code"] == "GB"
    original = written if isinstance(written, str) else written["original_phone_number"]
    assert got["original_phone_number"] == original


@pytest.mark.parametrize(
    "written",
    ["020 7946 0958", {"original_phone_number": "020 7946 0958", "country_code": None}, "+44 12"],
)
def test_phone_without_country_or_invalid_is_refused(
    api: TestClient, gadgets: str, written: Any
) -> None:
    """API-NOTES gotcha 9: phones need ``+`` or ``country_code``; E.164-validated."""
    refuse(api, gadgets, {"phone": written}, "validation_type")


@pytest.mark.parametrize(
    ("written", "first", "last", "full"),
    [
        ("Lovelace, Ada", "Ada", "Lovelace", "Ada Lovelace"),
        ("Cher", "Cher", "", "Cher"),
        ("Smith, John, Jr.", "John, Jr.", "Smith", "John, Jr. Smith"),
        (
            {"first_name": "Grace", "last_name": "Hopper", "full_name": "Grace Hopper"},
            "Grace",
            "Hopper",
            "Grace Hopper",
        ),
    ],
)
def test_personal_name_forms(
    api: TestClient, written: Any, first: str, last: str, full: str
) -> None:
    """API-NOTES §2 personal-name row: "Last, First"; no comma means all first name; later
    commas belong to the first name; or the three-key object."""
    vals = fields(write(api, "people", "name", written))
    assert vals == [{"first_name": first, "last_name": last, "full_name": full}]


def test_personal_name_object_needs_all_keys(api: TestClient) -> None:
    """API-NOTES §2 personal-name row: the object form has all three keys."""
    refuse(api, "people", {"name": {"first_name": "Ada"}}, "validation_type")


# -- single versus multiselect ----------------------------------------------------------------


def test_multiselect_given_a_bare_value_is_refused(api: TestClient, gadgets: str) -> None:
    """API-NOTES §2 write envelope [OBS]: ``domains: "x.com"`` failed with validation_type."""
    refuse(api, "companies", {"domains": "acme.com"}, "validation_type")
    refuse(api, gadgets, {"tags": "red"}, "validation_type")


def test_single_attribute_given_two_values_is_refused(api: TestClient, gadgets: str) -> None:
    """API-NOTES §2 write envelope: a single attribute takes one value."""
    refuse(api, gadgets, {"label": ["a", "b"]}, "validation_type")
    refuse(api, "people", {"name": ["Lovelace, Ada", "Hopper, Grace"]}, "validation_type")


def test_multiselect_duplicates_are_stored_once(api: TestClient) -> None:
    """API-NOTES §2: uniqueness is per value; the same normalised email twice is one value."""
    created = create(api, "people", {"email_addresses": ["x@y.io", "X@Y.io"]})
    assert [v["email_address"] for v in created["values"]["email_addresses"]] == ["x@y.io"]


def test_interaction_attributes_cannot_be_written(api: TestClient) -> None:
    """API-NOTES §2 interaction row: not writable (a read-only system attribute)."""
    refuse(
        api,
        "people",
        {"last_interaction": {"interaction_type": "email"}},
        "system_edit_unauthorized",
    )


def test_status_value_on_a_list_attribute(api: TestClient) -> None:
    """API-NOTES §2: status attributes exist on lists; entries write them by title."""
    make_list(api, "pipeline")
    attribute(api, "lists", "pipeline", "phase", "status")
    for title in ("New", "Done"):
        ok(
            api.post(
                "/v2/lists/pipeline/attributes/phase/statuses", json={"data": {"title": title}}
            )
        )
    ada = person(api, "ada@example.org")
    entry = ok(
        api.post(
            "/v2/lists/pipeline/entries",
            json={
                "data": {
                    "parent_record_id": rid(ada),
                    "parent_object": "people",
                    "entry_values": {"phase": "Done"},
                }
            },
        )
    )
    assert entry["entry_values"]["phase"][0]["status"]["title"] == "Done"
    bad = api.post(
        "/v2/lists/pipeline/entries",
        json={
            "data": {
                "parent_record_id": rid(ada),
                "parent_object": "people",
                "entry_values": {"phase": "Later"},
            }
        },
    )
    assert '"New"' in error(bad, 400, "value_not_found")


@pytest.mark.parametrize("written", ["a@b.co", "a..b.com", "localhost", "", {"domain": 5}])
def test_domain_refuses_non_domains(api: TestClient, gadgets: str, written: Any) -> None:
    """API-NOTES §2 domain row: a domain such as "app.attio.com" (validation_type otherwise)."""
    refuse(api, gadgets, {"site": written}, "validation_type")


@pytest.mark.parametrize("written", [1e308, 2**70])
def test_currency_beyond_integer_precision_reads_back_as_a_float(
    api: TestClient, gadgets: str, written: float
) -> None:
    """API-NOTES §2 currency row: ``currency_value`` is a JSON number, however large."""
    vals = fields(write(api, gadgets, "price", written))
    assert vals == [{"currency_value": float(written), "currency_code": "GBP"}]


def test_currency_refuses_overflow(api: TestClient, gadgets: str) -> None:
    """API-NOTES §2 currency row: a numeric string beyond any number is validation_type."""
    refuse(api, gadgets, {"price": "1e400"}, "validation_type")
