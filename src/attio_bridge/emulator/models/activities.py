"""Custom activities and their records (beta): event types and the events logged against records.

As docs.attio.com/docs/activities and /rest-api/guides/activities describe them: an activity is
a data type like an object (``ActivityDef`` in the schema, ``/v2/activities``), and an activity
record is one event, like a record (``/v2/activities/{activity}/records``). An activity extends
one schema, ``activities``, ``interactions``, ``calls`` or ``emails``, chosen at creation and
never changed (PATCH with ``extends`` is a 400). Attio provides one system activity, phone calls
(``phone_calls``, extending ``calls``, with a ``direction`` select as in the endpoint
reference's examples); it cannot be changed or deleted. Attributes are added to an activity
through the attribute endpoints with target ``activities``
(``/v2/activities/{activity}/attributes``).

Activity records hold values exactly as records do (the same ``RecordStore``, keyed by the
activity's id); they render as ``{id: {workspace_id, activity_id, record_id}, created_at,
values}``. Events (webhook reference, activity*-events): ``activity.created|updated|deleted``
with ``id.activity_id``, ``activity-record.created|deleted`` with ``id.record_id`` too; the
reference lists no ``activity-record.updated``, so updates announce nothing.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from ..clock import new_id, now_ts, untaped
from ..errors import (
    MultipleMatchResultsError,
    NotFoundError,
    SystemEditUnauthorizedError,
    ValidationTypeError,
    ValueNotFoundError,
)
from .records import Holder
from .schema import ActivityDef, Attribute
from .values import normalize, value_key

if TYPE_CHECKING:
    from ..workspace import Workspace

SCHEMAS = ("activities", "interactions", "calls", "emails")
# What each schema builds on, nearest first (docs/activities "Schemas").
_LINEAGE = {
    "activities": ("activities",),
    "interactions": ("interactions", "activities"),
    "calls": ("calls", "interactions", "activities"),
    "emails": ("emails", "interactions", "activities"),
}
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "attio-bridge:emulator:activities")


def _stable_id(ws: Workspace, name: str) -> str:
    """An id the same on every start of this workspace, kept off the persistence tape."""
    return str(uuid.uuid5(_NAMESPACE, f"{ws.workspace_id}:{name}"))


def install_system_activities(ws: Workspace) -> None:
    """Add phone calls, Attio's one system activity, with ids that need no tape (a workspace
    rebuilt from an older log gets it as well, with the same ids)."""
    counter = iter(range(1_000))

    def make_id() -> str:
        return _stable_id(ws, f"phone_calls:{next(counter)}")

    with untaped():
        act = ActivityDef(
            id=_stable_id(ws, "phone_calls"),
            api_slug="phone_calls",
            created_at=ws.created_at,
            singular_noun="Phone call",
            plural_noun="Phone calls",
            extends="calls",
            is_system=True,
        )
        spec = ("direction", "Direction", "select", {"choices": ("Inbound", "Outbound")})
        ws.schema.add_activity(act, [spec], make_id)
        for attr in act.attributes.values():
            attr.created_at = ws.created_at


def render(ws: Workspace, act: ActivityDef) -> dict[str, Any]:
    """An activity in Attio's read shape."""
    return {
        "id": {"workspace_id": ws.workspace_id, "activity_id": act.id},
        "api_slug": act.api_slug,
        "singular_noun": act.singular_noun,
        "plural_noun": act.plural_noun,
        # "the schemas it directly extends": the chosen one (the guide's example shows one).
        "extends": [
            {"schema_id": _stable_id(ws, f"schema:{act.extends}"), "schema_slug": act.extends}
        ],
        "is_system_activity": act.is_system,
        "created_at": act.created_at,
    }


def _nouns(data: dict[str, Any]) -> None:
    for key in ("api_slug", "singular_noun", "plural_noun"):
        if key in data and (not isinstance(data[key], str) or not data[key].strip()):
            raise ValidationTypeError(f'"{key}" must be a non-empty string.')


def create(ws: Workspace, data: dict[str, Any], actor: dict[str, Any]) -> ActivityDef:
    """``POST /v2/activities``: all four fields required; ``extends`` one of the schemas."""
    missing = [k for k in ("api_slug", "singular_noun", "plural_noun", "extends") if k not in data]
    if missing:
        raise ValidationTypeError(f"Missing required field(s): {', '.join(missing)}.")
    _nouns(data)
    if data["extends"] not in SCHEMAS:
        raise ValidationTypeError(
            f'"extends" must be one of {", ".join(SCHEMAS)}, got {data["extends"]!r}.'
        )
    act = ActivityDef(
        id=new_id(),
        api_slug=data["api_slug"],
        created_at=now_ts(),
        singular_noun=data["singular_noun"],
        plural_noun=data["plural_noun"],
        extends=data["extends"],
    )
    ws.schema.add_activity(act, [])
    ws.emit("activity.created", {"activity_id": act.id}, actor)
    return act


def _not_system(act: ActivityDef, doing: str) -> None:
    if act.is_system:
        raise SystemEditUnauthorizedError(
            f'"{act.api_slug}" is a system activity, which cannot be {doing}.'
        )


def update(ws: Workspace, ident: str, data: dict[str, Any], actor: dict[str, Any]) -> ActivityDef:
    """``PATCH /v2/activities/{activity}``: slug and nouns only; ``extends`` is permanent."""
    act = ws.schema.get_activity(ident)
    if "extends" in data:
        raise ValidationTypeError(
            "An activity's schema (extends) cannot be changed: create a new activity instead."
        )
    unknown = sorted(set(data) - {"api_slug", "singular_noun", "plural_noun"})
    if unknown:
        raise ValidationTypeError(f"Unknown field(s): {', '.join(unknown)}.")
    if not data:
        raise ValidationTypeError(
            "You passed an empty payload. Please ensure you are updating at least one property "
            "in your request."
        )
    _nouns(data)
    _not_system(act, "changed")
    if "api_slug" in data:
        ws.schema.rename_activity(act, data["api_slug"])
    for key in ("singular_noun", "plural_noun"):
        if key in data:
            setattr(act, key, data[key])
    ws.emit("activity.updated", {"activity_id": act.id}, actor)
    return act


def delete(ws: Workspace, ident: str, actor: dict[str, Any]) -> None:
    """``DELETE /v2/activities/{activity}``: the activity and every record of it."""
    act = ws.schema.get_activity(ident)
    _not_system(act, "deleted")
    for rec in list(ws.store.holders(act).values()):
        ws.store.delete(act, rec, lambda holder, attr: None)
    ws.store.records.pop(act.id, None)
    ws.schema.remove_activity(act)
    ws.emit("activity.deleted", {"activity_id": act.id}, actor)


# -- activity records ------------------------------------------------------------------------
def render_record(ws: Workspace, act: ActivityDef, rec: Holder) -> dict[str, Any]:
    """An activity record in Attio's read shape."""
    return {
        "id": {"workspace_id": ws.workspace_id, "activity_id": act.id, "record_id": rec.id},
        "created_at": rec.created_at,
        "values": ws.render_values_of(act, rec),
    }


def get_record(ws: Workspace, act: ActivityDef, record_id: str) -> Holder:
    """An activity record by id; 404 if missing."""
    rec = ws.store.get_record(act.id, record_id)
    if rec is None:
        raise NotFoundError(f'Activity record with ID "{record_id}" not found.')
    return rec


def create_record(ws: Workspace, act: ActivityDef, values: Any, actor: dict[str, Any]) -> Holder:
    """``POST .../records``: a new event."""
    prepared = ws.store.prepare(act, values, creating=True, actor=actor)
    rec = ws.store.create(act, prepared, actor, lambda holder, attr: None)
    ws.emit("activity-record.created", {"activity_id": act.id, "record_id": rec.id}, actor)
    return rec


def update_record(
    ws: Workspace, act: ActivityDef, record_id: str, values: Any, mode: str, actor: dict[str, Any]
) -> Holder:
    """PATCH (``append``) or PUT (``replace``) of an activity record's values."""
    rec = get_record(ws, act, record_id)
    if isinstance(values, dict) and not values and mode == "append":
        raise ValidationTypeError(
            "You passed an empty payload. Please ensure you are updating at least one property "
            "in your request."
        )
    prepared = ws.store.prepare(act, values, holder=rec, creating=False)
    ws.store.apply(rec, prepared, mode, actor, lambda holder, attr: None)
    return rec


def _matching(act: ActivityDef, matching: str) -> Attribute:
    attr = act.find_attribute(matching)
    if attr is None:
        raise ValueNotFoundError(
            f'No attribute was found for matching_attribute slug/ID "{matching}".'
        )
    if not attr.is_unique:
        raise ValidationTypeError(
            f'Matching attribute "{attr.api_slug}" is not unique, so it cannot identify an '
            "activity record: make it unique, or query then create."
        )
    return attr


def assert_record(
    ws: Workspace, act: ActivityDef, matching: str, values: Any, actor: dict[str, Any]
) -> Holder:
    """``PUT .../records?matching_attribute=``: update the record the unique value names, or
    create one."""
    attr = _matching(act, matching)
    if not isinstance(values, dict):
        raise ValidationTypeError('"values" must be an object keyed by attribute slug.')
    given = next((values[k] for k in (attr.api_slug, attr.attribute_id) if k in values), None)
    wanted = normalize(attr, given, ws) if given is not None else []
    if not wanted:
        raise ValidationTypeError(
            f'The values must include the matching attribute "{attr.api_slug}".'
        )
    owners = {ws.store.find_by_unique(attr, value_key(v)) for v in wanted} - {None}
    if len(owners) > 1:
        raise MultipleMatchResultsError(
            f'The values of "{attr.api_slug}" match {len(owners)} different activity records.'
        )
    if not owners:
        return create_record(ws, act, values, actor)
    rec = get_record(ws, act, str(next(iter(owners))))
    prepared = ws.store.prepare(act, values, holder=rec, creating=False)
    ws.store.apply(rec, prepared, "assert", actor, lambda holder, a: None, matching=attr)
    return rec


def delete_record(ws: Workspace, act: ActivityDef, record_id: str, actor: dict[str, Any]) -> None:
    """``DELETE .../records/{record_id}``."""
    rec = get_record(ws, act, record_id)
    ws.store.delete(act, rec, lambda holder, attr: None)
    ws.emit("activity-record.deleted", {"activity_id": act.id, "record_id": rec.id}, actor)
