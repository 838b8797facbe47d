"""Records and list entries: their values, history, uniqueness and relationships.

A record and a list entry are both a ``Holder`` of attribute values; the same write path serves
both. Write modes follow Attio (API-NOTES §3, §5, gotcha 2):

- ``create``: every value given is set;
- ``append`` (PATCH): multiselect values are added (prepended), single values overwritten;
- ``replace`` (PUT by id): the values of every attribute given are replaced;
- ``assert`` (PUT with a matching attribute): the matching attribute is only added to, every
  other attribute given is replaced.

A replaced value is kept in the history with its ``active_until`` set. Every write is validated
whole before anything changes, so a refused request leaves the workspace as it was. Unique
attributes are indexed (a filter on one is a dictionary lookup), and relationship attributes
(a person's ``company`` and the company's ``team``) are kept in step on both sides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..clock import new_id, now_ts, parse_ts
from ..errors import (
    ImmutableValueError,
    MissingValueError,
    SystemEditUnauthorizedError,
    UniquenessConflictError,
    ValidationTypeError,
    ValueNotFoundError,
)
from .schema import Attribute, ListDef, ObjectDef, Parent, Schema
from .values import (
    StoredValue,
    ValueContext,
    normalize,
    normalize_one,
    parse_duration,
    value_key,
)


@dataclass(slots=True)
class Holder:
    """A record (``parent_record_id`` None) or a list entry: ids and attribute values."""

    id: str
    parent_id: str
    created_at: str
    created_by: dict[str, Any]
    values: dict[str, list[StoredValue]] = field(default_factory=dict)
    history: dict[str, list[StoredValue]] | None = None
    parent_record_id: str | None = None
    parent_object_id: str | None = None
    # The record's JSON as last served, with the render plan it was made for; cleared on every
    # change of its values (see ``Workspace.records_json``).
    json_cache: tuple[object, bytes] | None = None

    def current(self, attribute_id: str) -> list[StoredValue]:
        """The active values of one attribute (empty if unset)."""
        return self.values.get(attribute_id, [])


# Called for each attribute that changed: (holder, attribute).
ChangeHook = Callable[[Holder, Attribute], None]
# Turns one attribute's written value into normalised values (``values.normalize``).
Normalizer = Callable[[Attribute, Any, ValueContext], list[dict[str, Any]]]


class RecordStore:
    """All records and list entries of a workspace, with their indexes."""

    def __init__(self, schema: Schema, ctx: ValueContext) -> None:
        self.schema = schema
        self.ctx = ctx
        self.records: dict[str, dict[str, Holder]] = {}
        self.entries: dict[str, dict[str, Holder]] = {}
        self.record_object: dict[str, str] = {}
        # attribute_id -> value key -> holder id, for unique attributes.
        self.unique: dict[str, dict[Any, str]] = {}
        # record id -> ids of (list_id, entry_id) pairs whose parent it is, in creation order.
        self.entries_of_record: dict[str, dict[tuple[str, str], None]] = {}

    # -- lookups -------------------------------------------------------------------------------
    def holders(self, parent: Parent) -> dict[str, Holder]:
        """The records of an object or the entries of a list, in creation order."""
        table = self.entries if isinstance(parent, ListDef) else self.records
        return table.setdefault(parent.id, {})

    def get_record(self, object_id: str, record_id: str) -> Holder | None:
        """A record of ``object_id`` by id, or None."""
        return self.records.get(object_id, {}).get(record_id)

    def find_by_unique(self, attr: Attribute, key: Any) -> str | None:
        """The id of the holder whose unique ``attr`` has a value with this key."""
        return self.unique.get(attr.attribute_id, {}).get(key)

    def match_unique(self, parent: Parent, attr: Attribute, raw: Any) -> str | None:
        """The holder whose unique ``attr`` equals one written value ``raw``, or None."""
        if attr.api_slug == "record_id" and attr.is_system_attribute:
            return raw if isinstance(raw, str) and raw in self.holders(parent) else None
        return self.find_by_unique(attr, value_key(normalize_one(attr, raw, self.ctx)))

    # -- writes --------------------------------------------------------------------------------
    def prepare(
        self,
        parent: Parent,
        values: Any,
        *,
        field_name: str = "values",
        holder: Holder | None = None,
        creating: bool,
        normalizer: Normalizer = normalize,
        actor: dict[str, Any] | None = None,
    ) -> dict[Attribute, list[dict[str, Any]]]:
        """Validate a write's ``values`` whole: attribute -> normalised values (nothing changes).

        ``normalizer`` is ``values.normalize`` or a memo in front of it (bulk seeding).
        ``actor`` is who creates, for ``current-user`` defaults.
        """
        if not isinstance(values, dict):
            raise ValidationTypeError(f'"{field_name}" must be an object keyed by attribute slug.')
        prepared: dict[Attribute, list[dict[str, Any]]] = {}
        for ident, raw in values.items():
            attr = parent.find_attribute(ident)
            if attr is None or attr.is_archived:
                slugs = sorted(a.api_slug for a in parent.attributes.values() if a.is_writable)
                raise ValueNotFoundError(
                    f'Cannot find attribute with slug/ID "{ident}" on "{parent.api_slug}". '
                    f"Writable attributes: {', '.join(slugs)}."
                )
            if not attr.is_writable:
                raise SystemEditUnauthorizedError(
                    f'Attribute "{attr.api_slug}" is read-only and cannot be written.'
                )
            prepared[attr] = normalizer(attr, raw, self.ctx)
        self._check_unique(prepared, holder)
        if creating:
            for attr in parent.attributes.values():
                if attr.is_archived or attr in prepared:
                    continue
                default = self._default(attr, actor)
                if default:
                    prepared[attr] = default
                elif attr.is_required:
                    raise _missing(attr)
        # Updates may not empty a required attribute either (SPEC: PATCH/PUT 400 missing_value).
        for attr, vals in prepared.items():
            if attr.is_required and not vals:
                raise _missing(attr)
        return prepared

    def _default(self, attr: Attribute, actor: dict[str, Any] | None) -> list[dict[str, Any]]:
        """The values ``attr``'s default gives a new record or entry created by ``actor``."""
        dv = attr.default_value
        if not dv:
            return []
        if dv["type"] == "static":
            # Already normalised when the default was set (values.check_default).
            return [dict(d) for d in dv["template"]]
        if dv["template"] == "current-user":
            if actor is None:
                return []
            return [
                {
                    "referenced_actor_type": actor["type"],
                    "referenced_actor_id": actor["id"],
                    "attribute_type": "actor-reference",
                }
            ]
        ahead = parse_duration(dv["template"])
        if ahead is None:
            return []
        return [normalize_one(attr, (parse_ts(now_ts()) + ahead).isoformat(), self.ctx)]

    def _check_unique(
        self, prepared: dict[Attribute, list[dict[str, Any]]], holder: Holder | None
    ) -> None:
        for attr, vals in prepared.items():
            if not attr.is_unique:
                continue
            index = self.unique.get(attr.attribute_id, {})
            for data in vals:
                owner = index.get(value_key(data))
                if owner is not None and (holder is None or owner != holder.id):
                    # The observed message (API-NOTES §3) shows only the value's identity,
                    # e.g. {"email_address":"x@y.com"}, then the conflicting record's id.
                    fields = _IDENTITY_FIELDS.get(data["attribute_type"], ("value",))
                    shown = {k: data[k] for k in fields if k in data} or {
                        k: v for k, v in data.items() if k != "attribute_type"
                    }
                    raise UniquenessConflictError(
                        f'The value "{_compact(shown)}" provided for attribute with ID '
                        f'"{attr.attribute_id}" conflicts with one already in the system. '
                        f"Conflicting record IDs: {owner}"
                    )

    def create(
        self,
        parent: Parent,
        prepared: dict[Attribute, list[dict[str, Any]]],
        actor: dict[str, Any],
        on_change: ChangeHook,
        *,
        parent_record: tuple[ObjectDef, str] | None = None,
    ) -> Holder:
        """A new record (or entry, with ``parent_record``) with already prepared values."""
        holder = Holder(id=new_id(), parent_id=parent.id, created_at=now_ts(), created_by=actor)
        if parent_record is not None:
            holder.parent_object_id, holder.parent_record_id = parent_record[0].id, parent_record[1]
            links = self.entries_of_record.setdefault(parent_record[1], {})
            links[(parent.id, holder.id)] = None
        else:
            self.record_object[holder.id] = parent.id
        self.holders(parent)[holder.id] = holder
        # on_change hears of the other records whose relationship side this creation changed.
        self.apply(holder, prepared, "create", actor, on_change)
        return holder

    def apply(
        self,
        holder: Holder,
        prepared: dict[Attribute, list[dict[str, Any]]],
        mode: str,
        actor: dict[str, Any],
        on_change: ChangeHook,
        matching: Attribute | None = None,
    ) -> list[Attribute]:
        """Write prepared values in ``mode``; returns the attributes whose values changed."""
        now = now_ts()
        changed: list[Attribute] = []
        for attr, new in prepared.items():
            old = holder.values.get(attr.attribute_id, [])
            if attr.is_multiselect and (
                mode == "append" or (mode == "assert" and attr is matching)
            ):
                old_keys = {value_key(v.data) for v in old}
                added = [d for d in new if value_key(d) not in old_keys]
                if not added:
                    continue
                kept = old
                fresh = [StoredValue(d, now, None, actor) for d in added]
                result = fresh + kept
                removed: list[StoredValue] = []
            else:
                new_keys = [value_key(d) for d in new]
                old_by_key = {value_key(v.data): v for v in old}
                if [value_key(v.data) for v in old] == new_keys and all(
                    old_by_key[k].data == d for k, d in zip(new_keys, new, strict=True)
                ):
                    continue
                result = []
                for k, d in zip(new_keys, new, strict=True):
                    prev = old_by_key.get(k)
                    same = prev is not None and prev.data == d
                    result.append(prev if same and prev else StoredValue(d, now, None, actor))
                kept_ids = {id(v) for v in result}
                removed = [v for v in old if id(v) not in kept_ids]
            self._retire(holder, attr, removed, now)
            if result:
                holder.values[attr.attribute_id] = result
                holder.json_cache = None
            else:
                holder.values.pop(attr.attribute_id, None)
                holder.json_cache = None
            self._reindex(holder, attr, removed, result)
            changed.append(attr)
            if attr.relationship_id and holder.parent_record_id is None:
                self._sync_inverse(holder, attr, removed, result, actor, now, on_change)
        return changed

    def _retire(
        self, holder: Holder, attr: Attribute, removed: list[StoredValue], now: str
    ) -> None:
        if not removed:
            return
        if holder.history is None:
            holder.history = {}
        past = holder.history.setdefault(attr.attribute_id, [])
        for v in removed:
            past.append(StoredValue(v.data, v.active_from, now, v.actor))

    def reindex_unique(self, parent: Parent, attr: Attribute) -> None:
        """Rebuild ``attr``'s uniqueness index after its ``is_unique`` flag changed.

        Uniqueness only applies to new data (SPEC), so existing duplicates stay; the oldest
        holder of a value is the one an assert finds.
        """
        self.unique.pop(attr.attribute_id, None)
        if not attr.is_unique:
            return
        index = self.unique.setdefault(attr.attribute_id, {})
        for holder in self.holders(parent).values():
            for v in holder.current(attr.attribute_id):
                index.setdefault(value_key(v.data), holder.id)

    def _reindex(
        self, holder: Holder, attr: Attribute, removed: list[StoredValue], result: list[StoredValue]
    ) -> None:
        if not attr.is_unique:
            return
        index = self.unique.setdefault(attr.attribute_id, {})
        for v in removed:
            key = value_key(v.data)
            if index.get(key) == holder.id:
                del index[key]
        for v in result:
            index[value_key(v.data)] = holder.id

    def _sync_inverse(
        self,
        holder: Holder,
        attr: Attribute,
        removed: list[StoredValue],
        result: list[StoredValue],
        actor: dict[str, Any],
        now: str,
        on_change: ChangeHook,
    ) -> None:
        inverse = self.schema.attributes.get(attr.relationship_id or "")
        if inverse is None:
            return
        before = {v.data["target_record_id"] for v in removed}
        after = {v.data["target_record_id"] for v in result}
        for target_id in before - after:
            self._unlink(target_id, inverse, holder.id, now, on_change)
        source_obj = self.schema.objects[holder.parent_id]
        for target_id in after - before:
            target = self.get_record(inverse.parent_id, target_id)
            if target is None:
                continue
            current = target.current(inverse.attribute_id)
            if any(v.data["target_record_id"] == holder.id for v in current):
                continue
            if not inverse.is_multiselect and current:
                # The target's single-valued side pointed elsewhere: that record lets go of it.
                for v in current:
                    self._unlink(v.data["target_record_id"], attr, target_id, now, on_change)
                self._retire(target, inverse, current, now)
                current = []
            link = StoredValue(
                {
                    "target_object": source_obj.api_slug,
                    "target_record_id": holder.id,
                    "attribute_type": "record-reference",
                },
                now,
                None,
                actor,
            )
            target.values[inverse.attribute_id] = [link, *current]
            target.json_cache = None
            on_change(target, inverse)

    def _unlink(
        self, record_id: str, attr: Attribute, other_id: str, now: str, on_change: ChangeHook
    ) -> None:
        """Remove ``other_id`` from ``attr`` of record ``record_id``."""
        rec = self.get_record(attr.parent_id, record_id)
        if rec is None:
            return
        current = rec.current(attr.attribute_id)
        gone = [v for v in current if v.data["target_record_id"] == other_id]
        if not gone:
            return
        self._retire(rec, attr, gone, now)
        rest = [v for v in current if v.data["target_record_id"] != other_id]
        if rest:
            rec.values[attr.attribute_id] = rest
            rec.json_cache = None
        else:
            rec.values.pop(attr.attribute_id, None)
            rec.json_cache = None
        on_change(rec, attr)

    def delete(self, parent: Parent, holder: Holder, on_change: ChangeHook) -> None:
        """Remove a record or entry, its index entries and the inverse links pointing at it."""
        self.holders(parent).pop(holder.id, None)
        now = now_ts()
        for attr_id, vals in holder.values.items():
            attr = self.schema.attributes.get(attr_id)
            if attr is None:
                continue
            self._reindex(holder, attr, vals, [])
            if attr.relationship_id and holder.parent_record_id is None:
                inverse = self.schema.attributes.get(attr.relationship_id)
                if inverse is not None:
                    for v in vals:
                        self._unlink(v.data["target_record_id"], inverse, holder.id, now, on_change)
        if holder.parent_record_id is None:
            self.record_object.pop(holder.id, None)
        else:
            links = self.entries_of_record.get(holder.parent_record_id)
            if links is not None:
                links.pop((holder.parent_id, holder.id), None)

    def entries_for(self, list_id: str, record_id: str) -> list[Holder]:
        """The entries of one list whose parent is ``record_id``."""
        table = self.entries.get(list_id, {})
        return [
            table[e]
            for (lid, e) in self.entries_of_record.get(record_id, {})
            if lid == list_id and e in table
        ]

    def check_parent_unchanged(self, entry: Holder, data: dict[str, Any]) -> None:
        """Entries cannot move to another parent record (400 ``immutable_value``)."""
        new_parent = data.get("parent_record_id")
        if new_parent is not None and new_parent != entry.parent_record_id:
            raise ImmutableValueError(
                "The parent record for a list entry cannot be updated once created."
            )

    def iter_records(self, object_ids: Iterable[str]) -> Iterable[Holder]:
        """Every record of the given objects."""
        for oid in object_ids:
            yield from self.records.get(oid, {}).values()


# The fields a uniqueness_conflict message shows for a value, per attribute type.
_IDENTITY_FIELDS: dict[str, tuple[str, ...]] = {
    "email-address": ("email_address",),
    "domain": ("domain",),
    "phone-number": ("phone_number",),
    "currency": ("currency_value",),
    "record-reference": ("target_object", "target_record_id"),
    "actor-reference": ("referenced_actor_type", "referenced_actor_id"),
    "select": ("option",),
    "status": ("status",),
}


def _missing(attr: Attribute) -> MissingValueError:
    """SPEC's missing_value message, which names the attribute by id; the slug follows."""
    return MissingValueError(
        f'Required value for attribute with ID "{attr.attribute_id}" was not provided. '
        f'Its api_slug is "{attr.api_slug}".'
    )


def _compact(data: dict[str, Any]) -> str:
    import orjson

    return orjson.dumps(data).decode()
