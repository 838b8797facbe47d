"""History writes: one attribute's whole value history of a record or list entry, replaced.

``PUT /v2/objects/{object}/records/{record_id}/attributes/{attribute}/values`` and its list-entry
twin (docs.attio.com/rest-api/endpoint-reference/records/write-record-attribute-values and
.../entries/write-list-entry-attribute-values, beta since 2026-08-17) exist to migrate history
from other systems, so they behave unlike every other write:

- every value the attribute has, current or past, is destroyed and the given values are written
  with the ``active_from``/``active_until`` they carry (``active_until`` null: still active);
- no webhook event fires (and no workflow runs), so migrating history replays no automation;
- relationship, formula and enriched attributes, and immutable system attributes, are refused;
- a single-value attribute may have at most one value active at a time: intervals may not
  overlap and at most one may be open. At least one value is required.

This module knows no HTTP; ``routes/history.py`` parses requests and calls ``write_history``.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..clock import format_ts
from ..errors import (
    FormulaEditUnauthorizedError,
    SystemEditUnauthorizedError,
    UniquenessConflictError,
    ValidationTypeError,
)
from .activity import parse_moment
from .values import StoredValue, normalize_one, value_key

if TYPE_CHECKING:
    from ..workspace import Workspace
    from .records import Holder
    from .schema import Attribute, Parent

_IMMUTABLE_SYSTEM = frozenset({"record_id", "created_at", "created_by"})


def check_writable(attr: Attribute) -> None:
    """400 when ``attr``'s history cannot be written (Attio's codes for each kind)."""
    if attr.type == "formula":
        raise FormulaEditUnauthorizedError(
            f'Attribute "{attr.api_slug}" is a formula: its values are computed, so their '
            "history cannot be written."
        )
    if attr.relationship_id:
        raise SystemEditUnauthorizedError(
            f'Attribute "{attr.api_slug}" is a relationship: value history cannot be written for '
            "relationship attributes. Write the relationship with a record update instead."
        )
    if attr.is_system_attribute and attr.api_slug in _IMMUTABLE_SYSTEM:
        raise SystemEditUnauthorizedError(
            f'Attribute "{attr.api_slug}" is an immutable system attribute: its history cannot '
            "be written."
        )
    if not attr.is_writable:
        raise SystemEditUnauthorizedError(
            f'Attribute "{attr.api_slug}" is enriched or read-only: value history cannot be '
            "written for it."
        )


def _moment(raw: Any, field: str, now: datetime) -> datetime:
    moment = parse_moment(raw, field)
    if moment > now:
        raise ValidationTypeError(f'"{field}" cannot be in the future, got "{raw}".')
    return moment


def _parse(
    ws: Workspace, attr: Attribute, data: dict[str, Any], actor: dict[str, Any]
) -> list[tuple[datetime, datetime | None, StoredValue]]:
    if data.get("replace_history") is not True:
        raise ValidationTypeError(
            '"replace_history" must be true: this endpoint replaces the whole value history of '
            "the attribute, and says so explicitly."
        )
    raw_values = data.get("values")
    if not isinstance(raw_values, list) or not raw_values:
        raise ValidationTypeError(
            '"values" must be a non-empty array of {value, active_from, active_until}.'
        )
    now = datetime.now(UTC)
    out: list[tuple[datetime, datetime | None, StoredValue]] = []
    for i, item in enumerate(raw_values):
        where = f"values[{i}]"
        if not isinstance(item, dict) or "value" not in item or "active_from" not in item:
            raise ValidationTypeError(
                f'"{where}" must be an object {{value, active_from, active_until}}.'
            )
        if "active_until" not in item:
            # Required, even when null: omitting it is almost always a mistake in a migration.
            raise ValidationTypeError(
                f'"{where}.active_until" is required: a timestamp, or null if still active.'
            )
        start = _moment(item["active_from"], f"{where}.active_from", now)
        raw_until = item["active_until"]
        until = None if raw_until is None else _moment(raw_until, f"{where}.active_until", now)
        if until is not None and until <= start:
            raise ValidationTypeError(f'"{where}.active_until" must be after its "active_from".')
        value = StoredValue(
            normalize_one(attr, item["value"], ws),
            format_ts(start),
            None if until is None else format_ts(until),
            dict(actor),
        )
        out.append((start, until, value))
    return out


def _check_single(attr: Attribute, parsed: list[tuple[datetime, datetime | None, Any]]) -> None:
    ordered = sorted(parsed, key=lambda p: p[0])
    if sum(1 for p in ordered if p[1] is None) > 1:
        raise ValidationTypeError(
            f'Attribute "{attr.api_slug}" holds a single value: at most one value may have a '
            "null active_until."
        )
    for (_, until, _), (start, _, _) in itertools.pairwise(ordered):
        if until is None or until > start:
            raise ValidationTypeError(
                f'Attribute "{attr.api_slug}" holds a single value: the intervals of its values '
                "may not overlap."
            )


def write_history(
    ws: Workspace,
    parent: Parent,
    holder: Holder,
    attr: Attribute,
    data: dict[str, Any],
    actor: dict[str, Any],
) -> list[dict[str, Any]]:
    """Replace ``attr``'s value history on ``holder``; the written values, oldest first.

    Everything is checked before anything changes. No event is emitted.
    """
    check_writable(attr)
    parsed = _parse(ws, attr, data, actor)
    if not attr.is_multiselect:
        _check_single(attr, parsed)
    current = [v for _, until, v in parsed if until is None]
    past = [v for _, until, v in parsed if until is not None]
    index = ws.store.unique.get(attr.attribute_id, {}) if attr.is_unique else {}
    seen: set[Any] = set()
    for v in current:
        key = value_key(v.data)
        owner = index.get(key)
        if (owner is not None and owner != holder.id) or key in seen:
            raise UniquenessConflictError(
                f'The value of unique attribute "{attr.api_slug}" is already used '
                f"{'by another record' if key not in seen else 'twice in this request'}."
            )
        seen.add(key)
    old = holder.values.get(attr.attribute_id, [])
    if attr.is_unique:
        for v in old:
            if index.get(value_key(v.data)) == holder.id:
                del index[value_key(v.data)]
        for v in current:
            index[value_key(v.data)] = holder.id
    if current:
        holder.values[attr.attribute_id] = current
    else:
        holder.values.pop(attr.attribute_id, None)
    if past:
        if holder.history is None:
            holder.history = {}
        holder.history[attr.attribute_id] = past
    elif holder.history is not None:
        holder.history.pop(attr.attribute_id, None)
    holder.json_cache = None
    written = sorted((p for p in parsed), key=lambda p: p[0])
    return [v.render() for _, _, v in written]
