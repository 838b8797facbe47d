"""The HubSpot, Salesforce and Zoho stand-ins, in-process, against the real APIs' documented shapes.

Sources: HubSpot's CRM API v3 reference (objects, search: "limited to 10,000 total results",
``archived=true``, ``propertiesWithHistory``) and API usage guide (a 429 with ``errorType:
RATE_LIMIT``, ``policyName`` and ``X-HubSpot-RateLimit-*``; private apps 100 requests per 10 s);
Salesforce's REST API Developer Guide (errors ``[{"message", "errorCode"}]``,
``MALFORMED_QUERY``, ``INVALID_SESSION_ID``, ``REQUEST_LIMIT_EXCEEDED`` as 403, query
``nextRecordsUrl``, ``deleted``/``updated`` resources); Zoho CRM's API v7 reference (``data``
and ``info``, 204 for an empty page, ``REQUIRED_PARAM_MISSING`` without ``fields``, 304 for
``If-Modified-Since`` with no change, ``TOO_MANY_REQUESTS`` with ``X-RATELIMIT-*``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from attio_bridge.emulator import EmulatorConfig, create_app
from attio_bridge.emulator.http import ConnectionDropped
from attio_bridge.webhooks import SignatureError, verify_hubspot

from .receiver import Receiver

HS = {"Authorization": "Bearer pat-sandbox"}
SF = {"Authorization": "Bearer 00Dsandbox!session"}
ZO = {"Authorization": "Zoho-oauthtoken 1000.sandbox"}
SF_BASE = "/services/data/v59.0"


@contextmanager
def emulator(
    database: Path | None = None, rates: dict[str, tuple[int, float]] | None = None
) -> Iterator[TestClient]:
    """An in-process emulator (kept in ``database`` if given; CRM rate limits if given)."""
    config = EmulatorConfig(
        read_rate=0,
        write_rate=0,
        database=str(database) if database else None,
        crm_rate_limits=rates or {},
    )
    app = create_app(config)
    try:
        with TestClient(app, base_url="http://emulator.test") as http:
            yield http
    finally:
        app.state.deliveries.close()
        if app.state.persistence is not None:
            app.state.persistence.close()


@pytest.fixture
def http() -> Iterator[TestClient]:
    """A fresh in-process emulator."""
    with emulator() as client:
        yield client


# -- HubSpot ------------------------------------------------------------------------------------


def test_hubspot_seeds_and_object_shape(http: TestClient) -> None:
    r = http.get("/crm/v3/objects/contacts", headers=HS)
    assert r.status_code == 200
    body = r.json()
    assert len(body["results"]) == 3 and "paging" not in body
    first = body["results"][0]
    assert set(first) == {"id", "properties", "createdAt", "updatedAt", "archived"}
    assert first["properties"]["hs_object_id"] == first["id"]
    assert first["properties"]["email"] == "ada@acme.example"
    assert first["updatedAt"].endswith("Z")


def test_hubspot_create_then_archived_listing(http: TestClient) -> None:
    made = http.post("/crm/v3/objects/deals", headers=HS, json={"properties": {"dealname": "D"}})
    assert made.status_code == 201
    deal_id = made.json()["id"]
    assert http.delete(f"/crm/v3/objects/deals/{deal_id}", headers=HS).status_code == 204
    assert http.get(f"/crm/v3/objects/deals/{deal_id}", headers=HS).status_code == 404
    archived = http.get("/crm/v3/objects/deals?archived=true", headers=HS).json()["results"]
    assert [(a["id"], a["archived"]) for a in archived] == [(deal_id, True)]
    assert "archivedAt" in archived[0]


def test_hubspot_errors_have_hubspots_body(http: TestClient) -> None:
    missing = http.get("/crm/v3/objects/contacts/999999", headers=HS)
    assert missing.status_code == 404
    assert missing.json()["status"] == "error"
    assert missing.json()["category"] == "OBJECT_NOT_FOUND"
    assert "correlationId" in missing.json()
    bad = http.post("/crm/v3/objects/contacts", headers=HS, json={"properties": {"nope": "1"}})
    assert bad.status_code == 400 and bad.json()["category"] == "VALIDATION_ERROR"
    refused = http.get("/crm/v3/objects/contacts", headers={"Authorization": "Bearer wrong"})
    assert refused.status_code == 401
    assert refused.json()["category"] == "INVALID_AUTHENTICATION"


def test_hubspot_search_filters_sorts_and_caps(http: TestClient) -> None:
    body: dict[str, Any] = {
        "filterGroups": [
            {"filters": [{"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": "0"}]}
        ],
        "sorts": [{"propertyName": "hs_lastmodifieddate", "direction": "DESCENDING"}],
        "limit": 2,
        "properties": ["email"],
    }
    r = http.post("/crm/v3/objects/contacts/search", headers=HS, json=body).json()
    assert r["total"] == 3 and len(r["results"]) == 2 and r["paging"]["next"]["after"] == "2"
    assert set(r["results"][0]["properties"]) == {"email"}
    future = {
        **body,
        "filterGroups": [
            {"filters": [{**body["filterGroups"][0]["filters"][0], "value": "99999999999999"}]}
        ],
    }
    assert (
        http.post("/crm/v3/objects/contacts/search", headers=HS, json=future).json()["total"] == 0
    )
    capped = http.post(
        "/crm/v3/objects/contacts/search", headers=HS, json={**body, "after": "9999"}
    )
    assert capped.status_code == 400
    assert "10000" in capped.json()["message"]


def test_hubspot_history_newest_first(http: TestClient) -> None:
    made = http.post(
        "/crm/v3/objects/contacts", headers=HS, json={"properties": {"firstname": "A"}}
    )
    contact_id = made.json()["id"]
    http.patch(
        f"/crm/v3/objects/contacts/{contact_id}",
        headers=HS,
        json={"properties": {"firstname": "B"}},
    )
    r = http.get(
        f"/crm/v3/objects/contacts/{contact_id}?propertiesWithHistory=firstname", headers=HS
    ).json()
    values = [v["value"] for v in r["propertiesWithHistory"]["firstname"]]
    assert values == ["B", "A"]
    assert r["updatedAt"] >= r["createdAt"]


def test_hubspot_rate_limit_answers_429_with_policy() -> None:
    with emulator(rates={"hubspot": (2, 10.0)}) as http:
        assert http.get("/crm/v3/objects/contacts", headers=HS).status_code == 200
        assert http.get("/crm/v3/objects/contacts", headers=HS).status_code == 200
        limited = http.get("/crm/v3/objects/contacts", headers=HS)
    assert limited.status_code == 429
    assert limited.json()["errorType"] == "RATE_LIMIT"
    assert limited.json()["policyName"] == "TEN_SECONDLY_ROLLING"
    assert limited.headers["X-HubSpot-RateLimit-Remaining"] == "0"
    assert 0 < int(limited.headers["X-HubSpot-RateLimit-Interval-Milliseconds"]) <= 10_000


def test_hubspot_batch_create_update_read_with_errors_per_input(http: TestClient) -> None:
    """Batch endpoints: 201/200 when every input went through, 207 with ``numErrors`` and one
    error per failed input (named by its trace id, or its id) while the others are written."""
    base = "/crm/v3/objects/contacts/batch"
    made = http.post(
        f"{base}/create",
        headers=HS,
        json={
            "inputs": [
                {"properties": {"email": "b1@x.io"}, "objectWriteTraceId": "a"},
                {"properties": {"nope": "1"}, "objectWriteTraceId": "b"},
                {"properties": {"email": "b3@x.io"}, "objectWriteTraceId": "c"},
            ]
        },
    )
    assert made.status_code == 207
    body = made.json()
    assert body["status"] == "COMPLETE" and body["numErrors"] == 1
    assert [r["objectWriteTraceId"] for r in body["results"]] == ["a", "c"]
    assert body["errors"][0]["context"] == {"objectWriteTraceId": ["b"]}
    assert body["errors"][0]["category"] == "VALIDATION_ERROR"
    ids = [r["id"] for r in body["results"]]
    clean = http.post(
        f"{base}/create", headers=HS, json={"inputs": [{"properties": {"email": "b4@x.io"}}]}
    )
    assert clean.status_code == 201 and "errors" not in clean.json()
    updated = http.post(
        f"{base}/update",
        headers=HS,
        json={
            "inputs": [
                {"id": ids[0], "properties": {"jobtitle": "CTO"}},
                {"id": "999999", "properties": {"jobtitle": "x"}},
            ]
        },
    )
    assert updated.status_code == 207
    assert updated.json()["errors"][0]["context"] == {"ids": ["999999"]}
    assert updated.json()["errors"][0]["category"] == "OBJECT_NOT_FOUND"
    read = http.post(
        f"{base}/read",
        headers=HS,
        json={"inputs": [{"id": ids[0]}, {"id": ids[1]}], "properties": ["jobtitle", "email"]},
    )
    assert read.status_code == 200
    assert [r["properties"]["email"] for r in read.json()["results"]] == ["b1@x.io", "b3@x.io"]
    assert read.json()["results"][0]["properties"]["jobtitle"] == "CTO"
    too_many = {"inputs": [{"properties": {"email": f"{n}@x.io"}} for n in range(101)]}
    assert http.post(f"{base}/create", headers=HS, json=too_many).status_code == 400


def test_hubspot_batch_is_one_request_against_the_limit() -> None:
    with emulator(rates={"hubspot": (1, 10.0)}) as http:
        rows = {"inputs": [{"properties": {"email": f"{n}@x.io"}} for n in range(100)]}
        ok = http.post("/crm/v3/objects/contacts/batch/create", headers=HS, json=rows)
        limited = http.post("/crm/v3/objects/contacts/batch/create", headers=HS, json=rows)
    assert ok.status_code == 201 and len(ok.json()["results"]) == 100
    assert limited.status_code == 429


def test_injected_crm_failures_ask_their_wait_and_may_land_the_write(http: TestClient) -> None:
    """A 429 rule asks for its ``seconds`` in HubSpot's header; ``slow`` and
    ``connection_dropped_after`` make the call (the write lands) before answering late or not
    at all."""
    fail = {"system": "hubspot", "method": "objects.create", "count": 1}
    http.post("/_emulator/standins/fail", json=fail | {"status": 429, "seconds": 0.25})
    limited = http.post("/crm/v3/objects/contacts", headers=HS, json={"properties": {}})
    assert limited.status_code == 429
    assert limited.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "250"
    http.post("/_emulator/standins/fail", json=fail | {"error": "slow", "seconds": 0.05})
    late = http.post(
        "/crm/v3/objects/contacts", headers=HS, json={"properties": {"email": "late@x.io"}}
    )
    assert late.status_code == 201
    http.post("/_emulator/standins/fail", json=fail | {"error": "connection_dropped_after"})
    with pytest.raises(ConnectionDropped):
        http.post(
            "/crm/v3/objects/contacts", headers=HS, json={"properties": {"email": "lost@x.io"}}
        )
    listed = http.get("/crm/v3/objects/contacts?limit=100", headers=HS).json()["results"]
    emails = {r["properties"]["email"] for r in listed}
    assert {"late@x.io", "lost@x.io"} <= emails


def test_crm_writes_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "emulator.sqlite3"
    with emulator(db) as http:
        made = http.post(
            "/crm/v3/objects/companies", headers=HS, json={"properties": {"name": "Kept"}}
        ).json()
        http.patch(
            f"/crm/v3/objects/companies/{made['id']}",
            headers=HS,
            json={"properties": {"name": "Kept Inc"}},
        )
        sf = http.post(f"{SF_BASE}/sobjects/Account/", headers=SF, json={"Name": "Kept SF"}).json()
        zo = http.post("/crm/v7/Services", headers=ZO, json={"data": [{"Service_Name": "Kept"}]})
        zoho_id = zo.json()["data"][0]["details"]["id"]
        before = http.get(f"/crm/v3/objects/companies/{made['id']}", headers=HS).json()
    with emulator(db) as http:
        after = http.get(f"/crm/v3/objects/companies/{made['id']}", headers=HS).json()
        account = http.get(f"{SF_BASE}/sobjects/Account/{sf['id']}", headers=SF)
        service = http.get(f"/crm/v7/Services/{zoho_id}", headers=ZO)
    assert after == before and after["properties"]["name"] == "Kept Inc"
    assert account.status_code == 200 and account.json()["Name"] == "Kept SF"
    assert service.json()["data"][0]["Service_Name"] == "Kept"


def test_reset_reseeds_the_crms(http: TestClient) -> None:
    http.post("/crm/v3/objects/contacts", headers=HS, json={"properties": {"email": "a@b.c"}})
    assert http.post("/_emulator/reset").status_code == 200
    assert len(http.get("/crm/v3/objects/contacts", headers=HS).json()["results"]) == 3


# -- Salesforce ---------------------------------------------------------------------------------


def test_salesforce_query_pages_with_next_records_url(http: TestClient) -> None:
    q = {"q": "SELECT Id, Name FROM Account ORDER BY Name ASC"}
    first = http.get(
        f"{SF_BASE}/query/", params=q, headers={**SF, "Sforce-Query-Options": "batchSize=1"}
    ).json()
    assert first["totalSize"] == 2 and first["done"] is False
    assert first["records"][0]["attributes"]["type"] == "Account"
    assert first["records"][0]["Name"] == "Initech"
    rest = http.get(first["nextRecordsUrl"], headers=SF).json()
    assert rest["done"] is True and rest["records"][0]["Name"] == "Umbrella"
    again = http.get(first["nextRecordsUrl"], headers=SF)
    assert again.status_code == 400 and again.json()[0]["errorCode"] == "INVALID_QUERY_LOCATOR"


def test_salesforce_query_errors(http: TestClient) -> None:
    bad = http.get(f"{SF_BASE}/query/", params={"q": "SELECT FROM"}, headers=SF)
    assert bad.status_code == 400 and bad.json()[0]["errorCode"] == "MALFORMED_QUERY"
    field = http.get(f"{SF_BASE}/query/", params={"q": "SELECT Shoe FROM Contact"}, headers=SF)
    assert field.json()[0]["errorCode"] == "INVALID_FIELD"
    kind = http.get(f"{SF_BASE}/query/", params={"q": "SELECT Id FROM Lead"}, headers=SF)
    assert kind.json()[0]["errorCode"] == "INVALID_TYPE"
    session = http.get(f"{SF_BASE}/query/", params={"q": "SELECT Id FROM Contact"})
    assert session.status_code == 401 and session.json()[0]["errorCode"] == "INVALID_SESSION_ID"


def test_salesforce_deleted_resource_window(http: TestClient) -> None:
    made = http.post(f"{SF_BASE}/sobjects/Contact/", headers=SF, json={"LastName": "X"}).json()
    assert made["success"] is True and made["id"].startswith("003")
    assert http.delete(f"{SF_BASE}/sobjects/Contact/{made['id']}", headers=SF).status_code == 204
    window = {"start": "2020-01-01T00:00:00+00:00", "end": "2100-01-01T00:00:00+00:00"}
    gone = http.get(f"{SF_BASE}/sobjects/Contact/deleted/", params=window, headers=SF).json()
    assert [d["id"] for d in gone["deletedRecords"]] == [made["id"]]
    assert {"earliestDateAvailable", "latestDateCovered"} <= set(gone)
    early = {"start": "2020-01-01T00:00:00+00:00", "end": "2020-01-02T00:00:00+00:00"}
    none = http.get(f"{SF_BASE}/sobjects/Contact/deleted/", params=early, headers=SF).json()
    assert none["deletedRecords"] == []


def test_salesforce_request_limit_is_403() -> None:
    with emulator(rates={"salesforce": (1, 86400.0)}) as http:
        ok = http.get(f"{SF_BASE}/sobjects/Contact/describe/", headers=SF)
        limited = http.get(f"{SF_BASE}/sobjects/Contact/describe/", headers=SF)
    assert ok.status_code == 200 and ok.json()["name"] == "Contact"
    assert limited.status_code == 403
    assert limited.json()[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"


def test_salesforce_collections_create_and_update_with_save_results(http: TestClient) -> None:
    """sObject Collections: one SaveResult per record in order; allOrNone false keeps the good
    ones; allOrNone true writes nothing when one fails."""
    made = http.post(
        f"{SF_BASE}/composite/sobjects",
        headers=SF,
        json={
            "allOrNone": False,
            "records": [
                {"attributes": {"type": "Account"}, "Name": "One"},
                {"attributes": {"type": "Account"}, "Nope": "x"},
                {"attributes": {"type": "Account"}, "Name": "Three"},
            ],
        },
    )
    assert made.status_code == 200
    results = made.json()
    assert [r["success"] for r in results] == [True, False, True]
    assert results[1]["errors"][0]["statusCode"] == "INVALID_FIELD"
    assert set(results[0]) == {"id", "success", "errors"}
    one = http.get(f"{SF_BASE}/sobjects/Account/{results[0]['id']}", headers=SF).json()
    assert one["Name"] == "One"
    changed = http.patch(
        f"{SF_BASE}/composite/sobjects",
        headers=SF,
        json={
            "records": [
                {"attributes": {"type": "Account"}, "Id": results[2]["id"], "Name": "3"},
                {"attributes": {"type": "Account"}, "Id": "001000000000000AAA", "Name": "x"},
            ]
        },
    ).json()
    assert [r["success"] for r in changed] == [True, False]
    assert changed[1]["errors"][0]["statusCode"] == "INVALID_CROSS_REFERENCE_KEY"
    three = http.get(f"{SF_BASE}/sobjects/Account/{results[2]['id']}", headers=SF).json()
    assert three["Name"] == "3"
    rolled = http.post(
        f"{SF_BASE}/composite/sobjects",
        headers=SF,
        json={
            "allOrNone": True,
            "records": [
                {"attributes": {"type": "Account"}, "Name": "Kept?"},
                {"attributes": {"type": "Account"}, "Nope": "x"},
            ],
        },
    ).json()
    assert [r["success"] for r in rolled] == [False, False]
    assert rolled[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    names = http.get(f"{SF_BASE}/query/?q=SELECT Id, Name FROM Account", headers=SF).json()
    assert "Kept?" not in [r["Name"] for r in names["records"]]
    too_many = [{"attributes": {"type": "Account"}, "Name": str(n)} for n in range(201)]
    refused = http.post(f"{SF_BASE}/composite/sobjects", headers=SF, json={"records": too_many})
    assert refused.status_code == 400


def test_salesforce_collection_is_one_request_against_the_limit() -> None:
    with emulator(rates={"salesforce": (1, 86400.0)}) as http:
        rows = [{"attributes": {"type": "Contact"}, "LastName": f"L{n}"} for n in range(150)]
        ok = http.post(f"{SF_BASE}/composite/sobjects", headers=SF, json={"records": rows})
        limited = http.post(f"{SF_BASE}/composite/sobjects", headers=SF, json={"records": rows})
    assert ok.status_code == 200 and all(r["success"] for r in ok.json())
    assert limited.status_code == 403


# -- Zoho ---------------------------------------------------------------------------------------


def test_zoho_list_shape_and_required_fields(http: TestClient) -> None:
    r = http.get("/crm/v7/Services?fields=Service_Name&per_page=2", headers=ZO).json()
    assert len(r["data"]) == 2 and r["info"]["more_records"] is True
    assert set(r["data"][0]) == {"id", "Service_Name"}
    assert http.get("/crm/v7/Services?fields=Service_Name&page=9", headers=ZO).status_code == 204
    missing = http.get("/crm/v7/Services", headers=ZO)
    assert missing.status_code == 400 and missing.json()["code"] == "REQUIRED_PARAM_MISSING"
    other = http.get("/crm/v7/Leads?fields=Last_Name", headers=ZO)
    assert other.json()["code"] == "INVALID_MODULE"
    refused = http.get("/crm/v7/Services?fields=id", headers={"Authorization": "Bearer x"})
    assert refused.status_code == 401 and refused.json()["code"] == "INVALID_TOKEN"


def test_zoho_if_modified_since_and_deleted(http: TestClient) -> None:
    later = {**ZO, "If-Modified-Since": "2100-01-01T00:00:00+00:00"}
    assert http.get("/crm/v7/Services?fields=id", headers=later).status_code == 304
    first = http.get("/crm/v7/Services?fields=id", headers=ZO).json()["data"][0]["id"]
    assert http.delete(f"/crm/v7/Services/{first}", headers=ZO).json()["data"][0]["code"] == (
        "SUCCESS"
    )
    gone = http.get("/crm/v7/Services/deleted", headers=ZO).json()["data"]
    assert [(g["id"], g["type"]) for g in gone] == [(first, "recycle")]
    assert http.get(f"/crm/v7/Services/{first}", headers=ZO).status_code == 204


def test_zoho_rate_limit_headers() -> None:
    with emulator(rates={"zoho": (1, 60.0)}) as http:
        http.get("/crm/v7/Services?fields=id", headers=ZO)
        limited = http.get("/crm/v7/Services?fields=id", headers=ZO)
    assert limited.status_code == 429 and limited.json()["code"] == "TOO_MANY_REQUESTS"
    assert {"x-ratelimit-reset", "retry-after"} <= set(limited.headers)


# -- HubSpot's webhooks -------------------------------------------------------------------------


def test_hubspot_sends_signed_webhooks_for_each_write() -> None:
    """Create, property change and archive each POST HubSpot's v3-signed event array."""
    receiver = Receiver()
    secret = "hubspot-app-secret"
    target = receiver.url
    config = EmulatorConfig(
        read_rate=0, write_rate=0, hubspot_webhook_url=target, hubspot_client_secret=secret
    )
    app = create_app(config)
    try:
        with TestClient(app, base_url="http://emulator.test") as http:
            made = http.post(
                "/crm/v3/objects/contacts", headers=HS, json={"properties": {"firstname": "W"}}
            ).json()
            http.patch(
                f"/crm/v3/objects/contacts/{made['id']}",
                headers=HS,
                json={"properties": {"firstname": "X"}},
            )
            http.delete(f"/crm/v3/objects/contacts/{made['id']}", headers=HS)
            assert app.state.deliveries.wait_idle(10)
        got = receiver.received()
    finally:
        app.state.deliveries.close()
        receiver.close()
    kinds = [r.json()[0]["subscriptionType"] for r in got]
    assert kinds == ["contact.creation", "contact.propertyChange", "contact.deletion"]
    change = got[1].json()[0]
    assert change["objectId"] == int(made["id"])
    assert (change["propertyName"], change["propertyValue"]) == ("firstname", "X")
    for request in got:
        verify_hubspot(
            method="POST",
            url=target,
            body=request.body,
            headers=request.headers,
            client_secret=secret,
            now=time.time(),
        )
    with pytest.raises(SignatureError):
        verify_hubspot(
            method="POST",
            url=target,
            body=got[0].body,
            headers=got[0].headers,
            client_secret="another-secret",
            now=time.time(),
        )


def test_zoho_page_tokens_and_the_discrete_paging_limit(http: TestClient) -> None:
    first = http.get("/crm/v7/Services?fields=id&per_page=1", headers=ZO).json()
    token = first["info"]["next_page_token"]
    second = http.get(f"/crm/v7/Services?fields=id&per_page=1&page_token={token}", headers=ZO)
    assert second.json()["data"][0]["id"] != first["data"][0]["id"]
    far = http.get("/crm/v7/Services?fields=id&per_page=200&page=11", headers=ZO)
    assert far.status_code == 400
    assert far.json()["code"] == "DISCRETE_PAGINATION_LIMIT_EXCEEDED"


def test_salesforce_where_equals_compares_text_without_case_and_reads_escapes(
    http: TestClient,
) -> None:
    # SOQL: "comparisons on strings are case-insensitive" (but for unique case-sensitive
    # fields); a quoted literal escapes ' and \ with a backslash, and AND inside it is text.
    made = http.post(
        f"{SF_BASE}/sobjects/Contact/",
        json={"LastName": "O'Brien AND Co", "Email": "Pat.OBrien@x.example"},
        headers=SF,
    )
    assert made.status_code == 201, made.text
    soql = "SELECT Id, Email FROM Contact WHERE LastName = 'o\\'brien and co' AND Email != null"
    found = http.get(f"{SF_BASE}/query/", params={"q": soql}, headers=SF).json()
    assert [r["Id"] for r in found["records"]] == [made.json()["id"]]
    by_email = "SELECT Id FROM Contact WHERE Email = 'pat.obrien@x.example'"
    assert (
        http.get(f"{SF_BASE}/query/", params={"q": by_email}, headers=SF).json()["totalSize"] == 1
    )


def test_zoho_search_by_criteria(http: TestClient) -> None:
    made = http.post(
        "/crm/v7/Services",
        json={"data": [{"Service_Name": "Audit (EU), yearly", "Status": "Active"}]},
        headers=ZO,
    ).json()["data"][0]["details"]["id"]
    criteria = "(Service_Name:equals:audit \\(eu\\)\\, yearly)"
    r = http.get("/crm/v7/Services/search", params={"criteria": criteria}, headers=ZO)
    assert r.status_code == 200 and [row["id"] for row in r.json()["data"]] == [made]
    assert r.json()["info"]["more_records"] is False
    both = "(Service_Name:starts_with:audit) and (Status:equals:Draft)"
    none = http.get("/crm/v7/Services/search", params={"criteria": both}, headers=ZO)
    assert none.status_code == 204
    for bad in ["Service_Name:equals:x", "(Service_Name:like:x)", "(Shoe:equals:x)"]:
        refused = http.get("/crm/v7/Services/search", params={"criteria": bad}, headers=ZO)
        assert refused.status_code == 400 and refused.json()["code"] == "INVALID_QUERY", bad
