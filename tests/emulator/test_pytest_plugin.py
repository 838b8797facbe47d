"""The pytest plugin's fixtures (``attio_bridge.testing.pytest_plugin``), used as a user would.

The plugin is registered through the ``pytest11`` entry point, so in this suite (which installs
the project) its fixtures are available like any plugin's: these tests request them by name.
``tests/test_readme.py`` runs the README's example in a project of its own.
"""

from __future__ import annotations

import httpx
import pytest

from attio_bridge.client import AsyncAttioClient, AttioClient, InternalServerError, NotFoundError
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.errors import InvalidInputError
from attio_bridge.testing import EmulatorControl, EmulatorProcess, SyncASGITransport


def acme(client: AttioClient) -> str:
    """Upsert the company acme.com; its record id."""
    record = client.records.assert_record("companies", "domains", {"domains": ["acme.com"]})
    return record.record_id


def test_the_sync_client_talks_to_the_in_process_emulator(attio_client: AttioClient) -> None:
    record_id = acme(attio_client)
    assert acme(attio_client) == record_id
    assert attio_client.records.get("companies", record_id).values["domains"][0]["domain"] == (
        "acme.com"
    )


def test_each_test_gets_a_fresh_emulator(attio_client: AttioClient) -> None:
    assert attio_client.records.query("companies") == []


@pytest.mark.anyio
async def test_the_async_client_talks_to_the_same_emulator(
    attio_async_client: AsyncAttioClient, attio_client: AttioClient
) -> None:
    record_id = acme(attio_client)
    got = await attio_async_client.records.get("companies", record_id)
    assert got.record_id == record_id


@pytest.fixture
def anyio_backend() -> str:
    """The async client sleeps with asyncio."""
    return "asyncio"


def test_faults_from_the_control_plane_reach_the_client(
    attio_client: AttioClient, attio_control: EmulatorControl
) -> None:
    """One 503 on upserts: the client retries it (PUT is idempotent) and succeeds; a fault on
    every GET outlasts the retries and surfaces as the error class of its status."""
    attio_control.fault("PUT /v2/objects/*/records", status=503, count=1)
    record_id = acme(attio_client.with_options(max_retries=1))
    failed = [e for e in attio_control.journal() if e["status"] == 503]
    assert [e["operation"] for e in failed] == ["PUT /v2/objects/{object}/records"]
    attio_control.fault("GET /v2/objects/*", status=500)
    with pytest.raises(InternalServerError):
        attio_client.with_options(max_retries=0).records.get("companies", record_id)
    attio_control.reset()
    assert attio_client.records.query("companies") == []


def test_slow_merges_from_the_control_plane(
    attio_client: AttioClient, attio_control: EmulatorControl
) -> None:
    """docs.attio.com/rest-api/endpoint-reference/records/merge-two-records: a merge answered
    202 is still applying, and the merged record reads 404 ``merge_in_progress`` until done."""
    people = [
        attio_client.records.create("people", {"email_addresses": [f"{n}@example.com"]})
        for n in ("ann", "bob")
    ]
    attio_control.merge_delay(3600)
    result = attio_client.records.merge("people", people[0].record_id, people[1].record_id)
    assert result.in_progress
    with pytest.raises(NotFoundError) as caught:
        attio_client.records.get("people", result.new_record_id)
    assert caught.value.code == "merge_in_progress"
    assert attio_control.finish_merges() == {"finished": 3}
    assert (
        attio_client.records.get("people", result.new_record_id).record_id == result.new_record_id
    )
    with pytest.raises(InvalidInputError, match="delay_s"):
        attio_control.merge_delay(-1)


def test_the_control_plane_says_what_it_refused(attio_control: EmulatorControl) -> None:
    with pytest.raises(InvalidInputError, match="kind must be one of error"):
        attio_control.fault(kind="explode")
    with pytest.raises(InvalidInputError, match='"system" must be one of slack, google, drive'):
        attio_control.fail_standin("teams")
    with pytest.raises(InvalidInputError, match=r"exactly one of app= .* and base_url="):
        EmulatorControl()


@pytest.mark.attio_seed("generated", size=40)
def test_the_seed_marker_seeds_the_emulator(
    attio_client: AttioClient, attio_control: EmulatorControl
) -> None:
    assert attio_control.state()["records"]["people"] == 40
    assert len(attio_client.records.query("people", limit=100)) == 40


def test_a_stand_in_failure_is_injected_by_name(
    attio_emulator: EmulatorApp, attio_control: EmulatorControl
) -> None:
    attio_control.fail_standin("slack", "conversations.create", "restricted_action", count=1)
    with httpx.Client(
        base_url="http://emulator.test",
        transport=SyncASGITransport(attio_emulator),
        headers={"Authorization": "Bearer xoxb-sandbox"},
    ) as slack:
        first = slack.post("/slack/api/conversations.create", data={"name": "deals"}).json()
        second = slack.post("/slack/api/conversations.create", data={"name": "deals"}).json()
    assert first == {"ok": False, "error": "restricted_action"}
    assert second["ok"] is True


@pytest.mark.attio_seed("sandbox")
def test_the_process_is_reset_and_seeded_per_test(
    attio_emulator_process: EmulatorProcess,
    attio_process_control: EmulatorControl,
    attio_api_key: str,
) -> None:
    """The session's process: this test sees the sandbox and none of another test's writes."""
    with AttioClient(
        api_key=attio_api_key,
        base_url=attio_emulator_process.base_url,
        read_rate=0,
        write_rate=0,
        rate_limit_backend="memory",
    ) as client:
        before = attio_process_control.state()["records"]["companies"]
        assert before > 0
        acme(client)
        assert attio_process_control.state()["records"]["companies"] == before + 1


def test_the_process_starts_clean_after_another_test_wrote(
    attio_emulator_process: EmulatorProcess, attio_process_control: EmulatorControl
) -> None:
    assert attio_process_control.state()["records"]["companies"] == 0
    assert attio_process_control.journal() == []
