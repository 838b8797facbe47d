"""People: the headline upsert (person linked to a company made from a domain), no duplicates
on re-runs, the link seen from the company's team, find by email, errors that say what to fix."""

from __future__ import annotations

import pytest

from attio_bridge.client import AsyncAttioClient, AttioClient
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.services import AsyncServices, Services
from attio_bridge.values import EncodeOptions, ValuesError, decode_record

from .conftest import writes

pytestmark = pytest.mark.anyio


async def test_headline_upsert_links_the_person_to_the_company(
    aservices: AsyncServices, client: AttioClient
) -> None:
    person = await aservices.people.upsert(
        email="ada@acme.com", name="Ada Lovelace", company="acme.com", phone="+44 20 7946 0958"
    )
    schema = await aservices.schema.get()
    row = decode_record(schema, client.records.get("people", person.record_id))
    assert row["first_name"] == "Ada"
    assert row["last_name"] == "Lovelace"
    assert row["full_name"] == "Ada Lovelace"
    assert row["email_addresses"] == ["ada@acme.com"]
    assert row["phone_numbers"] == ["+442079460958"]
    companies = client.records.query("companies")
    assert len(companies) == 1
    company = decode_record(schema, companies[0])
    assert company["domains"] == ["acme.com"]
    assert row["company"] == company["record_id"]
    # The relationship's other side: the person is in the company's team.
    assert company["team"] == [person.record_id]


async def test_upserting_again_creates_no_duplicate(
    aservices: AsyncServices, client: AttioClient
) -> None:
    first = await aservices.people.upsert(email="ada@acme.com", name="Ada", company="acme.com")
    again = await aservices.people.upsert(
        email="ada@acme.com",
        name="Ada Lovelace",
        company="https://www.acme.com/about",
        job_title="Analyst",
    )
    assert again.record_id == first.record_id
    assert len(client.records.query("people")) == 1
    assert len(client.records.query("companies")) == 1
    row = decode_record(await aservices.schema.get(), again)
    assert row["full_name"] == "Ada Lovelace"
    assert row["job_title"] == "Analyst"


async def test_an_existing_company_is_reused_and_keeps_its_values(
    aservices: AsyncServices, client: AttioClient
) -> None:
    acme = await aservices.companies.upsert("acme.com", name="Acme Corp")
    person = await aservices.people.upsert(email="ada@acme.com", company="http://acme.com")
    assert decode_record(await aservices.schema.get(), person)["company"] == acme.record_id
    company = decode_record(
        await aservices.schema.get(), client.records.get("companies", acme.record_id)
    )
    assert company["name"] == "Acme Corp"
    assert company["team"] == [person.record_id]


async def test_company_by_record_id(aservices: AsyncServices) -> None:
    acme = await aservices.companies.upsert("acme.com")
    person = await aservices.people.upsert(email="grace@acme.com", company=acme.record_id)
    assert decode_record(await aservices.schema.get(), person)["company"] == acme.record_id


async def test_other_values_go_by_slug(aservices: AsyncServices) -> None:
    person = await aservices.people.upsert(
        email="ada@acme.com", description="Wrote the first program", linkedin="ada"
    )
    row = decode_record(await aservices.schema.get(), person)
    assert row["description"] == "Wrote the first program"
    assert row["linkedin"] == "ada"


async def test_find_by_email(aservices: AsyncServices) -> None:
    person = await aservices.people.upsert(email="ada@acme.com", name="Ada Lovelace")
    await aservices.people.upsert(email="grace@navy.mil", name="Grace Hopper")
    found = await aservices.people.find_by_email(" ada@ACME.com ")
    assert found is not None and found.record_id == person.record_id
    assert await aservices.people.find_by_email("nobody@acme.com") is None


async def test_bad_values_are_all_reported_and_nothing_is_written(
    aservices: AsyncServices, app: EmulatorApp
) -> None:
    with pytest.raises(ValuesError) as caught:
        await aservices.people.upsert(
            email="ada@acme.com", company="Acme Inc", phone="12345", jobtitle="Analyst"
        )
    problems = {p.field: p for p in caught.value.problems}
    assert set(problems) == {"company", "phone_numbers", "jobtitle"}
    assert "domain" in problems["company"].fix and "record id" in problems["company"].fix
    assert '"+"' in problems["phone_numbers"].fix
    assert problems["jobtitle"].fix == 'Did you mean "job_title"?'
    # Checked before any write: not even the company was created.
    assert writes(app) == []


async def test_a_bad_email_is_named(aservices: AsyncServices) -> None:
    with pytest.raises(ValuesError) as caught:
        await aservices.people.upsert(email="not-an-email", company="acme.com")
    assert [p.field for p in caught.value.problems] == ["email_addresses"]
    assert "not-an-email" in str(caught.value)


async def test_default_region_reads_national_numbers(aclient: AsyncAttioClient) -> None:
    services = AsyncServices(aclient, options=EncodeOptions(default_region="GB"))
    person = await services.people.upsert(email="ada@acme.com", phone="020 7946 0958")
    assert decode_record(await services.schema.get(), person)["phone_numbers"] == ["+442079460958"]


async def test_one_schema_load_serves_every_service(
    aservices: AsyncServices, app: EmulatorApp, member_email: str
) -> None:
    caches = [
        aservices.people.schema,
        aservices.companies.schema,
        aservices.deals.schema,
        aservices.lists.schema,
        aservices.notes.schema,
        aservices.tasks.schema,
    ]
    assert all(cache is aservices.schema for cache in caches)
    app.state.journal.entries.clear()
    ada = await aservices.people.upsert(email="ada@acme.com", company="acme.com")
    deal = await aservices.deals.create("Acme", 10, "Lead", owner=member_email)
    await aservices.lists.add("big_deals", deal)
    await aservices.notes.create("people", ada, "Hi", "x")
    await aservices.tasks.create("Call", linked_records=[ada], assignees=[member_email])
    assert aservices.schema.loads == 1
    # The members are read once too, for the deal's owner; the task reuses them.
    members = [e for e in app.state.journal.render() if e["path"] == "/v2/workspace_members"]
    assert len(members) == 1


# -- sync ----------------------------------------------------------------------------------------
def test_sync_headline_upsert(services: Services, client: AttioClient) -> None:
    person = services.people.upsert(
        email="ada@acme.com", name="Ada Lovelace", company="acme.com", phone="+44 20 7946 0958"
    )
    again = services.people.upsert(email="ada@acme.com", company="acme.com")
    assert again.record_id == person.record_id
    company = decode_record(services.schema, client.records.query("companies")[0])
    assert company["team"] == [person.record_id]
    found = services.people.find_by_email("ada@acme.com")
    assert found is not None and found.record_id == person.record_id
    with pytest.raises(ValuesError, match="phone_numbers"):
        services.people.upsert(email="ada@acme.com", phone="not a phone")
