"""A bounded schemathesis run over every operation of Attio's spec, against the in-process app.

Checks: no server errors (5xx, or an exception escaping the app) and response schema
conformance, against the spec patched by ``differences.py`` (the same one the hand-written
conformance tests use). Cases mix schemathesis' positive (schema-valid) and negative
(schema-violating) data, ``MAX_EXAMPLES`` per operation, derandomised so a run is repeatable.

The workspace is seeded first through the API, and path parameters are pinned to what the
seed made (``_path_parameters``), so generated requests reach real records, entries, notes and
so on instead of stopping at 404. Deletes run last, each on its own sacrificial resource.

Nothing is excluded. ``KNOWN_SERVER_ERRORS`` lists the operations whose server errors are known
emulator bugs, each with its reason and the strict-xfail test that reproduces it; a server error
there is reported but tolerated, and any other failure fails this test.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import response_schema_conformance
from starlette.testclient import TestClient

from attio_bridge.emulator import EmulatorConfig, create_app
from attio_bridge.emulator.spec import Operation

from .factories import (
    VIDEO_URL,
    attribute_body,
    company,
    entry,
    member_id,
    new_meeting,
    person,
    pipeline,
)
from .validation import ConformantClient, SpecValidator

API_KEY = "test-key"
AUTH = {"Authorization": f"Bearer {API_KEY}"}
MAX_EXAMPLES = 8

# Operation -> why its server errors are tolerated, naming the strict-xfail test reproducing it.
# Empty: the one this run found (POST /v2/meetings, a year before 1000 gave a 500) is fixed and
# kept as test_meetings.py::test_meeting_before_year_1000_is_not_a_server_error.
KNOWN_SERVER_ERRORS: dict[str, str] = {}


def _seed(c: ConformantClient) -> dict[str, str]:
    """Resources for path parameters: one to read and update, one to delete, per kind."""
    ids: dict[str, str] = {"member": member_id(c)}
    for name in ("person", "person_put", "person_delete"):
        ids[name] = person(c)["id"]["record_id"]
    co = company(c)
    lst = pipeline(c)
    ids["list"] = lst["id"]["list_id"]
    for name in ("entry", "entry_put", "entry_delete"):
        ids[name] = entry(c, lst["api_slug"], co, stage="Prospect")["id"]["entry_id"]
    companies = "/v2/objects/companies/attributes"
    ids["categories"] = c.data("GET", f"{companies}/categories")["id"]["attribute_id"]
    saas = [o for o in c.data("GET", f"{companies}/categories/options") if o["title"] == "SaaS"]
    ids["option"] = saas[0]["id"]["option_id"]
    spare = {"api_slug": "fuzz_objects", "singular_noun": "Fuzz", "plural_noun": "Fuzzes"}
    ids["spare_object"] = c.data("POST", "/v2/objects", json={"data": spare})["id"]["object_id"]
    fuzz = c.data("POST", companies, json=attribute_body("fuzz_text", "text"))
    ids["fuzz_attribute"] = fuzz["id"]["attribute_id"]
    stage = c.data("GET", f"/v2/lists/{ids['list']}/attributes/stage")
    ids["stage"] = stage["id"]["attribute_id"]
    statuses = c.data("GET", f"/v2/lists/{ids['list']}/attributes/stage/statuses")
    ids["status"] = statuses[0]["id"]["status_id"]
    parent = {"parent_object": "people", "parent_record_id": ids["person"]}
    for name in ("note", "note_delete"):
        note = {**parent, "title": "Call", "format": "plaintext", "content": "Notes"}
        ids[name] = c.data("POST", "/v2/notes", json={"data": note})["id"]["note_id"]
    for name in ("task", "task_delete"):
        task = {
            "content": "Follow up",
            "format": "plaintext",
            "deadline_at": None,
            "is_completed": False,
            "linked_records": [{"target_object": "people", "target_record_id": ids["person"]}],
            "assignees": [],
        }
        ids[name] = c.data("POST", "/v2/tasks", json={"data": task})["id"]["task_id"]
    comment = {
        "format": "plaintext",
        "content": "First",
        "author": {"type": "workspace-member", "id": ids["member"]},
        "record": {"object": "people", "record_id": ids["person"]},
    }
    head = c.data("POST", "/v2/comments", json={"data": comment})
    ids["thread"], ids["comment"] = head["thread_id"], head["id"]["comment_id"]
    reply = {k: v for k, v in comment.items() if k != "record"} | {"thread_id": ids["thread"]}
    ids["comment_delete"] = c.data("POST", "/v2/comments", json={"data": reply})["id"]["comment_id"]
    ids["meeting"] = new_meeting(c)["id"]["meeting_id"]
    recordings = f"/v2/meetings/{ids['meeting']}/call_recordings"
    for name in ("recording", "recording_delete"):
        made = c.data("POST", recordings, json={"data": {"video_url": VIDEO_URL}})
        ids[name] = made["id"]["call_recording_id"]
    for name in ("webhook", "webhook_delete"):
        hook = {"target_url": "https://hooks.example.com/a", "subscriptions": []}
        ids[name] = c.data("POST", "/v2/webhooks", json={"data": hook})["id"]["webhook_id"]
    return ids


def _path_parameters(label: str, ids: dict[str, str]) -> dict[str, str]:
    """The seeded resources one operation's path names; deletes get their own victims."""
    deleting = label.startswith("DELETE ")
    params = {
        "object": "people",
        "record_id": ids["person_delete" if deleting else "person"],
        "target": "objects",
        "identifier": "companies",
        "attribute": ids["categories"],
        "option": ids["option"],
        "list": ids["list"],
        "entry_id": ids["entry_delete" if deleting else "entry"],
        "workspace_member_id": ids["member"],
        "note_id": ids["note_delete" if deleting else "note"],
        "task_id": ids["task_delete" if deleting else "task"],
        "thread_id": ids["thread"],
        "comment_id": ids["comment_delete" if deleting else "comment"],
        "meeting_id": ids["meeting"],
        "call_recording_id": ids["recording_delete" if deleting else "recording"],
        "webhook_id": ids["webhook_delete" if deleting else "webhook"],
    }
    # Writes that reshape an object (renames, new required attributes) go to a spare object
    # by id, so the people and companies the other operations use stay as seeded.
    if label == "PATCH /v2/objects/{object}":
        params["object"] = ids["spare_object"]
    if label == "POST /v2/{target}/{identifier}/attributes":
        params["identifier"] = ids["spare_object"]
    if label == "PATCH /v2/{target}/{identifier}/attributes/{attribute}":
        params["attribute"] = ids["fuzz_attribute"]  # renames and archives hit a spare attribute
    if "/statuses" in label:
        params.update(target="lists", identifier=ids["list"], attribute=ids["stage"])
        params["status"] = ids["status"]
    if label.startswith("PUT /v2/objects/{object}/records/{record_id}"):
        params["record_id"] = ids["person_put"]
    if label.startswith("PUT /v2/lists/{list}/entries/{entry_id}"):
        params["entry_id"] = ids["entry_put"]
    if "/records/{record_id}/attributes/" in label:
        params["attribute"] = "name"
    if "/entries/{entry_id}/attributes/" in label:
        params["attribute"] = ids["stage"]
    return params


def _strategy(case_op: Any, path: dict[str, str], query: dict[str, str]) -> Any:
    """Positive and, where the operation has something to violate, negative cases."""
    wanted = {p.name for p in case_op.path_parameters}
    fixed = {k: v for k, v in path.items() if k in wanted}
    positive = case_op.as_strategy(GenerationMode.POSITIVE, path_parameters=fixed, query=query)
    negative = case_op.as_strategy(GenerationMode.NEGATIVE, path_parameters=fixed, query=query)
    return st.one_of(positive, negative)


def _run(case_op: Any, strategy: Any, app: Any) -> None:
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        # Report the first failing case as generated: shrinking would cost the time budget.
        phases=[Phase.explicit, Phase.generate],
    )
    @given(case=strategy)
    def check(case: Case[Any]) -> None:
        try:
            case.call_and_validate(
                app=app,
                headers=AUTH,
                checks=[not_a_server_error, response_schema_conformance],
            )
        except (Exception, BaseExceptionGroup) as exc:  # an escaping exception is a 500
            curl = case.as_curl_command(headers=AUTH)
            raise AssertionError(f"{type(exc).__name__}: {exc}\nReproduce: {curl}") from exc

    check()


def test_schemathesis_finds_no_server_errors_or_nonconforming_responses(
    spec: dict[str, Any], validator: SpecValidator, operations: list[Operation]
) -> None:
    """Every spec operation, fuzzed (schemathesis 4, bounded): no 5xx, responses conform."""
    app = create_app(EmulatorConfig(api_keys=[API_KEY], read_rate=0, write_rate=0))
    with TestClient(app, base_url="http://emulator.test", headers=AUTH) as client:
        ids = _seed(ConformantClient(client, validator))
    schema = schemathesis.openapi.from_dict(spec)
    fuzzed = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # every operation of Attio's spec loads
        fuzzed.append(result.ok())
    fuzzed.sort(key=lambda o: o.method.upper() == "DELETE")
    assert sorted(o.label for o in fuzzed) == sorted(op.key for op in operations)
    failures: dict[str, str] = {}
    for case_op in fuzzed:
        label = case_op.label
        query = (
            {"matching_attribute": "email_addresses"}
            if label == "PUT /v2/objects/{object}/records"
            else {}
        )
        strategy = _strategy(case_op, _path_parameters(label, ids), query)
        try:
            _run(case_op, strategy, app)
        except AssertionError as exc:
            failures[label] = str(exc)
    for label in failures.keys() & KNOWN_SERVER_ERRORS.keys():
        print(f"known server error in {label} ({KNOWN_SERVER_ERRORS[label]}):\n{failures[label]}")
    unexpected = {k: v for k, v in failures.items() if k not in KNOWN_SERVER_ERRORS}
    report = "\n\n".join(f"{label}:\n{text[:3000]}" for label, text in unexpected.items())
    assert not unexpected, f"{len(unexpected)} operation(s) failed:\n\n{report}"


def test_known_server_errors_name_real_operations(operations: list[Operation]) -> None:
    """Each tolerated server error names an operation of the spec (no stale entries by typo)."""
    assert set(KNOWN_SERVER_ERRORS) <= {op.key for op in operations}
