"""The three-way merge of one record pair against its last synced copy; no I/O.

``merge(fields, base, attio, external)`` compares each side's canonical values (``Side``: the
values, or None when the record is absent or deleted, and when it was last modified) with
``base``, the copy both sides held after the last sync (None before the first):

- a field changed on one side only goes to the other side;
- a field changed on both sides to different values is a true conflict: the field's owner wins
  (``"attio"`` or ``"external"``); for a ``"both"`` field the later modification wins
  (last-write-wins), and with equal times it stays OPEN (no write; it waits in the queue);
- a field owned by one side always ends with that side's value (the other side's edit is
  reverted), so both sides converge on the state the ownership rules define;
- a record absent on one side with no base is created there; one that had a base and is gone
  from one side was deleted there, and the delete goes to the other side (a conflict is logged
  when that side had edited it since, with both values).

A one-way mapping (``direction = "into_attio"``) merges with ``merge(..., one_way=True)``: the
other side's values always stand and nothing is ever written to it. An Attio edit of a mapped
field is put back at the next merge and logged as a conflict decided for ``"external"``; a
record only in Attio is left alone (no base, no link); one deleted in Attio is created there
again; one deleted on the other side follows ``on_delete`` as in two-way mappings.

The result (``MergeResult``) holds the writes for each side, the new base and every conflict
(decided or open, ``Conflict``). Merging the synced result again gives no writes.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .mapping import FieldMap

__all__ = ["Conflict", "MergeResult", "Side", "merge"]


@dataclass(frozen=True)
class Side:
    """One side's current canonical values (None: absent or deleted) and modification time."""

    values: Mapping[str, Any] | None
    modified_at: datetime | None = None


@dataclass(frozen=True)
class Conflict:
    """A field both sides changed (or a delete against an edit), and what was decided.

    ``decision`` is ``"attio"``, ``"external"`` (whose value was kept, or ``"delete"``) or
    ``"open"`` (nothing written; waiting for someone to resolve it)."""

    field: str
    attio_value: Any
    external_value: Any
    base_value: Any
    decision: str
    reason: str


@dataclass
class MergeResult:
    """What one merge decided: writes per side (canonical values), creates, deletes, the new
    base and the conflicts."""

    attio_writes: dict[str, Any] = field(default_factory=dict)
    external_writes: dict[str, Any] = field(default_factory=dict)
    create_attio: bool = False
    create_external: bool = False
    delete_attio: bool = False
    delete_external: bool = False
    base: dict[str, Any] | None = None
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def writes(self) -> int:
        """How many writes the result asks for (a create or delete counts one)."""
        return (
            bool(self.attio_writes)
            + bool(self.external_writes)
            + self.delete_attio
            + self.delete_external
        )

    @property
    def open(self) -> list[Conflict]:
        """The conflicts left open."""
        return [c for c in self.conflicts if c.decision == "open"]


def merge(
    fields: Sequence[FieldMap],
    base: Mapping[str, Any] | None,
    attio: Side,
    external: Side,
    pending: Collection[str] = (),
    *,
    one_way: bool = False,
) -> MergeResult:
    """The writes and conflicts that bring ``attio`` and ``external`` in step (module docstring).

    ``pending`` names fields whose conflict is open in the queue: they stay open (reported with
    the current values, nothing written) until resolved, whatever the times say since.
    ``one_way``: the other side's values stand and it gets no writes (module docstring)."""
    if one_way:
        return _into_attio(fields, base, attio, external)
    out = MergeResult()
    a, e = attio.values, external.values
    if a is None and e is None:
        return out  # gone on both sides: nothing to keep
    if a is None or e is None:
        return _one_side(fields, base, attio, external, out)
    merged: dict[str, Any] = {}
    for f in fields:
        b = None if base is None else base.get(f.attio)
        av, ev = a.get(f.attio), e.get(f.attio)
        if f.attio in pending and av != ev:
            out.conflicts.append(Conflict(f.attio, av, ev, b, "open", "waiting to be resolved"))
            merged[f.attio] = b
            continue
        value, conflict = _field(f, base is not None, b, av, ev, attio, external)
        if conflict is not None:
            out.conflicts.append(conflict)
        if conflict is not None and conflict.decision == "open":
            merged[f.attio] = b  # the base stays until someone decides
            continue
        merged[f.attio] = value
        if av != value:
            out.attio_writes[f.attio] = value
        if ev != value:
            out.external_writes[f.attio] = value
    out.base = merged
    return out


def _field(
    f: FieldMap, has_base: bool, b: Any, av: Any, ev: Any, attio: Side, external: Side
) -> tuple[Any, Conflict | None]:
    """The value field ``f`` ends with, and the conflict decided on the way."""
    if av == ev:
        return av, None
    if not has_base and (av is None or ev is None):
        # First sync: an empty side takes the other's value, whoever owns it; nothing is lost.
        return (ev if av is None else av), None
    a_changed = not has_base or av != b
    e_changed = not has_base or ev != b
    if f.owner == "attio" or not f.writes_external:
        # One side owns the field (or cannot be written): its value stands.
        winner = "attio" if f.owner == "attio" else "external"
    elif f.owner == "external":
        winner = "external"
    elif a_changed and not e_changed:
        return av, None
    elif e_changed and not a_changed:
        return ev, None
    else:
        at, et = attio.modified_at, external.modified_at
        if at is None or et is None or at == et:
            return b, Conflict(f.attio, av, ev, b, "open", "both changed at the same time")
        winner = "attio" if at > et else "external"
        reason = f"both changed; {winner} changed last"
        return (av if winner == "attio" else ev), Conflict(f.attio, av, ev, b, winner, reason)
    value = av if winner == "attio" else ev
    if a_changed and e_changed:
        return value, Conflict(f.attio, av, ev, b, winner, f"both changed; {winner} owns the field")
    return value, None


def _one_side(
    fields: Sequence[FieldMap],
    base: Mapping[str, Any] | None,
    attio: Side,
    external: Side,
    out: MergeResult,
) -> MergeResult:
    """A record present on one side only: created there, or deleted on the other."""
    present_is_attio = attio.values is not None
    values = attio.values if present_is_attio else external.values
    assert values is not None
    if base is None:
        # New on one side: created on the other with every value (ownership governs edits).
        allowed = {
            f.attio: values.get(f.attio)
            for f in fields
            if (f.invertible or not present_is_attio) and values.get(f.attio) is not None
        }
        if present_is_attio:
            out.create_external, out.external_writes = True, allowed
        else:
            out.create_attio, out.attio_writes = True, allowed
        out.base = {f.attio: values.get(f.attio) for f in fields}
        return out
    # Deleted on the other side: the delete goes through; edits made since are logged.
    gone = "external" if present_is_attio else "attio"
    for f in fields:
        if values.get(f.attio) != base.get(f.attio):
            av = values.get(f.attio) if present_is_attio else None
            ev = None if present_is_attio else values.get(f.attio)
            reason = f"deleted in {gone} after an edit on the other side"
            out.conflicts.append(Conflict(f.attio, av, ev, base.get(f.attio), "delete", reason))
    if present_is_attio:
        out.delete_attio = True
    else:
        out.delete_external = True
    return out


def _into_attio(
    fields: Sequence[FieldMap], base: Mapping[str, Any] | None, attio: Side, external: Side
) -> MergeResult:
    """A one-way merge: Attio ends with the other side's values; the other side gets nothing."""
    out = MergeResult()
    a, e = attio.values, external.values
    if e is None:
        if a is None or base is None:
            return out  # only in Attio (or nowhere): not ours to touch
        return _one_side(fields, base, attio, external, out)  # deleted outside: on_delete
    if a is None:
        # New outside, or deleted in Attio: (re)created from the side that owns it.
        return _one_side(fields, None, attio, external, out)
    for f in fields:
        av, ev = a.get(f.attio), e.get(f.attio)
        if av == ev:
            continue
        out.attio_writes[f.attio] = ev
        b = None if base is None else base.get(f.attio)
        if base is not None and av != b:
            # Edited in Attio since the last sync: put back, and shown in the conflict log.
            reason = "one way into Attio: the other side owns the field; Attio's edit was put back"
            out.conflicts.append(Conflict(f.attio, av, ev, b, "external", reason))
    out.base = {f.attio: e.get(f.attio) for f in fields}
    return out
