"""``find(object, field, value)`` of the three CRM connectors against the emulator's stand-ins
(one process): HubSpot's CRM search with an ``EQ`` filter, Salesforce's SOQL ``WHERE field =
'value'`` (escaped; SOQL compares text without case), Zoho's ``search?criteria=`` (escaped).
The sync engine uses it to pair a record made in Attio with its twin before creating one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from attio_bridge.connectors import (
    ConnectorError,
    HubSpotConnector,
    SalesforceConnector,
    ZohoConnector,
)
from attio_bridge.testing import EmulatorProcess

from ._support import call, reset


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorProcess]:
    with EmulatorProcess(api_key="test-key") as process:
        yield process


def test_hubspot_finds_by_a_property(emu: EmulatorProcess) -> None:
    reset(emu)
    hubspot = HubSpotConnector("pat-sandbox", base_url=emu.base_url)
    made = hubspot.create("contacts", {"email": "twin@x.example", "firstname": "Twin"})
    hubspot.create("contacts", {"email": "other@x.example", "firstname": "Twin"})
    [found] = hubspot.find("contacts", "email", "twin@x.example")
    assert found.id == made.id and found.properties["firstname"] == "Twin"
    assert len(hubspot.find("contacts", "firstname", "Twin")) == 2
    assert hubspot.find("contacts", "email", "nobody@x.example") == []
    with pytest.raises(ConnectorError) as caught:
        hubspot.find("contacts", "shoe_size", "42")
    assert caught.value.status == 400


def test_salesforce_finds_by_a_field_with_the_value_escaped(emu: EmulatorProcess) -> None:
    reset(emu)
    sf = SalesforceConnector(emu.base_url, "00Dsandbox!session")
    made = sf.create("Contact", {"LastName": "O'Hara \\ AND Sons", "Email": "Scarlett@x.example"})
    # A quote, a backslash and an AND in the value stay text; the match ignores case.
    [found] = sf.find("Contact", "LastName", "o'hara \\ and sons")
    assert found.id == made.id
    assert [r.id for r in sf.find("Contact", "Email", "scarlett@x.example")] == [made.id]
    assert sf.find("Contact", "Email", "x' OR Email != 'y") == []
    with pytest.raises(ConnectorError, match="Contact has no field 'Shoe'"):
        sf.find("Contact", "Shoe", "x")


def test_zoho_finds_by_a_field_with_zohos_escapes(emu: EmulatorProcess) -> None:
    reset(emu)
    status, answer = call(
        f"{emu.base_url}/crm/v7/Services",
        {"data": [{"Service_Name": "Audit (EU), yearly", "Status": "Active"}]},
        authorization="Zoho-oauthtoken 1000.sandbox",
    )
    assert status == 201, answer
    zoho = ZohoConnector("1000.sandbox", base_url=emu.base_url)
    try:
        [found] = zoho.find("Services", "Service_Name", "Audit (EU), yearly")
        assert found.id == answer["data"][0]["details"]["id"]
        assert found.properties["Status"] == "Active"
        assert zoho.find("Services", "Service_Name", "Audit") == []
    finally:
        zoho.close()
