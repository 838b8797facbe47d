"""A bounded schemathesis run over every operation of Attio's spec, against the in-process app.

Checks: no server errors (5xx, or an exception escaping the app) and response schema
conformance, against the spec patched by ``differences.py`` (the same one the hand-written
conformance tests use). Cases mix schemathesis' positive (schema-valid) and negative
(schema-violating) data, ``MAX_EXAMPLES`` per operation, derandomised so a run is repeatable.

The workspace is seeded first through the API, and path parameters are pinned to what the
seed made (``factories.path_parameters``), so generated requests reach real records, entries,
notes and so on instead of stopping at 404. Deletes run last, each on its own sacrificial resource.

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

from .factories import path_parameters, seed_workspace
from .validation import ConformantClient, SpecValidator

API_KEY = "test-key"
AUTH = {"Authorization": f"Bearer {API_KEY}"}
MAX_EXAMPLES = 8

# Operation -> why its server errors are tolerated, naming the strict-xfail test reproducing it.
# Empty: the one this run found (POST /v2/meetings, a year before 1000 gave a 500) is fixed and
# kept as test_meetings.py::test_meeting_before_year_1000_is_not_a_server_error.
KNOWN_SERVER_ERRORS: dict[str, str] = {}


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
        ids = seed_workspace(ConformantClient(client, validator))
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
        strategy = _strategy(case_op, path_parameters(label, ids), query)
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
