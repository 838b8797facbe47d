"""The lead-kickoff workflow against the emulator as a process, whose Attio API and Slack and
Drive stand-ins serve the real clients (``AttioClient``, ``slack_sdk``, google-auth's session):
what a run creates, read back through the client and the connectors' find methods; a re-run
that sends no write; a Slack failure that leaves the rest done and noted; a rollback that
removes what runs made and nothing that was there before; input errors before any write."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from attio_bridge.client import AttioClient
from attio_bridge.connectors import DriveConnector, SlackConnector
from attio_bridge.connectors.slack import SlackChannel
from attio_bridge.services import ServiceError, Services
from attio_bridge.testing import EmulatorProcess
from attio_bridge.values import ValuesError
from attio_bridge.workflows.kickoff import (
    DRIVE_ATTRIBUTE,
    SLACK_ATTRIBUTE,
    kickoff_lead,
    manifest_path,
    rollback_kickoff,
)

from ._kickoff_support import (
    add_lead_status,
    add_url_attributes,
    company_values,
    control,
    drive_for,
    fail,
    mend,
    note_texts,
    reset,
    slack_for,
    writes,
)

KEY = "kickoff-suite-s3cret-key-9f1e"
SUBFOLDERS = ("Contracts/Signed", "Proposals")


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorProcess]:
    """The emulator as a process, without rate limits."""
    with EmulatorProcess(api_key=KEY, read_rate=0, write_rate=0) as process:
        yield process


@pytest.fixture
def client(emu: EmulatorProcess) -> Iterator[AttioClient]:
    """A client of a fresh workspace whose companies have a ``lead_status`` select; the
    stand-ins are empty and the journal starts empty."""
    reset(emu)
    with AttioClient(api_key=KEY, base_url=emu.base_url, read_rate=0, write_rate=0) as c:
        add_lead_status(c)
        control(emu, "DELETE", "/journal")
        yield c


@pytest.fixture
def services(client: AttioClient) -> Services:
    """The sync services."""
    return Services(client)


@pytest.fixture
def slack(emu: EmulatorProcess) -> SlackConnector:
    """Slack, on the emulator's stand-in."""
    return slack_for(emu)


@pytest.fixture
def drive(emu: EmulatorProcess) -> DriveConnector:
    """Google Drive, on the emulator's stand-in."""
    return drive_for(emu)


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    """Where the runs are recorded."""
    return tmp_path / "state"


def test_kickoff_creates_company_channel_folders_urls_and_note(
    services: Services,
    client: AttioClient,
    slack: SlackConnector,
    drive: DriveConnector,
    state_dir: Path,
) -> None:
    """A first run asserts the company with its status, creates the channel, the client's
    folder with nested subfolders, the two URL attributes holding the links, and a note that
    links both; the manifest records them, without the token."""
    result = kickoff_lead(
        services,
        slack=slack,
        drive=drive,
        name="Acme, Inc.",
        domain="https://www.acme.com/about",
        status="Hot",
        subfolders=SUBFOLDERS,
        state_dir=state_dir,
    )
    assert result.ok, result.failures
    company = services.companies.find_by_domain("acme.com")
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
    values = company_values(client, company.record_id)
    assert {
        k: values.get(k) for k in ("name", "lead_status", SLACK_ATTRIBUTE, DRIVE_ATTRIBUTE)
    } == {
        "name": "Acme, Inc.",
        "lead_status": "Hot",
        SLACK_ATTRIBUTE: channel.url,
        DRIVE_ATTRIBUTE: root.url,
    }
    [note] = note_texts(client, company.record_id)
    assert note.startswith("Lead kickoff\n")
    assert channel.url in note and root.url in note
    recorded = manifest_path("acme.com", state_dir).read_text()
    assert KEY not in recorded
    manifest = json.loads(recorded)
    assert manifest["company"] == {"record_id": company.record_id, "created": True}
    assert manifest["slack_channel"]["id"] == channel.id
    assert sorted(f["path"] for f in manifest["drive_folders"]) == [
        "",
        "Contracts",
        "Contracts/Signed",
        "Proposals",
    ]


def test_rerun_finds_everything_and_sends_no_write(
    emu: EmulatorProcess,
    services: Services,
    client: AttioClient,
    slack: SlackConnector,
    drive: DriveConnector,
    state_dir: Path,
) -> None:
    """Running the kickoff again, even with fresh services, finds the company, channel,
    folders, attributes and note: no write reaches Attio, Slack or Drive, and the result
    names the same channel and folder."""
    kwargs = {"name": "Acme", "domain": "acme.com", "status": "Warm", "subfolders": SUBFOLDERS}
    first = kickoff_lead(services, slack=slack, drive=drive, state_dir=state_dir, **kwargs)  # type: ignore[arg-type]
    assert first.created
    before = writes(emu)
    again = kickoff_lead(
        Services(client),
        slack=slack_for(emu),
        drive=drive_for(emu),
        state_dir=state_dir,
        **kwargs,  # type: ignore[arg-type]
    )
    assert writes(emu) == before
    assert again.ok and again.created == ()
    assert again.slack_channel == first.slack_channel
    assert again.drive_folder == first.drive_folder
    assert again.note_id == first.note_id
    assert first.company is not None
    assert len(note_texts(client, first.company.record_id)) == 1


def test_slack_failure_keeps_company_and_drive_and_notes_it(
    emu: EmulatorProcess,
    services: Services,
    client: AttioClient,
    slack: SlackConnector,
    drive: DriveConnector,
    state_dir: Path,
) -> None:
    """When Slack refuses to create the channel the run does not raise: the company, the Drive
    folder and its URL are kept, the Slack URL stays empty, the result and a note name the
    failure. Once Slack works, a re-run adds the channel, its URL and a note with the links."""
    fail(emu, "slack", "conversations.create", "restricted_action")
    result = kickoff_lead(
        services, slack=slack, drive=drive, name="Globex", domain="globex.com", state_dir=state_dir
    )
    [failure] = result.failures
    assert (failure.system, failure.what) == ("slack", "channel")
    assert "restricted_action" in failure.detail
    company = services.companies.find_by_domain("globex.com")
    assert company is not None
    folder = drive.find_folder("Globex")
    assert folder is not None
    values = company_values(client, company.record_id)
    assert values[DRIVE_ATTRIBUTE] == folder.url
    assert SLACK_ATTRIBUTE not in values
    assert slack.find_channel("internal-globex") is None
    [note] = note_texts(client, company.record_id)
    assert "Slack channel failed" in note and "restricted_action" in note
    assert folder.url in note

    mend(emu)
    fixed = kickoff_lead(
        services, slack=slack, drive=drive, name="Globex", domain="globex.com", state_dir=state_dir
    )
    assert fixed.ok
    channel = slack.find_channel("internal-globex")
    assert channel is not None
    assert company_values(client, company.record_id)[SLACK_ATTRIBUTE] == channel.url
    notes = note_texts(client, company.record_id)
    assert len(notes) == 2 and any(channel.url in n for n in notes)


def test_drive_failure_on_a_subfolder_keeps_the_client_folder(
    emu: EmulatorProcess,
    services: Services,
    client: AttioClient,
    slack: SlackConnector,
    drive: DriveConnector,
    state_dir: Path,
) -> None:
    """Drive failing after the client's folder exists: the folder's URL is written, the
    channel too, and the failure is reported once, naming the subfolder."""
    result_root = kickoff_lead(
        services,
        slack=slack,
        drive=drive,
        name="Initech",
        domain="initech.com",
        subfolders=(),
        state_dir=state_dir,
    )
    assert result_root.ok and result_root.drive_folder is not None
    # Every folder create fails from now on: the client's folder exists, its subfolders not.
    fail(emu, "drive", "files.create", "backendError")
    result = kickoff_lead(
        services,
        slack=slack,
        drive=drive,
        name="Initech",
        domain="initech.com",
        subfolders=("Contracts", "Proposals"),
        state_dir=state_dir,
    )
    [failure] = result.failures
    assert (failure.system, failure.target) == ("google_drive", "Initech/Contracts")
    assert result.company is not None
    values = company_values(client, result.company.record_id)
    assert values[DRIVE_ATTRIBUTE] == result_root.drive_folder.url
    assert result.slack_channel is not None
    assert values[SLACK_ATTRIBUTE] == result.slack_channel.url
    assert drive.find_folder("Contracts", result_root.drive_folder.id) is None


def test_rollback_removes_what_runs_created_and_nothing_that_was_there(
    services: Services,
    client: AttioClient,
    slack: SlackConnector,
    drive: DriveConnector,
    state_dir: Path,
) -> None:
    """A company (status "Cold"), its Drive folder with a "Contracts" subfolder, an older Drive
    URL and a note exist before the kickoff (which sets status "Hot"). The rollback archives the
    channel, trashes only the subfolders the runs made, puts the older Drive URL and the status
    back, clears the Slack URL and deletes the kickoff notes: the company, its folder,
    "Contracts" and the older note stay."""
    add_url_attributes(client)
    company = services.companies.upsert(
        "hooli.com", "Hooli", google_drive_folder_url="https://old", lead_status="Cold"
    )
    services.notes.create("companies", company.record_id, "Intro", "Met at a fair.")
    root, _ = drive.ensure_folder("Hooli")
    contracts, _ = drive.ensure_folder("Contracts", root.id)
    for _ in range(2):  # twice: what the second run finds is still the first run's to undo
        result = kickoff_lead(
            services,
            slack=slack,
            drive=drive,
            name="Hooli",
            domain="hooli.com",
            status="Hot",
            subfolders=("Contracts/Signed", "Proposals"),
            state_dir=state_dir,
        )
        assert result.ok
    assert result.drive_folder == root
    values = company_values(client, company.record_id)
    assert (values[DRIVE_ATTRIBUTE], values["lead_status"]) == (root.url, "Hot")

    undone = rollback_kickoff(
        services, slack=slack, drive=drive, domain="hooli.com", state_dir=state_dir
    )
    assert undone.found and undone.ok and undone.manifest_removed
    assert slack.find_channel("internal-hooli") is None
    assert drive.find_folder("Hooli") == root
    assert drive.find_folder("Contracts", root.id) == contracts
    assert drive.find_folder("Signed", contracts.id) is None
    assert drive.find_folder("Proposals", root.id) is None
    values = company_values(client, company.record_id)
    assert values["name"] == "Hooli"
    assert values[DRIVE_ATTRIBUTE] == "https://old"
    assert values["lead_status"] == "Cold"
    assert SLACK_ATTRIBUTE not in values
    assert note_texts(client, company.record_id) == ["Intro\nMet at a fair."]
    assert not manifest_path("hooli.com", state_dir).exists()
    removed = {(s.system, s.what, s.target) for s in undone.removed}
    assert ("slack", "channel", "#internal-hooli") in removed
    assert ("google_drive", "folder", "Contracts/Signed") in removed
    assert ("attio", "company", "hooli.com") not in removed


def test_rollback_deletes_a_company_the_kickoff_created(
    services: Services,
    slack: SlackConnector,
    drive: DriveConnector,
    state_dir: Path,
) -> None:
    """A company the kickoff created goes with the rollback, its client folder to the trash
    (with the subfolders), and a second rollback finds nothing recorded."""
    kickoff_lead(
        services,
        slack=slack,
        drive=drive,
        name="Umbrella",
        domain="umbrella.com",
        state_dir=state_dir,
    )
    undone = rollback_kickoff(
        services, slack=slack, drive=drive, domain="umbrella.com", state_dir=state_dir
    )
    assert undone.ok
    assert services.companies.find_by_domain("umbrella.com") is None
    assert drive.find_folder("Umbrella") is None
    assert slack.find_channel("internal-umbrella") is None
    again = rollback_kickoff(
        services, slack=slack, drive=drive, domain="umbrella.com", state_dir=state_dir
    )
    assert not again.found and again.steps == ()


def test_rollback_without_slack_keeps_the_channel_recorded(
    services: Services,
    slack: SlackConnector,
    drive: DriveConnector,
    state_dir: Path,
) -> None:
    """A rollback run without Slack configured removes the rest, keeps the channel (reported
    as kept) and its record, so a later rollback with Slack archives it."""
    kickoff_lead(
        services, slack=slack, drive=drive, name="Stark", domain="stark.com", state_dir=state_dir
    )
    first = rollback_kickoff(
        services, slack=None, drive=drive, domain="stark.com", state_dir=state_dir
    )
    assert [(s.what, s.status) for s in first.steps if s.system == "slack"] == [("channel", "kept")]
    assert not first.manifest_removed
    assert slack.find_channel("internal-stark") is not None
    assert services.companies.find_by_domain("stark.com") is None
    second = rollback_kickoff(
        services, slack=slack, drive=None, domain="stark.com", state_dir=state_dir
    )
    assert second.manifest_removed
    assert slack.find_channel("internal-stark") is None


def test_missing_attributes_and_no_create_is_an_error_before_any_write(
    emu: EmulatorProcess,
    services: Services,
    slack: SlackConnector,
    drive: DriveConnector,
    state_dir: Path,
) -> None:
    """Without the URL attributes and with ``create_attributes=False`` the run raises a
    ``ServiceError`` naming both attributes and how to fix it, and nothing is written anywhere."""
    with pytest.raises(ServiceError) as caught:
        kickoff_lead(
            services,
            slack=slack,
            drive=drive,
            name="Acme",
            domain="acme.com",
            create_attributes=False,
            state_dir=state_dir,
        )
    message = str(caught.value)
    assert SLACK_ATTRIBUTE in message and DRIVE_ATTRIBUTE in message
    assert "create_attributes" in message
    assert writes(emu) == []
    assert not manifest_path("acme.com", state_dir).exists()


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"status": "Lukewarm"}, ValuesError, "Lukewarm"),
        ({"subfolders": ("Contracts//Signed",)}, ServiceError, "folder path"),
        ({"domain": "not a domain"}, ValuesError, "domain"),
        ({"name": "!!!"}, ServiceError, "letter or digit"),
    ],
)
def test_bad_input_is_refused_before_any_write(
    emu: EmulatorProcess,
    services: Services,
    slack: SlackConnector,
    drive: DriveConnector,
    state_dir: Path,
    kwargs: dict[str, object],
    error: type[Exception],
    words: str,
) -> None:
    """An unknown status, an empty path segment, a bad domain or a name without a letter fail
    before anything is sent, with a message naming the problem."""
    given = {"name": "Acme", "domain": "acme.com"} | kwargs
    with pytest.raises(error, match=words):
        kickoff_lead(services, slack=slack, drive=drive, state_dir=state_dir, **given)  # type: ignore[arg-type]
    assert writes(emu) == []


def test_dry_run_plans_and_sends_nothing(
    emu: EmulatorProcess,
    services: Services,
    slack: SlackConnector,
    drive: DriveConnector,
    state_dir: Path,
) -> None:
    """A dry run lists what it would create, writes nothing to any system and records no run."""
    result = kickoff_lead(
        services,
        slack=slack,
        drive=drive,
        name="Acme",
        domain="acme.com",
        subfolders=("Contracts/Signed",),
        dry_run=True,
        state_dir=state_dir,
    )
    assert writes(emu) == []
    assert not manifest_path("acme.com", state_dir).exists()
    planned = {(s.system, s.what, s.target) for s in result.steps if s.status == "would create"}
    assert planned >= {
        ("attio", "company", "acme.com"),
        ("slack", "channel", "#internal-acme"),
        ("google_drive", "client folder", "Acme"),
        ("google_drive", "folder", "Acme/Contracts/Signed"),
        ("attio", "note", "Lead kickoff"),
    }


def test_connectors_not_configured_are_skipped_and_said_so(
    services: Services, client: AttioClient, state_dir: Path
) -> None:
    """Without Slack and Drive the company and the note are made; the steps and the note say
    that both were skipped, and nothing failed."""
    result = kickoff_lead(
        services, slack=None, drive=None, name="Acme", domain="acme.com", state_dir=state_dir
    )
    assert result.ok
    skipped = {s.system for s in result.steps if s.status == "skipped"}
    assert skipped == {"slack", "google_drive"}
    assert result.company is not None
    [note] = note_texts(client, result.company.record_id)
    assert "Slack is not configured" in note and "Google Drive is not configured" in note


class _HeldSlack(SlackConnector):
    """Slack on the stand-in, whose channel creation waits until the test lets it go: a run
    held half-way, after it created the company."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entered = threading.Event()
        self.release = threading.Event()

    def create_channel(self, name: str, *, private: bool = False) -> SlackChannel:
        self.entered.set()
        assert self.release.wait(30)
        return super().create_channel(name, private=private)


def test_runs_of_one_domain_take_turns(
    emu: EmulatorProcess, services: Services, drive: DriveConnector, state_dir: Path
) -> None:
    """A second kickoff of a domain while the first is half-way: with a short wait it stops
    with an error naming the running one, before doing anything; with a longer one it waits,
    then finds everything the first made. The manifest keeps that the first created the
    company, so the rollback deletes it."""
    held = _HeldSlack(emu.api_key, base_url=f"{emu.base_url}/slack/api/")
    outcome: dict[str, Any] = {}

    def first() -> None:
        outcome["first"] = kickoff_lead(
            services,
            slack=held,
            drive=drive,
            name="Initech",
            domain="initech.com",
            state_dir=state_dir,
        )

    with AttioClient(api_key=KEY, base_url=emu.base_url, read_rate=0, write_rate=0) as other:
        second_services = Services(other)

        def second(timeout: float) -> Any:
            return kickoff_lead(
                second_services,
                slack=slack_for(emu),
                drive=drive_for(emu),
                name="Initech",
                domain="initech.com",
                state_dir=state_dir,
                lock_timeout=timeout,
            )

        running = threading.Thread(target=first)
        running.start()
        try:
            assert held.entered.wait(30)
            with pytest.raises(ServiceError, match=r"another kickoff or rollback of initech\.com"):
                second(0.2)
            waiting = threading.Thread(target=lambda: outcome.setdefault("second", second(30)))
            waiting.start()
        finally:
            held.release.set()
            running.join(30)
        waiting.join(30)

    assert outcome["first"].ok and [s.what for s in outcome["first"].created]
    again = outcome["second"]
    assert again.ok and again.created == ()
    assert again.company.record_id == outcome["first"].company.record_id
    undone = rollback_kickoff(
        services, slack=slack_for(emu), drive=drive, domain="initech.com", state_dir=state_dir
    )
    assert undone.ok
    assert services.companies.find_by_domain("initech.com") is None
    assert slack_for(emu).find_channel("internal-initech") is None
