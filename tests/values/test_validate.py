"""Validation before sending: every kind of problem, its message, and all of a record's
problems reported together in one ``ValuesError``."""

from __future__ import annotations

from typing import Any

import pytest

from attio_bridge.client import AttioError, BadRequestError
from attio_bridge.errors import InvalidInputError, MissingError
from attio_bridge.values import (
    EncodeOptions,
    Problem,
    SchemaCache,
    UnknownTargetError,
    ValuesError,
    encode_values,
    validate_values,
)

from .conftest import Workspace


@pytest.fixture
def cache(ws: Workspace) -> SchemaCache:
    return SchemaCache(ws.client)


def _only_problem(cache: SchemaCache, target: str, data: dict[str, Any], **kw: Any) -> Problem:
    with pytest.raises(ValuesError) as caught:
        encode_values(cache, target, data, **kw)
    assert len(caught.value.problems) == 1, caught.value.problems
    return caught.value.problems[0]


def test_unknown_attribute_suggests_the_closest_slug(cache: SchemaCache) -> None:
    p = _only_problem(cache, "people", {"email_adresses": "ada@acme.com"})
    assert (p.code, p.field, p.value) == ("unknown_attribute", "email_adresses", "ada@acme.com")
    assert str(p) == (
        'email_adresses=\'ada@acme.com\': "people" has no attribute "email_adresses". '
        'Did you mean "email_addresses"?'
    )


def test_unknown_attribute_without_a_close_one_lists_the_valid_ones(cache: SchemaCache) -> None:
    p = _only_problem(cache, "pipeline", {"zzz": 1})
    assert p.fix == "Valid attributes: priority, stage."


@pytest.mark.parametrize(
    ("slug", "value", "fix"),
    [
        ("weight", "heavy", "Give a number."),
        ("weight", True, "Give a number."),
        ("label", 12, "Give a string."),
        ("active", "maybe", 'Give True or False (or "true"/"false").'),
        ("price", "ten", "Give an amount in EUR (a number, Decimal or numeric string)."),
        ("price", "1.23456", "Give an amount with at most 4 decimal places."),
        ("score", 6, "Give a whole number from 0 to 5."),
        ("score", 2.5, "Give a whole number from 0 to 5."),
        (
            "launched_on",
            "31/01/2024",
            'Give a date, a datetime or an ISO 8601 string such as "2024-01-31".',
        ),
        (
            "seen_at",
            "yesterday",
            'Give a datetime, a date or an ISO 8601 string such as "2024-01-31T09:30Z".',
        ),
        ("contact", "not-an-email", 'Give a valid email address such as "ada@acme.com".'),
        (
            "homepage",
            "ada@acme.com",
            'Give a domain or website URL such as "acme.com" or "https://www.acme.com/".',
        ),
        ("hotline", "+44 12", 'Give a valid phone number such as "+44 20 7946 0958".'),
        (
            "hotline",
            "020 7946 0958",
            'Give a number starting with "+" and its country code (or set default_region).',
        ),
        ("steward", "nobody", "Give a workspace member's email address or id."),
        (
            "site",
            {"planet": "Mars"},
            "Give an address string or a dict with keys among "
            "line_1, line_2, line_3, line_4, locality, region, postcode, country_code, latitude, "
            "longitude.",
        ),
        (
            "site",
            {"country_code": "GBR"},
            'Give country_code as a two-letter ISO code such as "GB".',
        ),
        (
            "maker",
            {"target_object": "people", "target_record_id": "x"},
            "Give a record of companies.",
        ),
        ("colour", 3, "Give an option title (a string)."),
    ],
)
def test_wrong_types(cache: SchemaCache, slug: str, value: Any, fix: str) -> None:
    p = _only_problem(cache, "gadgets", {slug: value})
    assert (p.code, p.field, p.value) == ("wrong_type", slug, value)
    assert p.fix == fix
    assert "not a valid" in p.message


def test_currency_code_cannot_be_written(cache: SchemaCache) -> None:
    p = _only_problem(cache, "gadgets", {"price": {"currency_value": 5, "currency_code": "USD"}})
    assert p.message == "the currency code cannot be written: it comes from the attribute"
    assert p.fix == "Give the amount in EUR, without a currency code."
    # The attribute's own code is fine.
    values = encode_values(
        cache, "gadgets", {"price": {"currency_value": 5, "currency_code": "eur"}}
    )
    assert values["price"] == {"currency_value": 5}


def test_unknown_select_title_lists_the_valid_ones(cache: SchemaCache) -> None:
    p = _only_problem(cache, "gadgets", {"tags": ["Beta", "Alpha"]})
    assert (p.code, p.field, p.value) == ("unknown_choice", "tags", "Alpha")
    assert p.message == "no option with this title"
    assert p.fix == 'Use one of: "Hardware", "Software", "Beta".'


def test_unknown_status_title_lists_the_valid_ones(cache: SchemaCache) -> None:
    p = _only_problem(cache, "deals", {"stage": "Won"})
    assert (p.code, p.message) == ("unknown_choice", "no status with this title")
    assert p.fix == 'Use one of: "Lead", "In Progress", "Won 🎉", "Lost".'


def test_archived_option_is_unknown(ws: Workspace, cache: SchemaCache) -> None:
    ws.client.attributes.update_option("objects", "gadgets", "colour", "Red", is_archived=True)
    cache.refresh()
    p = _only_problem(cache, "gadgets", {"colour": "red"})
    assert p.fix == 'Use one of: "Green", "Blue".'


def test_missing_required_values_on_create(cache: SchemaCache) -> None:
    with pytest.raises(ValuesError) as caught:
        encode_values(cache, "deals", {"value": 10}, create=True)
    missing = {p.field: p for p in caught.value.problems}
    assert set(missing) == {"name", "stage", "owner"}
    assert missing["stage"].code == "missing_required"
    assert str(missing["stage"]) == (
        'stage=None: this attribute is required. Give a value for "stage" when creating.'
    )
    # An update need not repeat required values.
    assert encode_values(cache, "deals", {"value": 10}) == {"value": {"currency_value": 10}}


def test_clearing_a_required_value_on_create_is_missing(cache: SchemaCache) -> None:
    problems = validate_values(cache, "gadgets", {"label": None}, create=True)
    assert [(p.code, p.field) for p in problems] == [("missing_required", "label")]


def test_a_list_for_a_single_value_attribute(cache: SchemaCache) -> None:
    p = _only_problem(cache, "gadgets", {"colour": ["Red", "Blue"]})
    assert (p.code, p.field, p.value) == ("not_multiselect", "colour", ["Red", "Blue"])
    assert str(p) == (
        "colour=['Red', 'Blue']: this attribute holds a single value, but a list of several "
        "was given. Give one value."
    )
    # One value in a list is fine.
    assert encode_values(cache, "gadgets", {"colour": ["red"]}) == {"colour": {"option": "Red"}}


def test_read_only_attributes(cache: SchemaCache) -> None:
    p = _only_problem(cache, "people", {"created_at": "2024-01-01"})
    assert (p.code, p.field) == ("read_only", "created_at")
    assert str(p) == (
        "created_at='2024-01-01': this attribute is read-only. "
        'Remove "created_at" from the values.'
    )
    assert encode_values(cache, "people", {"created_at": "x"}, ignore_read_only=True) == {}


def test_all_problems_of_a_record_come_together(cache: SchemaCache) -> None:
    data = {
        "lable": "Widget",
        "weight": "heavy",
        "colour": "Purple",
        "tags": ["Beta", "Nope"],
        "created_by": "x",
    }
    with pytest.raises(ValuesError) as caught:
        encode_values(cache, "gadgets", data, create=True)
    error = caught.value
    assert isinstance(error, AttioError)
    assert [(p.code, p.field) for p in error.problems] == [
        ("unknown_attribute", "lable"),
        ("wrong_type", "weight"),
        ("unknown_choice", "colour"),
        ("unknown_choice", "tags"),
        ("read_only", "created_by"),
        ("missing_required", "label"),
    ]
    assert str(error).splitlines() == [
        "6 problem(s) with values for 'gadgets':",
        '  - lable=\'Widget\': "gadgets" has no attribute "lable". Did you mean "label"?',
        "  - weight='heavy': not a valid number value. Give a number.",
        '  - colour=\'Purple\': no option with this title. Use one of: "Red", "Green", "Blue".',
        '  - tags=\'Nope\': no option with this title. Use one of: "Hardware", "Software", "Beta".',
        "  - created_by='x': this attribute is read-only. Remove \"created_by\" from the values.",
        '  - label=None: this attribute is required. Give a value for "label" when creating.',
    ]
    assert validate_values(cache, "gadgets", data, create=True) == error.problems


def test_valid_values_have_no_problems(cache: SchemaCache) -> None:
    data = {"label": "ok", "hotline": "020 7946 0958"}
    assert validate_values(cache, "gadgets", data, options=EncodeOptions(default_region="GB")) == []


def test_unknown_target_names_the_known_ones(cache: SchemaCache) -> None:
    with pytest.raises(
        MissingError, match=r"no object or list 'gizmos'; known: .*'people'"
    ) as caught:
        encode_values(cache, "gizmos", {})
    assert isinstance(caught.value, UnknownTargetError) and caught.value.retryable is False
    # Still a KeyError for the callers that catch one (see UnknownTargetError).
    assert isinstance(caught.value, KeyError)


def test_values_errors_are_invalid_input(cache: SchemaCache) -> None:
    with pytest.raises(InvalidInputError) as caught:
        encode_values(cache, "people", {"email_adresses": "ada@acme.com"})
    assert isinstance(caught.value, ValuesError) and isinstance(caught.value, ValueError)
    assert caught.value.retryable is False


def test_problems_caught_here_are_ones_the_api_rejects(ws: Workspace) -> None:
    """What validation stops really is refused by the API (the emulator), so checking first
    saves a failed call rather than second-guessing Attio."""
    for values in ({"colour": "Purple"}, {"score": 6}, {"colour": ["Red", "Blue"]}):
        with pytest.raises(BadRequestError):
            ws.client.records.create("gadgets", {"label": "g", **values})
