"""The conformance machinery itself: it rejects what does not match, and says where.

These feed the validator hand-made responses (not the emulator's), so they show that a passing
conformance test means something.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from attio_bridge.emulator.spec import Operation, match_operation

from .validation import NonConformance, SpecValidator

IDS = {
    "workspace_id": "6a9c0b1e-1f4b-4a43-9a3b-0c5a4c1d2e3f",
    "object_id": "7b8d1c2f-2a5c-4b54-8b4c-1d6b5d2e3f40",
}


def _response(method: str, path: str, status: int, body: Any) -> httpx.Response:
    request = httpx.Request(method, f"http://emulator.test{path}")
    return httpx.Response(status, json=body, request=request)


def _object(**overrides: Any) -> dict[str, Any]:
    return {
        "id": dict(IDS),
        "api_slug": "people",
        "singular_noun": "Person",
        "plural_noun": "People",
        "created_at": "2023-01-01T15:00:00.000000000Z",
        **overrides,
    }


def test_a_conforming_body_passes(validator: SpecValidator) -> None:
    """The baseline the failures below differ from by one field."""
    op = validator.validate(_response("GET", "/v2/objects/people", 200, {"data": _object()}))
    assert op.key == "GET /v2/objects/{object}"


def test_a_missing_field_is_named_with_its_path(validator: SpecValidator) -> None:
    """A required key left out: the message names the operation and the JSON path."""
    body = {"data": {k: v for k, v in _object().items() if k != "plural_noun"}}
    with pytest.raises(NonConformance) as err:
        validator.validate(_response("GET", "/v2/objects/people", 200, body))
    text = str(err.value)
    assert "GET /v2/objects/{object}" in text and "$.data" in text and "plural_noun" in text


def test_a_wrong_type_deep_in_an_anyof_names_the_matching_branch(
    validator: SpecValidator,
) -> None:
    """A text value holding a number: reported at its path, against the text branch."""
    value = {
        "active_from": "2023-01-01T15:00:00.000000000Z",
        "active_until": None,
        "created_by_actor": {"type": "system", "id": None},
        "attribute_type": "text",
        "value": 42,
    }
    record = {
        "id": {**IDS, "record_id": "8c9e2d3a-3b6d-4c65-9c5d-2e7c6e3f4a51"},
        "created_at": "2023-01-01T15:00:00.000000000Z",
        "web_url": "https://app.attio.com/acme/person/8c9e2d3a-3b6d-4c65-9c5d-2e7c6e3f4a51",
        "values": {"job_title": [value]},
    }
    path = "/v2/objects/people/records/8c9e2d3a-3b6d-4c65-9c5d-2e7c6e3f4a51"
    with pytest.raises(NonConformance) as err:
        validator.validate(_response("GET", path, 200, {"data": record}))
    assert '$.data.values.job_title[0].value: expected type "string"; got 42' in str(err.value)


def test_an_error_body_must_be_attios(validator: SpecValidator) -> None:
    """A 404 without Attio's ``code``/``type`` fails; an undocumented 2xx fails too."""
    with pytest.raises(NonConformance, match=r"\$: expected 'code' is a required property"):
        validator.validate(
            _response("GET", "/v2/objects/nope", 404, {"status_code": 404, "message": "x"})
        )
    with pytest.raises(NonConformance):
        validator.validate(_response("GET", "/v2/objects/people", 201, {"data": _object()}))


def test_notes_operations_use_the_hand_written_schema(validator: SpecValidator) -> None:
    """Merge (API-NOTES §1b) is checked against ``MERGE_RESPONSE_SCHEMA``."""
    path = "/v2/objects/people/records/merge"
    good = {"data": {"new_record_id": "8c9e2d3a-3b6d-4c65-9c5d-2e7c6e3f4a51"}}
    assert validator.validate(_response("POST", path, 202, good)).source.startswith("API-NOTES §1b")
    with pytest.raises(NonConformance, match="new_record_id"):
        validator.validate(_response("POST", path, 200, {"data": {"new_record_id": "nope"}}))
    with pytest.raises(NonConformance, match="status not documented"):
        validator.validate(_response("POST", path, 409, good))


def test_a_path_outside_the_api_is_reported(validator: SpecValidator) -> None:
    """A request for a path neither the spec nor API-NOTES has."""
    with pytest.raises(NonConformance, match="no operation"):
        validator.validate(_response("GET", "/v2/nothing/here/at/all", 404, {}))


def test_literal_segments_win_over_parameters(operations: list[Operation]) -> None:
    """``/v2/objects/records/search`` is search, not ``/v2/objects/{object}/records``."""
    found = match_operation("POST", "/v2/objects/records/search", operations)
    assert found is not None and found.key == "POST /v2/objects/records/search"
    attrs = match_operation("GET", "/v2/lists/abc/attributes", operations)
    assert attrs is not None and attrs.key == "GET /v2/{target}/{identifier}/attributes"
