"""The lead-kickoff run: assert a company by domain, give it a Slack channel
``internal-{company-slug}`` and a Google Drive folder (with subfolders), write both URLs to the
company (``prospect_slack_channel``, ``google_drive_folder_url``) and add a kickoff note with the
links. Safe to re-run, honest about partial failures, and undoable
(``kickoff_rollback.rollback_kickoff``).

Re-running finds what exists (the company by domain, the channel by name, each folder by name
under its parent, the attributes by slug, the note by its title and a reference line that
depends on the links) instead of creating it twice.

A Slack or Drive failure does not raise: the company keeps what succeeded, the note says what
failed, and ``KickoffResult.failures`` lists it. Attio errors and bad input do raise, bad input
before the first write. Slack and Drive are called in a worker thread (their clients are sync).

Every run records what it created in the state store (namespace "kickoff", keyed by the
domain; see ``kickoff_state``), after each step that creates something, holding ids and URLs
only, never a token. Runs of one domain (kickoffs and rollbacks, not dry runs) take turns
through the store's lock ``kickoff:{domain}``, held from reading the manifest to its last
write, so two at once cannot each record only half of what was created. A second run waits up
to ``lock_timeout`` seconds, then finds what the first made; past that it raises
``KickoffBusyError`` before doing anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ...client.models import Record
from ...connectors import ConnectorError
from ...connectors.drive import DriveConnector, DriveFolder
from ...connectors.slack import SlackChannel, SlackConnector, channel_name
from ...services import AsyncServices, ServiceMissingError
from ...state import StateStore
from ...values import decode_record
from .._model.kickoff import (
    ATTIO,
    ATTRIBUTE_DESCRIPTION,
    ATTRIBUTE_TITLES,
    DEFAULT_SUBFOLDERS,
    DRIVE,
    DRIVE_ATTRIBUTE,
    LOCK_TIMEOUT,
    NOTE_TITLE,
    SLACK,
    SLACK_ATTRIBUTE,
    KickoffResult,
    Manifest,
    Step,
    channel_dict,
    check_name,
    connector_message,
    describe,
    folder_dict,
    folder_paths,
    marker,
    missing_attributes,
    note_markdown,
    status_attribute,
    text_value,
)
from .._threads import in_thread
from .kickoff_state import Records, recorded

__all__ = ["kickoff_lead"]

# A folder's state during a run: found or made, to be made (dry run), or failed.
_PLANNED, _FAILED = "planned", "failed"
_FolderState = DriveFolder | str


async def kickoff_lead(
    services: AsyncServices,
    *,
    slack: SlackConnector | None,
    drive: DriveConnector | None,
    name: str,
    domain: str,
    status: str | None = None,
    subfolders: Sequence[str] = DEFAULT_SUBFOLDERS,
    drive_parent_id: str | None = None,
    create_attributes: bool = True,
    dry_run: bool = False,
    store: StateStore | None = None,
    state_dir: Path | None = None,
    lock_timeout: float = LOCK_TIMEOUT,
) -> KickoffResult:
    """Kick off the lead ``name`` at ``domain``:

    1. assert the company by domain (``name`` only when it is new or has none; ``status``, a
       title of the companies' status or select attribute, e.g. ``lead_status``);
    2. create the text attributes ``prospect_slack_channel`` and ``google_drive_folder_url``
       on companies if missing (with ``create_attributes=False`` a missing one raises
       ``ServiceError`` before anything is written);
    3. the Slack channel ``internal-{company-slug}`` (``slack`` None: skipped);
    4. the Drive folder named after the company under ``drive_parent_id`` with ``subfolders``
       (paths such as "Contracts/Signed" allowed) (``drive`` None: skipped);
    5. both URLs written to the company, and a kickoff note with the links.

    Bad input (a domain, status, subfolder path or attribute that cannot work) raises
    ``ServiceError`` or ``ValuesError`` before the first write. A Slack or Drive failure is
    reported in the result and the note, not raised. Each run records what it created in
    ``store`` (default: the store in ``state_dir``, else ``open_store()``; see the module
    docstring). ``dry_run`` only reads (Attio, and the connectors' find methods) and returns
    the plan."""
    check_name(name)
    domain = await services.companies.domain(domain)
    paths = folder_paths(subfolders)
    ws = await services.context.workspace()
    status_slug = None
    if status is not None:
        status_slug = status_attribute(ws.object("companies"))
        await services.context.encode("companies", {status_slug: status})  # a bad title fails
    missing = missing_attributes(ws.object("companies"))
    if missing and not create_attributes:
        raise ServiceMissingError(
            f"companies have no attribute {' or '.join(missing)}; create "
            f"{'them' if len(missing) > 1 else 'it'} in Attio as text, or let the kickoff "
            "create them (create_attributes=True)"
        )
    async with recorded(store, state_dir, domain, lock_timeout, dry_run) as records:
        run = _Run(services, slack, drive, name.strip(), domain, records)
        return await run.kickoff(status_slug, status, missing, paths, drive_parent_id)


class _Run:
    """One kickoff: the steps taken so far and the manifest they update."""

    def __init__(
        self,
        services: AsyncServices,
        slack: SlackConnector | None,
        drive: DriveConnector | None,
        name: str,
        domain: str,
        records: Records,
    ) -> None:
        self.services = services
        self.slack = slack
        self.drive = drive
        self.name = name
        self.domain = domain
        self.dry_run = records.dry_run
        self.records = records
        self.manifest = records.load() or Manifest(domain)
        self.steps: list[Step] = []

    def step(self, system: str, status: str, what: str, target: str, detail: str = "") -> None:
        self.steps.append(Step(system, status, what, target, detail))

    def save(self) -> None:
        """Keep the manifest (after each step that created something)."""
        self.records.save(self.manifest)

    async def text(self, record: Record, slug: str) -> str | None:
        """The record's text value of ``slug``."""
        return text_value(await self.services.context.workspace(), record, slug)

    async def kickoff(
        self,
        status_slug: str | None,
        status: str | None,
        missing: list[str],
        paths: list[tuple[str, ...]],
        parent_id: str | None,
    ) -> KickoffResult:
        company = await self.company(status_slug, status)
        # The company's own name names the channel and folder, so a re-run finds them.
        name = (await self.text(company, "name") if company else None) or self.name
        await self.attributes(missing)
        channel = await self.channel(name)
        folder, subfolders = await self.folders(name, paths, parent_id)
        company = await self.values(company, channel, folder)
        note_id = await self.note(company, name, channel, folder, subfolders)
        return KickoffResult(
            domain=self.domain,
            name=name,
            dry_run=self.dry_run,
            company=company,
            slack_channel=channel,
            drive_folder=folder,
            drive_subfolders=tuple(subfolders),
            note_id=note_id,
            steps=tuple(self.steps),
            recorded_in=self.records.recorded_in,
        )

    # -- Attio ---------------------------------------------------------------------------------
    async def company(self, status_slug: str | None, status: str | None) -> Record | None:
        existing = await self.services.companies.find_by_domain(self.domain)
        ws = await self.services.context.workspace()
        now = decode_record(ws, existing) if existing is not None else {}
        values = {}
        if status_slug is not None and now.get(status_slug) != status:
            values[status_slug] = status
        name = None if now.get("name") else self.name
        said = describe(name, values)
        if existing is None:
            if self.dry_run:
                self.step(ATTIO, "would create", "company", self.domain, said)
                return None
            record = await self.services.companies.upsert(self.domain, name, **values)
            self.manifest.company_created = True
            self.step(ATTIO, "created", "company", self.domain, record.record_id)
        elif name is None and not values:
            record = existing
            self.step(ATTIO, "found", "company", self.domain, existing.record_id)
        elif self.dry_run:
            self.step(ATTIO, "would update", "company", self.domain, said)
            return existing
        else:
            # What the company held before is what a rollback puts back.
            changed = {"name": name} if name is not None else {}
            for slug, value in (changed | values).items():
                self.remember(slug, value, now.get(slug))
            record = await self.services.companies.upsert(self.domain, name, **values)
            self.step(ATTIO, "updated", "company", self.domain, said)
        if not self.dry_run:
            self.manifest.company_id = record.record_id
            self.save()
        return record

    def remember(self, slug: str, value: str | None, previous: Any) -> None:
        """Record that a run wrote ``value`` to ``slug`` over ``previous``; the value before the
        first run that changed it is kept, as that is what a rollback restores."""
        recorded_value = self.manifest.values.get(slug)
        before = previous if isinstance(previous, str) and previous else None
        kept = recorded_value["previous"] if recorded_value is not None else before
        self.manifest.values[slug] = {"value": value, "previous": kept}

    async def attributes(self, missing: list[str]) -> None:
        for slug in (SLACK_ATTRIBUTE, DRIVE_ATTRIBUTE):
            target = f"companies.{slug}"
            if slug not in missing:
                self.step(ATTIO, "found", "attribute", target)
            elif self.dry_run:
                self.step(ATTIO, "would create", "attribute", target, "text")
            else:
                await self.services.records.create_text_attribute(
                    "companies", slug, ATTRIBUTE_TITLES[slug], ATTRIBUTE_DESCRIPTION
                )
                self.manifest.attributes_created.append(slug)
                self.save()
                self.step(ATTIO, "created", "attribute", target, "text")

    async def values(
        self, company: Record | None, channel: SlackChannel | None, folder: DriveFolder | None
    ) -> Record | None:
        planned = {
            s.system
            for s in self.steps
            if s.status == "would create" and s.what in ("channel", "client folder")
        }
        wanted = {
            SLACK_ATTRIBUTE: (channel.url if channel else None, SLACK in planned),
            DRIVE_ATTRIBUTE: (folder.url if folder else None, DRIVE in planned),
        }
        changes: dict[str, str] = {}
        for slug, (url, to_come) in wanted.items():
            target = f"companies.{slug}"
            if url is None:
                if self.dry_run and to_come:
                    self.step(ATTIO, "would update", "value", target, "the new URL")
                continue
            before = await self.text(company, slug) if company else None
            if before == url:
                self.step(ATTIO, "unchanged", "value", target, url)
                continue
            changes[slug] = url
            self.step(ATTIO, "would update" if self.dry_run else "updated", "value", target, url)
            if not self.dry_run:
                self.remember(slug, url, before)
        if company is None or not changes or self.dry_run:
            return company
        record = await self.services.companies.update(company.record_id, **changes)
        self.save()
        return record

    async def note(
        self,
        company: Record | None,
        name: str,
        channel: SlackChannel | None,
        folder: DriveFolder | None,
        subfolders: Sequence[DriveFolder],
    ) -> str | None:
        problems = [
            s for s in self.steps if s.system != ATTIO and s.status in ("failed", "skipped")
        ]
        failed = {s.system for s in problems if s.status == "failed"}
        slack_part = channel.url if channel else ("failed" if SLACK in failed else "skipped")
        drive_part = folder.url if folder else ("failed" if DRIVE in failed else "skipped")
        if folder is not None and DRIVE in failed:
            drive_part += " incomplete"
        reference = marker(self.domain, slack_part, drive_part)
        notes = self.services.notes
        if company is None or self.dry_run:
            found = None
            if company is not None:
                found = await notes.find(
                    "companies", company.record_id, NOTE_TITLE, containing=reference
                )
            if found is None:
                self.step(ATTIO, "would create", "note", NOTE_TITLE)
                return None
            note_id = found.id.get("note_id", "")
            self.step(ATTIO, "found", "note", NOTE_TITLE, note_id)
            return note_id
        body = note_markdown(name, self.domain, channel, folder, subfolders, problems, reference)
        note, created = await notes.ensure(
            "companies", company.record_id, NOTE_TITLE, body, marker=reference
        )
        note_id = note.id.get("note_id", "")
        if created:
            self.manifest.notes.append(note_id)
            self.save()
        self.step(ATTIO, "created" if created else "found", "note", NOTE_TITLE, note_id)
        return note_id

    # -- Slack and Drive -----------------------------------------------------------------------
    async def channel(self, name: str) -> SlackChannel | None:
        try:
            wanted = channel_name(name)
        except ValueError:  # the company's name in Attio has no letter: fall back on ours
            wanted = channel_name(self.name)
        target = f"#{wanted}"
        if self.slack is None:
            self.step(SLACK, "skipped", "channel", target, "Slack is not configured")
            return None
        try:
            found = await in_thread(self.slack.find_channel, wanted)
            if found is None and self.dry_run:
                self.step(SLACK, "would create", "channel", target)
                return None
            channel = (
                found if found is not None else await in_thread(self.slack.create_channel, wanted)
            )
        except ConnectorError as exc:
            self.step(SLACK, "failed", "channel", target, connector_message(exc))
            return None
        if found is None:
            self.manifest.slack_channel = channel_dict(channel)
            self.save()
        self.step(SLACK, "found" if found else "created", "channel", target, channel.url)
        return channel

    async def folders(
        self, name: str, paths: list[tuple[str, ...]], parent_id: str | None
    ) -> tuple[DriveFolder | None, list[DriveFolder]]:
        if self.drive is None:
            self.step(DRIVE, "skipped", "client folder", name, "Google Drive is not configured")
            return None, []
        known: dict[tuple[str, ...], _FolderState] = {
            (): await self.folder(name, (), parent_id, name)
        }
        for parts in paths:
            parent = known[parts[:-1]]
            if parent == _FAILED:
                # Drive failing once is reported once: the rest waits for a re-run.
                break
            shown = "/".join((name, *parts))
            if isinstance(parent, DriveFolder):
                known[parts] = await self.folder(parts[-1], parts, parent.id, shown)
                if known[parts] == _FAILED:
                    break
            else:
                self.step(DRIVE, "would create", "folder", shown)
                known[parts] = _PLANNED
        root = known[()]
        subfolders = [f for p, f in known.items() if p and isinstance(f, DriveFolder)]
        return (root if isinstance(root, DriveFolder) else None), subfolders

    async def folder(
        self, title: str, parts: tuple[str, ...], parent_id: str | None, target: str
    ) -> _FolderState:
        """Find or create one folder (``parts``: its path under the client's folder, ``()``
        for that folder itself; ``target``: as people read it, "Acme/Contracts/Signed")."""
        assert self.drive is not None
        what = "folder" if parts else "client folder"
        try:
            if self.dry_run:
                found = await in_thread(self.drive.find_folder, title, parent_id)
                if found is None:
                    self.step(DRIVE, "would create", what, target)
                    return _PLANNED
                self.step(DRIVE, "found", what, target, found.url)
                return found
            folder, created = await in_thread(self.drive.ensure_folder, title, parent_id)
        except ConnectorError as exc:
            self.step(DRIVE, "failed", what, target, connector_message(exc))
            return _FAILED
        if created:
            entry = folder_dict(folder) or {}
            self.manifest.drive_folders.append(entry | {"path": "/".join(parts)})
            self.save()
        self.step(DRIVE, "created" if created else "found", what, target, folder.url)
        return folder
