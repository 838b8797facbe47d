"""The lead kickoff without I/O: its results (``Step``, ``KickoffResult``, ``RollbackResult``),
the manifest of what runs created (``Manifest``, kept in the state store under namespace
"kickoff", keyed by domain), the note's body and reference line, and the checks made before the
first write. The run is ``_async/kickoff.py``, the rollback ``_async/kickoff_rollback.py``."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...client.models import Record
from ...connectors import ConnectorError
from ...connectors.drive import DriveFolder
from ...connectors.slack import SlackChannel, channel_name
from ...services import ServiceError, ServiceMissingError
from ...state import LockTimeout, StateStore
from ...values import TargetSchema, WorkspaceSchema, decode_record

__all__ = [
    "ATTIO",
    "DEFAULT_SUBFOLDERS",
    "DRIVE",
    "DRIVE_ATTRIBUTE",
    "LOCK_TIMEOUT",
    "NAMESPACE",
    "NOTE_TITLE",
    "SLACK",
    "SLACK_ATTRIBUTE",
    "KickoffBusyError",
    "KickoffResult",
    "Manifest",
    "RollbackResult",
    "Step",
    "channel_dict",
    "check_name",
    "connector_message",
    "describe",
    "folder_dict",
    "folder_paths",
    "inside",
    "manifest_key",
    "marker",
    "missing_attributes",
    "note_markdown",
    "status_attribute",
    "text_value",
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
# The state store's namespace of the manifests (the key is the domain).
NAMESPACE = "kickoff"
_MANIFEST_VERSION = 1
# How long a run waits for another run of the same domain (a kickoff takes seconds).
LOCK_TIMEOUT = 120.0


def manifest_key(domain: str) -> str:
    """The manifest of ``domain`` as messages name it: "kickoff/acme.com"."""
    return f"{NAMESPACE}/{domain}"


def _as_path(recorded_in: str) -> Path:
    """A store's URL as a path: its SQLite file (the URL itself for another database)."""
    return Path(recorded_in.removeprefix("sqlite:///"))


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
    and Drive steps that failed; ``created`` the steps that created something;
    ``recorded_in`` the state store holding the manifest (its URL, password masked)."""

    domain: str
    name: str
    dry_run: bool
    company: Record | None
    slack_channel: SlackChannel | None
    drive_folder: DriveFolder | None
    drive_subfolders: tuple[DriveFolder, ...]
    note_id: str | None
    steps: tuple[Step, ...]
    recorded_in: str

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
            "slack_channel": channel_dict(self.slack_channel),
            "drive_folder": folder_dict(self.drive_folder),
            "drive_subfolders": [folder_dict(f) for f in self.drive_subfolders],
            "note_id": self.note_id,
            "steps": [s.as_dict() for s in self.steps],
            "manifest": manifest_key(self.domain),
            "state": self.recorded_in,
        }

    @property
    def manifest_path(self) -> Path:
        """Where the run is recorded, as a path: the state store's SQLite file (kept for
        callers written when each manifest was a file; ``recorded_in`` says it for any
        store)."""
        return _as_path(self.recorded_in)


@dataclass(frozen=True)
class RollbackResult:
    """What ``rollback_kickoff`` removed (``removed``), kept and why (``kept``), and could not
    remove (``failures``). ``found`` is False when no run of the domain is recorded;
    ``manifest_removed`` whether the record is gone because nothing is left to undo."""

    domain: str
    dry_run: bool
    found: bool
    steps: tuple[Step, ...]
    recorded_in: str
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
            "manifest": manifest_key(self.domain),
            "state": self.recorded_in,
            "manifest_removed": self.manifest_removed,
        }

    @property
    def manifest_path(self) -> Path:
        """Where the runs are recorded, as a path (see ``KickoffResult.manifest_path``)."""
        return _as_path(self.recorded_in)


def channel_dict(channel: SlackChannel | None) -> dict[str, str] | None:
    """A channel as the manifest and results hold it: id, name, URL."""
    if channel is None:
        return None
    return {"id": channel.id, "name": channel.name, "url": channel.url}


def folder_dict(folder: DriveFolder | None) -> dict[str, str] | None:
    """A folder as the manifest and results hold it: id, name, URL."""
    if folder is None:
        return None
    return {"id": folder.id, "name": folder.name, "url": folder.url}


# -- the manifest ------------------------------------------------------------------------------
@dataclass
class Manifest:
    """What the runs of one domain created, as the state store keeps it (ids and URLs, never a
    token)."""

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
        """The manifest as the JSON document stored."""
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
    def from_json(cls, data: Mapping[str, Any]) -> Manifest:
        """The manifest of a stored document; ``ServiceError`` when it is damaged."""
        try:
            return cls._from_json(data)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ServiceError(
                f"the kickoff record {manifest_key(str(data.get('domain', '?')))} is damaged "
                f"({exc}); fix or delete it in the state store to continue"
            ) from None

    @classmethod
    def _from_json(cls, data: Mapping[str, Any]) -> Manifest:
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


# -- checks before the first write ---------------------------------------------------------------
def check_name(name: str) -> None:
    """``ServiceError`` unless ``name`` can name the company and its Slack channel."""
    if not name.strip():
        raise ServiceError("the company needs a name")
    try:
        channel_name(name)
    except ValueError as exc:
        raise ServiceError(f"{exc}; give the company a name with letters or digits") from None


def status_attribute(companies: TargetSchema | None) -> str:
    """The slug of the companies' status or select attribute (``companies``: their schema)."""
    if companies is None:
        raise ServiceMissingError("the workspace has no companies object")
    for slug in STATUS_SLUGS:
        attr = companies.attribute(slug)
        if attr is not None and not attr.is_archived and attr.type in ("status", "select"):
            return attr.slug
    raise ServiceMissingError(
        f"companies have no status or select attribute ({' / '.join(STATUS_SLUGS)}) to hold "
        "the lead status; create one in Attio or leave the status out"
    )


def missing_attributes(companies: TargetSchema | None) -> list[str]:
    """The URL attributes companies lack; ``ServiceError`` if one exists but cannot hold a URL."""
    if companies is None:
        raise ServiceMissingError("the workspace has no companies object")
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


def folder_paths(subfolders: Sequence[str]) -> list[tuple[str, ...]]:
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


def text_value(schema: WorkspaceSchema, record: Record, slug: str) -> str | None:
    """The record's text value of ``slug``, or None when it holds none."""
    value = decode_record(schema, record).get(slug)
    return value if isinstance(value, str) and value else None


def marker(domain: str, slack_part: str, drive_part: str) -> str:
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


def inside(path: str, parent: str) -> bool:
    """Whether the folder at ``path`` is inside the one at ``parent`` (paths under the client's
    folder, "" being that folder)."""
    return path != parent and (parent == "" or path.startswith(parent + "/"))


def describe(name: str | None, values: Mapping[str, Any]) -> str:
    """What a company step sets, as in a step's detail: "name=Acme, lead_status=Hot"."""
    said = [f"name={name}"] if name is not None else []
    return ", ".join(said + [f"{k}={v}" for k, v in values.items()])


def connector_message(exc: ConnectorError) -> str:
    """A connector's error on one line, for a step's detail."""
    return " ".join(str(exc).split()) or type(exc).__name__


ATTRIBUTE_TITLES = {
    SLACK_ATTRIBUTE: "Prospect Slack channel",
    DRIVE_ATTRIBUTE: "Google Drive folder",
}
ATTRIBUTE_DESCRIPTION = "Written by the attio-bridge lead kickoff."


class KickoffBusyError(LockTimeout, ServiceError):
    """Another kickoff or rollback of the domain kept its turn past the time given: a
    ``LockTimeout`` (retryable), and a ``ServiceError``, as callers caught it before."""


def read_manifest(store: StateStore, domain: str) -> Manifest | None:
    """What the kickoff runs of ``domain`` (as Attio keeps it: "acme.com") created, as
    ``store`` records it, or None when no run of it is recorded."""
    document = store.get(NAMESPACE, domain)
    return Manifest.from_json(document) if document is not None else None
