"""The lead-kickoff workflow: assert a company by domain, give it a Slack channel
``internal-{company-slug}`` and a Google Drive folder (with subfolders), write both URLs to the
company (``prospect_slack_channel``, ``google_drive_folder_url``) and add a kickoff note with the
links. Safe to re-run, honest about partial failures, and undoable.

Re-running finds what exists (the company by domain, the channel by name, each folder by name
under its parent, the attributes by slug, the note by its title and a reference line that
depends on the links) instead of creating it twice.

A Slack or Drive failure does not raise: the company keeps what succeeded, the note says what
failed, and ``KickoffResult.failures`` lists it. Attio errors and bad input do raise, bad input
before the first write.

Every run records what it created in a manifest, ``{state_dir}/{domain}.json`` (by default
``$XDG_STATE_HOME/attio-bridge/kickoff/``, else ``~/.local/state/attio-bridge/kickoff/``),
written after each step that creates something and holding ids and URLs only, never a token.
``rollback_kickoff`` reads it and removes exactly that: it archives the channel, trashes the
folders, puts back the two attribute values the runs replaced, deletes the notes, and deletes
the company only if a run created it. Attribute definitions a run created are kept: other
companies' kickoffs write to them too.

Runs of one domain (kickoffs and rollbacks, not dry runs) take turns: each holds a lock file
beside the manifest (``.locks/{domain}.json.lock``) from reading the manifest to its last write,
so two at once cannot each record only half of what was created. A second run waits up to
``lock_timeout`` seconds, then finds what the first made; past that it raises ``ServiceError``
before doing anything.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from ..cache import CacheKind
from ..client import NotFoundError
from ..client.models import Record
from ..connectors import ConnectorError
from ..connectors.drive import DriveConnector, DriveFolder
from ..connectors.slack import SlackChannel, SlackConnector, channel_name
from ..services import ServiceError, Services
from ..values import decode_record
from ._activity import ensure_note, find_note

__all__ = [
    "DEFAULT_SUBFOLDERS",
    "DRIVE_ATTRIBUTE",
    "NOTE_TITLE",
    "SLACK_ATTRIBUTE",
    "KickoffResult",
    "RollbackResult",
    "Step",
    "default_state_dir",
    "kickoff_lead",
    "manifest_path",
    "rollback_kickoff",
]

DEFAULT_SUBFOLDERS: tuple[str, ...] = ("Contracts", "Proposals", "Meeting notes", "Deliverables")
SLACK_ATTRIBUTE = "prospect_slack_channel"
DRIVE_ATTRIBUTE = "google_drive_folder_url"
NOTE_TITLE = "Lead kickoff"
# Where the company's status is looked for (as ``workflows/qualify.py`` does).
STATUS_SLUGS = ("lead_status", "qualification_status", "status", "lead_stage")
# Attribute types that hold a URL as written: Attio has no URL type, so text.
URL_TYPES = ("text",)
ATTIO, SLACK, DRIVE = "attio", "slack", "google_drive"
_MANIFEST_VERSION = 1
# How long a run waits for another run of the same domain (a kickoff takes seconds).
LOCK_TIMEOUT = 120.0


# -- results -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    """One thing a run did, would do (dry run) or could not do.

    ``status`` is one of: created, found, updated, unchanged, skipped, failed (a run);
    would create, would update (a dry run); removed, restored, kept (a rollback)."""

    system: str
    status: str
    what: str
    target: str
    detail: str = ""

    def as_dict(self) -> dict[str, str]:
        """The step as plain data."""
        return {
            "system": self.system,
            "status": self.status,
            "what": self.what,
            "target": self.target,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class KickoffResult:
    """What ``kickoff_lead`` found, did or (``dry_run``) would do. ``failures`` are the Slack
    and Drive steps that failed; ``created`` the steps that created something."""

    domain: str
    name: str
    dry_run: bool
    company: Record | None
    slack_channel: SlackChannel | None
    drive_folder: DriveFolder | None
    drive_subfolders: tuple[DriveFolder, ...]
    note_id: str | None
    steps: tuple[Step, ...]
    manifest_path: Path

    @property
    def failures(self) -> tuple[Step, ...]:
        """The steps that failed."""
        return tuple(s for s in self.steps if s.status == "failed")

    @property
    def created(self) -> tuple[Step, ...]:
        """The steps that created something."""
        return tuple(s for s in self.steps if s.status == "created")

    @property
    def ok(self) -> bool:
        """Whether nothing failed."""
        return not self.failures

    def as_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data (ids and URLs; never a token)."""
        return {
            "domain": self.domain,
            "name": self.name,
            "dry_run": self.dry_run,
            "ok": self.ok,
            "company_id": self.company.record_id if self.company is not None else None,
            "slack_channel": _channel_dict(self.slack_channel),
            "drive_folder": _folder_dict(self.drive_folder),
            "drive_subfolders": [_folder_dict(f) for f in self.drive_subfolders],
            "note_id": self.note_id,
            "steps": [s.as_dict() for s in self.steps],
            "manifest": str(self.manifest_path),
        }


@dataclass(frozen=True)
class RollbackResult:
    """What ``rollback_kickoff`` removed (``removed``), kept and why (``kept``), and could not
    remove (``failures``). ``found`` is False when no run of the domain is recorded;
    ``manifest_removed`` whether the record is gone because nothing is left to undo."""

    domain: str
    dry_run: bool
    found: bool
    steps: tuple[Step, ...]
    manifest_path: Path
    manifest_removed: bool

    @property
    def removed(self) -> tuple[Step, ...]:
        """The steps that removed or restored something (or would, in a dry run)."""
        return tuple(s for s in self.steps if s.status not in ("kept", "failed"))

    @property
    def failures(self) -> tuple[Step, ...]:
        """The removals that failed (still recorded in the manifest)."""
        return tuple(s for s in self.steps if s.status == "failed")

    @property
    def ok(self) -> bool:
        """Whether nothing failed."""
        return not self.failures

    def as_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data."""
        return {
            "domain": self.domain,
            "dry_run": self.dry_run,
            "found": self.found,
            "ok": self.ok,
            "steps": [s.as_dict() for s in self.steps],
            "manifest": str(self.manifest_path),
            "manifest_removed": self.manifest_removed,
        }


def _channel_dict(channel: SlackChannel | None) -> dict[str, str] | None:
    if channel is None:
        return None
    return {"id": channel.id, "name": channel.name, "url": channel.url}


def _folder_dict(folder: DriveFolder | None) -> dict[str, str] | None:
    if folder is None:
        return None
    return {"id": folder.id, "name": folder.name, "url": folder.url}


# -- the manifest --------------------------------------------------------------------------------
def default_state_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_STATE_HOME/attio-bridge/kickoff``, else ``~/.local/state/attio-bridge/kickoff``."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "attio-bridge" / "kickoff"


def manifest_path(domain: str, state_dir: Path | None = None) -> Path:
    """The manifest file of the kickoffs of ``domain`` (already normalised)."""
    return (state_dir or default_state_dir()) / f"{domain}.json"


@contextlib.contextmanager
def _turn(path: Path, domain: str, timeout: float, dry_run: bool) -> Iterator[None]:
    """Hold the lock of ``domain``'s manifest (a dry run, which writes nothing, needs none)."""
    if dry_run:
        yield
        return
    locks = path.parent / ".locks"
    locks.mkdir(parents=True, exist_ok=True)
    lock = FileLock(locks / (path.name + ".lock"))
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise ServiceError(
            f"another kickoff or rollback of {domain} is running (it holds {lock.lock_file}); "
            "run again once it has finished"
        ) from None
    try:
        yield
    finally:
        lock.release()


@dataclass
class _Manifest:
    """What the runs of one domain created, as kept on disk."""

    domain: str
    company_id: str | None = None
    company_created: bool = False
    attributes_created: list[str] = field(default_factory=list)
    # slug -> {"value": what a run wrote, "previous": what the company held before (or None)}
    values: dict[str, dict[str, str | None]] = field(default_factory=dict)
    slack_channel: dict[str, str] | None = None
    # each {"id", "name", "url", "path"}; "path" is "" for the client's folder
    drive_folders: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        """Whether nothing is left to undo."""
        return not (
            self.company_created
            or self.values
            or self.slack_channel
            or self.drive_folders
            or self.notes
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "version": _MANIFEST_VERSION,
            "domain": self.domain,
            "company": {"record_id": self.company_id, "created": self.company_created},
            "attributes_created": self.attributes_created,
            "values": self.values,
            "slack_channel": self.slack_channel,
            "drive_folders": self.drive_folders,
            "notes": self.notes,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> _Manifest:
        company = data.get("company") or {}
        return cls(
            domain=str(data["domain"]),
            company_id=company.get("record_id"),
            company_created=bool(company.get("created")),
            attributes_created=list(data.get("attributes_created") or []),
            values=dict(data.get("values") or {}),
            slack_channel=data.get("slack_channel"),
            drive_folders=list(data.get("drive_folders") or []),
            notes=list(data.get("notes") or []),
        )


def _load(path: Path) -> _Manifest | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        return _Manifest.from_json(json.loads(text))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ServiceError(
            f"the kickoff record {path} is damaged ({exc}); fix or remove it to continue"
        ) from None


def _save(path: Path, manifest: _Manifest) -> None:
    """Write the manifest atomically (a crash leaves the old or the new one, never half)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(manifest.to_json(), out, indent=2, sort_keys=True)
            out.write("\n")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# -- checks before the first write ---------------------------------------------------------------
def _domain(services: Services, domain: str) -> str:
    """The domain as Attio keeps it (``ValuesError`` if it is none)."""
    encoded = services.context.encode("companies", {"domains": domain})
    return str(encoded["domains"][0]["domain"])


def _status_attribute(services: Services) -> str:
    companies = services.context.workspace().object("companies")
    if companies is None:
        raise ServiceError("the workspace has no companies object")
    for slug in STATUS_SLUGS:
        attr = companies.attribute(slug)
        if attr is not None and not attr.is_archived and attr.type in ("status", "select"):
            return attr.slug
    raise ServiceError(
        f"companies have no status or select attribute ({' / '.join(STATUS_SLUGS)}) to hold "
        "the lead status; create one in Attio or leave the status out"
    )


def _missing_attributes(services: Services) -> list[str]:
    """The URL attributes companies lack; ``ServiceError`` if one exists but cannot hold a URL."""
    companies = services.context.workspace().object("companies")
    if companies is None:
        raise ServiceError("the workspace has no companies object")
    missing = []
    for slug in (SLACK_ATTRIBUTE, DRIVE_ATTRIBUTE):
        attr = companies.attribute(slug)
        if attr is None:
            missing.append(slug)
        elif attr.is_archived:
            raise ServiceError(
                f"the companies attribute {slug} is archived; restore it in Attio to let the "
                "kickoff write the URL"
            )
        elif attr.type not in URL_TYPES or attr.is_multiselect:
            raise ServiceError(
                f"the companies attribute {slug} is a {attr.type} attribute; it must be a "
                "single-value text attribute to hold a URL"
            )
    return missing


def _folder_paths(subfolders: Sequence[str]) -> list[tuple[str, ...]]:
    """Every folder path to ensure under the client's folder, parents first, each once:
    "Contracts/Signed" gives ("Contracts",) and ("Contracts", "Signed")."""
    paths: dict[tuple[str, ...], None] = {}
    for text in subfolders:
        parts = tuple(p.strip() for p in text.strip().strip("/").split("/"))
        if not text.strip() or any(not p for p in parts):
            raise ServiceError(
                f"subfolder {text!r} is not a folder path; use names separated by '/', "
                'e.g. "Contracts/Signed"'
            )
        for depth in range(1, len(parts) + 1):
            paths[parts[:depth]] = None
    return list(paths)


def _text_value(services: Services, record: Record, slug: str) -> str | None:
    value = decode_record(services.schema, record).get(slug)
    return value if isinstance(value, str) and value else None


def _marker(domain: str, slack_part: str, drive_part: str) -> str:
    """The note's reference line: the same for runs with the same outcome, so a re-run finds
    its note, and a new one when a link appears or a failure is mended."""
    digest = hashlib.sha256(f"{domain}|{slack_part}|{drive_part}".encode()).hexdigest()[:12]
    return f"Kickoff reference {digest}"


def note_markdown(
    name: str,
    domain: str,
    channel: SlackChannel | None,
    folder: DriveFolder | None,
    subfolders: Sequence[DriveFolder],
    problems: Sequence[Step],
    marker: str,
) -> str:
    """The kickoff note: the links that exist, what failed or was skipped, the reference."""
    lines = [f"Kickoff of {name} ({domain}).", ""]
    if channel is not None:
        lines.append(f"- Slack channel: #{channel.name} {channel.url}")
    if folder is not None:
        lines.append(f"- Google Drive folder: {folder.url}")
        if subfolders:
            lines.append("- Subfolders: " + ", ".join(f.name for f in subfolders))
    for step in problems:
        label = "Slack" if step.system == SLACK else "Google Drive"
        verb = "failed" if step.status == "failed" else "skipped"
        lines.append(f"- {label} {step.what} {verb}: {step.detail}")
    if problems:
        lines += ["", "Run the kickoff again once the problem is fixed to finish it."]
    lines += ["", marker]
    return "\n".join(lines) + "\n"


# -- the workflow --------------------------------------------------------------------------------
def kickoff_lead(
    services: Services,
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
    reported in the result and the note, not raised. Each run records what it created in the
    manifest under ``state_dir`` (see the module docstring). ``dry_run`` only reads (Attio, and
    the connectors' find methods) and returns the plan."""
    if not name.strip():
        raise ServiceError("the company needs a name")
    try:
        channel_name(name)
    except ValueError as exc:
        raise ServiceError(f"{exc}; give the company a name with letters or digits") from None
    domain = _domain(services, domain)
    paths = _folder_paths(subfolders)
    status_slug = None
    if status is not None:
        status_slug = _status_attribute(services)
        services.context.encode("companies", {status_slug: status})  # a bad title fails here
    missing = _missing_attributes(services)
    if missing and not create_attributes:
        raise ServiceError(
            f"companies have no attribute {' or '.join(missing)}; create "
            f"{'them' if len(missing) > 1 else 'it'} in Attio as text, or let the kickoff "
            "create them (create_attributes=True; drop --no-create-attributes)"
        )
    path = manifest_path(domain, state_dir)
    with _turn(path, domain, lock_timeout, dry_run):
        run = _Run(services, slack, drive, name.strip(), domain, dry_run, path)
        return run.kickoff(status_slug, status, missing, paths, drive_parent_id)


# A folder's state during a run: found or made, to be made (dry run), or failed.
_PLANNED, _FAILED = "planned", "failed"
_FolderState = DriveFolder | str


class _Run:
    """One kickoff: the steps taken so far and the manifest they update."""

    def __init__(
        self,
        services: Services,
        slack: SlackConnector | None,
        drive: DriveConnector | None,
        name: str,
        domain: str,
        dry_run: bool,
        path: Path,
    ) -> None:
        self.services = services
        self.slack = slack
        self.drive = drive
        self.name = name
        self.domain = domain
        self.dry_run = dry_run
        self.path = path
        self.manifest = _load(path) or _Manifest(domain)
        self.steps: list[Step] = []

    def step(self, system: str, status: str, what: str, target: str, detail: str = "") -> None:
        self.steps.append(Step(system, status, what, target, detail))

    def save(self) -> None:
        """Keep the manifest on disk (after each step that created something)."""
        if not self.dry_run:
            _save(self.path, self.manifest)

    def kickoff(
        self,
        status_slug: str | None,
        status: str | None,
        missing: list[str],
        paths: list[tuple[str, ...]],
        parent_id: str | None,
    ) -> KickoffResult:
        company = self.company(status_slug, status)
        # The company's own name names the channel and folder, so a re-run finds them.
        name = (_text_value(self.services, company, "name") if company else None) or self.name
        self.attributes(missing)
        channel = self.channel(name)
        folder, subfolders = self.folders(name, paths, parent_id)
        company = self.values(company, channel, folder)
        note_id = self.note(company, name, channel, folder, subfolders)
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
            manifest_path=self.path,
        )

    # -- Attio ---------------------------------------------------------------------------------
    def company(self, status_slug: str | None, status: str | None) -> Record | None:
        existing = self.services.companies.find_by_domain(self.domain)
        now = decode_record(self.services.schema, existing) if existing is not None else {}
        values = {}
        if status_slug is not None and now.get(status_slug) != status:
            values[status_slug] = status
        name = None if now.get("name") else self.name
        said = _describe(name, values)
        if existing is None:
            if self.dry_run:
                self.step(ATTIO, "would create", "company", self.domain, said)
                return None
            record = self.services.companies.upsert(self.domain, name, **values)
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
            record = self.services.companies.upsert(self.domain, name, **values)
            self.step(ATTIO, "updated", "company", self.domain, said)
        if not self.dry_run:
            self.manifest.company_id = record.record_id
            self.save()
        return record

    def remember(self, slug: str, value: str | None, previous: Any) -> None:
        """Record that a run wrote ``value`` to ``slug`` over ``previous``; the value before the
        first run that changed it is kept, as that is what a rollback restores."""
        recorded = self.manifest.values.get(slug)
        before = previous if isinstance(previous, str) and previous else None
        kept = recorded["previous"] if recorded is not None else before
        self.manifest.values[slug] = {"value": value, "previous": kept}

    def attributes(self, missing: list[str]) -> None:
        for slug in (SLACK_ATTRIBUTE, DRIVE_ATTRIBUTE):
            target = f"companies.{slug}"
            if slug not in missing:
                self.step(ATTIO, "found", "attribute", target)
            elif self.dry_run:
                self.step(ATTIO, "would create", "attribute", target, "text")
            else:
                self.services.context.client.attributes.create(
                    "objects", "companies", _attribute_body(slug)
                )
                self.manifest.attributes_created.append(slug)
                self.save()
                self.step(ATTIO, "created", "attribute", target, "text")
        if missing and not self.dry_run:
            self.services.schema.invalidate()

    def values(
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
            before = _text_value(self.services, company, slug) if company else None
            if before == url:
                self.step(ATTIO, "unchanged", "value", target, url)
                continue
            changes[slug] = url
            self.step(ATTIO, "would update" if self.dry_run else "updated", "value", target, url)
            if not self.dry_run:
                self.remember(slug, url, before)
        if company is None or not changes or self.dry_run:
            return company
        record = self.services.companies.update(company.record_id, **changes)
        self.save()
        return record

    def note(
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
        marker = _marker(self.domain, slack_part, drive_part)
        if company is None or self.dry_run:
            found = None
            if company is not None:
                found = find_note(self.services, "companies", company.record_id, NOTE_TITLE, marker)
            if found is None:
                self.step(ATTIO, "would create", "note", NOTE_TITLE)
                return None
            note_id = found.id.get("note_id", "")
            self.step(ATTIO, "found", "note", NOTE_TITLE, note_id)
            return note_id
        body = note_markdown(name, self.domain, channel, folder, subfolders, problems, marker)
        note, created = ensure_note(
            self.services, "companies", company.record_id, NOTE_TITLE, body, marker=marker
        )
        note_id = note.id.get("note_id", "")
        if created:
            self.manifest.notes.append(note_id)
            self.save()
        self.step(ATTIO, "created" if created else "found", "note", NOTE_TITLE, note_id)
        return note_id

    # -- Slack and Drive -----------------------------------------------------------------------
    def channel(self, name: str) -> SlackChannel | None:
        try:
            wanted = channel_name(name)
        except ValueError:  # the company's name in Attio has no letter: fall back on ours
            wanted = channel_name(self.name)
        target = f"#{wanted}"
        if self.slack is None:
            self.step(SLACK, "skipped", "channel", target, "Slack is not configured")
            return None
        try:
            found = self.slack.find_channel(wanted)
            if found is None and self.dry_run:
                self.step(SLACK, "would create", "channel", target)
                return None
            channel = found if found is not None else self.slack.create_channel(wanted)
        except ConnectorError as exc:
            self.step(SLACK, "failed", "channel", target, _connector_message(exc))
            return None
        if found is None:
            self.manifest.slack_channel = _channel_dict(channel)
            self.save()
        self.step(SLACK, "found" if found else "created", "channel", target, channel.url)
        return channel

    def folders(
        self, name: str, paths: list[tuple[str, ...]], parent_id: str | None
    ) -> tuple[DriveFolder | None, list[DriveFolder]]:
        if self.drive is None:
            self.step(DRIVE, "skipped", "client folder", name, "Google Drive is not configured")
            return None, []
        known: dict[tuple[str, ...], _FolderState] = {(): self.folder(name, (), parent_id, name)}
        for parts in paths:
            parent = known[parts[:-1]]
            if parent == _FAILED:
                # Drive failing once is reported once: the rest waits for a re-run.
                break
            shown = "/".join((name, *parts))
            if isinstance(parent, DriveFolder):
                known[parts] = self.folder(parts[-1], parts, parent.id, shown)
                if known[parts] == _FAILED:
                    break
            else:
                self.step(DRIVE, "would create", "folder", shown)
                known[parts] = _PLANNED
        root = known[()]
        subfolders = [f for p, f in known.items() if p and isinstance(f, DriveFolder)]
        return (root if isinstance(root, DriveFolder) else None), subfolders

    def folder(
        self, title: str, parts: tuple[str, ...], parent_id: str | None, target: str
    ) -> _FolderState:
        """Find or create one folder (``parts``: its path under the client's folder, ``()``
        for that folder itself; ``target``: as people read it, "Acme/Contracts/Signed")."""
        assert self.drive is not None
        what = "folder" if parts else "client folder"
        try:
            if self.dry_run:
                found = self.drive.find_folder(title, parent_id)
                if found is None:
                    self.step(DRIVE, "would create", what, target)
                    return _PLANNED
                self.step(DRIVE, "found", what, target, found.url)
                return found
            folder, created = self.drive.ensure_folder(title, parent_id)
        except ConnectorError as exc:
            self.step(DRIVE, "failed", what, target, _connector_message(exc))
            return _FAILED
        if created:
            entry = _folder_dict(folder) or {}
            self.manifest.drive_folders.append(entry | {"path": "/".join(parts)})
            self.save()
        self.step(DRIVE, "created" if created else "found", what, target, folder.url)
        return folder


def _inside(path: str, parent: str) -> bool:
    """Whether the folder at ``path`` is inside the one at ``parent`` (paths under the client's
    folder, "" being that folder)."""
    return path != parent and (parent == "" or path.startswith(parent + "/"))


def _describe(name: str | None, values: Mapping[str, Any]) -> str:
    said = [f"name={name}"] if name is not None else []
    return ", ".join(said + [f"{k}={v}" for k, v in values.items()])


def _connector_message(exc: ConnectorError) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _attribute_body(slug: str) -> dict[str, Any]:
    """The create body of a single-value text attribute ``slug``."""
    titles = {SLACK_ATTRIBUTE: "Prospect Slack channel", DRIVE_ATTRIBUTE: "Google Drive folder"}
    return {
        "title": titles[slug],
        "description": "Written by the attio-bridge lead kickoff.",
        "api_slug": slug,
        "type": "text",
        "is_required": False,
        "is_unique": False,
        "is_multiselect": False,
        "config": {},
    }


# -- rollback ------------------------------------------------------------------------------------
def rollback_kickoff(
    services: Services,
    *,
    slack: SlackConnector | None,
    drive: DriveConnector | None,
    domain: str,
    dry_run: bool = False,
    state_dir: Path | None = None,
    lock_timeout: float = LOCK_TIMEOUT,
) -> RollbackResult:
    """Remove what the kickoff runs of ``domain`` created, as their manifest records: archive
    the Slack channel, trash the Drive folders (the topmost created ones; their contents go
    with them), put back the attribute values they replaced (cleared when there was none),
    delete their notes, and delete the company only if a run created it.

    What cannot be removed (a connector not configured or failing) stays in the manifest and
    is reported; running the rollback again retries it. ``dry_run`` removes nothing."""
    domain = _domain(services, domain)
    path = manifest_path(domain, state_dir)
    with _turn(path, domain, lock_timeout, dry_run):
        manifest = _load(path)
        if manifest is None:
            return RollbackResult(domain, dry_run, False, (), path, False)
        undo = _Undo(services, slack, drive, manifest, dry_run)
        removed = False
        try:
            undo.all()
        finally:
            # Also when Attio fails half-way: what was undone is no longer recorded.
            if not dry_run:
                if manifest.is_empty():
                    path.unlink(missing_ok=True)
                    removed = True
                else:
                    _save(path, manifest)
        return RollbackResult(domain, dry_run, True, tuple(undo.steps), path, removed)


class _Undo:
    """One rollback: removes what the manifest lists, dropping each item as it goes."""

    def __init__(
        self,
        services: Services,
        slack: SlackConnector | None,
        drive: DriveConnector | None,
        manifest: _Manifest,
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

    def all(self) -> None:
        self.channel()
        self.folders()
        self.notes()
        self.values()
        self.company()
        for slug in self.m.attributes_created:
            self.done(ATTIO, "kept", "attribute", f"companies.{slug}", "other companies may use it")

    def channel(self) -> None:
        channel = self.m.slack_channel
        if channel is None:
            return
        target = f"#{channel.get('name', '')}"
        if self.slack is None:
            self.done(SLACK, "kept", "channel", target, "Slack is not configured")
            return
        if not self.dry_run:
            try:
                self.slack.archive_channel(channel["id"])
            except ConnectorError as exc:
                self.done(SLACK, "failed", "channel", target, _connector_message(exc))
                return
            self.m.slack_channel = None
        self.done(SLACK, "removed", "channel", target, "archived")

    def folders(self) -> None:
        created = self.m.drive_folders
        paths = [f.get("path", "") for f in created]
        # Only the topmost created folders are trashed: what they hold goes to the trash too.
        tops = [f for f in created if not any(_inside(f.get("path", ""), p) for p in paths)]
        left: list[dict[str, str]] = []
        for top in tops:
            family = [f for f in created if f is top or _inside(f.get("path", ""), top["path"])]
            target = top.get("path") or top.get("name", "")
            problem = self.trash(top["id"])
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

    def trash(self, folder_id: str) -> tuple[str, str] | None:
        """Trash a folder; the (status, reason) of a folder that stays, or None."""
        if self.drive is None:
            return "kept", "Google Drive is not configured"
        if self.dry_run:
            return None
        try:
            self.drive.trash_folder(folder_id)
        except ConnectorError as exc:
            return "failed", _connector_message(exc)
        return None

    def notes(self) -> None:
        client = self.services.context.client
        for note_id in list(self.m.notes):
            if not self.dry_run:
                with contextlib.suppress(NotFoundError):  # deleted by hand already
                    client.notes.delete(note_id)
                # The services have no note deletion; drop the copy their cache may hold.
                self.services.context.cached.delete(note_id, CacheKind.NOTES)
                self.m.notes.remove(note_id)
            self.done(ATTIO, "removed", "note", NOTE_TITLE, note_id)

    def values(self) -> None:
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
            company = self.services.companies.get(self.m.company_id)
        except NotFoundError:
            for slug in list(self.m.values):
                self.done(ATTIO, "removed", "value", f"companies.{slug}", "company deleted")
            if not self.dry_run:
                self.m.values.clear()
            return
        changes: dict[str, str | None] = {}
        for slug, written in list(self.m.values.items()):
            now = _text_value(self.services, company, slug)
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
                self.services.companies.update(company.record_id, **changes)
            self.m.values.clear()

    def company(self) -> None:
        if not self.m.company_created or self.m.company_id is None:
            if self.m.company_id is not None:
                self.done(ATTIO, "kept", "company", self.m.domain, "it existed before the kickoff")
            return
        if not self.dry_run:
            with contextlib.suppress(NotFoundError):  # deleted by hand already
                self.services.companies.delete(self.m.company_id)
            self.m.company_created = False
        self.done(ATTIO, "removed", "company", self.m.domain, self.m.company_id)
