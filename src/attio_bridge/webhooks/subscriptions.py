"""Webhook subscriptions as a file: make a workspace's webhooks match it.

The file (TOML, or JSON for a ``.json`` name) lists the webhooks wanted::

    # Which of the workspace's webhooks this file manages: those whose target_url starts with
    # one of these. Default: the origins (scheme://host[:port]/) of the target URLs below.
    manage = ["https://bridge.example.com/webhooks/"]

    [[webhooks]]
    target_url = "https://bridge.example.com/webhooks/attio/acme"

    [[webhooks.subscriptions]]
    event_type = "record.updated"
    # no filter: every record.updated event

    [[webhooks.subscriptions]]
    event_type = "list-entry.created"
    filter = { "$and" = [{ field = "id.list_id", operator = "equals", value = "4f6c..." }] }

``load_subscriptions(path)`` reads and checks it (``SubscriptionsFileError`` naming the file, the
line of a syntax error or the field, and the fix); ``plan_sync(spec, current)`` compares it with
the workspace's webhooks, without I/O: a managed webhook whose target URL is in the file and
whose subscriptions differ is updated, one whose target URL is not in the file is deleted (so
is a second one with the same target URL), a target URL with no webhook is created; webhooks
outside ``manage`` (another integration's) are never touched. ``sync_webhooks(client, spec,
secrets)`` applies the plan with an ``AttioClient``: each signing secret Attio returns on create
goes straight into the secret store under ``webhook:<webhook id>`` (``secret_name``), never into
the file, a log line or the result; deleting a webhook forgets its secret.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .._files import read_settings_file
from ..errors import InvalidInputError

if TYPE_CHECKING:
    from ..client import AttioClient
    from ..client.models import Webhook
    from ..state import SecretStore

__all__ = [
    "Change",
    "DesiredWebhook",
    "SubscriptionsFile",
    "SubscriptionsFileError",
    "SyncPlan",
    "load_subscriptions",
    "parse_subscriptions",
    "plan_sync",
    "secret_name",
    "sync_webhooks",
]

_log = logging.getLogger(__name__)

_EVENT_TYPE = re.compile(r"[a-z][a-z-]*\.[a-z][a-z-]*")
_FILTER_JOINS = ("$and", "$or")
_OPERATORS = ("equals", "not_equals")
_EXAMPLE = (
    '[[webhooks]] tables, each with target_url = "https://..." and [[webhooks.subscriptions]] '
    'tables of event_type = "record.updated" (and an optional filter)'
)


class SubscriptionsFileError(InvalidInputError):
    """A subscriptions file that cannot be used: the message names the file, the line or field,
    and how to fix it."""


def secret_name(webhook_id: str) -> str:
    """The secret store's name for the signing secret of webhook ``webhook_id``."""
    return f"webhook:{webhook_id}"


@dataclass(frozen=True, slots=True)
class DesiredWebhook:
    """One webhook the file wants: its target URL and subscriptions ``{event_type, filter}``."""

    target_url: str
    subscriptions: tuple[Mapping[str, Any], ...]

    def api_subscriptions(self) -> list[dict[str, Any]]:
        """The subscriptions as Attio's API takes them."""
        return [{"event_type": s["event_type"], "filter": s["filter"]} for s in self.subscriptions]


@dataclass(frozen=True, slots=True)
class SubscriptionsFile:
    """A checked subscriptions file: the webhooks wanted and the URL prefixes it manages."""

    webhooks: tuple[DesiredWebhook, ...]
    manage: tuple[str, ...]
    source: str = "the subscriptions"

    def manages(self, target_url: str) -> bool:
        """Whether a webhook with ``target_url`` is this file's to change or delete."""
        return any(target_url.startswith(prefix) for prefix in self.manage)


# -- reading the file -----------------------------------------------------------------------------
def load_subscriptions(path: str | Path) -> SubscriptionsFile:
    """Read and check the subscriptions file ``path``: TOML, or JSON when it ends in ``.json``."""
    doc = read_settings_file(path, SubscriptionsFileError, "subscriptions file")
    return parse_subscriptions(doc, str(path))


def parse_subscriptions(doc: Any, source: str = "the subscriptions") -> SubscriptionsFile:
    """Check a subscriptions document (the parsed file); ``source`` names it in errors."""

    def bad(at: str, problem: str) -> SubscriptionsFileError:
        return SubscriptionsFileError(f"{source}: {at} {problem}")

    if not isinstance(doc, Mapping):
        raise SubscriptionsFileError(f"{source} must be a table (object) with {_EXAMPLE}")
    unknown = sorted(set(doc) - {"webhooks", "manage"})
    if unknown:
        raise bad(
            ", ".join(unknown),
            "is not a setting of a subscriptions file: it has only manage and webhooks",
        )
    raw_hooks = doc.get("webhooks", [])
    if not isinstance(raw_hooks, list):
        raise bad("webhooks", f"must be an array of tables: {_EXAMPLE}")
    hooks: list[DesiredWebhook] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(raw_hooks):
        at = f"webhooks[{i}] (webhook {i + 1})"
        hook = _webhook(raw, at, bad)
        if hook.target_url in seen:
            raise bad(
                f"{at}.target_url",
                f"repeats webhook {seen[hook.target_url] + 1}'s {hook.target_url!r}: put all "
                "of a URL's subscriptions in one webhook",
            )
        seen[hook.target_url] = i
        hooks.append(hook)
    manage = _manage(doc.get("manage"), hooks, bad)
    for hook in hooks:
        if not any(hook.target_url.startswith(p) for p in manage):
            raise bad(
                "manage",
                f"does not cover {hook.target_url!r}: add a prefix of it, or leave manage out",
            )
    return SubscriptionsFile(tuple(hooks), manage, source)


def _manage(raw: Any, hooks: Sequence[DesiredWebhook], bad: Any) -> tuple[str, ...]:
    if raw is None:
        if not hooks:
            raise bad(
                "manage",
                "is needed when the file lists no webhooks: set manage = "
                '["https://your-host/"] to delete the webhooks under it, or add webhooks',
            )
        origins = []
        for hook in hooks:
            parts = urlsplit(hook.target_url)
            origins.append(f"{parts.scheme}://{parts.netloc}/")
        return tuple(dict.fromkeys(origins))
    prefixes = [raw] if isinstance(raw, str) else raw
    if (
        not isinstance(prefixes, list)
        or not prefixes
        or not all(isinstance(p, str) and urlsplit(p).netloc for p in prefixes)
    ):
        raise bad(
            "manage",
            'must be a URL prefix or a list of them, each with a host ("https://host/path/")',
        )
    return tuple(prefixes)


def _webhook(raw: Any, at: str, bad: Any) -> DesiredWebhook:
    if not isinstance(raw, Mapping):
        raise bad(at, f"must be a table: {_EXAMPLE}")
    unknown = sorted(set(raw) - {"target_url", "subscriptions"})
    if unknown:
        raise bad(
            f"{at}.{unknown[0]}",
            "is not a webhook setting: a webhook has target_url and subscriptions",
        )
    url = raw.get("target_url")
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("https", "http") or not parts.netloc:
        raise bad(
            f"{at}.target_url",
            f"must be the URL Attio posts to, https://host/path (got {url!r})",
        )
    subs = raw.get("subscriptions")
    if not isinstance(subs, list) or not subs:
        raise bad(
            f"{at}.subscriptions",
            'is missing or empty: add [[webhooks.subscriptions]] tables with event_type = "..."',
        )
    checked = tuple(
        _subscription(sub, f"{at}.subscriptions[{j}]", bad) for j, sub in enumerate(subs)
    )
    return DesiredWebhook(str(url), checked)


def _subscription(raw: Any, at: str, bad: Any) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise bad(at, 'must be a table with event_type = "record.updated" (and a filter)')
    unknown = sorted(set(raw) - {"event_type", "filter"})
    if unknown:
        raise bad(f"{at}.{unknown[0]}", "is not a subscription setting: use event_type and filter")
    event_type = raw.get("event_type")
    if not isinstance(event_type, str) or not _EVENT_TYPE.fullmatch(event_type):
        raise bad(
            f"{at}.event_type",
            f'must be one of Attio\'s event types such as "record.updated" (got {event_type!r})',
        )
    return {"event_type": event_type, "filter": _filter(raw.get("filter"), f"{at}.filter", bad)}


def _filter(raw: Any, at: str, bad: Any) -> dict[str, Any] | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or len(raw) != 1 or next(iter(raw)) not in _FILTER_JOINS:
        raise bad(at, 'must have exactly one key, "$and" or "$or", holding a list of conditions')
    join, conditions = next(iter(raw.items()))
    if not isinstance(conditions, list) or not conditions:
        raise bad(f"{at}.{join}", "must be a non-empty list of {field, operator, value}")
    out = []
    for k, cond in enumerate(conditions):
        where = f"{at}.{join}[{k}]"
        if not isinstance(cond, Mapping) or set(cond) != {"field", "operator", "value"}:
            raise bad(where, "must have exactly field, operator and value")
        if cond["operator"] not in _OPERATORS:
            raise bad(
                f"{where}.operator", f'must be "equals" or "not_equals" (got {cond["operator"]!r})'
            )
        if not isinstance(cond["field"], str) or not isinstance(cond["value"], str):
            raise bad(where, 'must have a string field (a dot path such as "id.list_id") and value')
        out.append({"field": cond["field"], "operator": cond["operator"], "value": cond["value"]})
    return {join: out}


# -- planning -------------------------------------------------------------------------------------
def _canonical(subscriptions: Sequence[Mapping[str, Any]]) -> list[str]:
    # Attio keeps the order it is given; the file's order is not a difference worth a write.
    return sorted(
        json.dumps({"event_type": s.get("event_type"), "filter": s.get("filter")}, sort_keys=True)
        for s in subscriptions
    )


@dataclass(frozen=True, slots=True)
class Change:
    """One step of a plan: ``action`` is ``create``, ``update``, ``delete`` or ``keep`` (already
    right); ``subscriptions`` what the webhook will have (what it has, for ``delete``);
    ``before`` its subscriptions before an update; ``reason`` why a delete."""

    action: str
    target_url: str
    subscriptions: tuple[Mapping[str, Any], ...]
    webhook_id: str | None = None
    before: tuple[Mapping[str, Any], ...] | None = None
    reason: str | None = None
    secret_name: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The change as ``--json`` prints it (never a secret: only its name in the store)."""
        data: dict[str, Any] = {
            "action": self.action,
            "webhook_id": self.webhook_id,
            "target_url": self.target_url,
            "subscriptions": [dict(s) for s in self.subscriptions],
        }
        if self.before is not None:
            data["before"] = [dict(s) for s in self.before]
        if self.reason is not None:
            data["reason"] = self.reason
        if self.secret_name is not None:
            data["secret_name"] = self.secret_name
        return data


@dataclass(frozen=True, slots=True)
class SyncPlan:
    """The changes that make the workspace match the file, in the order they are applied
    (creates, then updates, then deletes, so deliveries never stop during a move)."""

    changes: tuple[Change, ...]
    unmanaged: int = 0
    """Webhooks of the workspace outside ``manage``: left alone."""
    notes: tuple[str, ...] = field(default=())

    @property
    def writes(self) -> tuple[Change, ...]:
        """The changes that write (all but ``keep``)."""
        return tuple(c for c in self.changes if c.action != "keep")

    def as_json(self) -> dict[str, Any]:
        """The plan as ``--json`` prints it."""
        return {
            "changes": [c.as_json() for c in self.changes],
            "unmanaged": self.unmanaged,
            "notes": list(self.notes),
        }


def _webhook_id(hook: Webhook) -> str:
    return str(hook.id.get("webhook_id", ""))


def plan_sync(
    spec: SubscriptionsFile,
    current: Sequence[Webhook],
    *,
    secrets: SecretStore | None = None,
) -> SyncPlan:
    """What to create, update and delete so that the managed webhooks of ``current`` match
    ``spec``; no I/O but, with ``secrets``, a check that each kept webhook's secret is there."""
    managed = [h for h in current if spec.manages(h.target_url)]
    by_url: dict[str, list[Webhook]] = {}
    for hook in managed:
        by_url.setdefault(hook.target_url, []).append(hook)
    creates: list[Change] = []
    updates: list[Change] = []
    deletes: list[Change] = []
    notes: list[str] = []
    for want in spec.webhooks:
        found = by_url.pop(want.target_url, [])
        if not found:
            creates.append(Change("create", want.target_url, want.subscriptions))
            continue
        first, *extra = found
        hook_id = _webhook_id(first)
        before = tuple(first.subscriptions)
        if _canonical(before) == _canonical(want.subscriptions):
            updates.append(Change("keep", want.target_url, before, hook_id))
        else:
            updates.append(Change("update", want.target_url, want.subscriptions, hook_id, before))
        if secrets is not None and secrets.get(secret_name(hook_id)) is None:
            notes.append(
                f"webhook {hook_id} ({want.target_url}) has no signing secret in the secret "
                "store (Attio shows it only on create): delete it in Attio and sync again to "
                "make a new one whose secret is kept"
            )
        for dup in extra:
            deletes.append(
                Change(
                    "delete",
                    dup.target_url,
                    tuple(dup.subscriptions),
                    _webhook_id(dup),
                    reason=f"a second webhook for the same target URL (keeping {hook_id})",
                )
            )
    for hooks in by_url.values():
        for hook in hooks:
            deletes.append(
                Change(
                    "delete",
                    hook.target_url,
                    tuple(hook.subscriptions),
                    _webhook_id(hook),
                    reason="its target URL is not in the file",
                )
            )
    return SyncPlan(tuple(creates + updates + deletes), len(current) - len(managed), tuple(notes))


# -- applying -------------------------------------------------------------------------------------
def sync_webhooks(
    client: AttioClient,
    spec: SubscriptionsFile,
    secrets: SecretStore,
    *,
    dry_run: bool = False,
) -> SyncPlan:
    """Make the workspace's managed webhooks match ``spec`` and return what was done (with
    ``dry_run``, what would be done; nothing is sent or stored). A created webhook's secret goes
    into ``secrets`` under ``secret_name(id)`` before anything else is sent."""
    current = list(client.webhooks.iter())
    plan = plan_sync(spec, current, secrets=secrets)
    if dry_run:
        return plan
    done: list[Change] = []
    for change in plan.changes:
        if change.action == "create":
            created = client.webhooks.create(
                target_url=change.target_url,
                subscriptions=[dict(s) for s in change.subscriptions],
            )
            hook_id = _webhook_id(created)
            name = secret_name(hook_id)
            if created.secret:
                try:
                    secrets.put(name, created.secret)
                except Exception:
                    # A webhook whose secret is lost can never be verified: take it back, so
                    # that running the sync again creates it anew.
                    client.webhooks.delete(hook_id)
                    raise
            _log.info(
                "created webhook %s for %s; its secret is kept as %s",
                hook_id,
                change.target_url,
                name,
            )
            done.append(
                Change("create", change.target_url, change.subscriptions, hook_id, secret_name=name)
            )
        elif change.action == "update":
            assert change.webhook_id is not None
            client.webhooks.update(
                change.webhook_id, subscriptions=[dict(s) for s in change.subscriptions]
            )
            _log.info("updated the subscriptions of webhook %s", change.webhook_id)
            done.append(change)
        elif change.action == "delete":
            assert change.webhook_id is not None
            client.webhooks.delete(change.webhook_id)
            secrets.delete(secret_name(change.webhook_id))
            _log.info("deleted webhook %s (%s)", change.webhook_id, change.reason)
            done.append(change)
        else:
            done.append(change)
    return SyncPlan(tuple(done), plan.unmanaged, plan.notes)
