"""HubSpotConnector (hubspot-api-client) against the emulator's HubSpot stand-in, as a process.

The SDK speaks urllib3, so the stand-in runs in a real emulator process. Shapes follow HubSpot's
CRM API v3 reference (objects, search with its 10,000-result cap, ``archived=true`` listing,
``propertiesWithHistory``) and its API usage guide (429 with ``policyName`` and the
``X-HubSpot-RateLimit-*`` headers). Effects are read back with plain HTTP calls.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from attio_bridge.connectors import ConnectorError, CrmConnector, HubSpotConnector
from attio_bridge.testing import EmulatorProcess

from ._support import call, fail, reset

TOKEN = "pat-sandbox"
PAST = datetime(2020, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorProcess]:
    """One emulator process for the module."""
    with EmulatorProcess(api_key="test-key") as process:
        yield process


@pytest.fixture
def hubspot(emu: EmulatorProcess) -> HubSpotConnector:
    """A connector for a freshly reset stand-in (seeded: 3 contacts, 2 companies, 2 deals)."""
    reset(emu)
    return HubSpotConnector(TOKEN, base_url=emu.base_url)


def test_is_a_crm_connector(hubspot: HubSpotConnector) -> None:
    """It follows the protocol the sync engine codes against."""
    assert isinstance(hubspot, CrmConnector)
    assert hubspot.objects() == ["contacts", "companies", "deals"]
    assert hubspot.fields("contacts")["email"] == "string"
    assert hubspot.fields("deals")["amount"] == "number"


def test_list_pages_follow_after_cursors(hubspot: HubSpotConnector) -> None:
    """Pages of 2 cover every contact once, with every property, and end with no cursor."""
    hubspot.create("contacts", {"email": "new@example.com", "firstname": "New"})
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = hubspot.list_page("contacts", cursor, limit=2)
        pages += 1
        assert len(page.records) <= 2
        seen += [r.id for r in page.records]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages == 2
    assert len(seen) == len(set(seen)) == 4
    ada = hubspot.get("contacts", seen[0])
    assert ada is not None and ada.properties["email"] == "ada@acme.example"
    assert ada.properties["lastname"] == "Lovelace"


def test_modified_since_returns_newer_records_oldest_first(
    hubspot: HubSpotConnector, emu: EmulatorProcess
) -> None:
    """Only records modified at or after ``since`` come back, sorted by modification time."""
    first = hubspot.list_page("companies").records[0]
    time.sleep(0.005)  # a later millisecond than the seeds
    changed = hubspot.update("companies", first.id, {"city": "Paris"})
    page = hubspot.modified_since("companies", changed.modified_at)
    assert [r.id for r in page.records] == [first.id]
    assert page.records[0].properties["city"] == "Paris"
    assert page.next_cursor is None
    everything = hubspot.modified_since("companies", PAST).records
    assert len(everything) == 2
    assert everything[-1].id == first.id
    stamps = [r.modified_at for r in everything]
    assert stamps == sorted(stamps)


def test_search_cap_moves_the_since_time(emu: EmulatorProcess) -> None:
    """Past the search cap the cursor restarts the search from the last time seen."""
    reset(emu)
    capped = HubSpotConnector(TOKEN, base_url=emu.base_url, search_cap=4, search_page=2)
    made = []
    for n in range(7):
        time.sleep(0.003)  # distinct milliseconds, as real edits are
        made.append(capped.create("deals", {"dealname": f"Deal {n}"}).id)
    since = datetime.now(UTC) - timedelta(hours=1)
    seen: list[str] = []
    cursors: list[str] = []
    cursor: str | None = None
    while True:
        page = capped.modified_since("deals", since, cursor)
        seen += [r.id for r in page.records]
        if page.next_cursor is None:
            break
        cursors.append(page.next_cursor)
        cursor = page.next_cursor
    assert set(made) <= set(seen)
    # After two pages of 2 (the cap of 4) the search started again at offset 0.
    assert any(c.endswith(":0") for c in cursors)


def test_deleted_since_lists_archived_ids(hubspot: HubSpotConnector) -> None:
    """An archived record is listed from before its deletion, not after; get returns None."""
    record = hubspot.create("contacts", {"email": "gone@example.com"})
    before = datetime.now(UTC) - timedelta(seconds=5)
    hubspot.delete("contacts", record.id)
    assert hubspot.deleted_since("contacts", before) == [record.id]
    assert hubspot.deleted_since("contacts", datetime.now(UTC) + timedelta(minutes=1)) == []
    assert hubspot.get("contacts", record.id) is None
    hubspot.delete("contacts", record.id)  # already gone: not an error
    assert record.id not in [r.id for r in hubspot.list_page("contacts").records]


def test_create_update_read_back(hubspot: HubSpotConnector, emu: EmulatorProcess) -> None:
    """Writes land in HubSpot (read back over plain HTTP) and return the stored record."""
    made = hubspot.create("contacts", {"email": "x@example.com", "firstname": "X"})
    assert made.properties["email"] == "x@example.com" and not made.archived
    status, stored = call(
        f"{emu.base_url}/crm/v3/objects/contacts/{made.id}?properties=email,firstname",
        token=TOKEN,
    )
    assert status == 200 and stored["properties"]["firstname"] == "X"
    updated = hubspot.update("contacts", made.id, {"firstname": "Y"})
    assert updated.properties["firstname"] == "Y"
    assert updated.modified_at >= made.modified_at
    _, stored = call(
        f"{emu.base_url}/crm/v3/objects/contacts/{made.id}?properties=firstname", token=TOKEN
    )
    assert stored["properties"]["firstname"] == "Y"


def test_unknown_property_is_refused(hubspot: HubSpotConnector) -> None:
    """HubSpot's validation error becomes a non-retryable ConnectorError."""
    with pytest.raises(ConnectorError) as caught:
        hubspot.create("contacts", {"shoe_size": "42"})
    assert caught.value.status == 400 and not caught.value.retryable
    assert caught.value.code == "VALIDATION_ERROR"


def test_history_lists_each_value(hubspot: HubSpotConnector) -> None:
    """propertiesWithHistory gives every value, oldest first."""
    made = hubspot.create("contacts", {"firstname": "A", "email": "h@example.com"})
    hubspot.update("contacts", made.id, {"firstname": "B"})
    hubspot.update("contacts", made.id, {"firstname": "C"})
    history = hubspot.history("contacts", made.id, ["firstname"])
    assert [c.value for c in history] == ["A", "B", "C"]
    assert all(c.field == "firstname" for c in history)
    assert [c.changed_at for c in history] == sorted(c.changed_at for c in history)
    assert hubspot.history("contacts", made.id, []) == []


def test_rate_limit_is_retryable_with_the_window(
    hubspot: HubSpotConnector, emu: EmulatorProcess
) -> None:
    """A 429 carries the rate-limit window HubSpot named as the wait."""
    fail(emu, system="hubspot", method="objects.search", status=429, count=1)
    with pytest.raises(ConnectorError) as caught:
        hubspot.modified_since("contacts", PAST)
    err = caught.value
    assert err.status == 429 and err.retryable and err.code == "RATE_LIMIT"
    assert err.retry_after == 1.0
    assert len(hubspot.modified_since("contacts", PAST).records) == 3  # the next call passes


def test_server_error_and_dropped_connection_are_retryable(
    hubspot: HubSpotConnector, emu: EmulatorProcess
) -> None:
    """A 5xx and a connection cut off mid-answer are both worth another try."""
    fail(emu, system="hubspot", method="objects.get", status=503, count=1)
    with pytest.raises(ConnectorError) as caught:
        hubspot.get("contacts", "1003")
    assert caught.value.status == 503 and caught.value.retryable
    fail(emu, system="hubspot", method="objects.list", error="connection_dropped")
    with pytest.raises(ConnectorError) as dropped:
        hubspot.list_page("contacts")
    assert dropped.value.code == "connection" and dropped.value.retryable


def test_no_token_in_errors_or_repr(emu: EmulatorProcess) -> None:
    """A refused token fails for good, and the token shows nowhere."""
    secret = "pat-na1-not-a-real-token-1234"
    connector = HubSpotConnector(secret, base_url=emu.base_url)
    with pytest.raises(ConnectorError) as caught:
        connector.list_page("contacts")
    err = caught.value
    assert err.status == 401 and not err.retryable
    assert "HUBSPOT_ACCESS_TOKEN" in str(err)
    for text in (str(err), repr(err), repr(connector)):
        assert secret not in text


def test_from_env_and_configuration_errors(emu: EmulatorProcess) -> None:
    """Settings come from the environment; a missing token or object is named."""
    env = {"HUBSPOT_ACCESS_TOKEN": TOKEN, "HUBSPOT_API_URL": emu.base_url}
    reset(emu)
    assert len(HubSpotConnector.from_env(env).list_page("deals").records) == 2
    with pytest.raises(ConnectorError) as missing:
        HubSpotConnector.from_env({})
    assert missing.value.code == "not_configured"
    with pytest.raises(ConnectorError) as unknown:
        HubSpotConnector.from_env(env).list_page("tickets")
    assert unknown.value.code == "unknown_object"


def test_chosen_properties_only(emu: EmulatorProcess) -> None:
    """``properties`` narrows what is read; the modification time always comes along."""
    reset(emu)
    narrow = HubSpotConnector(TOKEN, base_url=emu.base_url, properties={"contacts": ["email"]})
    record = narrow.list_page("contacts").records[0]
    assert set(record.properties) == {"email", "hs_lastmodifieddate"}
    assert set(narrow.list_page("deals").records[0].properties) >= {"dealname", "amount"}


def test_batch_writes_report_each_input(hubspot: HubSpotConnector) -> None:
    """create_many and update_many: results in the inputs' order, a refused input's error in
    its place, the others written (HubSpot's batch endpoints, multi-status)."""
    from attio_bridge.connectors.crm import BatchWriter

    assert isinstance(hubspot, BatchWriter)
    rows = [{"email": f"b{n}@batch.io", "firstname": f"B{n}"} for n in range(150)]
    rows[120] = {"email": "bad@batch.io", "nope": "1"}
    made = hubspot.create_many("contacts", rows)
    assert len(made) == 150
    bad = made[120]
    assert isinstance(bad, ConnectorError) and bad.status == 400
    good = [r for r in made if not isinstance(r, ConnectorError)]
    assert [r.properties["email"] for r in good] == [
        r["email"] for n, r in enumerate(rows) if n != 120
    ]
    stored = hubspot.get("contacts", good[130].id)
    assert stored is not None and stored.properties["firstname"] == rows[131]["firstname"]
    changes = [(r.id, {"jobtitle": f"T{r.id}"}) for r in good[:3]] + [("999999", {"jobtitle": "x"})]
    results = hubspot.update_many("contacts", changes)
    assert results[:3] == [None, None, None]
    missing = results[3]
    assert isinstance(missing, ConnectorError) and missing.status == 404
    again = hubspot.get("contacts", good[1].id)
    assert again is not None and again.properties["jobtitle"] == f"T{good[1].id}"


def test_calls_are_paced_at_the_rate_given(emu: EmulatorProcess) -> None:
    """With a pace of 2 calls per second, the stand-in never receives a third call within a
    second of the first of two before it: the limiter holds calls back (no 429 needed)."""
    reset(emu)
    call(f"{emu.base_url}/_emulator/journal", method="DELETE")
    paced = HubSpotConnector(TOKEN, base_url=emu.base_url, rate=(2, 1.0))
    for _ in range(5):
        paced.list_page("contacts")
    _, journal = call(f"{emu.base_url}/_emulator/journal")
    arrived = sorted(e["at"] for e in journal if e["path"].startswith("/crm/v3/objects/contacts"))
    assert len(arrived) == 5 and all(e["status"] == 200 for e in journal)
    # Any 3 consecutive arrivals span at least the window (less the clock's and the network's
    # jitter): never 3 in one second.
    assert min(arrived[i + 2] - arrived[i] for i in range(3)) >= 0.9
