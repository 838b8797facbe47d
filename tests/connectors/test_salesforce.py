"""SalesforceConnector (simple-salesforce) against the emulator's Salesforce stand-in, as a process.

simple-salesforce speaks ``requests`` and writes ``https://`` URLs: the connector's session maps
them to the plain-HTTP emulator. Shapes follow Salesforce's REST API Developer Guide (sObject
rows, describe, ``query`` (by Id, or by ``nextRecordsUrl``), ``updated``/``deleted``, errors as
``[{"message", "errorCode"}]``, ``REQUEST_LIMIT_EXCEEDED``) and its field history objects.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from attio_bridge.connectors import ConnectorError, CrmConnector, SalesforceConnector
from attio_bridge.testing import EmulatorProcess

from ._support import call, fail, reset

TOKEN = "00Dsandbox!session"
PAST = datetime(2020, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorProcess]:
    """One emulator process for the module."""
    with EmulatorProcess(api_key="test-key") as process:
        yield process


@pytest.fixture
def sf(emu: EmulatorProcess) -> SalesforceConnector:
    """A connector for a freshly reset stand-in (seeded: 2 Contacts, 2 Accounts, 1 Opportunity)."""
    reset(emu)
    return SalesforceConnector(emu.base_url, TOKEN)


def rest(emu: EmulatorProcess, path: str) -> tuple[int, object]:
    """GET a REST resource of the stand-in over plain HTTP."""
    return call(f"{emu.base_url}/services/data/v59.0/{path}", token=TOKEN)


def test_is_a_crm_connector_with_described_fields(sf: SalesforceConnector) -> None:
    """It follows the protocol; fields come from the sObject's describe."""
    assert isinstance(sf, CrmConnector)
    assert sf.objects() == ["Contact", "Account", "Opportunity"]
    fields = sf.fields("Contact")
    assert fields["Email"] == "email" and fields["SystemModstamp"] == "datetime"


def test_list_pages_follow_ids_and_may_be_asked_for_again(sf: SalesforceConnector) -> None:
    """Batches of one cover every Contact once; the cursor is the last Id seen, so a page whose
    answer was lost can be asked for again (a query locator could not)."""
    sf.create("Contact", {"LastName": "Third"})
    first = sf.list_page("Contact", limit=1)
    assert first.next_cursor == first.records[0].id
    seen = [r.id for r in first.records]
    cursor = first.next_cursor
    while cursor is not None:
        page = sf.list_page("Contact", cursor, limit=1)
        assert sf.list_page("Contact", cursor, limit=1) == page
        seen += [r.id for r in page.records]
        cursor = page.next_cursor
    assert len(seen) == len(set(seen)) == 3
    assert seen == sorted(seen)
    assert all(len(i) == 18 and i.startswith("003") for i in seen)
    with pytest.raises(ConnectorError) as bad:
        sf.list_page("Contact", "not-an-id")
    assert bad.value.code == "invalid_cursor"


def test_modified_since_filters_on_system_modstamp(sf: SalesforceConnector) -> None:
    """Only records whose SystemModstamp is at or after ``since``, oldest first."""
    account = sf.list_page("Account").records[0]
    time.sleep(0.005)
    changed = sf.update("Account", account.id, {"BillingCity": "Lyon"})
    page = sf.modified_since("Account", changed.modified_at)
    assert [r.id for r in page.records] == [account.id]
    assert page.records[0].properties["BillingCity"] == "Lyon"
    everything = sf.modified_since("Account", PAST).records
    assert [r.id for r in everything][-1] == account.id
    assert [r.modified_at for r in everything] == sorted(r.modified_at for r in everything)


def test_deleted_and_updated_resources(sf: SalesforceConnector, emu: EmulatorProcess) -> None:
    """Deleted ids come from the deleted resource; changed ids from updated."""
    before = datetime.now(UTC) - timedelta(seconds=5)
    made = sf.create("Contact", {"LastName": "Brief"})
    assert made.id in sf.updated_ids("Contact", before, datetime.now(UTC) + timedelta(minutes=1))
    sf.delete("Contact", made.id)
    assert sf.deleted_since("Contact", before) == [made.id]
    assert sf.get("Contact", made.id) is None
    sf.delete("Contact", made.id)  # already gone: not an error
    status, _ = rest(emu, f"sobjects/Contact/{made.id}")
    assert status == 404


def test_create_update_read_back(sf: SalesforceConnector, emu: EmulatorProcess) -> None:
    """Writes land in the org (read back over plain HTTP) and return the stored row."""
    made = sf.create(
        "Opportunity", {"Name": "Big", "StageName": "Prospecting", "CloseDate": "2027-01-31"}
    )
    assert made.id.startswith("006") and made.properties["Name"] == "Big"
    updated = sf.update("Opportunity", made.id, {"StageName": "Closed Won"})
    assert updated.properties["StageName"] == "Closed Won"
    assert updated.modified_at >= made.modified_at
    status, row = rest(emu, f"sobjects/Opportunity/{made.id}")
    assert status == 200 and isinstance(row, dict) and row["StageName"] == "Closed Won"
    assert sf.get("Opportunity", "not an id") is None


def test_invalid_field_is_refused(sf: SalesforceConnector) -> None:
    """Salesforce's INVALID_FIELD becomes a non-retryable ConnectorError."""
    with pytest.raises(ConnectorError) as caught:
        sf.create("Contact", {"ShoeSize__c": 42})
    assert caught.value.code == "INVALID_FIELD" and not caught.value.retryable


def test_a_create_without_a_required_field_is_refused(sf: SalesforceConnector) -> None:
    """An Opportunity needs Name, StageName and CloseDate: REQUIRED_FIELD_MISSING names those
    missing, in a single create and in a collection's SaveResult."""
    with pytest.raises(ConnectorError) as caught:
        sf.create("Opportunity", {"Name": "No date", "StageName": "Prospecting"})
    assert caught.value.code == "REQUIRED_FIELD_MISSING" and not caught.value.retryable
    assert "CloseDate" in str(caught.value)
    [made, refused] = sf.create_many(
        "Opportunity",
        [
            {"Name": "Dated", "StageName": "Prospecting", "CloseDate": "2027-01-31"},
            {"Name": "Undated"},
        ],
    )
    assert made.id.startswith("006")  # type: ignore[union-attr]
    assert isinstance(refused, ConnectorError) and "StageName, CloseDate" in str(refused)


def test_field_history(sf: SalesforceConnector) -> None:
    """ContactHistory gives each tracked change, oldest first, for the asked fields only."""
    made = sf.create("Contact", {"LastName": "Hist", "FirstName": "A", "Title": "CEO"})
    sf.update("Contact", made.id, {"FirstName": "B"})
    sf.update("Contact", made.id, {"FirstName": "C", "Title": "CTO"})
    history = sf.history("Contact", made.id, ["FirstName"])
    assert [(c.field, c.value) for c in history] == [("FirstName", "B"), ("FirstName", "C")]
    assert history[0].changed_at <= history[1].changed_at
    both = sf.history("Contact", made.id, ["FirstName", "Title"])
    assert ("Title", "CTO") in [(c.field, c.value) for c in both]


def test_request_limit_is_retryable(sf: SalesforceConnector, emu: EmulatorProcess) -> None:
    """REQUEST_LIMIT_EXCEEDED (403) may pass later; a 5xx too."""
    fail(
        emu,
        system="salesforce",
        method="query",
        status=403,
        error="REQUEST_LIMIT_EXCEEDED",
        count=1,
    )
    with pytest.raises(ConnectorError) as caught:
        sf.modified_since("Contact", PAST)
    assert caught.value.code == "REQUEST_LIMIT_EXCEEDED" and caught.value.retryable
    fail(emu, system="salesforce", method="retrieve", status=503, count=1)
    with pytest.raises(ConnectorError) as server:
        sf.get("Contact", "0035g0000000000003")
    assert server.value.status == 503 and server.value.retryable
    assert sf.get("Contact", "0035g0000000000003") is not None


def test_dropped_connection_is_retryable(sf: SalesforceConnector, emu: EmulatorProcess) -> None:
    """An answer cut off mid-body is a retryable connection error."""
    fail(emu, system="salesforce", method="describe", error="connection_dropped")
    with pytest.raises(ConnectorError) as caught:
        sf.fields("Account")
    assert caught.value.code == "connection" and caught.value.retryable


def test_no_token_in_errors_or_repr(emu: EmulatorProcess) -> None:
    """An invalid session fails for good; the token shows nowhere."""
    secret = "00DXX0000000001!AQ4AQFakeSessionToken"
    connector = SalesforceConnector(emu.base_url, secret)
    with pytest.raises(ConnectorError) as caught:
        connector.fields("Contact")
    err = caught.value
    assert err.code == "INVALID_SESSION_ID" and not err.retryable
    for text in (str(err), repr(err), repr(connector)):
        assert secret not in text


def test_from_env(emu: EmulatorProcess) -> None:
    """Settings come from the environment; missing ones are named."""
    reset(emu)
    env = {"SALESFORCE_INSTANCE_URL": emu.base_url, "SALESFORCE_ACCESS_TOKEN": TOKEN}
    assert len(SalesforceConnector.from_env(env).list_page("Account").records) == 2
    with pytest.raises(ConnectorError) as missing:
        SalesforceConnector.from_env({"SALESFORCE_ACCESS_TOKEN": TOKEN})
    assert "SALESFORCE_INSTANCE_URL" in str(missing.value)


def test_collection_writes_report_each_record(sf: SalesforceConnector) -> None:
    """create_many and update_many through sObject Collections: results in order, a refused
    record's error in its place, the others written and read back."""
    from attio_bridge.connectors.crm import BatchWriter

    assert isinstance(sf, BatchWriter)
    rows = [{"LastName": f"L{n}", "Email": f"l{n}@coll.io"} for n in range(210)]
    rows[5] = {"LastName": "Bad", "Nope": "x"}
    made = sf.create_many("Contact", rows)
    assert len(made) == 210
    bad = made[5]
    assert isinstance(bad, ConnectorError) and bad.code == "INVALID_FIELD"
    good = [r for r in made if not isinstance(r, ConnectorError)]
    assert [r.properties["LastName"] for r in good] == [
        r["LastName"] for n, r in enumerate(rows) if n != 5
    ]
    assert good[-1].properties["Email"] == "l209@coll.io"
    results = sf.update_many(
        "Contact", [(good[0].id, {"Title": "CEO"}), ("003000000000000AAA", {"Title": "x"})]
    )
    assert results[0] is None
    assert isinstance(results[1], ConnectorError) and results[1].status == 404
    stored = sf.get("Contact", good[0].id)
    assert stored is not None and stored.properties["Title"] == "CEO"
