"""What the sync and async services share and what needs no I/O: ``ServiceError``, reading the
caller's references (companies, records, members, moments), finding optional deal attributes,
rewriting entry filters that name the parent record's attributes, and the cache keys of records
(by id and by unique value) with the views the services read and write the cache through.

The services in ``_async`` (and the generated ``_sync``) only sequence client calls around these.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any

from ..cache import JSON, Cache
from ..client.models import Record, WorkspaceMember
from ..errors import InvalidInputError, MissingError
from ..values import Problem, TargetSchema, ValuesError, WorkspaceSchema, domain_from
from ..values.validate import unknown_attribute, wrong_type

_UUID_RE = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
# Slugs tried, in order, for the deal attributes the standard object does not have.
CLOSE_DATE_SLUGS = ("close_date", "expected_close_date", "closing_date", "close_on")
PROBABILITY_SLUGS = ("probability", "win_probability", "deal_probability")
TASK_CONTENT_MAX = 2000
# Keys of a filter node that are not attribute slugs.
_LOGICAL = ("$and", "$or")


class ServiceError(InvalidInputError):
    """An operation that cannot be done as asked (an unknown list, a record that is not in the
    list it should leave, ...); the message says what to fix."""


class ServiceMissingError(MissingError, ServiceError):
    """What a service was asked for does not exist: an object or list of the workspace, the
    record an email, domain, id or URL names. Also a ``ServiceError``, which callers written
    before the error tree catch."""


def is_record_id(text: str) -> bool:
    """Whether ``text`` is a record, entry or member id (a UUID)."""
    return bool(_UUID_RE.fullmatch(text.strip()))


@dataclass(frozen=True, slots=True)
class CompanyRef:
    """A company the caller named: by ``record_id`` or by ``domain`` (exactly one is set)."""

    record_id: str | None = None
    domain: str | None = None


def company_ref(field: str, value: Any) -> CompanyRef | Problem:
    """Read a company given as a record id, a ``Record``, a domain or a website URL; a
    ``Problem`` on ``field`` if it is none of these."""
    if isinstance(value, Record):
        return CompanyRef(record_id=value.record_id)
    if isinstance(value, str):
        if is_record_id(value):
            return CompanyRef(record_id=value.strip())
        domain = domain_from(value)
        if domain is not None:
            return CompanyRef(domain=domain)
    return wrong_type(
        field,
        value,
        "company",
        'a company record id, a domain such as "acme.com" or a website URL such as '
        '"https://www.acme.com/"',
    )


def record_id_of(value: str | Record) -> str:
    """The id of a ``Record`` or the id itself."""
    return value.record_id if isinstance(value, Record) else value


def raise_problems(target: str, problems: Sequence[Problem]) -> None:
    """Raise every problem together as one ``ValuesError`` (nothing if there are none)."""
    if problems:
        raise ValuesError(target, problems)


def find_target(schema: WorkspaceSchema, name: str, kind: str) -> TargetSchema:
    """The object or list (``kind``) called ``name``; ``ServiceMissingError`` listing the known
    ones."""
    found = schema.object(name) if kind == "object" else schema.list(name)
    if found is None:
        known = ", ".join(sorted(schema.objects if kind == "object" else schema.lists))
        raise ServiceMissingError(f"the workspace has no {kind} {name!r}; its {kind}s are: {known}")
    return found


def optional_attribute(
    target: TargetSchema, field: str, value: Any, slugs: Iterable[str], kinds: Iterable[str]
) -> str | Problem:
    """The slug of the first live attribute of ``target`` among ``slugs`` (falling back to one
    whose title matches ``field``); a ``Problem`` saying how to add one if there is none."""
    for slug in slugs:
        attr = target.attribute(slug)
        if attr is not None and not attr.is_archived:
            return attr.slug
    wanted = field.replace("_", " ").casefold()
    for attr in target.attributes.values():
        if attr.title.casefold() == wanted and not attr.is_archived:
            return attr.slug
    kinds = list(kinds)
    return Problem(
        field,
        value,
        "unknown_attribute",
        f'"{target.slug}" has no {field.replace("_", " ")} attribute',
        f'Create a {" or ".join(kinds)} attribute "{field}" on {target.slug} in Attio, '
        f"or leave {field} out.",
    )


# -- members -------------------------------------------------------------------------------------
def resolve_members(
    members: Sequence[WorkspaceMember], field: str, given: Iterable[str]
) -> tuple[list[str], list[Problem]]:
    """The member ids of ``given`` (emails, matched ignoring case, or ids), and a problem for
    each that names no member of the workspace."""
    by_email = {(m.email_address or "").casefold(): m for m in members}
    by_id = {m.id.get("workspace_member_id", ""): m for m in members}
    ids: list[str] = []
    problems: list[Problem] = []
    for item in given:
        text = item.strip() if isinstance(item, str) else ""
        member = by_id.get(text) or by_email.get(text.casefold())
        if member is None:
            emails = ", ".join(sorted(m.email_address or "?" for m in members)) or "(none)"
            problems.append(
                Problem(
                    field,
                    item,
                    "unknown_member",
                    "no workspace member has this email address or id",
                    f"Use a member's email address: {emails}.",
                )
            )
        else:
            ids.append(member.id["workspace_member_id"])
    return ids, problems


# -- moments -------------------------------------------------------------------------------------
def iso_timestamp(
    field: str, value: Any, tz: tzinfo = UTC, *, past_only: bool = False
) -> str | Problem:
    """``value`` (an aware or naive datetime, a date or an ISO 8601 string) as Attio's UTC
    timestamp; naive moments are in ``tz``, a bare date is its midnight. ``past_only``
    rejects moments before 1970 or in the future (Attio's rule for backdated notes)."""
    moment: datetime | None = None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            moment = None
    if moment is None:
        return wrong_type(
            field,
            value,
            "timestamp",
            'a datetime, a date or an ISO 8601 string such as "2024-01-31"',
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    moment = moment.astimezone(UTC)
    if past_only and not datetime(1970, 1, 1, tzinfo=UTC) <= moment <= datetime.now(UTC):
        return Problem(
            field,
            value,
            "out_of_range",
            "Attio takes no moment before 1970 or in the future here",
            "Give a moment between 1970-01-01 and now.",
        )
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# -- linked records ------------------------------------------------------------------------------
def linked_record(schema: WorkspaceSchema, field: str, value: Any) -> dict[str, str] | Problem:
    """A task's linked record from a ``Record``, an ``(object, record_id)`` pair or
    ``{"target_object", "target_record_id"}``."""
    obj: Any = None
    rid: Any = None
    if isinstance(value, Record):
        target = schema.object(value.id.object_id)
        obj, rid = (target.slug if target else value.id.object_id), value.record_id
    elif isinstance(value, tuple | list) and len(value) == 2:
        obj, rid = value[0], value[1]
    elif isinstance(value, Mapping):
        obj, rid = value.get("target_object"), value.get("target_record_id")
    if not isinstance(obj, str) or not isinstance(rid, str) or schema.object(obj) is None:
        objects = ", ".join(sorted(schema.objects))
        return wrong_type(
            field,
            value,
            "linked record",
            f"a Record or an (object, record_id) pair whose object is one of: {objects}",
        )
    target = schema.object(obj)
    return {"target_object": target.slug if target else obj, "target_record_id": rid}


# -- entry filters -------------------------------------------------------------------------------
def entry_filter(
    schema: WorkspaceSchema, target: TargetSchema, node: Any, problems: list[Problem]
) -> Any:
    """``node`` (Attio's filter language) with every key that names an attribute of the list's
    parent object, not of the list, turned into a ``parent_record`` path filter, so
    ``{"value": {"$gt": 1000}}`` filters a deals list by the deals' value. Keys that name
    neither are added to ``problems``."""
    if not isinstance(node, Mapping):
        return node
    if "path" in node:
        return dict(node)
    parent = schema.object(target.parent_object or "")
    parts: list[dict[str, Any]] = []
    for key, cond in node.items():
        if key in _LOGICAL and isinstance(cond, list):
            parts.append({key: [entry_filter(schema, target, c, problems) for c in cond]})
        elif key == "$not":
            parts.append({key: entry_filter(schema, target, cond, problems)})
        elif key.startswith("$") or target.attribute(key) is not None:
            parts.append({key: cond})
        elif parent is not None and parent.attribute(key) is not None:
            path = [[target.slug, "parent_record"], [parent.slug, key]]
            parts.append({"path": path, "constraints": cond})
        else:
            slugs = [*target.attributes, *(parent.attributes if parent else ())]
            problems.append(unknown_attribute(key, cond, target.slug, slugs))
    if len(parts) == 1:
        return parts[0]
    # Path filters cannot share a node with other keys: join the parts explicitly.
    return {"$and": parts}


# -- cache keys ----------------------------------------------------------------------------------
# The field of a value that identifies it, per type of unique attribute.
_UNIQUE_FIELDS = {
    "email-address": "email_address",
    "domain": "domain",
    "text": "value",
    "number": "value",
}


def unique_field(attribute_type: str) -> str | None:
    """The field of a value that identifies it for a unique attribute of this type (None when
    such an attribute cannot be looked up by value)."""
    return _UNIQUE_FIELDS.get(attribute_type)


def record_key(object: str, record_id: str) -> str:
    """The cache key (kind "records") of the record ``record_id`` of ``object`` (a slug)."""
    return f"{object}/id/{record_id}"


def unique_key(object: str, attribute: str, value: object) -> str:
    """The cache key (kind "records") holding the id of the record whose unique ``attribute``
    has ``value`` (compared ignoring case and surrounding space, as emails and domains are)."""
    return f"{object}/{attribute}/{str(value).strip().casefold()}"


def entries_key(list_id: str, record_id: str) -> str:
    """The cache key (kind "lists") of the ids of a record's entries in a list."""
    return f"{list_id}/entries/{record_id}"


def unique_keys(schema: WorkspaceSchema, object: str, record: Record) -> list[str]:
    """The ``unique_key`` of every value of ``record``'s unique attributes."""
    target = schema.object(object)
    keys: list[str] = []
    for attr in target.unique_attributes() if target else ():
        field = unique_field(attr.type)
        if field is None:
            continue
        for value in record.values.get(attr.slug, []):
            if value.get(field) is not None:
                keys.append(unique_key(object, attr.slug, value[field]))
    return keys


def related_keys(schema: WorkspaceSchema, object: str, record: Record) -> list[str]:
    """The ``record_key`` of every record ``record`` references through a two-way
    relationship: writing ``record`` changes their other side (a person's ``company`` is in
    the company's ``team``), so their cached copies are stale after it."""
    target = schema.object(object)
    keys: list[str] = []
    for attr in target.attributes.values() if target else ():
        if attr.relationship is None:
            continue
        for value in record.values.get(attr.slug, []):
            obj, rid = value.get("target_object"), value.get("target_record_id")
            if isinstance(obj, str) and isinstance(rid, str):
                found = schema.object(obj)
                keys.append(record_key(found.slug if found else obj, rid))
    return keys


class AsyncCacheView:
    """A ``Cache`` as the async services use it (``aget``, ``aset``, ...); the generated sync
    services use ``CacheView`` under the same names, so one service source serves both."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache

    async def get(self, key: str, kind: str) -> JSON:
        """The value under ``key`` in ``kind``, or None."""
        return await self.cache.aget(key, kind)

    async def set(self, key: str, value: JSON, kind: str) -> None:
        """Store ``value`` under ``key`` for the TTL of ``kind``."""
        await self.cache.aset(key, value, kind)

    async def delete(self, key: str, kind: str) -> None:
        """Invalidate ``key`` in ``kind``."""
        await self.cache.adelete(key, kind)

    async def get_or_load(self, key: str, kind: str, loader: Callable[[], Awaitable[JSON]]) -> JSON:
        """The cached value or ``loader()``'s, stored (``Cache.aget_or_load``)."""
        return await self.cache.aget_or_load(key, kind, loader)


class CacheView:
    """``AsyncCacheView`` for the sync services."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache

    def get(self, key: str, kind: str) -> JSON:
        """The value under ``key`` in ``kind``, or None."""
        return self.cache.get(key, kind)

    def set(self, key: str, value: JSON, kind: str) -> None:
        """Store ``value`` under ``key`` for the TTL of ``kind``."""
        self.cache.set(key, value, kind)

    def delete(self, key: str, kind: str) -> None:
        """Invalidate ``key`` in ``kind``."""
        self.cache.delete(key, kind)

    def get_or_load(self, key: str, kind: str, loader: Callable[[], JSON]) -> JSON:
        """The cached value or ``loader()``'s, stored (``Cache.get_or_load``)."""
        return self.cache.get_or_load(key, kind, loader)
