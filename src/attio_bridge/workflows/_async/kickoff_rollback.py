"""The kickoff rollback: remove what the kickoff runs of a domain created, as their manifest in
the state store records it, and nothing that was there before. Each item leaves the manifest as
it is undone, so a rollback that stops half-way (a connector failing, Attio failing) is
finished by running it again.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from ...client import NotFoundError
from ...connectors import ConnectorError
from ...connectors.drive import DriveConnector
from ...connectors.slack import SlackConnector
from ...services import AsyncServices
from ...state import StateStore
from .._model.kickoff import (
    ATTIO,
    DRIVE,
    LOCK_TIMEOUT,
    NOTE_TITLE,
    SLACK,
    Manifest,
    RollbackResult,
    Step,
    connector_message,
    inside,
    text_value,
)
from .._threads import in_thread
from .kickoff_state import recorded

__all__ = ["rollback_kickoff"]


async def rollback_kickoff(
    services: AsyncServices,
    *,
    slack: SlackConnector | None,
    drive: DriveConnector | None,
    domain: str,
    dry_run: bool = False,
    store: StateStore | None = None,
    state_dir: Path | None = None,
    lock_timeout: float = LOCK_TIMEOUT,
) -> RollbackResult:
    """Remove what the kickoff runs of ``domain`` created, as their manifest records: archive
    the Slack channel, trash the Drive folders (the topmost created ones; their contents go
    with them), put back the attribute values they replaced (cleared when there was none),
    delete their notes, and delete the company only if a run created it. Attribute
    definitions a run created are kept: other companies' kickoffs write to them too.

    What cannot be removed (a connector not configured or failing) stays in the manifest and
    is reported; running the rollback again retries it. ``dry_run`` removes nothing. The
    manifest is read from ``store`` as ``kickoff_lead`` says."""
    domain = await services.companies.domain(domain)
    async with recorded(store, state_dir, domain, lock_timeout, dry_run) as records:
        manifest = records.load()
        if manifest is None:
            return RollbackResult(domain, dry_run, False, (), records.recorded_in, False)
        undo = _Undo(services, slack, drive, manifest, dry_run)
        removed = False
        try:
            await undo.all()
        finally:
            # Also when Attio fails half-way: what was undone is no longer recorded.
            if not dry_run:
                if manifest.is_empty():
                    records.drop()
                    removed = True
                else:
                    records.save(manifest)
        return RollbackResult(
            domain, dry_run, True, tuple(undo.steps), records.recorded_in, removed
        )


class _Undo:
    """One rollback: removes what the manifest lists, dropping each item as it goes."""

    def __init__(
        self,
        services: AsyncServices,
        slack: SlackConnector | None,
        drive: DriveConnector | None,
        manifest: Manifest,
        dry_run: bool,
    ) -> None:
        self.services = services
        self.slack = slack
        self.drive = drive
        self.m = manifest
        self.dry_run = dry_run
        self.steps: list[Step] = []

    def done(self, system: str, status: str, what: str, target: str, detail: str = "") -> None:
        shown = (
            f"would be {status}" if self.dry_run and status in ("removed", "restored") else status
        )
        self.steps.append(Step(system, shown, what, target, detail))

    async def all(self) -> None:
        await self.channel()
        await self.folders()
        await self.notes()
        await self.values()
        await self.company()
        for slug in self.m.attributes_created:
            self.done(ATTIO, "kept", "attribute", f"companies.{slug}", "other companies may use it")

    async def channel(self) -> None:
        channel = self.m.slack_channel
        if channel is None:
            return
        target = f"#{channel.get('name', '')}"
        if self.slack is None:
            self.done(SLACK, "kept", "channel", target, "Slack is not configured")
            return
        if not self.dry_run:
            try:
                await in_thread(self.slack.archive_channel, channel["id"])
            except ConnectorError as exc:
                self.done(SLACK, "failed", "channel", target, connector_message(exc))
                return
            self.m.slack_channel = None
        self.done(SLACK, "removed", "channel", target, "archived")

    async def folders(self) -> None:
        created = self.m.drive_folders
        paths = [f.get("path", "") for f in created]
        # Only the topmost created folders are trashed: what they hold goes to the trash too.
        tops = [f for f in created if not any(inside(f.get("path", ""), p) for p in paths)]
        left: list[dict[str, str]] = []
        for top in tops:
            family = [f for f in created if f is top or inside(f.get("path", ""), top["path"])]
            target = top.get("path") or top.get("name", "")
            problem = await self.trash(top["id"])
            if problem is not None:
                self.done(DRIVE, problem[0], "folder", target, problem[1])
                left += family
                continue
            self.done(DRIVE, "removed", "folder", target, "trashed")
            for inner in family:
                if inner is not top:
                    self.done(DRIVE, "removed", "folder", inner["path"], "trashed with its parent")
        if not self.dry_run:
            self.m.drive_folders = left

    async def trash(self, folder_id: str) -> tuple[str, str] | None:
        """Trash a folder; the (status, reason) of a folder that stays, or None."""
        if self.drive is None:
            return "kept", "Google Drive is not configured"
        if self.dry_run:
            return None
        try:
            await in_thread(self.drive.trash_folder, folder_id)
        except ConnectorError as exc:
            return "failed", connector_message(exc)
        return None

    async def notes(self) -> None:
        for note_id in list(self.m.notes):
            if not self.dry_run:
                with contextlib.suppress(NotFoundError):  # deleted by hand already
                    await self.services.notes.delete(note_id)
                self.m.notes.remove(note_id)
            self.done(ATTIO, "removed", "note", NOTE_TITLE, note_id)

    async def values(self) -> None:
        if not self.m.values or self.m.company_id is None:
            return
        if self.m.company_created:
            # The company goes; its values with it.
            for slug in list(self.m.values):
                self.done(ATTIO, "removed", "value", f"companies.{slug}", "with the company")
            if not self.dry_run:
                self.m.values.clear()
            return
        try:
            company = await self.services.companies.get(self.m.company_id)
        except NotFoundError:
            for slug in list(self.m.values):
                self.done(ATTIO, "removed", "value", f"companies.{slug}", "company deleted")
            if not self.dry_run:
                self.m.values.clear()
            return
        ws = await self.services.context.workspace()
        changes: dict[str, str | None] = {}
        for slug, written in list(self.m.values.items()):
            now = text_value(ws, company, slug)
            if now != written.get("value"):
                # Changed by someone since: theirs now, not the kickoff's to undo.
                self.done(ATTIO, "kept", "value", f"companies.{slug}", "changed since the kickoff")
            else:
                previous = written.get("previous")
                changes[slug] = previous
                status = "restored" if previous else "removed"
                self.done(ATTIO, status, "value", f"companies.{slug}", previous or "cleared")
        if not self.dry_run:
            if changes:
                await self.services.companies.update(company.record_id, **changes)
            self.m.values.clear()

    async def company(self) -> None:
        if not self.m.company_created or self.m.company_id is None:
            if self.m.company_id is not None:
                self.done(ATTIO, "kept", "company", self.m.domain, "it existed before the kickoff")
            return
        if not self.dry_run:
            with contextlib.suppress(NotFoundError):  # deleted by hand already
                await self.services.companies.delete(self.m.company_id)
            self.m.company_created = False
        self.done(ATTIO, "removed", "company", self.m.domain, self.m.company_id)
