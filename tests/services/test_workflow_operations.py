"""The operations workflows build on: find-or-create a note or a task (``notes.ensure``,
``tasks.ensure``), a company by reference, a deal by name and company, records of any object
(read, find by filter or unique value, update adding or overwriting, resolve what a caller
names), and the classes of the errors they raise."""

from __future__ import annotations

from datetime import date

import pytest

from attio_bridge.client import AttioClient
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.errors import MissingError
from attio_bridge.services import AsyncServices, ServiceError, ServiceMissingError, Services
from attio_bridge.values import ValuesError, decode_record

from .conftest import writes

pytestmark = pytest.mark.anyio


# -- notes and tasks, found or created -----------------------------------------------------------
async def test_ensure_note_finds_the_note_by_title_and_marker(
    aservices: AsyncServices, app: EmulatorApp
) -> None:
    acme = await aservices.companies.upsert("acme.com", name="Acme")
    note, created = await aservices.notes.ensure(
        "companies", acme, "Kickoff", "Links\n\nref 1", marker="ref 1"
    )
    app.state.journal.entries.clear()
    again, created_again = await aservices.notes.ensure(
        "companies", acme.record_id, "Kickoff", "Other body\n\nref 1", marker="ref 1"
    )
    other, created_other = await aservices.notes.ensure(
        "companies", acme, "Kickoff", "Links\n\nref 2", marker="ref 2"
    )
    assert (created, created_again, created_other) == (True, False, True)
    assert again.id == note.id and other.id != note.id
    assert "Links" in again.content_plaintext  # a note found is returned as it is
    assert [w for w in writes(app) if w[1] == "/v2/notes"] == [("POST", "/v2/notes")]
    assert await aservices.notes.find("companies", acme, "Kickoff", containing="ref 3") is None


def test_ensure_task_reuses_the_open_task_only(services: Services, member_email: str) -> None:
    acme = services.companies.upsert("acme.com", name="Acme")
    task, created = services.tasks.ensure(
        "companies", acme, "Call Acme", assignees=[member_email], due=date(2030, 1, 7)
    )
    again, created_again = services.tasks.ensure("companies", acme.record_id, "Call Acme")
    assert (created, created_again) == (True, False)
    assert again.id == task.id
    services.tasks.complete(task.id["task_id"])
    after_done, created_after_done = services.tasks.ensure("companies", acme, "Call Acme")
    assert created_after_done and after_done.id != task.id
    assert services.tasks.find_open("companies", acme, "Call Acme") == after_done


def test_check_assignees_names_the_members(services: Services, member_email: str) -> None:
    services.tasks.check_assignees([member_email])
    with pytest.raises(ServiceError) as caught:
        services.tasks.check_assignees(["nobody@example.com"])
    assert "nobody@example.com" in str(caught.value) and member_email in str(caught.value)


# -- companies and deals -------------------------------------------------------------------------
async def test_company_by_reference(aservices: AsyncServices) -> None:
    acme = await aservices.companies.upsert("acme.com", name="Acme")
    by_url = await aservices.companies.find("https://www.acme.com/pricing")
    by_id = await aservices.companies.find(acme.record_id)
    assert by_url is not None and by_id is not None
    assert by_url.record_id == by_id.record_id == acme.record_id
    assert await aservices.companies.find("globex.com") is None
    assert await aservices.companies.domain("https://WWW.Acme.com/x") == "acme.com"
    with pytest.raises(ValuesError):
        await aservices.companies.find("not a company")
    with pytest.raises(ValuesError):
        await aservices.companies.domain("no domain here")


async def test_a_missing_company_is_a_missing_error(aservices: AsyncServices) -> None:
    with pytest.raises(MissingError) as caught:
        await aservices.companies.get("globex.com")
    assert isinstance(caught.value, ServiceMissingError)
    assert isinstance(caught.value, ServiceError)  # as callers caught it before
    assert "globex.com" in str(caught.value)


def test_deal_found_by_name_and_company(services: Services, member_email: str) -> None:
    acme_deal = services.deals.create(
        "Renewal", stage="Lead", company="acme.com", owner=member_email
    )
    loose_deal = services.deals.create("Renewal", stage="Lead", owner=member_email)
    acme = services.companies.find_by_domain("acme.com")
    assert acme is not None
    found = services.deals.find("Renewal", company_id=acme.record_id)
    loose = services.deals.find("Renewal", company_id=None)
    assert found is not None and found.record_id == acme_deal.record_id
    assert loose is not None and loose.record_id == loose_deal.record_id
    assert services.deals.find("Upsell", company_id=acme.record_id) is None


# -- records of any object -----------------------------------------------------------------------
def test_records_find_and_get(services: Services, member_email: str) -> None:
    services.deals.create("A", stage="Lead", owner=member_email)
    b = services.deals.create("B", stage="Won 🎉", owner=member_email)
    in_lead = services.records.find("deals", {"stage": "Lead"})
    assert [decode_record(services.schema.get(), r)["name"] for r in in_lead] == ["A"]
    assert len(services.records.find("deals")) == 2
    assert services.records.get("deals", b.record_id).record_id == b.record_id
    with pytest.raises(MissingError) as caught:
        services.records.find("widgets")
    assert "widgets" in str(caught.value) and "deals" in str(caught.value)


async def test_records_find_by_a_unique_value(aservices: AsyncServices) -> None:
    ada = await aservices.people.upsert("Ada@Acme.com", name="Ada Lovelace")
    found = await aservices.records.find_by("people", "email_addresses", "ADA@acme.com")
    assert found is not None and found.record_id == ada.record_id
    assert await aservices.records.find_by("people", "email_addresses", "bob@acme.com") is None
    with pytest.raises(ServiceError, match="unique attributes"):
        await aservices.records.find_by("people", "job_title", "CEO")


def test_records_update_adds_or_overwrites(services: Services, client: AttioClient) -> None:
    acme = services.companies.upsert("acme.com", name="Acme", categories=["SaaS"])
    added = services.records.update("companies", acme, {"categories": ["B2B"]})
    assert sorted(decode_record(services.schema.get(), added)["categories"]) == ["B2B", "SaaS"]
    replaced = services.records.update(
        "companies", acme.record_id, {"categories": ["B2C"]}, overwrite=True
    )
    assert decode_record(services.schema.get(), replaced)["categories"] == ["B2C"]
    fresh = client.records.get("companies", acme.record_id)
    assert decode_record(services.schema.get(), fresh)["categories"] == ["B2C"]
    with pytest.raises(ValuesError):
        services.records.update("companies", acme, {"categories": ["Not a category"]})


async def test_resolve_what_a_caller_names(aservices: AsyncServices) -> None:
    ada = await aservices.people.upsert("ada@acme.com", name="Ada Lovelace")
    acme = await aservices.companies.upsert("acme.com", name="Acme")
    url = f"https://app.attio.com/acme-ws/person/{ada.record_id}/overview"
    note_url = (
        f"https://app.attio.com/acme-ws/company/record/{acme.record_id}/notes"
        "?modal=note&id=2b4c4e2e-0000-4000-8000-000000000000"
    )
    assert (await aservices.records.resolve(url))[1].record_id == ada.record_id
    assert (await aservices.records.resolve(note_url))[0] == "companies"
    assert (await aservices.records.resolve("ada@acme.com"))[1].record_id == ada.record_id
    slug, company = await aservices.records.resolve("Acme.com")
    assert slug == "companies" and company.record_id == acme.record_id
    by_id = await aservices.records.resolve(acme.record_id, "companies")
    assert by_id[1].record_id == acme.record_id


@pytest.mark.parametrize(
    ("target", "object", "error", "words"),
    [
        ("bob@acme.com", None, MissingError, "no person has the email bob@acme.com"),
        ("globex.com", None, MissingError, "no company has the domain globex.com"),
        ("2b4c4e2e-0000-4000-8000-000000000000", None, ServiceError, "give its object"),
        ("ada@acme.com", "people", ServiceError, "record id or an Attio URL"),
        ("nothing at all", None, ServiceError, "none of"),
        (
            "https://app.attio.com/ws/widget/2b4c4e2e-0000-4000-8000-000000000000",
            None,
            MissingError,
            "widget",
        ),
    ],
)
async def test_resolve_says_what_is_wrong(
    aservices: AsyncServices, target: str, object: str | None, error: type[Exception], words: str
) -> None:
    with pytest.raises(error) as caught:
        await aservices.records.resolve(target, object)
    assert words in str(caught.value)
    assert "--" not in str(caught.value)  # library terms, no command-line flags


def test_create_text_attribute_is_known_at_once(services: Services) -> None:
    services.schema.get()  # cached before the attribute exists
    services.records.create_text_attribute(
        "companies", "prospect_slack_channel", "Prospect Slack channel", "A channel URL."
    )
    acme = services.companies.upsert("acme.com", prospect_slack_channel="https://slack/x")
    assert decode_record(services.schema.get(), acme)["prospect_slack_channel"] == "https://slack/x"
