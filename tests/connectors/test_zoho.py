"""ZohoConnector (httpx, REST v7) against the emulator's Zoho stand-in, as a process.

Shapes follow Zoho CRM's API v7 reference for the Services module: records under ``data`` with
``info.more_records``, 204 when a page is empty, ``If-Modified-Since`` (304 when nothing
changed), ``/Services/deleted``, ``{"code", "message", "status": "error"}`` errors and a 429
with ``Retry-After`` / ``X-RATELIMIT-RESET``. Records are changed with Zoho's own write calls
over plain HTTP: the connector is read-only.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from attio_bridge.connectors import ConnectorError, CrmConnector, ZohoConnector
from attio_bridge.testing import EmulatorProcess

from ._support import call, fail, reset

TOKEN = "1000.sandbox"
AUTH = f"Zoho-oauthtoken {TOKEN}"
PAST = datetime(2020, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorProcess]:
    """One emulator process for the module."""
    with EmulatorProcess(api_key="test-key") as process:
        yield process


@pytest.fixture
def zoho(emu: EmulatorProcess) -> Iterator[ZohoConnector]:
    """A connector for a freshly reset stand-in (seeded: 3 Services)."""
    reset(emu)
    connector = ZohoConnector(TOKEN, base_url=emu.base_url)
    yield connector
    connector.close()


def write(emu: EmulatorProcess, method: str, path: str, body: Any = None) -> Any:
    """A Zoho write over plain HTTP; the answer's first result."""
    status, answer = call(
        f"{emu.base_url}/crm/v7/Services{path}", body, method=method, authorization=AUTH
    )
    assert status in (200, 201), answer
    return answer["data"][0]


def test_is_a_crm_connector(zoho: ZohoConnector) -> None:
    """It follows the protocol; fields come from settings/fields."""
    assert isinstance(zoho, CrmConnector)
    assert zoho.objects() == ["Services"]
    assert zoho.fields("Services")["Service_Name"] == "text"


def test_list_pages(zoho: ZohoConnector) -> None:
    """Pages of 2 cover the 3 seeded Services once, with every field."""
    first = zoho.list_page("Services", limit=2)
    assert len(first.records) == 2 and first.next_cursor is not None
    second = zoho.list_page("Services", first.next_cursor)
    assert len(second.records) == 1 and second.next_cursor is None
    names = {r.properties["Service_Name"] for r in first.records + second.records}
    assert names == {"Onboarding", "Premium support", "Data migration"}
    with pytest.raises(ConnectorError) as bad:
        zoho.list_page("Services", "later")
    assert bad.value.code == "invalid_cursor"


def test_modified_since_uses_if_modified_since(zoho: ZohoConnector, emu: EmulatorProcess) -> None:
    """Only Services changed at or after ``since``; nothing (304) is an empty last page."""
    assert zoho.modified_since("Services", datetime.now(UTC) + timedelta(days=1)).records == []
    time.sleep(1.05)  # Zoho's times are whole seconds: the change lands in a later one
    since = datetime.now(UTC)
    target = zoho.list_page("Services").records[0]
    write(emu, "PUT", f"/{target.id}", {"data": [{"Price": 1800.0}]})
    page = zoho.modified_since("Services", since)
    assert [r.id for r in page.records] == [target.id]
    assert page.records[0].properties["Price"] == 1800.0
    assert len(zoho.modified_since("Services", PAST).records) == 3


def test_deleted_since_and_get(zoho: ZohoConnector, emu: EmulatorProcess) -> None:
    """A deleted Service is listed by /deleted and no longer read."""
    made = write(emu, "POST", "", {"data": [{"Service_Name": "Audit", "Price": 900.0}]})
    service_id = made["details"]["id"]
    found = zoho.get("Services", service_id)
    assert found is not None and found.properties["Service_Name"] == "Audit"
    before = datetime.now(UTC) - timedelta(seconds=5)
    write(emu, "DELETE", f"/{service_id}")
    assert zoho.deleted_since("Services", before) == [service_id]
    assert zoho.deleted_since("Services", datetime.now(UTC) + timedelta(minutes=1)) == []
    assert zoho.get("Services", service_id) is None


def test_writes_are_refused_one_way_into_attio(zoho: ZohoConnector) -> None:
    """create/update/delete raise read_only; history is empty."""
    for attempt in (
        lambda: zoho.create("Services", {"Service_Name": "X"}),
        lambda: zoho.update("Services", "1", {"Price": 1}),
        lambda: zoho.delete("Services", "1"),
    ):
        with pytest.raises(ConnectorError) as caught:
            attempt()
        assert caught.value.code == "read_only" and "one way, into Attio" in str(caught.value)
    assert zoho.history("Services", "1", ["Price"]) == []


def test_rate_limit_carries_retry_after(zoho: ZohoConnector, emu: EmulatorProcess) -> None:
    """A 429 is retryable with Zoho's Retry-After as the wait."""
    fail(emu, system="zoho", method="list", status=429, error="TOO_MANY_REQUESTS", count=1)
    with pytest.raises(ConnectorError) as caught:
        zoho.list_page("Services")
    err = caught.value
    assert err.retryable and err.code == "TOO_MANY_REQUESTS" and err.retry_after == 1.0


def test_server_error_and_dropped_connection(zoho: ZohoConnector, emu: EmulatorProcess) -> None:
    """A 5xx and a cut-off answer are retryable."""
    fail(emu, system="zoho", method="get", status=500, count=1)
    with pytest.raises(ConnectorError) as caught:
        zoho.get("Services", "5725767000000000001")
    assert caught.value.status == 500 and caught.value.retryable
    fail(emu, system="zoho", method="deleted", error="connection_dropped")
    with pytest.raises(ConnectorError) as dropped:
        zoho.deleted_since("Services", PAST)
    assert dropped.value.code == "connection" and dropped.value.retryable


def test_no_token_in_errors_or_repr(emu: EmulatorProcess) -> None:
    """A refused token fails for good; the token shows nowhere."""
    secret = "1000.0123456789abcdef.fedcba9876543210"
    connector = ZohoConnector(secret, base_url=emu.base_url)
    with pytest.raises(ConnectorError) as caught:
        connector.fields("Services")
    err = caught.value
    assert err.code == "INVALID_TOKEN" and not err.retryable
    for text in (str(err), repr(err), repr(connector)):
        assert secret not in text
    connector.close()


def test_from_env(emu: EmulatorProcess) -> None:
    """Settings come from the environment; a missing token is named."""
    reset(emu)
    env = {"ZOHO_ACCESS_TOKEN": TOKEN, "ZOHO_API_URL": emu.base_url}
    connector = ZohoConnector.from_env(env)
    assert len(connector.list_page("Services").records) == 3
    connector.close()
    with pytest.raises(ConnectorError) as missing:
        ZohoConnector.from_env({})
    assert "ZOHO_ACCESS_TOKEN" in str(missing.value)
