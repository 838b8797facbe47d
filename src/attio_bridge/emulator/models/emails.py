"""Emails (alpha, metadata only) and the sequences unsubscribe list (beta).

``GET /v2/emails`` (docs.attio.com/rest-api/endpoint-reference/emails/list-emails) lists the
metadata of emails from connected mailboxes, never their content: at least one filter
(``linked_object`` with ``linked_record_ids``, ``participants`` or ``domain``), several combined
with OR, newest first, cursor pages (limit default 25). ``linked_records`` is worked out at
request time from the records as they are now: the people whose email address and the companies
whose domain is a participant's. The emulator syncs no mailbox: emails are put in with
``add_email`` (tests, seeds).

``POST /v2/sequences/unsubscribed_emails`` (endpoint-reference/sequences) adds addresses to the
workspace's unsubscribe list; addresses already on it are ignored, so it is safe to retry. The
answer lists each address given with the time it joined the list.
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

from ..clock import new_id, now_ts, parse_ts
from ..errors import ValidationTypeError

if TYPE_CHECKING:
    from ..workspace import Workspace

_EMAIL = re.compile(r"^[^@\s]+@([^@\s]+\.[^@\s]+)$")
ROLES = ("from", "reply-to", "to", "cc", "bcc")


def _mailbox_id(ws: Workspace) -> str:
    """The one mailbox the emulator's emails come from (stable per workspace)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"attio-bridge:emulator:mailbox:{ws.workspace_id}"))


def _address(raw: Any, where: str) -> str:
    if not isinstance(raw, str) or not _EMAIL.match(raw.strip()):
        raise ValidationTypeError(f"{where} must be an email address, got {raw!r}.")
    return raw.strip().lower()


def add_email(
    ws: Workspace,
    *,
    subject_line: str | None,
    direction: str,
    participants: list[tuple[str, str, str | None]],
    sent_at: str | None = None,
    automated: bool = False,
) -> dict[str, Any]:
    """Put an email's metadata in the workspace, as a synced mailbox would. ``participants``
    are ``(role, address, name)``."""
    entry: dict[str, Any] = {
        "id": {
            "workspace_id": ws.workspace_id,
            "mailbox_id": _mailbox_id(ws),
            "email_id": new_id(),
        },
        "sent_at": sent_at or now_ts(),
        "direction": direction,
        "subject_line": subject_line,
        "participants": [
            {
                "role": role,
                "email_address": _address(address, "A participant"),
                "email_domain": address.rsplit("@", 1)[1].lower(),
                "name": name,
            }
            for role, address, name in participants
        ],
        "_automated": automated,
    }
    ws.emails.append(entry)
    return entry


def add_email_from(ws: Workspace, body: dict[str, Any]) -> dict[str, Any]:
    """``add_email`` from a JSON body (the control plane's ``POST /_emulator/emails``)."""
    direction = body.get("direction")
    if direction not in ("inbound", "outbound"):
        raise ValidationTypeError(
            f'"direction" must be "inbound" or "outbound", got {direction!r}.'
        )
    people = body.get("participants")
    if not isinstance(people, list) or not all(isinstance(p, dict) for p in people):
        raise ValidationTypeError('"participants" must be an array of {role, email_address, name}.')
    for p in people:
        if p.get("role") not in ROLES:
            raise ValidationTypeError(f'A participant\'s "role" must be one of {", ".join(ROLES)}.')
    subject = body.get("subject_line")
    sent_at = body.get("sent_at")
    if sent_at is not None:
        parse_ts(str(sent_at))  # ValueError (a 400) if it is no timestamp
    entry = add_email(
        ws,
        subject_line=subject if isinstance(subject, str) else None,
        direction=direction,
        participants=[(p["role"], p.get("email_address"), p.get("name")) for p in people],
        sent_at=sent_at,
        automated=bool(body.get("automated", False)),
    )
    return {k: v for k, v in entry.items() if not k.startswith("_")}


def _linked(ws: Workspace, email: dict[str, Any]) -> list[dict[str, Any]]:
    addresses = {p["email_address"] for p in email["participants"]}
    domains = {p["email_domain"] for p in email["participants"]}
    out: list[dict[str, Any]] = []
    for slug, attr_slug, key, wanted in (
        ("people", "email_addresses", "email_address", addresses),
        ("companies", "domains", "domain", domains),
    ):
        obj = ws.schema.find_object(slug)
        attr = obj.find_attribute(attr_slug) if obj else None
        if obj is None or attr is None:
            continue
        for rec in ws.store.holders(obj).values():
            if any(
                str(v.data.get(key, "")).lower() in wanted for v in rec.current(attr.attribute_id)
            ):
                out.append({"object_slug": slug, "object_id": obj.id, "record_id": rec.id})
    return out


def list_emails(
    ws: Workspace,
    *,
    linked_object: str | None,
    linked_record_ids: str | None,
    participants: str | None,
    domain: str | None,
    sent_after: str | None,
    sent_before: str | None,
    exclude_automated: bool,
) -> list[dict[str, Any]]:
    """The emails matching any of the filters given, newest first, in Attio's read shape."""
    record_ids = {r for r in (linked_record_ids or "").split(",") if r.strip()}
    if bool(linked_object) != bool(record_ids):
        raise ValidationTypeError(
            'Query parameters "linked_object" and "linked_record_ids" must be given together.'
        )
    if linked_object:
        ws.schema.get_object(linked_object)
    wanted = {_address(p, "participants") for p in (participants or "").split(",") if p.strip()}
    domain = domain.strip().lower() if domain else None
    if not (record_ids or wanted or domain):
        raise ValidationTypeError(
            'Give at least one filter: "linked_object" with "linked_record_ids", '
            '"participants" or "domain"; there is no way to list every email.'
        )
    after = parse_ts(sent_after) if sent_after else None
    before = parse_ts(sent_before) if sent_before else None
    out: list[dict[str, Any]] = []
    for email in sorted(ws.emails, key=lambda e: e["sent_at"], reverse=True):
        if exclude_automated and email["_automated"]:
            continue
        sent = parse_ts(email["sent_at"])
        if (after and sent < after) or (before and sent >= before):
            continue
        linked = _linked(ws, email)
        people = {p["email_address"] for p in email["participants"]}
        hosts = {p["email_domain"] for p in email["participants"]}
        if (
            (record_ids and any(link["record_id"] in record_ids for link in linked))
            or (wanted & people)
            or (domain in hosts)
        ):
            shown = {k: v for k, v in email.items() if not k.startswith("_")}
            out.append({**shown, "linked_records": linked})
    return out


def unsubscribe(ws: Workspace, data: dict[str, Any]) -> list[dict[str, Any]]:
    """Add addresses to the sequences unsubscribe list (those on it already stay as they were)."""
    given = data.get("email_addresses")
    if not isinstance(given, list) or not given:
        raise ValidationTypeError('"email_addresses" must be a non-empty array of email addresses.')
    addresses = [_address(a, "Each of email_addresses") for a in given]
    for address in addresses:
        ws.unsubscribed.setdefault(address, now_ts())
    return [
        {"email_address": a, "created_at": ws.unsubscribed[a]} for a in dict.fromkeys(addresses)
    ]
