"""Record merge (``POST /v2/objects/{object}/records/merge``), which the vendored spec predates.

API-NOTES §1b: ``{data: {primary_record_id, secondary_record_id}}`` answers
``{data: {new_record_id}}`` with 200 or 202; the id is new and both originals stop resolving
(a retry is 404); a self-merge is 400 ``self_merge``. The bodies are checked against the
hand-written schemas in ``validation.NOTES_RESPONSE_SCHEMAS``.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from starlette.testclient import TestClient

from attio_bridge.emulator.app import EmulatorApp

from .factories import company, entry, pipeline
from .validation import ConformantClient

MERGE = "POST /v2/objects/{object}/records/merge"
PATH = "/v2/objects/companies/records/merge"


def _merge(c: ConformantClient, primary: str, secondary: str, **kw: Any) -> dict[str, Any]:
    body = {"data": {"primary_record_id": primary, "secondary_record_id": secondary}}
    result: dict[str, Any] = c.post(PATH, json=body, **kw).json()
    return result


@pytest.mark.operation(MERGE, "GET /v2/objects/{object}/records/{record_id}")
def test_merge_mints_a_new_record_and_retires_both(conformant: ConformantClient) -> None:
    """API-NOTES §1b and gotcha 17: a new id; both old ids 404; multiselect values united."""
    a = company(conformant, categories=["SaaS"])
    b = company(conformant, categories=["Fintech"])
    a_id, b_id = a["id"]["record_id"], b["id"]["record_id"]
    response = conformant.post(
        PATH, json={"data": {"primary_record_id": a_id, "secondary_record_id": b_id}}
    )
    assert response.status_code in (200, 202)
    new_id = response.json()["data"]["new_record_id"]
    assert new_id not in (a_id, b_id)
    merged = conformant.data("GET", f"/v2/objects/companies/records/{new_id}")
    domains = {v["domain"] for v in merged["values"]["domains"]}
    assert domains == {a["values"]["domains"][0]["domain"], b["values"]["domains"][0]["domain"]}
    assert {v["option"]["title"] for v in merged["values"]["categories"]} == {"SaaS", "Fintech"}
    for old in (a_id, b_id):
        conformant.get(f"/v2/objects/companies/records/{old}", expect=404, code="not_found")
    # A retry names records that no longer exist.
    _merge(conformant, a_id, b_id, expect=404, code="not_found")


@pytest.mark.operation(MERGE, "GET /v2/lists/{list}/entries/{entry_id}")
def test_merge_moves_list_entries_to_the_new_record(conformant: ConformantClient) -> None:
    """API-NOTES §1b: the merged record keeps the originals' list entries."""
    lst = pipeline(conformant)["api_slug"]
    a, b = company(conformant), company(conformant)
    made = entry(conformant, lst, b)
    new_id = _merge(conformant, a["id"]["record_id"], b["id"]["record_id"])["data"]
    assert isinstance(new_id, dict)
    got = conformant.data("GET", f"/v2/lists/{lst}/entries/{made['id']['entry_id']}")
    assert got["parent_record_id"] == new_id["new_record_id"]


@pytest.mark.operation(MERGE)
def test_merge_errors(conformant: ConformantClient) -> None:
    """API-NOTES §1b: self-merge 400 ``self_merge``; §8: unknown record or object 404."""
    a = company(conformant)
    a_id = a["id"]["record_id"]
    _merge(conformant, a_id, a_id, expect=400, code="self_merge")
    _merge(conformant, a_id, str(uuid.UUID(int=3)), expect=404, code="not_found")
    conformant.post(
        "/v2/objects/no_such_object/records/merge",
        json={"data": {"primary_record_id": a_id, "secondary_record_id": a_id}},
        expect=404,
        code="not_found",
    )
    conformant.post(PATH, json={"data": {}}, expect=400, code="validation_type")


@pytest.fixture
def events(emulator: EmulatorApp) -> list[dict[str, Any]]:
    """Every webhook event the workspace emits from now on."""
    seen: list[dict[str, Any]] = []
    emulator.state.workspace.listeners.append(seen.append)
    return seen


@pytest.mark.operation(MERGE)
def test_merge_fires_record_merged_twice(
    conformant: ConformantClient, events: list[dict[str, Any]]
) -> None:
    """docs webhook-reference record/merged: each merge fires two ``record.merged`` events,
    both with the new record's id, each naming one original as ``duplicate_record_id``."""
    a_id, b_id = (company(conformant)["id"]["record_id"] for _ in range(2))
    events.clear()
    new_id = _merge(conformant, a_id, b_id, expect=200)["data"]["new_record_id"]
    merged = [e for e in events if e["event_type"] == "record.merged"]
    assert len(merged) == 2
    assert {e["id"]["record_id"] for e in merged} == {new_id}
    assert {e["duplicate_record_id"] for e in merged} == {a_id, b_id}


@pytest.mark.operation(MERGE, "GET /v2/objects/{object}/records/{record_id}")
def test_a_slow_merge_answers_202_and_reads_wait_for_it(
    conformant: ConformantClient, api: TestClient
) -> None:
    """docs records/merge-two-records: a 202 means the merge is still being applied; reading
    the merged record (and either original, here) answers 404 ``merge_in_progress`` until it
    completes. Afterwards the new record reads and the originals are gone (404 not_found)."""
    assert api.post("/_emulator/merges", json={"delay_s": 3600}).status_code == 200
    a_id, b_id = (company(conformant)["id"]["record_id"] for _ in range(2))
    response = conformant.post(
        PATH, json={"data": {"primary_record_id": a_id, "secondary_record_id": b_id}}, expect=202
    )
    new_id = response.json()["data"]["new_record_id"]
    for rid in (new_id, a_id, b_id):
        conformant.get(f"/v2/objects/companies/records/{rid}", expect=404, code="merge_in_progress")
    assert api.post("/_emulator/merges/finish").json() == {"finished": 3}
    conformant.get(f"/v2/objects/companies/records/{new_id}", expect=200)
    for rid in (a_id, b_id):
        conformant.get(f"/v2/objects/companies/records/{rid}", expect=404, code="not_found")


@pytest.mark.operation(MERGE)
def test_merge_has_its_own_limit_of_five_per_second(
    conformant: ConformantClient, emulator: EmulatorApp
) -> None:
    """docs records/merge-two-records: rate limited to 5 requests per second, below the write
    budget: the sixth in one second is 429 with ``Retry-After`` as an HTTP date (as the other
    budgets date it, API-NOTES §8), and nothing is merged."""
    ids = [company(conformant)["id"]["record_id"] for _ in range(12)]
    emulator.state.budget.write_rate = 1000  # limits on, the shared budgets far away
    emulator.state.budget.read_rate = 1000
    emulator.state.budget.clock = lambda: 1_700_000_000.25
    for i in range(5):
        _merge(conformant, ids[2 * i], ids[2 * i + 1], expect=200)
    refused = conformant.post(
        PATH,
        json={"data": {"primary_record_id": ids[10], "secondary_record_id": ids[11]}},
        expect=429,
        code="rate_limit_exceeded",
    )
    assert refused.headers["Retry-After"] == "Tue, 14 Nov 2023 22:13:21 GMT"
    conformant.get(f"/v2/objects/companies/records/{ids[10]}", expect=200)
