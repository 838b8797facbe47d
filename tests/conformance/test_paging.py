"""Limits and offsets at every extreme, on every paged operation of Attio's spec: a 400 body.

The paged operations are read from the vendored spec (``paged_operations``): a ``limit`` or
``offset`` query parameter, or a ``limit`` or ``offset`` property of the JSON body, so an
operation added to the spec is covered without a change here. Each one gets hypothesis'
values for its counts: whole numbers of any size (``9223372036854775807`` among them, which
once gave a plain-text 500), floats, strings, booleans, ``null``, objects and arrays.

Attio's answer for a value that is no count is its 400 ``validation_type`` body (API-NOTES §8:
"wrong value type or shape"; issue 10 saw Attio answer the huge offset with a 400). The
property: never a server error, always JSON; a value that is not a whole number from 0 to
``MAX_COUNT`` is refused with Attio's body naming the parameter and both of its bounds; a
refused count states the real bounds (``at least 0 and at most ...``, never a bare
``between 0.``). Where Attio documents a range for ``limit`` (``DOCUMENTED_LIMITS``, each
with its source), its ends are accepted and one past either end is refused, naming them.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from attio_bridge.emulator.paging import MAX_COUNT
from attio_bridge.emulator.spec import spec_operations

from .factories import path_parameters

API_KEY = "test-key"
COUNTS = ("limit", "offset")
EXTREMES = [0, 1, -1, 2**31, 2**53 - 1, 2**53, 2**63 - 1, 2**63, -(2**63), 2**64, 10**30]
BOUNDS = re.compile(r"must be a whole number of at least \d+ and at most \d+, got ")
# Bodies a paged POST needs besides its counts.
BASE_BODY = {
    "POST /v2/objects/records/search": {
        "query": "",
        "objects": ["people"],
        "request_as": {"type": "workspace"},
    },
}

JSON_VALUES = st.one_of(
    st.sampled_from(EXTREMES),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, 1.0, 2.5, 1e300, -0.0]),
    st.text(max_size=12),
    st.sampled_from(["10", "", "1e3"]),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=1),
)
QUERY_VALUES = st.one_of(
    st.sampled_from(EXTREMES).map(str),
    st.integers().map(str),
    st.floats().map(str),
    st.text(max_size=12),
    st.sampled_from(["", " 5", "5_0", "+5", "٣", "0x10", "1" * 5000, "-0", "007"]),
)


def paged_operations(spec: dict[str, Any]) -> dict[str, tuple[str, tuple[str, ...]]]:
    """``"METHOD /path"`` -> where its counts go (``query`` or ``body``) and their names."""
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for op in spec_operations(spec):
        raw = spec["paths"][op.path][op.method.lower()]
        in_query = tuple(
            p["name"]
            for p in raw.get("parameters", [])
            if p.get("in") == "query" and p.get("name") in COUNTS
        )
        body = raw.get("requestBody", {}).get("content", {}).get("application/json", {})
        in_body = tuple(n for n in COUNTS if n in body.get("schema", {}).get("properties", {}))
        if in_query:
            out[op.key] = ("query", in_query)
        elif in_body:
            out[op.key] = ("body", in_body)
    return out


def _is_count(value: Any, where: str) -> bool:
    """A whole number from 0 to MAX_COUNT: ASCII digits in a query string; in a body, a JSON
    number (``5.0`` too, never ``true`` or ``"5"``)."""
    if where == "query":
        digits = re.fullmatch(r"-?0*([0-9]+)", value)
        return digits is not None and len(digits[1]) < 20 and 0 <= int(value) <= MAX_COUNT
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT


def test_the_spec_pages_the_routes_api_notes_lists(raw_spec: dict[str, Any]) -> None:
    """The enumeration finds what API-NOTES §1 marks L/O or C (and search's limit)."""
    paged = paged_operations(raw_spec)
    assert paged["POST /v2/objects/{object}/records/query"] == ("body", COUNTS)
    assert paged["POST /v2/lists/{list}/entries/query"] == ("body", COUNTS)
    assert paged["POST /v2/objects/records/search"] == ("body", ("limit",))
    assert paged["GET /v2/meetings"] == ("query", ("limit",))
    for key in ("/v2/notes", "/v2/tasks", "/v2/threads", "/v2/webhooks"):
        assert paged[f"GET {key}"] == ("query", COUNTS)
    assert len(paged) >= 13


def test_every_paged_operation_refuses_bad_counts_with_attio_body(
    raw_spec: dict[str, Any], seeded: tuple[TestClient, dict[str, str]]
) -> None:
    """Hypothesis over each paged operation's counts: no 5xx, a 400 for what is no count."""
    client, ids = seeded
    failures: dict[str, str] = {}
    for key, (where, names) in paged_operations(raw_spec).items():
        method, template = key.split(" ", 1)
        path = template.format(**path_parameters(key, ids))
        values = JSON_VALUES if where == "body" else QUERY_VALUES
        counts = st.fixed_dictionaries({}, optional={n: values for n in names})
        try:
            _check(client, method, path, where, BASE_BODY.get(key, {}), counts)
        except AssertionError as exc:
            failures[key] = str(exc)[:1500]
    report = "\n\n".join(f"{key}:\n{text}" for key, text in failures.items())
    assert not failures, f"{len(failures)} paged operation(s) failed:\n\n{report}"


def _check(
    client: TestClient, method: str, path: str, where: str, base: dict[str, Any], counts: Any
) -> None:
    @settings(
        max_examples=60,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    @given(sent=counts)
    def check(sent: dict[str, Any]) -> None:
        if where == "body":
            answer = client.request(method, path, json={**base, **sent})
        else:
            answer = client.request(method, path, params=sent)
        shown = f"{method} {path} {where} {sent!r}: {answer.status_code} {answer.text[:300]}"
        assert answer.status_code in (200, 400), shown
        assert answer.headers["content-type"].startswith("application/json"), shown
        body = answer.json()
        bad = [n for n, v in sent.items() if not _is_count(v, where)]
        if bad:
            assert answer.status_code == 400, shown
        if answer.status_code != 400:
            return
        assert set(body) == {"status_code", "type", "code", "message"}, shown
        assert (body["status_code"], body["type"]) == (400, "invalid_request_error"), shown
        assert body["code"] == "validation_type", shown
        # The first count refused is named: a bad one, or one beyond this operation's range.
        named = [n for n in sent if f'"{n}"' in body["message"]]
        if bad:
            assert named, shown
        if named:
            assert BOUNDS.search(body["message"]), shown

    check()


# The limits Attio documents, each with its source: the ends are accepted, one past each end
# is the 400 naming both. Endpoints without a documented maximum take up to MAX_COUNT.
DOCUMENTED_LIMITS: dict[str, tuple[int, int, str]] = {
    "GET /v2/notes": (1, 50, "spec: 'the maximum is `50`'; API-NOTES §1, gotcha 4"),
    "GET /v2/threads": (1, 50, "spec: 'the maximum is `50`'; API-NOTES §1, gotcha 4"),
    "GET /v2/webhooks": (10, 100, "spec: 'between 10 and 100'; API-NOTES §1"),
    "POST /v2/objects/records/search": (1, 25, "spec: minimum 1, maximum 25; API-NOTES §3"),
    "GET /v2/objects/{object}/records/{record_id}/entries": (
        1,
        1000,
        "spec: 'the maximum is `1000`'; API-NOTES §1",
    ),
    "GET /v2/meetings": (1, 200, "spec: minimum 1, maximum 200; API-NOTES §1"),
    "GET /v2/meetings/{meeting_id}/call_recordings": (
        1,
        200,
        "spec: 'a maximum of 200'; API-NOTES §1",
    ),
    "GET /v2/tasks": (1, MAX_COUNT, "spec and API-NOTES §1: default 500, no maximum"),
    "POST /v2/objects/{object}/records/query": (
        1,
        1000,
        "no documented maximum; 1000, the largest page Attio serves (models/query.py)",
    ),
}


@pytest.mark.parametrize("key", sorted(DOCUMENTED_LIMITS))
def test_documented_limits_are_the_bounds_enforced_and_named(
    key: str, raw_spec: dict[str, Any], seeded: tuple[TestClient, dict[str, str]]
) -> None:
    """Each documented range (its source beside it in DOCUMENTED_LIMITS): both ends answer
    200, one past either end 400 ``validation_type`` saying 'at least LO and at most HI'."""
    client, ids = seeded
    lo, hi, _source = DOCUMENTED_LIMITS[key]
    where, _ = paged_operations(raw_spec)[key]
    method, template = key.split(" ", 1)
    path = template.format(**path_parameters(key, ids))

    def send(limit: int) -> Any:
        if where == "body":
            return client.request(method, path, json={**BASE_BODY.get(key, {}), "limit": limit})
        return client.request(method, path, params={"limit": str(limit)})

    for limit in (lo, hi):
        assert send(limit).status_code == 200, send(limit).text
    for limit in (lo - 1, hi + 1):
        refused = send(limit)
        assert refused.status_code == 400, refused.text
        assert refused.json()["code"] == "validation_type"
        assert (
            f'"limit" must be a whole number of at least {lo} and at most {hi}, got'
            in (refused.json()["message"])
        )
