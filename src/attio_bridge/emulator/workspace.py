"""One emulated Attio workspace: schema, records, entries, members, activity and events.

The ``Workspace`` owns all state and knows no HTTP: routes parse a request, call one method here
and serialise what it returns. Every change is announced through ``emit()`` as the webhook event
Attio would send (API-NOTES §7), which the webhook engine and the persistence layer listen to.
Methods named ``render_*`` give the JSON shapes of Attio's responses.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import orjson

from .clock import new_id, now_ts, untaped
from .errors import (
    MergeInProgressError,
    MultipleMatchResultsError,
    NotFoundError,
    NotUniqueMatchingAttributeError,
    SelfMergeError,
    SystemEditUnauthorizedError,
    ValidationTypeError,
    ValueNotFoundError,
)
from .models.activities import install_system_activities
from .models.records import Holder, RecordStore
from .models.schema import Attribute, ListDef, ObjectDef, Parent, Schema, SelectOption, Status
from .models.values import StoredValue, normalize, value_key
from .scopes import ALL_SCOPES

Event = dict[str, Any]
# (attributes shown as (slug, id, computed), web URL prefix, workspace id, object id)
RenderKey = tuple[tuple[tuple[str, str, bool], ...], str, str, str]
Listener = Callable[[Event], None]


@dataclass(slots=True)
class Token:
    """An API key the emulator accepts, and the actor its writes are recorded as."""

    key: str
    token_id: str
    scopes: tuple[str, ...] = ALL_SCOPES
    created_at: str = field(default_factory=now_ts)

    @property
    def actor(self) -> dict[str, Any]:
        """The ``created_by_actor`` of what this token writes."""
        return {"type": "api-token", "id": self.token_id}


@dataclass(slots=True)
class Member:
    """A workspace member."""

    member_id: str
    first_name: str
    last_name: str
    email_address: str
    access_level: str = "admin"
    avatar_url: str | None = None
    created_at: str = field(default_factory=now_ts)


# The namespace of api-token ids (RFC 4122 name-based, version 5).
TOKEN_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "attio-bridge:emulator:api-token")


def token_id_for(key: str) -> str:
    """A stable token id for an API key, without keeping the key in the id.

    A name-based UUID (version 5) rather than a hash cut to UUID shape: strict clients check
    the version and variant bits of every id, and Attio's ids are all RFC 4122 UUIDs.
    """
    return str(uuid.uuid5(TOKEN_NAMESPACE, key))


class Workspace:
    """The state of one workspace and the operations Attio's API performs on it."""

    def __init__(
        self, name: str = "Sandbox", slug: str = "sandbox", workspace_id: str | None = None
    ) -> None:
        self.workspace_id = workspace_id or new_id()
        self.name = name
        self.slug = slug
        self.created_at = now_ts()
        self.schema = Schema(self.workspace_id)
        self.schema.install_standard_objects()
        self.store = RecordStore(self.schema, self)
        install_system_activities(self)
        self.members: dict[str, Member] = {}
        self.tokens: dict[str, Token] = {}
        self.listeners: list[Listener] = []
        # Activity resources: plain dicts of Attio's read shapes, keyed by their id.
        self.notes: dict[str, dict[str, Any]] = {}
        self.tasks: dict[str, dict[str, Any]] = {}
        self.threads: dict[str, dict[str, Any]] = {}
        self.comments: dict[str, dict[str, Any]] = {}
        self.meetings: dict[str, dict[str, Any]] = {}
        self.call_recordings: dict[str, dict[str, Any]] = {}
        self.webhooks: dict[str, dict[str, Any]] = {}
        # Files on records (models/files.py): entries in Attio's read shape, and uploaded bytes.
        self.files: dict[str, dict[str, Any]] = {}
        self.file_bytes: dict[str, bytes] = {}
        # Email metadata (models/emails.py) and the sequences unsubscribe list (address -> when).
        self.emails: list[dict[str, Any]] = []
        self.unsubscribed: dict[str, str] = {}
        self._render_keys: dict[RenderKey, RenderKey] = {}
        # Merges still applying (API-NOTES §1b): how long a merge takes (0: done at once, the
        # request answers 200), and record id -> when its merge is done (time.monotonic()).
        self.merge_delay_s = 0.0
        self.merging: dict[str, float] = {}

    # -- ValueContext --------------------------------------------------------------------------
    def find_object(self, ident: str) -> ObjectDef | None:
        """An object by slug or id."""
        return self.schema.find_object(ident)

    def record_exists(self, object_id: str, record_id: str) -> bool:
        """Whether ``record_id`` is a record of ``object_id``."""
        return self.store.get_record(object_id, record_id) is not None

    def match_record(self, obj: ObjectDef, attr: Attribute, raw: Any) -> str | None:
        """The record of ``obj`` whose unique ``attr`` equals ``raw``."""
        return self.store.match_unique(obj, attr, raw)

    def find_member(self, ident: str) -> str | None:
        """A member id by id or (case-insensitive) email address."""
        if ident in self.members:
            return ident
        low = ident.strip().lower()
        for m in self.members.values():
            if m.email_address.lower() == low:
                return m.member_id
        return None

    # -- tokens, members, events ---------------------------------------------------------------
    def add_token(self, key: str, scopes: tuple[str, ...] | None = None) -> Token:
        """Accept ``key`` as a bearer token with ``scopes`` (default: every scope)."""
        tok = Token(
            key=key, token_id=token_id_for(key), scopes=ALL_SCOPES if scopes is None else scopes
        )
        self.tokens[key] = tok
        return tok

    def add_member(
        self, first_name: str, last_name: str, email: str, access_level: str = "admin"
    ) -> Member:
        """A new workspace member (fires ``workspace-member.created``)."""
        m = Member(new_id(), first_name, last_name, email, access_level)
        self.members[m.member_id] = m
        self.emit("workspace-member.created", {"workspace_member_id": m.member_id}, None)
        return m

    def emit(
        self,
        event_type: str,
        ids: dict[str, Any],
        actor: dict[str, Any] | None,
        **extra: Any,
    ) -> None:
        """Announce a change as the webhook event Attio would send for it."""
        event: Event = {
            "event_type": event_type,
            "id": {"workspace_id": self.workspace_id, **ids},
            **extra,
            "actor": actor or {"type": "system", "id": None},
        }
        # Listeners' own ids (deliveries, event ids) are side effects, kept off any persistence
        # tape: a replay runs without listeners and must meet the same sequence of values.
        with untaped():
            for listener in self.listeners:
                listener(event)

    # -- records -------------------------------------------------------------------------------
    def get_record(self, obj: ObjectDef, record_id: str) -> Holder:
        """A record by id; 404 if missing, 404 ``merge_in_progress`` while a merge applies."""
        if record_id in self.merging:
            if time.monotonic() < self.merging[record_id]:
                raise MergeInProgressError(
                    f'Record with ID "{record_id}" is being merged: read the merged record once '
                    "the merge has finished."
                )
            del self.merging[record_id]
        rec = self.store.get_record(obj.id, record_id)
        if rec is None:
            # Records are addressed by id only: "Record with ID" (API-NOTES §3, SPEC 404 example).
            raise NotFoundError(f'Record with ID "{record_id}" not found.')
        return rec

    def _record_changed(self, actor: dict[str, Any]) -> Callable[[Holder, Attribute], None]:
        def hook(holder: Holder, attr: Attribute) -> None:
            self._emit_updated(holder, attr, actor)

        return hook

    def _emit_updated(self, holder: Holder, attr: Attribute, actor: dict[str, Any]) -> None:
        if holder.parent_record_id is None:
            self.emit(
                "record.updated",
                {
                    "object_id": holder.parent_id,
                    "record_id": holder.id,
                    "attribute_id": attr.attribute_id,
                },
                actor,
            )
        else:
            self.emit(
                "list-entry.updated",
                {
                    "list_id": holder.parent_id,
                    "entry_id": holder.id,
                    "attribute_id": attr.attribute_id,
                },
                actor,
                parent_object_id=holder.parent_object_id,
                parent_record_id=holder.parent_record_id,
            )

    def create_record(self, obj: ObjectDef, values: Any, actor: dict[str, Any]) -> Holder:
        """``POST /v2/objects/{object}/records``: fails on a unique conflict."""
        prepared = self.store.prepare(obj, values, creating=True, actor=actor)
        rec = self.store.create(obj, prepared, actor, self._record_changed(actor))
        self.emit("record.created", {"object_id": obj.id, "record_id": rec.id}, actor)
        return rec

    def update_record(
        self, obj: ObjectDef, record_id: str, values: Any, mode: str, actor: dict[str, Any]
    ) -> Holder:
        """PATCH (``append``) or PUT (``replace``) of a record's values."""
        rec = self.get_record(obj, record_id)
        if isinstance(values, dict) and not values and mode == "append":
            # SPEC's message for an empty PATCH payload (API-NOTES §8 validation_type).
            raise ValidationTypeError(
                "You passed an empty payload. Please ensure you are updating at least one "
                "property in your request."
            )
        prepared = self.store.prepare(obj, values, holder=rec, creating=False)
        hook = self._record_changed(actor)
        for attr in self.store.apply(rec, prepared, mode, actor, hook):
            hook(rec, attr)
        return rec

    def assert_record(
        self, obj: ObjectDef, matching: str, values: Any, actor: dict[str, Any]
    ) -> Holder:
        """``PUT /v2/objects/{object}/records?matching_attribute=``: create or update."""
        attr = obj.find_attribute(matching)
        if attr is None:
            raise ValueNotFoundError(
                f'No attribute was found for matching_attribute slug/ID "{matching}".'
            )
        if not attr.is_unique:
            uniques = [a.api_slug for a in obj.attributes.values() if a.is_unique and a.is_writable]
            hint = (
                f" Unique attributes: {', '.join(uniques)}."
                if uniques
                else (f' "{obj.api_slug}" has no unique attribute: add one, or query then create.')
            )
            raise NotUniqueMatchingAttributeError(
                f'Matching attribute "{attr.api_slug}" is not unique, so it cannot identify a '
                f"record.{hint}"
            )
        if not isinstance(values, dict):
            raise ValidationTypeError('"values" must be an object keyed by attribute slug.')
        given = next((values[k] for k in (attr.api_slug, attr.attribute_id) if k in values), None)
        # Only the matching values are normalised here: a full prepare() would check uniqueness
        # before the record is known, and so refuse the very record the assert should update.
        wanted = normalize(attr, given, self) if given is not None else []
        if not wanted:
            raise ValidationTypeError(
                f'The values must include the matching attribute "{attr.api_slug}".'
            )
        matches: dict[str, None] = {}
        for data in wanted:
            owner = self.store.find_by_unique(attr, value_key(data))
            if owner is not None:
                matches[owner] = None
        if len(matches) > 1:
            raise MultipleMatchResultsError(
                f'The values of "{attr.api_slug}" match {len(matches)} different records '
                f"({', '.join(matches)}). Assert with values that identify one record."
            )
        if not matches:
            return self.create_record(obj, values, actor)
        rec = self.get_record(obj, next(iter(matches)))
        prepared = self.store.prepare(obj, values, holder=rec, creating=False)
        hook = self._record_changed(actor)
        for changed in self.store.apply(rec, prepared, "assert", actor, hook, matching=attr):
            hook(rec, changed)
        return rec

    def delete_record(self, obj: ObjectDef, record_id: str, actor: dict[str, Any]) -> None:
        """Delete a record and the list entries whose parent it is."""
        rec = self.get_record(obj, record_id)
        for list_id, entry_id in list(self.store.entries_of_record.get(rec.id, {})):
            lst = self.schema.lists.get(list_id)
            entry = self.store.entries.get(list_id, {}).get(entry_id)
            if lst is not None and entry is not None:
                self.delete_entry(lst, entry_id, actor)
        self.store.entries_of_record.pop(rec.id, None)
        self.store.delete(obj, rec, self._record_changed(actor))
        self.emit("record.deleted", {"object_id": obj.id, "record_id": rec.id}, actor)

    def merge_records(
        self, obj: ObjectDef, primary_id: str, secondary_id: str, actor: dict[str, Any]
    ) -> tuple[Holder, bool]:
        """Merge two records into a new one (API-NOTES §1b): both old ids stop resolving.

        Returns the new record and whether the merge is still applying (``merge_delay_s`` > 0:
        Attio's 202). Until it is done, reading the new record or either original answers 404
        ``merge_in_progress``; afterwards the originals answer 404 ``not_found``. Each call is a
        new merge: repeating it finds the originals gone (not idempotent).
        """
        if primary_id == secondary_id:
            raise SelfMergeError("A record cannot be merged with itself.")
        primary = self.get_record(obj, primary_id)
        secondary = self.get_record(obj, secondary_id)
        merged: dict[Attribute, list[dict[str, Any]]] = {}
        for attr in obj.attributes.values():
            first = [v.data for v in primary.current(attr.attribute_id)]
            second = [v.data for v in secondary.current(attr.attribute_id)]
            if attr.is_multiselect:
                seen = {value_key(d) for d in first}
                vals = first + [d for d in second if value_key(d) not in seen]
            else:
                vals = first or second
            vals = [d for d in vals if d.get("target_record_id") not in (primary_id, secondary_id)]
            if vals:
                merged[attr] = vals
        entry_links = [
            *self.store.entries_of_record.pop(primary_id, {}),
            *self.store.entries_of_record.pop(secondary_id, {}),
        ]
        hook = self._record_changed(actor)
        for rec in (primary, secondary):
            self.store.delete(obj, rec, hook)
        new = self.store.create(obj, merged, actor, hook)
        links = self.store.entries_of_record.setdefault(new.id, {})
        for list_id, entry_id in entry_links:
            entry = self.store.entries.get(list_id, {}).get(entry_id)
            if entry is not None:
                entry.parent_record_id = new.id
                links[(list_id, entry_id)] = None
        for duplicate in (primary_id, secondary_id):
            self.emit(
                "record.merged",
                {"object_id": obj.id, "record_id": new.id},
                actor,
                duplicate_object_id=obj.id,
                duplicate_record_id=duplicate,
            )
        if self.merge_delay_s <= 0:
            return new, False
        done = time.monotonic() + self.merge_delay_s
        for record_id in (new.id, primary_id, secondary_id):
            self.merging[record_id] = done
        return new, True

    def finish_merges(self) -> int:
        """End every merge still applying (the control plane's ``/merges/finish``); how many."""
        count = len(self.merging)
        self.merging.clear()
        return count

    def delete_object(self, obj: ObjectDef) -> None:
        """``DELETE /v2/objects/{object}``: a custom object with its records and its lists.

        Standard objects cannot be deleted (docs.attio.com/rest-api/endpoint-reference/objects/
        delete-an-object). Relationship attributes on other objects that point at it go too, and
        so do notes on its records. Attio documents no webhook event for it; none fires.
        """
        if obj.is_standard:
            raise SystemEditUnauthorizedError(
                f'"{obj.api_slug}" is a standard object and cannot be deleted: only custom '
                "objects can. Deactivate it in the workspace settings instead."
            )
        for lst in [x for x in self.schema.lists.values() if x.parent_object_id == obj.id]:
            for entry in list(self.store.holders(lst).values()):
                self.store.delete(lst, entry, quiet)
            self.store.entries.pop(lst.id, None)
            self.schema.delete_list(lst)
        for rec in list(self.store.holders(obj).values()):
            # Its entries were in the lists of this object, gone above.
            self.store.entries_of_record.pop(rec.id, None)
            self.store.delete(obj, rec, quiet)
        self.store.records.pop(obj.id, None)
        for attr in list(obj.attributes.values()):
            inverse = self.schema.attributes.get(attr.relationship_id or "")
            if inverse is not None and inverse.parent_id != obj.id:
                other = self.schema.parent_of(inverse)
                other.attributes.pop(inverse.attribute_id, None)
                other.attributes_by_slug.pop(inverse.api_slug, None)
                self.schema.attributes.pop(inverse.attribute_id, None)
                for holder in self.store.holders(other).values():
                    if holder.values.pop(inverse.attribute_id, None) is not None:
                        holder.json_cache = None
            self.schema.attributes.pop(attr.attribute_id, None)
            self.store.unique.pop(attr.attribute_id, None)
        for note_id in [n for n, note in self.notes.items() if note["_object_id"] == obj.id]:
            del self.notes[note_id]
        self.schema.objects.pop(obj.id, None)
        self.schema.forget_object_slug(obj.api_slug)

    # -- list entries --------------------------------------------------------------------------
    def get_entry(self, lst: ListDef, entry_id: str) -> Holder:
        """An entry by id; 404 if missing."""
        entry = self.store.entries.get(lst.id, {}).get(entry_id)
        if entry is None:
            raise NotFoundError(f'Entry with ID "{entry_id}" not found.')
        return entry

    def _entry_parent(self, lst: ListDef, data: dict[str, Any]) -> tuple[ObjectDef, str]:
        for key in ("parent_record_id", "parent_object", "entry_values"):
            if key not in data:
                raise ValidationTypeError(
                    f'"{key}" is required: send parent_record_id, parent_object and '
                    "entry_values (which may be {})."
                )
        obj = self.schema.find_object(str(data["parent_object"]))
        if obj is None:
            raise ValueNotFoundError(f'Object with slug/ID "{data["parent_object"]}" not found.')
        if obj.id != lst.parent_object_id:
            raise ValidationTypeError(
                f'List "{lst.api_slug}" holds {self.schema.objects[lst.parent_object_id].api_slug}'
                f' records, not "{obj.api_slug}".'
            )
        rid = data["parent_record_id"]
        if not isinstance(rid, str) or self.store.get_record(obj.id, rid) is None:
            raise ValueNotFoundError(f'Parent record with slug/ID "{rid}" not found.')
        return obj, rid

    def create_entry(self, lst: ListDef, data: dict[str, Any], actor: dict[str, Any]) -> Holder:
        """``POST /v2/lists/{list}/entries``: a record may appear several times in a list."""
        parent = self._entry_parent(lst, data)
        prepared = self.store.prepare(
            lst, data["entry_values"], field_name="entry_values", creating=True, actor=actor
        )
        entry = self.store.create(
            lst, prepared, actor, self._record_changed(actor), parent_record=parent
        )
        self.emit(
            "list-entry.created",
            {"list_id": lst.id, "entry_id": entry.id},
            actor,
            parent_object_id=parent[0].id,
            parent_record_id=parent[1],
        )
        return entry

    def assert_entry(self, lst: ListDef, data: dict[str, Any], actor: dict[str, Any]) -> Holder:
        """``PUT /v2/lists/{list}/entries``: create, or replace the one entry of this parent."""
        _, rid = self._entry_parent(lst, data)
        existing = self.store.entries_for(lst.id, rid)
        if len(existing) > 1:
            # SPEC's message (sic: "founds").
            raise MultipleMatchResultsError(
                "Multiple entries were founds for the given parent record. Please remove "
                "duplicates or use the update or create entry endpoints instead."
            )
        if not existing:
            return self.create_entry(lst, data, actor)
        return self.update_entry(lst, existing[0].id, data["entry_values"], "replace", actor)

    def update_entry(
        self, lst: ListDef, entry_id: str, values: Any, mode: str, actor: dict[str, Any]
    ) -> Holder:
        """PATCH (``append``) or PUT (``replace``) of an entry's values."""
        entry = self.get_entry(lst, entry_id)
        prepared = self.store.prepare(
            lst, values, field_name="entry_values", holder=entry, creating=False
        )
        hook = self._record_changed(actor)
        for attr in self.store.apply(entry, prepared, mode, actor, hook):
            hook(entry, attr)
        return entry

    def delete_entry(self, lst: ListDef, entry_id: str, actor: dict[str, Any]) -> None:
        """Delete a list entry."""
        entry = self.get_entry(lst, entry_id)
        self.store.delete(lst, entry, self._record_changed(actor))
        self.emit(
            "list-entry.deleted",
            {"list_id": lst.id, "entry_id": entry.id},
            actor,
            parent_object_id=entry.parent_object_id,
            parent_record_id=entry.parent_record_id,
        )

    # -- rendering -----------------------------------------------------------------------------
    def web_url(self, obj: ObjectDef, record_id: str) -> str:
        """The record's page in Attio's web app (API-NOTES §9)."""
        noun = (obj.singular_noun or obj.api_slug).lower().replace(" ", "-")
        # Percent-encoded: a noun such as "Société" must still give a valid URI (spec: uri).
        return f"https://app.attio.com/{self.slug}/{quote(noun, safe='')}/{record_id}"

    @staticmethod
    def _plan(parent: Parent) -> list[tuple[str, str, bool]]:
        """(slug, attribute id, is a computed system value) for each attribute shown."""
        return [
            (a.api_slug, a.attribute_id, a.is_system_attribute and a.api_slug in _SYSTEM_SLUGS)
            for a in parent.attributes.values()
            if not a.is_archived
        ]

    @staticmethod
    def _render_values(
        plan: Iterable[tuple[str, str, bool]], holder: Holder
    ) -> dict[str, list[dict[str, Any]]]:
        get = holder.values.get
        system_values = {slug: [_system_value(slug, holder)] for slug in _SYSTEM_SLUGS}
        # One comprehension, no per-attribute branching beyond the walrus: the hottest loop.
        return {
            slug: system_values[slug]
            if system
            else ([v.render() for v in cur] if (cur := get(attr_id)) else [])
            for slug, attr_id, system in plan
        }

    def render_values_of(self, parent: Parent, holder: Holder) -> dict[str, list[dict[str, Any]]]:
        """The ``values`` of any holder (an activity record's too) in Attio's read shape."""
        return self._render_values(self._plan(parent), holder)

    def _render_key(self, obj: ObjectDef) -> RenderKey:
        """What a record's rendering depends on besides its values: the attributes shown, the
        URL prefix and the ids. Equal keys are one object, so a kept JSON is checked by identity."""
        key: RenderKey = (
            tuple(self._plan(obj)),
            self.web_url(obj, ""),
            self.workspace_id,
            obj.id,
        )
        return self._render_keys.setdefault(key, key)

    def _render_with(self, key: RenderKey, rec: Holder) -> dict[str, Any]:
        plan, url, ws_id, obj_id = key
        return {
            "id": {"workspace_id": ws_id, "object_id": obj_id, "record_id": rec.id},
            "created_at": rec.created_at,
            "web_url": url + rec.id,
            "values": self._render_values(plan, rec),
        }

    def render_records(self, obj: ObjectDef, records: Iterable[Holder]) -> list[dict[str, Any]]:
        """Many records of one object in Attio's read shape (the plan is worked out once)."""
        key = self._render_key(obj)
        return [self._render_with(key, rec) for rec in records]

    def render_record(self, obj: ObjectDef, rec: Holder) -> dict[str, Any]:
        """A record in Attio's read shape."""
        return self._render_with(self._render_key(obj), rec)

    def records_json(self, obj: ObjectDef, records: Iterable[Holder]) -> bytes:
        """Records as a JSON array, each serialised once and kept until its values change.

        Reading pages of records is the emulator's hottest path; a record's JSON only changes
        when its values do (``RecordStore`` clears ``json_cache`` then) or the object's
        attributes do (a new render key).
        """
        key = self._render_key(obj)
        parts: list[bytes] = []
        for rec in records:
            cached = rec.json_cache
            if cached is None or cached[0] is not key:
                # A copy of exactly its size: orjson's bytes keep the spare room of the buffer
                # they were written into, which kept for every record doubles the memory.
                made = bytes(memoryview(orjson.dumps(self._render_with(key, rec))))
                rec.json_cache = cached = (key, made)
            parts.append(cached[1])
        return b"[" + b",".join(parts) + b"]"

    def warm_records_json(self) -> None:
        """Serialise every record not yet kept as JSON, so that no first read pays for it.

        Called after a large seed: reading pages is the emulator's hottest path, and a record's
        JSON is then only made again after it changes.
        """
        for obj in self.schema.objects.values():
            self.records_json(obj, self.store.holders(obj).values())

    def render_entry(self, lst: ListDef, entry: Holder) -> dict[str, Any]:
        """A list entry in Attio's read shape."""
        return {
            "id": {"workspace_id": self.workspace_id, "list_id": lst.id, "entry_id": entry.id},
            "parent_record_id": entry.parent_record_id,
            "parent_object": self.schema.parent_slug(entry.parent_object_id or ""),
            "created_at": entry.created_at,
            "entry_values": self._render_values(self._plan(lst), entry),
        }

    def attribute_values(
        self, parent: Parent, holder: Holder, attr: Attribute, show_historic: bool
    ) -> list[dict[str, Any]]:
        """One attribute's values; with history, oldest first (API-NOTES §2)."""
        if attr.type == "interaction" and show_historic:
            raise ValidationTypeError(
                f'History cannot be requested for attribute "{attr.api_slug}".'
            )
        if attr.is_system_attribute and attr.api_slug in _SYSTEM_SLUGS:
            return [_system_value(attr.api_slug, holder)]
        current = list(holder.current(attr.attribute_id))
        if not show_historic:
            return [v.render() for v in current]
        past: list[StoredValue] = list((holder.history or {}).get(attr.attribute_id, []))
        everything = past + current
        everything.sort(key=lambda v: v.active_from)
        return [v.render() for v in everything]

    def render_object(self, obj: ObjectDef) -> dict[str, Any]:
        """An object in Attio's read shape."""
        return {
            "id": {"workspace_id": self.workspace_id, "object_id": obj.id},
            "api_slug": obj.api_slug,
            "singular_noun": obj.singular_noun,
            "plural_noun": obj.plural_noun,
            "created_at": obj.created_at,
        }

    def render_list(self, lst: ListDef) -> dict[str, Any]:
        """A list in Attio's read shape (``parent_object`` is an array)."""
        return {
            "id": {"workspace_id": self.workspace_id, "list_id": lst.id},
            "api_slug": lst.api_slug,
            "name": lst.name,
            "parent_object": [self.schema.parent_slug(lst.parent_object_id)],
            "workspace_access": lst.workspace_access,
            "workspace_member_access": lst.workspace_member_access,
            "created_by_actor": lst.created_by_actor,
            "created_at": lst.created_at,
        }

    def render_attribute(self, attr: Attribute) -> dict[str, Any]:
        """An attribute in Attio's read shape."""
        rel: dict[str, Any] | None = None
        if attr.relationship_id:
            other = self.schema.attributes.get(attr.relationship_id)
            if other is not None:
                rel = {
                    "id": {
                        "workspace_id": self.workspace_id,
                        "object_id": other.parent_id,
                        "attribute_id": other.attribute_id,
                    },
                    "object_slug": self.schema.parent_slug(other.parent_id),
                    "title": other.title,
                    "api_slug": other.api_slug,
                    "is_multiselect": other.is_multiselect,
                }
        return {
            "id": {
                "workspace_id": self.workspace_id,
                "object_id": attr.parent_id,
                "attribute_id": attr.attribute_id,
            },
            "title": attr.title,
            "description": attr.description,
            "api_slug": attr.api_slug,
            "type": attr.type,
            "is_system_attribute": attr.is_system_attribute,
            "is_writable": attr.is_writable,
            "is_required": attr.is_required,
            "is_unique": attr.is_unique,
            "is_multiselect": attr.is_multiselect,
            "is_default_value_enabled": attr.default_value is not None,
            "is_archived": attr.is_archived,
            "default_value": attr.default_value,
            "relationship": rel,
            "created_at": attr.created_at,
            "config": {
                "currency": {
                    "default_currency_code": attr.currency_code,
                    "display_type": attr.currency_display,
                },
                "record_reference": {"allowed_object_ids": attr.allowed_object_ids},
            },
        }

    def render_option(self, attr: Attribute, opt: SelectOption) -> dict[str, Any]:
        """A select option in Attio's read shape."""
        return {
            "id": {
                "workspace_id": self.workspace_id,
                "object_id": attr.parent_id,
                "attribute_id": attr.attribute_id,
                "option_id": opt.option_id,
            },
            "title": opt.title,
            "is_archived": opt.is_archived,
        }

    def render_status(self, attr: Attribute, st: Status) -> dict[str, Any]:
        """A status in Attio's read shape."""
        return {
            "id": {
                "workspace_id": self.workspace_id,
                "object_id": attr.parent_id,
                "attribute_id": attr.attribute_id,
                "status_id": st.status_id,
            },
            "title": st.title,
            "is_archived": st.is_archived,
            "celebration_enabled": st.celebration_enabled,
            "target_time_in_status": st.target_time_in_status,
        }

    def render_member(self, m: Member) -> dict[str, Any]:
        """A workspace member in Attio's read shape."""
        return {
            "id": {"workspace_id": self.workspace_id, "workspace_member_id": m.member_id},
            "first_name": m.first_name,
            "last_name": m.last_name,
            "avatar_url": m.avatar_url,
            "email_address": m.email_address,
            "created_at": m.created_at,
            "access_level": m.access_level,
        }

    def get_member(self, member_id: str) -> Member:
        """A member by id; 404 if missing."""
        m = self.members.get(member_id)
        if m is None:
            raise NotFoundError(f'Workspace member with ID "{member_id}" not found.')
        return m


_SYSTEM_SLUGS = frozenset({"record_id", "created_at", "created_by"})


def quiet(holder: Holder, attr: Attribute) -> None:
    """A change hook that announces nothing (deleting an object fires no events)."""


def _system_value(slug: str, holder: Holder) -> dict[str, Any]:
    base = {
        "active_from": holder.created_at,
        "active_until": None,
        "created_by_actor": holder.created_by,
    }
    if slug == "record_id":
        return {**base, "value": holder.id, "attribute_type": "text"}
    if slug == "created_at":
        return {**base, "value": holder.created_at, "attribute_type": "timestamp"}
    actor = holder.created_by
    return {
        **base,
        "referenced_actor_type": actor["type"],
        "referenced_actor_id": actor["id"],
        "attribute_type": "actor-reference",
    }
