"""Conformance of history writes (newer than the vendored spec, beta since 2026-08-17):
``PUT /v2/objects/{object}/records/{record_id}/attributes/{attribute}/values`` and
``PUT /v2/lists/{list}/entries/{entry_id}/attributes/{attribute}/values``.

Source: docs.attio.com/rest-api/endpoint-reference/records/write-record-attribute-values and
.../entries/write-list-entry-attribute-values: the whole value history is replaced with the
values given, no webhook fires, and relationship, formula, enriched and immutable system
attributes are refused. (The emulator has no formula attributes, so that refusal is shown by
``tests/emulator`` only through the code path, not here.)
"""

from __future__ import annotations

from typing import Any

import pytest

from attio_bridge.emulator.app import EmulatorApp

from .factories import company, entry, person, pipeline
from .validation import ConformantClient

RECORD_VALUES = "PUT /v2/objects/{object}/records/{record_id}/attributes/{attribute}/values"
ENTRY_VALUES = "PUT /v2/lists/{list}/entries/{entry_id}/attributes/{attribute}/values"
READ_RECORD_VALUES = "GET /v2/objects/{object}/records/{record_id}/attributes/{attribute}/values"
READ_ENTRY_VALUES = "GET /v2/lists/{list}/entries/{entry_id}/attributes/{attribute}/values"

OLD, RENAMED = "2020-01-01T00:00:00.000000000Z", "2021-06-15T09:30:00.000000000Z"
HISTORY = [
    {"value": "Acme (old name)", "active_from": OLD, "active_until": RENAMED},
    {"value": "Acme Corporation", "active_from": RENAMED, "active_until": None},
]


@pytest.fixture
def events(emulator: EmulatorApp) -> list[dict[str, Any]]:
    """Every webhook event the workspace emits from now on."""
    seen: list[dict[str, Any]] = []
    emulator.state.workspace.listeners.append(seen.append)
    return seen


def _body(values: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"data": {"values": values, "replace_history": True, **extra}}


@pytest.mark.operation(RECORD_VALUES, READ_RECORD_VALUES)
def test_record_history_is_replaced_and_no_event_fires(
    conformant: ConformantClient, events: list[dict[str, Any]]
) -> None:
    """docs write-record-attribute-values: every earlier value is destroyed, the values given
    are written with their own intervals (read back oldest first, with history), the open one
    is the current value, and webhooks do not fire for these writes."""
    rec = company(conformant, name="Acme")
    path = f"/v2/objects/companies/records/{rec['id']['record_id']}/attributes/name/values"
    events.clear()
    written = conformant.data("PUT", path, json=_body(list(reversed(HISTORY))))
    assert [(v["value"], v["active_from"], v["active_until"]) for v in written] == [
        ("Acme (old name)", OLD, RENAMED),
        ("Acme Corporation", RENAMED, None),
    ]
    assert events == []
    history = conformant.data("GET", path, params={"show_historic": "true"})
    assert [v["value"] for v in history] == ["Acme (old name)", "Acme Corporation"]
    assert "Acme" not in [v["value"] for v in history]  # the value before the write is gone
    current = conformant.data("GET", path)
    assert [v["value"] for v in current] == ["Acme Corporation"]


@pytest.mark.operation(RECORD_VALUES)
def test_history_may_leave_no_current_value(conformant: ConformantClient) -> None:
    """docs write-record-attribute-values: gaps are allowed, and a history whose every value has
    ended leaves the attribute without a current value."""
    rec = person(conformant)
    rid = rec["id"]["record_id"]
    path = f"/v2/objects/people/records/{rid}/attributes/job_title/values"
    conformant.data("PUT", path, json=_body([HISTORY[0]]))
    got = conformant.data("GET", f"/v2/objects/people/records/{rid}")
    assert got["values"]["job_title"] == []


@pytest.mark.operation(RECORD_VALUES)
def test_history_write_refusals(conformant: ConformantClient) -> None:
    """docs write-record-attribute-values: relationship, enriched and immutable system
    attributes are refused (``system_edit_unauthorized``); a single-value attribute's intervals
    may not overlap nor two stay open; at least one value; ``replace_history`` must be true;
    no timestamp in the future; ``active_until`` is required; unique values stay unique."""
    a, b = person(conformant), person(conformant)
    base = f"/v2/objects/people/records/{a['id']['record_id']}/attributes"
    refused = {"company": "x.example.com", "avatar_url": "https://x.example/a.png"}
    for slug, value in {**refused, "record_id": "x"}.items():
        conformant.put(
            f"{base}/{slug}/values",
            json=_body([{"value": value, "active_from": OLD, "active_until": None}]),
            expect=400,
            code="system_edit_unauthorized",
        )
    title = f"{base}/job_title/values"
    bad_bodies = [
        _body([{**HISTORY[0], "active_until": "2022-01-01T00:00:00Z"}, HISTORY[1]]),
        _body([{**h, "active_until": None} for h in HISTORY]),
        _body([]),
        {"data": {"values": HISTORY}},
        _body([{"value": "x", "active_from": "2999-01-01T00:00:00Z", "active_until": None}]),
        _body([{"value": "x", "active_from": OLD}]),
        _body([{"value": "x", "active_from": RENAMED, "active_until": OLD}]),
    ]
    for body in bad_bodies:
        conformant.put(title, json=body, expect=400, code="validation_type")
    taken = b["values"]["email_addresses"][0]["email_address"]
    conformant.put(
        f"{base}/email_addresses/values",
        json=_body([{"value": taken, "active_from": OLD, "active_until": None}]),
        expect=400,
        code="uniqueness_conflict",
    )
    conformant.put(
        "/v2/objects/people/records/00000000-0000-0000-0000-000000000009/attributes/job_title/values",
        json=_body(HISTORY),
        expect=404,
        code="not_found",
    )


@pytest.mark.operation(RECORD_VALUES, READ_RECORD_VALUES)
def test_multiselect_history_may_overlap(conformant: ConformantClient) -> None:
    """docs write-record-attribute-values: only single-value attributes need disjoint intervals;
    a multiselect keeps every open value as current."""
    rec = company(conformant)
    path = f"/v2/objects/companies/records/{rec['id']['record_id']}/attributes/domains/values"
    values = [
        {"value": "old-acme.example.com", "active_from": OLD, "active_until": None},
        {"value": "acme.example.com", "active_from": RENAMED, "active_until": None},
    ]
    conformant.data("PUT", path, json=_body(values))
    current = conformant.data("GET", path)
    assert sorted(v["domain"] for v in current) == ["acme.example.com", "old-acme.example.com"]


@pytest.mark.operation(ENTRY_VALUES, READ_ENTRY_VALUES)
def test_entry_history_is_replaced(
    conformant: ConformantClient, events: list[dict[str, Any]]
) -> None:
    """docs write-list-entry-attribute-values: the list-entry twin replaces an entry attribute's
    history (a status here) and fires no ``list-entry.updated``; its parent cannot be written."""
    lst = pipeline(conformant)["api_slug"]
    made = entry(conformant, lst, company(conformant), stage="Prospect")
    base = f"/v2/lists/{lst}/entries/{made['id']['entry_id']}/attributes"
    events.clear()
    values = [
        {"value": "Prospect", "active_from": OLD, "active_until": RENAMED},
        {"value": "Qualified", "active_from": RENAMED, "active_until": None},
    ]
    written = conformant.data("PUT", f"{base}/stage/values", json=_body(values))
    assert [v["status"]["title"] for v in written] == ["Prospect", "Qualified"]
    assert events == []
    history = conformant.data("GET", f"{base}/stage/values", params={"show_historic": "true"})
    assert [(v["status"]["title"], v["active_until"]) for v in history] == [
        ("Prospect", RENAMED),
        ("Qualified", None),
    ]
    conformant.put(f"{base}/nonexistent/values", json=_body(values), expect=404, code="not_found")
