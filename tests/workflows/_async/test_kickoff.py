"""The lead-kickoff workflow against the emulator as a process, whose Attio API and Slack and
Drive stand-ins serve the real clients (the Attio client, ``slack_sdk``, google-auth's session):
what a run creates, read back through a sync client (``reader``) and the connectors' find
methods; a re-run that sends no write; a Slack failure that leaves the rest done and noted; a
rollback that removes what runs made and nothing that was there before; input errors before any
write; the manifest in the state store, without a token, and the manifests older versions kept
as files brought into it once. Written once for the async workflow; ``../_sync`` runs the same
against the sync one."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from attio_bridge.client import AsyncAttioClient, AttioClient
from attio_bridge.connectors import DriveConnector, SlackConnector
from attio_bridge.services import AsyncServices, ServiceError
from attio_bridge.state import StateStore, open_store
from attio_bridge.testing import EmulatorProcess
from attio_bridge.values import ValuesError
from attio_bridge.workflows.aio import kickoff_lead, rollback_kickoff
from attio_bridge.workflows.kickoff import (
    DRIVE_ATTRIBUTE,
    SLACK_ATTRIBUTE,
    manifest_path,
    read_manifest,
)

from .._kickoff_support import (
    add_url_attributes,
    company_values,
    drive_for,
    fail,
    fresh_workspace,
    mend,
    note_texts,
    slack_for,
    writes,
)

pytestmark = pytest.mark.anyio
KEY = "kickoff-suite-s3cret-key-9f1e"
SUBFOLDERS = ("Contracts/Signed", "Proposals")


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorProcess]:
    """The emulator as a process, without rate limits."""
    with EmulatorProcess(api_key=KEY, read_rate=0, write_rate=0) as process:
        yield process


@pytest.fixture
def reader(emu: EmulatorProcess) -> Iterator[AttioClient]:
    """A sync client of a fresh workspace whose companies have a ``lead_status`` select, for
    setting up and reading back; the stand-ins are empty and the journal starts empty."""
    with fresh_workspace(emu) as c:
        yield c


@pytest.fixture
async def client(emu: EmulatorProcess, reader: AttioClient) -> AsyncIterator[AsyncAttioClient]:
    """The client the workflow runs with, on the workspace ``reader`` set up."""
    async with AsyncAttioClient(
        api_key=KEY, base_url=emu.base_url, read_rate=0, write_rate=0
    ) as attio:
        yield attio


@pytest.fixture
def slack(emu: EmulatorProcess) -> SlackConnector:
    """Slack, on the emulator's stand-in."""
    return slack_for(emu)


@pytest.fixture
def drive(emu: EmulatorProcess) -> DriveConnector:
    """Google Drive, on the emulator's stand-in."""
    return drive_for(emu)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StateStore]:
    """Where the runs are recorded: a state store of the test's own."""
    with open_store(f"sqlite:///{tmp_path / 'state.sqlite3'}") as opened:
        yield opened


async def test_kickoff_creates_company_channel_folders_urls_and_note(
    services: AsyncServices,
    reader: AttioClient,
    slack: SlackConnector,
    drive: DriveConnector,
    store: StateStore,
) -> None:
    """A first run asserts the company with its status, creates the channel, the client's
    folder with nested subfolders, the two URL attributes holding the links, and a note that
    links both; the manifest records them, without the token."""
    result = await kickoff_lead(
        services,
        slack=slack,
        drive=drive,
        name="Acme, Inc.",
        domain="https://www.acme.com/about",
        status="Hot",
        subfolders=SUBFOLDERS,
        store=store,
    )
    assert result.ok, result.failures
    company = await services.companies.find_by_domain("acme.com")
    assert company is not None and result.company is not None
    assert company.record_id == result.company.record_id
    channel = slack.find_channel("internal-acme-inc")
    assert channel is not None and channel == result.slack_channel
    root = drive.find_folder("Acme, Inc.")
    assert root is not None and root == result.drive_folder
    contracts = drive.find_folder("Contracts", root.id)
    assert contracts is not None
    assert drive.find_folder("Signed", contracts.id) is not None
    assert drive.find_folder("Proposals", root.id) is not None
    values = company_values(reader, company.record_id)
    assert {
        k: values.get(k) for k in ("name", "lead_status", SLACK_ATTRIBUTE, DRIVE_ATTRIBUTE)
    } == {
        "name": "Acme, Inc.",
        "lead_status": "Hot",
        SLACK_ATTRIBUTE: channel.url,
        DRIVE_ATTRIBUTE: root.url,
    }
    [note] = note_texts(reader, company.record_id)
    assert note.startswith("Lead kickoff\n")
    assert channel.url in note and root.url in note
    manifest = store.get("kickoff", "acme.com")
    assert manifest is not None and KEY not in json.dumps(manifest)
    assert manifest["company"] == {"record_id": company.record_id, "created": True}
    assert manifest["slack_channel"]["id"] == channel.id
    assert sorted(f["path"] for f in manifest["drive_folders"]) == [
        "",
        "Contracts",
        "Contracts/Signed",
        "Proposals",
    ]


async def test_rerun_finds_everything_and_sends_no_write(
    emu: EmulatorProcess,
    services: AsyncServices,
    client: AsyncAttioClient,
    reader: AttioClient,
    slack: SlackConnector,
    drive: DriveConnector,
    store: StateStore,
) -> None:
    """Running the kickoff again, even with fresh services, finds the company, channel,
    folders, attributes and note: no write reaches Attio, Slack or Drive, and the result
    names the same channel and folder."""
    kwargs = {"name": "Acme", "domain": "acme.com", "status": "Warm", "subfolders": SUBFOLDERS}
    first = await kickoff_lead(services, slack=slack, drive=drive, store=store, **kwargs)  # type: ignore[arg-type]
    assert first.created
    before = writes(emu)
    again = await kickoff_lead(
        AsyncServices(client),
        slack=slack_for(emu),
        drive=drive_for(emu),
        store=store,
        **kwargs,  # type: ignore[arg-type]
    )
    assert writes(emu) == before
    assert again.ok and again.created == ()
    assert again.slack_channel == first.slack_channel
    assert again.drive_folder == first.drive_folder
    assert again.note_id == first.note_id
    assert first.company is not None
    assert len(note_texts(reader, first.company.record_id)) == 1


async def test_slack_failure_keeps_company_and_drive_and_notes_it(
    emu: EmulatorProcess,
    services: AsyncServices,
    reader: AttioClient,
    slack: SlackConnector,
    drive: DriveConnector,
    store: StateStore,
) -> None:
    """When Slack refuses to create the channel the run does not raise: the company, the Drive
    folder and its URL are kept, the Slack URL stays empty, the result and a note name the
    failure. Once Slack works, a re-run adds the channel, its URL and a note with the links."""
    fail(emu, "slack", "conversations.create", "restricted_action")
    result = await kickoff_lead(
        services, slack=slack, drive=drive, name="Globex", domain="globex.com", store=store
    )
    [failure] = result.failures
    assert (failure.system, failure.what) == ("slack", "channel")
    assert "restricted_action" in failure.detail
    company = await services.companies.find_by_domain("globex.com")
    assert company is not None
    folder = drive.find_folder("Globex")
    assert folder is not None
    values = company_values(reader, company.record_id)
    assert values[DRIVE_ATTRIBUTE] == folder.url
    assert SLACK_ATTRIBUTE not in values
    assert slack.find_channel("internal-globex") is None
    [note] = note_texts(reader, company.record_id)
    assert "Slack channel failed" in note and "restricted_action" in note
    assert folder.url in note

    mend(emu)
    fixed = await kickoff_lead(
        services, slack=slack, drive=drive, name="Globex", domain="globex.com", store=store
    )
    assert fixed.ok
    channel = slack.find_channel("internal-globex")
    assert channel is not None
    assert company_values(reader, company.record_id)[SLACK_ATTRIBUTE] == channel.url
    notes = note_texts(reader, company.record_id)
    assert len(notes) == 2 and any(channel.url in n for n in notes)


async def test_drive_failure_on_a_subfolder_keeps_the_client_folder(
    emu: EmulatorProcess,
    services: AsyncServices,
    reader: AttioClient,
    slack: SlackConnector,
    drive: DriveConnector,
    store: StateStore,
) -> None:
    """Drive failing after the client's folder exists: the folder's URL is written, the
    channel too, and the failure is reported once, naming the subfolder."""
    result_root = await kickoff_lead(
        services,
        slack=slack,
        drive=drive,
        name="Initech",
        domain="initech.com",
        subfolders=(),
        store=store,
    )
    assert result_root.ok and result_root.drive_folder is not None
    # Every folder create fails from now on: the client's folder exists, its subfolders not.
    fail(emu, "drive", "files.create", "backendError")
    result = await kickoff_lead(
        services,
        slack=slack,
        drive=drive,
        name="Initech",
        domain="initech.com",
        subfolders=("Contracts", "Proposals"),
        store=store,
    )
    [failure] = result.failures
    assert (failure.system, failure.target) == ("google_drive", "Initech/Contracts")
    assert result.company is not None
    values = company_values(reader, result.company.record_id)
    assert values[DRIVE_ATTRIBUTE] == result_root.drive_folder.url
    assert result.slack_channel is not None
    assert values[SLACK_ATTRIBUTE] == result.slack_channel.url
    assert drive.find_folder("Contracts", result_root.drive_folder.id) is None


async def test_rollback_removes_what_runs_created_and_nothing_that_was_there(
    services: AsyncServices,
    reader: AttioClient,
    slack: SlackConnector,
    drive: DriveConnector,
    store: StateStore,
) -> None:
    """A company (status "Cold"), its Drive folder with a "Contracts" subfolder, an older Drive
    URL and a note exist before the kickoff (which sets status "Hot"). The rollback archives the
    channel, trashes only the subfolders the runs made, puts the older Drive URL and the status
    back, clears the Slack URL and deletes the kickoff notes: the company, its folder,
    "Contracts" and the older note stay."""
    add_url_attributes(reader)
    company = await services.companies.upsert(
        "hooli.com", "Hooli", google_drive_folder_url="https://old", lead_status="Cold"
    )
    await services.notes.create("companies", company.record_id, "Intro", "Met at a fair.")
    root, _ = drive.ensure_folder("Hooli")
    contracts, _ = drive.ensure_folder("Contracts", root.id)
    for _ in range(2):  # twice: what the second run finds is still the first run's to undo
        result = await kickoff_lead(
            services,
            slack=slack,
            drive=drive,
            name="Hooli",
            domain="hooli.com",
            status="Hot",
            subfolders=("Contracts/Signed", "Proposals"),
            store=store,
        )
        assert result.ok
    assert result.drive_folder == root
    values = company_values(reader, company.record_id)
    assert (values[DRIVE_ATTRIBUTE], values["lead_status"]) == (root.url, "Hot")

    undone = await rollback_kickoff(
        services, slack=slack, drive=drive, domain="hooli.com", store=store
    )
    assert undone.found and undone.ok and undone.manifest_removed
    assert slack.find_channel("internal-hooli") is None
    assert drive.find_folder("Hooli") == root
    assert drive.find_folder("Contracts", root.id) == contracts
    assert drive.find_folder("Signed", contracts.id) is None
    assert drive.find_folder("Proposals", root.id) is None
    values = company_values(reader, company.record_id)
    assert values["name"] == "Hooli"
    assert values[DRIVE_ATTRIBUTE] == "https://old"
    assert values["lead_status"] == "Cold"
    assert SLACK_ATTRIBUTE not in values
    assert note_texts(reader, company.record_id) == ["Intro\nMet at a fair."]
    assert read_manifest(store, "hooli.com") is None
    removed = {(s.system, s.what, s.target) for s in undone.removed}
    assert ("slack", "channel", "#internal-hooli") in removed
    assert ("google_drive", "folder", "Contracts/Signed") in removed
    assert ("attio", "company", "hooli.com") not in removed


async def test_rollback_deletes_a_company_the_kickoff_created(
    services: AsyncServices,
    slack: SlackConnector,
    drive: DriveConnector,
    store: StateStore,
) -> None:
    """A company the kickoff created goes with the rollback, its client folder to the trash
    (with the subfolders), and a second rollback finds nothing recorded."""
    await kickoff_lead(
        services,
        slack=slack,
        drive=drive,
        name="Umbrella",
        domain="umbrella.com",
        store=store,
    )
    undone = await rollback_kickoff(
        services, slack=slack, drive=drive, domain="umbrella.com", store=store
    )
    assert undone.ok
    assert await services.companies.find_by_domain("umbrella.com") is None
    assert drive.find_folder("Umbrella") is None
    assert slack.find_channel("internal-umbrella") is None
    again = await rollback_kickoff(
        services, slack=slack, drive=drive, domain="umbrella.com", store=store
    )
    assert not again.found and again.steps == ()


async def test_rollback_without_slack_keeps_the_channel_recorded(
    services: AsyncServices,
    slack: SlackConnector,
    drive: DriveConnector,
    store: StateStore,
) -> None:
    """A rollback run without Slack configured removes the rest, keeps the channel (reported
    as kept) and its record, so a later rollback with Slack archives it."""
    await kickoff_lead(
        services, slack=slack, drive=drive, name="Stark", domain="stark.com", store=store
    )
    first = await rollback_kickoff(
        services, slack=None, drive=drive, domain="stark.com", store=store
    )
    assert [(s.what, s.status) for s in first.steps if s.system == "slack"] == [("channel", "kept")]
    assert not first.manifest_removed
    assert slack.find_channel("internal-stark") is not None
    assert await services.companies.find_by_domain("stark.com") is None
    second = await rollback_kickoff(
        services, slack=slack, drive=None, domain="stark.com", store=store
    )
    assert second.manifest_removed
    assert slack.find_channel("internal-stark") is None


async def test_missing_attributes_and_no_create_is_an_error_before_any_write(
    emu: EmulatorProcess,
    services: AsyncServices,
    slack: SlackConnector,
    drive: DriveConnector,
    store: StateStore,
) -> None:
    """Without the URL attributes and with ``create_attributes=False`` the run raises a
    ``ServiceError`` naming both attributes and how to fix it, and nothing is written anywhere."""
    with pytest.raises(ServiceError) as caught:
        await kickoff_lead(
            services,
            slack=slack,
            drive=drive,
            name="Acme",
            domain="acme.com",
            create_attributes=False,
            store=store,
        )
    message = str(caught.value)
    assert SLACK_ATTRIBUTE in message and DRIVE_ATTRIBUTE in message
    assert "create_attributes" in message
    assert writes(emu) == []
    assert read_manifest(store, "acme.com") is None


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"status": "Lukewarm"}, ValuesError, "Lukewarm"),
        ({"subfolders": ("Contracts//Signed",)}, ServiceError, "folder path"),
        ({"domain": "not a domain"}, ValuesError, "domain"),
        ({"name": "!!!"}, ServiceError, "letter or digit"),
    ],
)
async def test_bad_input_is_refused_before_any_write(
    emu: EmulatorProcess,
    services: AsyncServices,
    slack: SlackConnector,
    drive: DriveConnector,
    store: StateStore,
    kwargs: dict[str, object],
    error: type[Exception],
    words: str,
) -> None:
    """An unknown status, an empty path segment, a bad domain or a name without a letter fail
    before anything is sent, with a message naming the problem."""
    given = {"name": "Acme", "domain": "acme.com"} | kwargs
    with pytest.raises(error, match=words):
        await kickoff_lead(services, slack=slack, drive=drive, store=store, **given)  # type: ignore[arg-type]
    assert writes(emu) == []


async def test_dry_run_plans_and_sends_nothing(
    emu: EmulatorProcess,
    services: AsyncServices,
    slack: SlackConnector,
    drive: DriveConnector,
    store: StateStore,
) -> None:
    """A dry run lists what it would create, writes nothing to any system and records no run."""
    result = await kickoff_lead(
        services,
        slack=slack,
        drive=drive,
        name="Acme",
        domain="acme.com",
        subfolders=("Contracts/Signed",),
        dry_run=True,
        store=store,
    )
    assert writes(emu) == []
    assert read_manifest(store, "acme.com") is None
    planned = {(s.system, s.what, s.target) for s in result.steps if s.status == "would create"}
    assert planned >= {
        ("attio", "company", "acme.com"),
        ("slack", "channel", "#internal-acme"),
        ("google_drive", "client folder", "Acme"),
        ("google_drive", "folder", "Acme/Contracts/Signed"),
        ("attio", "note", "Lead kickoff"),
    }


async def test_connectors_not_configured_are_skipped_and_said_so(
    services: AsyncServices, reader: AttioClient, store: StateStore
) -> None:
    """Without Slack and Drive the company and the note are made; the steps and the note say
    that both were skipped, and nothing failed."""
    result = await kickoff_lead(
        services, slack=None, drive=None, name="Acme", domain="acme.com", store=store
    )
    assert result.ok
    skipped = {s.system for s in result.steps if s.status == "skipped"}
    assert skipped == {"slack", "google_drive"}
    assert result.company is not None
    [note] = note_texts(reader, result.company.record_id)
    assert "Slack is not configured" in note and "Google Drive is not configured" in note


async def test_a_manifest_kept_as_a_file_is_brought_into_the_store_once(
    services: AsyncServices,
    reader: AttioClient,
    slack: SlackConnector,
    drive: DriveConnector,
    tmp_path: Path,
) -> None:
    """A manifest an older version kept as ``{state_dir}/{domain}.json`` is brought into the
    store of ``state_dir`` by the next run (the file renamed ``.imported``, not read again), so
    the rollback removes what that older run created."""
    state_dir = tmp_path / "kickoff"
    first = await kickoff_lead(
        services, slack=slack, drive=drive, name="Wayne", domain="wayne.com", state_dir=state_dir
    )
    assert first.ok and first.company is not None
    # As an older version left it: the manifest as a file, no store yet.
    with open_store(f"sqlite:///{state_dir / 'state.sqlite3'}") as store:
        manifest = read_manifest(store, "wayne.com")
        assert manifest is not None
        store.delete("kickoff", "wayne.com")
    (state_dir / "state.sqlite3").unlink()
    legacy = manifest_path("wayne.com", state_dir)
    legacy.write_text(json.dumps(manifest.to_json()))

    undone = await rollback_kickoff(
        services, slack=slack, drive=drive, domain="wayne.com", state_dir=state_dir
    )

    assert undone.found and undone.ok and undone.manifest_removed
    assert str(state_dir / "state.sqlite3") in undone.recorded_in
    assert not legacy.exists() and legacy.with_name("wayne.com.json.imported").exists()
    assert await services.companies.find_by_domain("wayne.com") is None
    assert slack.find_channel("internal-wayne") is None
    again = await rollback_kickoff(
        services, slack=slack, drive=drive, domain="wayne.com", state_dir=state_dir
    )
    assert not again.found  # the retired file is not read again


async def test_a_damaged_manifest_in_the_store_is_named(
    services: AsyncServices, slack: SlackConnector, drive: DriveConnector, store: StateStore
) -> None:
    store.put("kickoff", "acme.com", {"domain": "acme.com", "values": "not a mapping"})
    with pytest.raises(ServiceError, match=r"kickoff/acme\.com is damaged"):
        await rollback_kickoff(services, slack=slack, drive=drive, domain="acme.com", store=store)


async def test_the_default_store_is_the_users_and_takes_in_the_old_manifests(
    services: AsyncServices, reader: AttioClient, state_home: Path
) -> None:
    """Without a store or ``state_dir`` the runs are recorded in the default store
    (``$XDG_STATE_HOME/attio-bridge/state.sqlite3``), and a manifest an older version left in
    ``$XDG_STATE_HOME/attio-bridge/kickoff/`` is brought into it by the next run."""
    old_dir = state_home / "attio-bridge" / "kickoff"
    old_dir.mkdir(parents=True)
    acme = reader.records.assert_record(
        "companies", "domains", {"domains": [{"domain": "acme.com"}], "name": [{"value": "Acme"}]}
    )
    old = {"domain": "acme.com", "company": {"record_id": acme.record_id, "created": True}}
    (old_dir / "acme.com.json").write_text(json.dumps(old))

    result = await kickoff_lead(
        services, slack=None, drive=None, name="Umbrella", domain="umbrella.com"
    )

    assert result.ok
    assert str(state_home / "attio-bridge" / "state.sqlite3") in result.recorded_in
    with open_store() as store:
        assert read_manifest(store, "umbrella.com") is not None
        imported = read_manifest(store, "acme.com")
    assert imported is not None and imported.company_created
    undone = await rollback_kickoff(services, slack=None, drive=None, domain="acme.com")
    assert undone.ok and undone.manifest_removed
    assert await services.companies.find_by_domain("acme.com") is None
