"""Every emulator response of every operation the ``attio`` 0.26.1 SDK knows, against its models.

The PyPI package ``attio`` 0.26.1 is generated from Attio's spec of 2026-09-16, newer than the
vendored one: its response models encode what Attio's API sends today. The SDK's operations are
read from its source (each method's ``_build_request(method=..., path=...)`` and the model its
success status is read into); each one the emulator serves is called once on a workspace seeded
with a resource of every kind (``factories.seed_workspace``) and its answer read into that model
as the SDK reads it (``unmarshal_json_response``). An operation the emulator does not serve yet
is skipped, so each one is validated from the moment a route for it lands; a write needs a
sample request in ``SAMPLES`` (a test says which are missing).

Where the SDK is stricter than Attio's documentation, ``differences.SDK_DIFFERENCES`` names the
difference and the docs page, and ``test_sdk_differences_still_hold`` shows the SDK still refuses
what Attio documents (an entry that no longer does must go).
"""

from __future__ import annotations

import ast
import functools
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import attio
import pytest
from attio import errors as sdk_errors
from attio import models as sdk_models
from attio.errors import ResponseValidationError
from attio.utils.unmarshal_json_response import unmarshal_json_response
from starlette.testclient import TestClient

from attio_bridge.emulator.app import route_tables

from .differences import SDK_DIFFERENCES
from .factories import (
    VIDEO_URL,
    attribute_body,
    meeting_body,
    path_parameters,
)
from .validation import ConformantClient, SpecValidator

_PLACEHOLDER = re.compile(r"\{[^}/]+\}")
_counter = itertools.count()


@dataclass(frozen=True, slots=True)
class SdkOperation:
    """One operation of the SDK: ``POST /v2/notes`` and the model of its success answer."""

    method: str
    path: str
    function: str
    status: str | None
    model: str | None
    not_found: str | None = None  # the SDK's model of a 404 answer, if it reads one

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"


@functools.cache
def sdk_operations() -> tuple[SdkOperation, ...]:
    """Every operation in the SDK's source, read with ``ast`` (nothing of it is run)."""
    found: dict[str, SdkOperation] = {}
    for source in sorted(Path(attio.__file__).parent.glob("*.py")):
        tree = ast.parse(source.read_text())
        for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
            for fn in (n for n in cls.body if isinstance(n, ast.FunctionDef)):
                op = _operation(fn)
                if op is not None:
                    found.setdefault(op.key, op)
    return tuple(sorted(found.values(), key=lambda o: (o.path, o.method)))


def _read_models(fn: ast.FunctionDef) -> dict[str, str]:
    """The model each status the SDK matches is read into: ``{"200": "GetV2NotesResponse",
    "404": "GetV2NotesNoteIDNotFoundErrorData", ...}``."""
    out: dict[str, str] = {}
    for node in ast.walk(fn):
        test = getattr(node, "test", None)
        if not (isinstance(node, ast.If) and isinstance(test, ast.Call)):
            continue
        if getattr(test.func, "attr", "") != "match_response":
            continue
        status = str(ast.literal_eval(test.args[1]))
        for stmt in node.body:
            for sub in ast.walk(stmt):
                if not isinstance(sub, ast.Call) or not sub.args:
                    continue
                if getattr(sub.func, "id", "") != "unmarshal_json_response":
                    continue
                model = sub.args[0]
                if isinstance(model, ast.Attribute):
                    out.setdefault(status, model.attr)
    return out


def _operation(fn: ast.FunctionDef) -> SdkOperation | None:
    method = path = None
    for node in ast.walk(fn):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "_build_request":
            kw = {k.arg: k.value for k in node.keywords}
            method = ast.literal_eval(kw["method"])
            path = ast.literal_eval(kw["path"])
    if method is None or path is None:
        return None
    models = _read_models(fn)
    status = next((code for code in _success_codes(fn) if code.startswith("2")), None)
    return SdkOperation(
        method,
        path,
        fn.name,
        status,
        models.get(status) if status else None,
        models.get("404"),
    )


def _success_codes(fn: ast.FunctionDef) -> list[str]:
    return [
        str(ast.literal_eval(node.test.args[1]))
        for node in ast.walk(fn)
        if isinstance(node, ast.If)
        and isinstance(node.test, ast.Call)
        and getattr(node.test.func, "attr", "") == "match_response"
    ]


def _shape(path: str) -> str:
    return _PLACEHOLDER.sub("{}", path)


@functools.cache
def served() -> frozenset[str]:
    """``METHOD /path/{}`` of every route the emulator serves."""
    return frozenset(f"{s.method} {_shape(s.path)}" for t in route_tables() for s in t.specs)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_counter)}"


Ids = dict[str, str]
Sample = Callable[[ConformantClient, Ids], dict[str, Any]]


def _person(c: ConformantClient, ids: Ids) -> str:
    body = {"data": {"values": {"email_addresses": [f"{unique('sdk')}@example.com"]}}}
    made: str = c.data("POST", "/v2/objects/people/records", json=body)["id"]["record_id"]
    return made


def _company(c: ConformantClient, ids: Ids) -> str:
    body = {"data": {"values": {"domains": [f"{unique('sdk')}.example.com"]}}}
    made: str = c.data("POST", "/v2/objects/companies/records", json=body)["id"]["record_id"]
    return made


def _entry_body(c: ConformantClient, ids: Ids) -> dict[str, Any]:
    parent = {"parent_record_id": _company(c, ids), "parent_object": "companies"}
    return {"json": {"data": {**parent, "entry_values": {"stage": "Prospect"}}}}


def _values(**values: Any) -> dict[str, Any]:
    return {"json": {"data": {"values": values}}}


def _data(**data: Any) -> dict[str, Any]:
    return {"json": {"data": data}}


SAMPLES: dict[str, Sample] = {
    "POST /v2/objects": lambda c, ids: _data(
        api_slug=unique("sdk_objects_"), singular_noun="Widget", plural_noun="Widgets"
    ),
    "PATCH /v2/objects/{object}": lambda c, ids: _data(plural_noun="Fuzz things"),
    "POST /v2/{target}/{identifier}/attributes": lambda c, ids: {
        "json": attribute_body(unique("sdk_attr_"), "text")
    },
    "PATCH /v2/{target}/{identifier}/attributes/{attribute}": lambda c, ids: _data(title="Renamed"),
    "POST /v2/{target}/{identifier}/attributes/{attribute}/options": lambda c, ids: _data(
        title=unique("Option ")
    ),
    "PATCH /v2/{target}/{identifier}/attributes/{attribute}/options/{option}": lambda c, ids: _data(
        title=unique("SaaS ")
    ),
    "POST /v2/{target}/{identifier}/attributes/{attribute}/statuses": lambda c, ids: _data(
        title=unique("Stage ")
    ),
    "PATCH /v2/{target}/{identifier}/attributes/{attribute}/statuses/{status}": lambda c, ids: (
        _data(title=unique("Stage "))
    ),
    "POST /v2/objects/{object}/records": lambda c, ids: _values(
        email_addresses=[f"{unique('sdk')}@example.com"]
    ),
    "PUT /v2/objects/{object}/records": lambda c, ids: {
        **_values(email_addresses=[f"{unique('sdk')}@example.com"]),
        "params": {"matching_attribute": "email_addresses"},
    },
    "POST /v2/objects/{object}/records/query": lambda c, ids: {"json": {"limit": 2}},
    "POST /v2/objects/records/search": lambda c, ids: {
        "json": {"query": "a", "objects": ["people"], "request_as": {"type": "workspace"}}
    },
    "POST /v2/objects/{object}/records/merge": lambda c, ids: _data(
        primary_record_id=_person(c, ids), secondary_record_id=_person(c, ids)
    ),
    "PATCH /v2/objects/{object}/records/{record_id}": lambda c, ids: _values(job_title="CTO"),
    "PUT /v2/objects/{object}/records/{record_id}": lambda c, ids: _values(
        email_addresses=[f"{unique('sdk')}@example.com"]
    ),
    "POST /v2/lists": lambda c, ids: _data(
        name="SDK list",
        api_slug=unique("sdk_list_"),
        parent_object="people",
        workspace_access="full-access",
        workspace_member_access=[],
    ),
    "PATCH /v2/lists/{list}": lambda c, ids: _data(name="Renamed list"),
    "POST /v2/lists/{list}/entries": _entry_body,
    "PUT /v2/lists/{list}/entries": _entry_body,
    "POST /v2/lists/{list}/entries/query": lambda c, ids: {"json": {"limit": 2}},
    "PATCH /v2/lists/{list}/entries/{entry_id}": lambda c, ids: _data(
        entry_values={"stage": "Qualified"}
    ),
    "PUT /v2/lists/{list}/entries/{entry_id}": lambda c, ids: _data(
        entry_values={"stage": "Closed"}
    ),
    "POST /v2/notes": lambda c, ids: _data(
        parent_object="people",
        parent_record_id=ids["person"],
        title="SDK",
        format="plaintext",
        content="Notes",
    ),
    "PATCH /v2/notes/{note_id}": lambda c, ids: _data(title="Edited", content="Edited notes"),
    "POST /v2/tasks": lambda c, ids: _data(
        content="Follow up",
        format="plaintext",
        deadline_at=None,
        is_completed=False,
        linked_records=[{"target_object": "people", "target_record_id": ids["person"]}],
        assignees=[],
    ),
    "PATCH /v2/tasks/{task_id}": lambda c, ids: _data(is_completed=True),
    "POST /v2/comments": lambda c, ids: _data(
        format="plaintext",
        content="SDK comment",
        author={"type": "workspace-member", "id": ids["member"]},
        record={"object": "people", "record_id": ids["person"]},
    ),
    "POST /v2/meetings": lambda c, ids: {"json": meeting_body()},
    "POST /v2/meetings/{meeting_id}/call_recordings": lambda c, ids: _data(video_url=VIDEO_URL),
    "POST /v2/webhooks": lambda c, ids: _data(
        target_url="https://hooks.example.com/sdk", subscriptions=[]
    ),
    "PATCH /v2/webhooks/{webhook_id}": lambda c, ids: _data(
        target_url="https://hooks.example.com/sdk-2"
    ),
    "POST /v2/sql": lambda c, ids: {"json": {"sql": "SELECT record_id FROM people LIMIT 2"}},
    # Operations other parts of issue 14 serve; their bodies as the SDK's request models have
    # them, so each is validated as soon as its route lands.
    "PATCH /v2/meetings/{meeting_id}": lambda c, ids: _data(
        linked_records=[{"object": "people", "record_id": ids["person"]}]
    ),
    "PUT /v2/meetings/{meeting_id}": lambda c, ids: _data(
        linked_records=[{"object": "people", "record_id": ids["person"]}]
    ),
    "POST /v2/sequences/unsubscribed_emails": lambda c, ids: _data(
        email_addresses=[f"{unique('unsubscribed')}@example.com"]
    ),
    "PUT /v2/objects/{object}/records/{record_id}/attributes/{attribute}/values": lambda c, ids: (
        _data(
            values=[
                {
                    "value": {"first_name": "Ada", "last_name": "Byron", "full_name": "Ada Byron"},
                    "active_from": "2024-01-01T00:00:00Z",
                    "active_until": None,
                }
            ],
            replace_history=True,
        )
    ),
    "PUT /v2/lists/{list}/entries/{entry_id}/attributes/{attribute}/values": lambda c, ids: _data(
        values=[{"value": "Prospect", "active_from": "2024-01-01T00:00:00Z", "active_until": None}],
        replace_history=True,
    ),
    # A read with a required filter (docs emails/list-emails): the seeded email's domain.
    "GET /v2/emails": lambda c, ids: {"params": {"domain": "vendor.test"}},
    # Files (docs files/*): a folder made, a file uploaded as multipart.
    "POST /v2/files": lambda c, ids: _data(
        file_type="folder", object="people", record_id=ids["person"], name=unique("Docs ")
    ),
    "POST /v2/files/upload": lambda c, ids: {
        "data": {"object": "people", "record_id": ids["person"]},
        "files": {"file": ("sdk.txt", b"SDK bytes", "text/plain")},
    },
    # Custom activities and their records (docs activities/*, activity-records/*).
    "POST /v2/activities": lambda c, ids: _data(
        api_slug=unique("sdk_visits_"),
        singular_noun="Visit",
        plural_noun="Visits",
        extends="interactions",
    ),
    "PATCH /v2/activities/{activity}": lambda c, ids: _data(plural_noun="Site visits"),
    "POST /v2/activities/{activity}/records": lambda c, ids: _values(visit_key=unique("sdk-")),
    "PUT /v2/activities/{activity}/records": lambda c, ids: {
        **_values(visit_key=unique("sdk-")),
        "params": {"matching_attribute": "visit_key"},
    },
    "POST /v2/activities/{activity}/records/query": lambda c, ids: {"json": {"limit": 2}},
    "PATCH /v2/activities/{activity}/records/{record_id}": lambda c, ids: _values(
        visit_key=unique("sdk-")
    ),
    "PUT /v2/activities/{activity}/records/{record_id}": lambda c, ids: _values(
        visit_key=unique("sdk-")
    ),
}
"""A request body (and query) per write operation (and a read that needs a filter), by the
SDK's path template."""


def _sample_key(op: SdkOperation) -> str:
    """``op``'s key in ``SAMPLES`` and ``factories.path_parameters`` (the same templates)."""
    return op.key


def _served(op: SdkOperation) -> bool:
    return f"{op.method} {_shape(op.path)}" in served()


OPERATIONS = sdk_operations()


def _path(op: SdkOperation, params: dict[str, str]) -> str:
    """``op``'s path for the seeded resources; a newly served operation whose path names a kind
    of resource the seed does not make fails saying so."""
    try:
        return op.path.format(**params)
    except KeyError as missing:
        pytest.fail(
            f"{op.key}: no seeded resource for {missing}: add one to factories.seed_workspace "
            "and path_parameters"
        )


def test_the_sdk_is_read_whole() -> None:
    """The source walk finds the SDK's operations, newer ones included."""
    keys = {op.key for op in OPERATIONS}
    assert len(keys) >= 90
    assert {"POST /v2/sql", "PATCH /v2/notes/{note_id}", "GET /v2/files"} <= keys


def test_every_served_write_has_a_sample() -> None:
    """A newly served write operation needs its request in ``SAMPLES`` to be validated."""
    missing = [
        op.key
        for op in OPERATIONS
        if op.method not in ("GET", "DELETE") and _served(op) and op.key not in SAMPLES
    ]
    assert not missing, f"add a sample request to SAMPLES for {missing}"


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.key)
def test_the_emulator_answers_what_the_sdk_reads(
    op: SdkOperation, seeded: tuple[TestClient, Ids], validator: SpecValidator
) -> None:
    """Each served operation of the SDK, called once: the success status the SDK expects and a
    body its model accepts (docs.attio.com/rest-api/endpoint-reference, the page of each
    operation; the models are those of the spec of 2026-09-16)."""
    if not _served(op):
        pytest.skip(f"the emulator does not serve {op.key} yet")
    client, ids = seeded
    c = ConformantClient(client, validator)  # for the samples' own setup calls
    path = _path(op, path_parameters(_sample_key(op), ids))
    sample = SAMPLES.get(op.key)
    request = sample(c, ids) if sample is not None else {}
    # The client, not the conformant one: the vendored spec predates some of these operations,
    # and these are checked against the SDK's models instead.
    response = client.request(op.method, path, **request)
    expected = int(op.status) if op.status else response.status_code
    ok = response.status_code == expected and response.status_code < 300
    assert ok, f"{op.key}: {response.status_code} {response.text[:500]}"
    if op.model is None:
        return  # the SDK reads no body from this answer
    model = getattr(sdk_models, op.model)
    known = SDK_DIFFERENCES.get(op.key)
    try:
        unmarshal_json_response(model, response)
    except ResponseValidationError as exc:
        if known is not None:
            pytest.xfail(f"{known.key}: {known.attio}")
        pytest.fail(f"{op.key}: the SDK's {op.model} refuses the emulator's answer:\n{exc.cause}")


# Which resource is missing in a 404 test, where not the last one the path names: an unknown
# option or status is 400 ``value_not_found`` (the SDK's own 400 model names that code), an
# unknown attribute 404.
MISSING_PARAMETER = {
    "PATCH /v2/{target}/{identifier}/attributes/{attribute}/options/{option}": "attribute",
    "PATCH /v2/{target}/{identifier}/attributes/{attribute}/statuses/{status}": "attribute",
}


@pytest.mark.parametrize(
    "op",
    [op for op in OPERATIONS if op.not_found and _PLACEHOLDER.search(op.path)],
    ids=lambda op: op.key,
)
def test_a_404_is_what_the_sdk_reads(
    op: SdkOperation, seeded: tuple[TestClient, Ids], validator: SpecValidator
) -> None:
    """Each served operation whose 404 the SDK reads into a model, on a resource that does not
    exist (the last one its path names): Attio's error body as that model has it
    (docs.attio.com/rest-api/guides/errors)."""
    if not _served(op):
        pytest.skip(f"the emulator does not serve {op.key} yet")
    client, ids = seeded
    params = path_parameters(_sample_key(op), ids)
    last = _PLACEHOLDER.findall(op.path)[-1][1:-1]
    params[MISSING_PARAMETER.get(op.key, last)] = "00000000-0000-4000-8000-000000000000"
    sample = SAMPLES.get(op.key)
    request = sample(ConformantClient(client, validator), ids) if sample is not None else {}
    response = client.request(op.method, _path(op, params), **request)
    assert response.status_code == 404, f"{op.key}: {response.status_code} {response.text[:300]}"
    assert op.not_found is not None
    known = SDK_DIFFERENCES.get(f"{op.key} 404")
    try:
        unmarshal_json_response(getattr(sdk_errors, op.not_found), response)
    except ResponseValidationError as exc:
        if known is not None:
            pytest.xfail(f"{known.key}: {known.attio}")
        pytest.fail(f"{op.key}: the SDK's {op.not_found} refuses the 404:\n{exc.cause}")


def test_sdk_differences_still_hold() -> None:
    """Each entry of ``SDK_DIFFERENCES``: the SDK still refuses the body Attio documents."""
    if not SDK_DIFFERENCES:
        pytest.skip("no known difference: the SDK accepts every answer the emulator gives")
    for key, difference in SDK_DIFFERENCES.items():
        model = getattr(sdk_models, difference.model)
        with pytest.raises(Exception):  # noqa: B017 - pydantic's or the SDK's own error
            model.model_validate(difference.documented)
        assert key in {op.key for op in OPERATIONS}, key
