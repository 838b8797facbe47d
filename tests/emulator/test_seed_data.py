"""Behaviour of the emulator's seed data: determinism, uniqueness and Attio-valid write shapes."""

from __future__ import annotations

import itertools
import random
from typing import Any

import phonenumbers
import pytest
from email_validator import validate_email

from attio_bridge.emulator.seed_data import (
    COMPANY_CATEGORIES,
    COMPANY_NAME_WORDS,
    DEAL_STAGES,
    FIRST_NAMES,
    LAST_NAMES,
    PHONE_NUMBERS,
    generate_companies,
    generate_deals,
    generate_people,
)

LOCATION_KEYS = {
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
}
MANY = 20_000


@pytest.fixture(scope="module")
def many_companies() -> list[dict[str, Any]]:
    return list(generate_companies(MANY, seed=7))


@pytest.fixture(scope="module")
def company_domains() -> list[str]:
    return [company["domains"][0] for company in generate_companies(50, seed=3)]


def _is_valid_e164(number: str) -> bool:
    parsed = phonenumbers.parse(number, None)
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return bool(phonenumbers.is_valid_number(parsed)) and e164 == number


# Determinism -------------------------------------------------------------------------------


def test_same_seed_gives_the_same_records(company_domains: list[str]) -> None:
    assert list(generate_companies(300, seed=42)) == list(generate_companies(300, seed=42))
    assert list(generate_people(300, seed=42, company_domains=company_domains)) == list(
        generate_people(300, seed=42, company_domains=company_domains)
    )
    assert list(generate_deals(300, seed=42, company_domains=company_domains)) == list(
        generate_deals(300, seed=42, company_domains=company_domains)
    )


def test_different_seeds_give_different_records() -> None:
    assert list(generate_companies(50, seed=1)) != list(generate_companies(50, seed=2))
    assert list(generate_people(50, seed=1)) != list(generate_people(50, seed=2))
    assert list(generate_deals(50, seed=1)) != list(generate_deals(50, seed=2))


def test_a_shorter_run_is_a_prefix_of_a_longer_one() -> None:
    # Callers may take the first k of a seeded stream and expect the same k records.
    assert list(generate_people(100, seed=5)) == list(generate_people(1_000, seed=5))[:100]


def test_generators_do_not_touch_the_global_random() -> None:
    random.seed(1234)
    expected = random.random()
    random.seed(1234)
    list(generate_companies(20))
    list(generate_people(20))
    list(generate_deals(20))
    assert random.random() == expected


# Companies ---------------------------------------------------------------------------------


def test_company_domains_are_unique_across_many(many_companies: list[dict[str, Any]]) -> None:
    domains = [domain for company in many_companies for domain in company["domains"]]
    assert len(domains) >= MANY
    assert len(domains) == len(set(domains))


def test_company_domains_are_plain_lower_case_hostnames(
    many_companies: list[dict[str, Any]],
) -> None:
    for company in many_companies:
        assert 1 <= len(company["domains"]) <= 2
        for domain in company["domains"]:
            assert domain == domain.lower()
            assert domain.isascii()
            assert "/" not in domain and "@" not in domain and " " not in domain
            assert "." in domain


def test_company_locations_have_exactly_the_ten_keys(
    many_companies: list[dict[str, Any]],
) -> None:
    for company in many_companies:
        location = company["primary_location"]
        assert set(location) == LOCATION_KEYS
        assert all(value is None or isinstance(value, str) for value in location.values())
        assert location["line_1"] and location["locality"] and location["country_code"]
        # Attio reads latitude and longitude back as strings; they must still be coordinates.
        assert -90 <= float(location["latitude"]) <= 90
        assert -180 <= float(location["longitude"]) <= 180


def test_company_categories_come_from_the_declared_options(
    many_companies: list[dict[str, Any]],
) -> None:
    allowed = set(COMPANY_CATEGORIES)
    for company in many_companies:
        categories = company["categories"]
        assert categories, company
        assert len(categories) == len(set(categories))
        assert set(categories) <= allowed


def test_company_fields_are_text(many_companies: list[dict[str, Any]]) -> None:
    for company in many_companies[:1_000]:
        assert set(company) == {
            "name",
            "domains",
            "description",
            "categories",
            "primary_location",
            "linkedin",
        }
        assert isinstance(company["name"], str) and company["name"]
        assert company["description"].startswith(company["name"])
        assert company["linkedin"].startswith("https://www.linkedin.com/company/")


# People ------------------------------------------------------------------------------------


@pytest.mark.parametrize("with_companies", [False, True], ids=["no-companies", "50-companies"])
def test_emails_are_unique_across_many(with_companies: bool, company_domains: list[str]) -> None:
    # With only 50 company domains, first.last collides constantly: the hard case.
    domains = company_domains if with_companies else []
    emails = [
        email
        for person in generate_people(MANY, seed=11, company_domains=domains)
        for email in person["email_addresses"]
    ]
    assert len(emails) == MANY
    assert len({email.lower() for email in emails}) == MANY


def test_emails_pass_strict_validation() -> None:
    for person in generate_people(2_000, seed=4):
        (email,) = person["email_addresses"]
        assert email.isascii()
        assert validate_email(email, check_deliverability=False).normalized == email


def test_people_at_companies_use_the_company_domain(company_domains: list[str]) -> None:
    people = list(generate_people(2_000, seed=8, company_domains=company_domains))
    employed = [person for person in people if "company" in person]
    # "Most" people work at one of the given companies; the rest have personal addresses.
    assert 0.7 * len(people) < len(employed) < len(people)
    for person in employed:
        assert person["company"] in company_domains
        assert person["email_addresses"][0].endswith("@" + person["company"])
    for person in people:
        if "company" not in person:
            assert person["email_addresses"][0].rpartition("@")[2].startswith("example.")


def test_people_without_companies_have_no_company_reference() -> None:
    for person in generate_people(1_000, seed=9):
        assert "company" not in person
        assert person["email_addresses"][0].rpartition("@")[2] in {
            "example.com",
            "example.org",
            "example.net",
        }


def test_person_names_are_personal_name_objects() -> None:
    for person in generate_people(1_000, seed=10):
        name = person["name"]
        assert set(name) == {"first_name", "last_name", "full_name"}
        assert name["first_name"] in FIRST_NAMES
        assert name["last_name"] in LAST_NAMES
        assert name["full_name"] == f"{name['first_name']} {name['last_name']}"
        assert isinstance(person["job_title"], str) and person["job_title"]
        assert isinstance(person["description"], str) and person["description"]
        assert "owner" not in person


def test_generated_phone_numbers_are_valid_e164() -> None:
    numbers = {
        number for person in generate_people(2_000, seed=12) for number in person["phone_numbers"]
    }
    invalid = sorted(number for number in numbers if not _is_valid_e164(number))
    assert invalid == []


def test_every_number_in_the_pool_is_valid_e164() -> None:
    # generate_people draws only from PHONE_NUMBERS, so this covers every number it can emit.
    invalid = [number for number in PHONE_NUMBERS if not _is_valid_e164(number)]
    assert invalid == []
    assert len(set(PHONE_NUMBERS)) == len(PHONE_NUMBERS)


def test_phone_numbers_come_from_the_pool() -> None:
    pool = set(PHONE_NUMBERS)
    for person in generate_people(2_000, seed=13):
        assert len(person["phone_numbers"]) == 1
        assert person["phone_numbers"][0] in pool


# Deals -------------------------------------------------------------------------------------


def test_deal_stages_come_from_the_default_statuses() -> None:
    stages = {deal["stage"] for deal in generate_deals(2_000, seed=14)}
    assert stages == set(DEAL_STAGES) == {"Lead", "In Progress", "Won 🎉", "Lost"}


def test_deal_stages_come_from_the_given_list() -> None:
    given = ("Discovery", "Proposal", "Negotiation", "Closed")
    stages = [deal["stage"] for deal in generate_deals(2_000, seed=15, stages=given)]
    assert set(stages) == set(given)


def test_deals_reference_given_companies_and_have_values(company_domains: list[str]) -> None:
    for deal in generate_deals(2_000, seed=16, company_domains=company_domains):
        assert set(deal) == {"name", "stage", "value", "associated_company"}
        assert deal["associated_company"] in company_domains
        assert isinstance(deal["value"], int | float) and deal["value"] > 0
        assert isinstance(deal["name"], str) and deal["name"]


def test_deals_without_companies_have_no_company_or_owner() -> None:
    for deal in generate_deals(200, seed=17):
        assert set(deal) == {"name", "stage", "value"}


# Arguments and pools -----------------------------------------------------------------------


def test_zero_records() -> None:
    assert list(generate_companies(0)) == []
    assert list(generate_people(0)) == []
    assert list(generate_deals(0)) == []


@pytest.mark.parametrize("generator", [generate_companies, generate_people, generate_deals])
def test_negative_count_is_refused_at_call_time(generator: Any) -> None:
    # Raised on the call, not on the first next(), so the mistake points at the caller.
    with pytest.raises(ValueError):
        generator(-1)


def test_bad_sequences_are_refused() -> None:
    with pytest.raises(TypeError):
        generate_people(1, company_domains="acme.com")
    with pytest.raises(TypeError):
        generate_deals(1, company_domains="acme.com")
    with pytest.raises(TypeError):
        generate_deals(1, stages="Lead")
    with pytest.raises(ValueError):
        generate_deals(1, stages=())


def test_pools_are_large_and_free_of_duplicates() -> None:
    for pool, minimum in ((FIRST_NAMES, 200), (LAST_NAMES, 200), (COMPANY_NAME_WORDS, 140)):
        assert len(pool) >= minimum
        assert len(set(pool)) == len(pool)
    assert len(set(COMPANY_CATEGORIES)) == len(COMPANY_CATEGORIES)


def test_generators_are_lazy() -> None:
    # Taking a few from an enormous run must not build the run.
    people = generate_people(10**12)
    assert len(list(itertools.islice(people, 3))) == 3
