"""Each known difference (``differences.py``) is still needed, and is what the emulator does.

For every entry: its patch still changes the spec (else the spec was fixed and the entry must
go); the emulator's response passes the fully patched spec (through ``conformant``) and fails
the spec patched with everything *but* that entry, so each entry is shown to be necessary; and
the response shows the documented behaviour the entry names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from attio_bridge.emulator import EmulatorConfig, create_app
from attio_bridge.emulator.spec import Operation, load_spec

from .differences import KNOWN_DIFFERENCES, apply_differences
from .factories import VIDEO_URL, company, member_id, new_meeting, person
from .validation import OPERATION_KEY, ConformantClient, NonConformance, SpecValidator

NANOSECOND_TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$")
Demo = Callable[[ConformantClient], list[httpx.Response]]


@pytest.fixture(scope="session")
def validator_without(
    raw_spec: dict[str, Any], operations: list[Operation]
) -> Callable[[str], SpecValidator]:
    """A validator for the spec patched with every known difference except one."""
    cache: dict[str, SpecValidator] = {}

    def make(key: str) -> SpecValidator:
        if key not in cache:
            spec = load_spec()
            apply_differences(spec, skip=key)
            cache[key] = SpecValidator(spec, operations)
        return cache[key]

    return make


def test_every_patch_still_changes_the_spec(raw_spec: dict[str, Any]) -> None:
    """A patch that changes nothing means the spec caught up: drop the entry."""
    counts = apply_differences(load_spec())
    assert counts.keys() == {d.key for d in KNOWN_DIFFERENCES}
    assert [key for key, n in counts.items() if n == 0] == []


def test_entries_are_complete(operations: list[Operation]) -> None:
    """Each entry names its operations (or ``*``), what the spec says, what Attio does, a source."""
    keys = {op.key for op in operations}
    for diff in KNOWN_DIFFERENCES:
        assert diff.spec_says and diff.attio_does, diff.key
        assert "API-NOTES" in diff.source or "spec" in diff.source, diff.key
        for name in diff.operations:
            assert name == "*" or (OPERATION_KEY.match(name) and name in keys), (diff.key, name)


def _nullable(c: ConformantClient) -> list[httpx.Response]:
    p = person(c)
    response = c.post(
        "/v2/comments",
        json={
            "data": {
                "format": "plaintext",
                "content": "First!",
                "author": {"type": "workspace-member", "id": member_id(c)},
                "record": {"object": "people", "record_id": p["id"]["record_id"]},
            }
        },
        expect=200,
    )
    assert response.json()["data"]["resolved_by"] == {"type": None, "id": None}
    return [response]


def _nullable_enums(c: ConformantClient) -> list[httpx.Response]:
    response = c.get("/v2/objects/people/attributes/job_title", expect=200)
    currency = response.json()["data"]["config"]["currency"]
    assert currency == {"default_currency_code": None, "display_type": None}
    return [response]


def _timestamps(c: ConformantClient) -> list[httpx.Response]:
    rid = company(c)["id"]["record_id"]
    response = c.get(f"/v2/objects/companies/records/{rid}", expect=200)
    assert NANOSECOND_TS.match(response.json()["data"]["values"]["created_at"][0]["value"])
    return [response]


def _status_code_spelling(c: ConformantClient) -> list[httpx.Response]:
    response = c.post(
        "/v2/comments",
        json={
            "data": {
                "format": "plaintext",
                "content": "x",
                "author": {"type": "workspace-member", "id": member_id(c)},
                "thread_id": "00000000-0000-0000-0000-000000000009",
            }
        },
        expect=400,
    )
    assert set(response.json()) == {"status_code", "type", "code", "message"}
    return [response]


def _no_content(c: ConformantClient) -> list[httpx.Response]:
    meeting = new_meeting(c)
    base = f"/v2/meetings/{meeting['id']['meeting_id']}/call_recordings"
    made = c.data("POST", base, json={"data": {"video_url": VIDEO_URL}})
    response = c.delete(f"{base}/{made['id']['call_recording_id']}", expect=204)
    assert response.content == b""
    return [response]


def _codes(c: ConformantClient) -> list[httpx.Response]:
    email = person(c)["values"]["email_addresses"][0]["email_address"]
    response = c.post(
        "/v2/objects/people/records",
        json={"data": {"values": {"email_addresses": [email]}}},
        expect=400,
        code="uniqueness_conflict",  # the spec lists only value_not_found for this 400
    )
    return [response]


def _undocumented(c: ConformantClient) -> list[httpx.Response]:
    malformed = c.post("/v2/objects", json={"data": {}}, expect=400, code="validation_type")
    bad_token = c.get(
        "/v2/objects", headers={"Authorization": "Bearer wrong"}, expect=401, code="unauthorized"
    )
    return [malformed, bad_token]


DEMOS: dict[str, Demo] = {
    "openapi-3.0-nullable": _nullable,
    "nullable-enums": _nullable_enums,
    "timestamp-format": _timestamps,
    "error-status-code-spelling": _status_code_spelling,
    "204-without-body": _no_content,
    "error-codes-per-status": _codes,
    "undocumented-error-statuses": _undocumented,
}


def test_every_difference_has_a_demonstration() -> None:
    """No entry in the allow-list goes untested."""
    assert DEMOS.keys() == {d.key for d in KNOWN_DIFFERENCES}


@pytest.mark.parametrize("key", [d.key for d in KNOWN_DIFFERENCES])
def test_the_emulator_behaves_as_documented_where_the_spec_differs(
    conformant: ConformantClient, validator_without: Callable[[str], SpecValidator], key: str
) -> None:
    """Passes the patched spec (``conformant``), fails the spec without this entry's patch."""
    without = validator_without(key)
    for response in DEMOS[key](conformant):
        with pytest.raises(NonConformance):
            without.validate(response)


def test_rate_limited_reads_get_429_in_attio_error_body(
    validator: SpecValidator, validator_without: Callable[[str], SpecValidator]
) -> None:
    """``undocumented-error-statuses``: 429 with an HTTP-date ``Retry-After`` (API-NOTES §8)."""
    app = create_app(EmulatorConfig(api_keys=["k"], read_rate=1, write_rate=1))
    with TestClient(app, headers={"Authorization": "Bearer k"}) as client:
        c = ConformantClient(client, validator)
        # Five quick reads span at most one second boundary, so two share a one-read second.
        responses = [c.get("/v2/objects") for _ in range(5)]
    limited = [r for r in responses if r.status_code == 429]
    assert limited, [r.status_code for r in responses]
    assert limited[0].json()["code"] == "rate_limit_exceeded"
    assert re.match(
        r"^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$", limited[0].headers["retry-after"]
    )
    with pytest.raises(NonConformance):
        validator_without("undocumented-error-statuses").validate(limited[0])
