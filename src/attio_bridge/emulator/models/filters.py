"""Attio's filter language for record and entry queries, compiled once into closures.

Owns the per-type table of filterable properties and operators (API-NOTES §4), attribute
resolution for filters and sorts (slug or id, the system attributes ``record_id``,
``created_at`` and ``created_by``, and the ``parent_record`` pseudo-attribute of list entries),
``path`` drill-downs through record references, and the use of the unique-value index for
equality on unique attributes. ``compile_filter()`` validates the whole filter first (400
``filter_error`` naming what is wrong) and returns a predicate over ``Holder`` plus, when an
index answers the question, the short list of holders that can match.

Semantics chosen where Attio's docs are silent (each is marked where it is implemented):

- an attribute matches when ANY of its current values satisfies every condition given for it
  (so ``{"target_object": ..., "target_record_id": ...}`` must hold on one and the same value);
- ``$eq`` is exact (after the operand is normalised as a write would be: lowercased emails,
  bare domains, E.164 phones); ``$contains``, ``$starts_with`` and ``$ends_with`` ignore case;
- a missing value never satisfies a comparison; ``$not_empty: false`` means "has no such value".
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import phonenumbers

from ..errors import EmulatorError, FilterError
from .records import Holder
from .schema import Attribute, ListDef, ObjectDef, Parent
from .values import (
    StoredValue,
    coerce_filter_date,
    coerce_filter_timestamp,
    normalize_domain,
    normalize_one,
)

if TYPE_CHECKING:
    from ..workspace import Workspace

Predicate = Callable[[Holder], bool]
ValuesOf = Callable[[Holder], Sequence[StoredValue]]
Read = Callable[[StoredValue], Any]
Test = Callable[[Any], bool]
ValueTest = Callable[[StoredValue], bool]

STRING_OPS = frozenset({"$eq", "$contains", "$starts_with", "$ends_with"})
ORDER_OPS = frozenset({"$eq", "$lt", "$lte", "$gt", "$gte"})
SINCE_OPS = frozenset({"$lt", "$lte", "$gt", "$gte"})
ALL_OPS = frozenset(
    {"$eq", "$in", "$not_empty", "$contains", "$starts_with", "$ends_with", "$lt", "$lte"}
    | {"$gt", "$gte"}
)
LOGICAL_OPS = ("$and", "$or", "$not")
_HAS_TIME = re.compile(r"^\s*[+-]?\d{4,}-?\d{2}-?\d{2}[T ]\d{2}")


@dataclass(frozen=True, slots=True)
class Prop:
    """One filterable property of a value: how to read it, its kind and its operators.

    ``kind`` says how operands are checked and normalised: ``string``, ``email``, ``lower``,
    ``domain``, ``phone``, ``upper``, ``number``, ``currency``, ``date``, ``timestamp``, ``bool``,
    ``option``, ``status``, ``object`` or ``member``.
    """

    kind: str
    ops: frozenset[str]
    read: Read
    # Set when the property is a plain key of the value's data, so tests can read it inline.
    key: str | None = None


def _field(key: str) -> Read:
    def read(sv: StoredValue) -> Any:
        return sv.data.get(key)

    return read


def _keyed(kind: str, ops: frozenset[str], key: str) -> Prop:
    return Prop(kind, ops, _field(key), key)


def _option_id(sv: StoredValue) -> Any:
    return sv.data["option"]["id"]["option_id"]


def _status_id(sv: StoredValue) -> Any:
    return sv.data["status"]["id"]["status_id"]


def _active_from(sv: StoredValue) -> Any:
    return sv.active_from


def _owner_member(sv: StoredValue) -> Any:
    owner = sv.data.get("owner_actor") or {}
    return owner.get("id") if owner.get("type") == "workspace-member" else None


def _props(kind: str, ops: frozenset[str], *keys: str) -> dict[str, Prop]:
    return {k: _keyed(kind, ops, k) for k in keys}


_NAME_OPS = STRING_OPS | {"$not_empty"}
_LOCATION_LINES = ("line_1", "line_2", "line_3", "line_4", "locality", "region", "postcode")

# The filterable properties of each attribute type and the operators each allows (API-NOTES §4
# table). Location latitude and longitude are deliberately absent: Attio cannot filter them.
PROPS: dict[str, dict[str, Prop]] = {
    "text": _props("string", STRING_OPS | {"$in"}, "value"),
    "number": _props("number", ORDER_OPS, "value"),
    "rating": _props("number", ORDER_OPS, "value"),
    "currency": _props("currency", ORDER_OPS, "currency_value"),
    "date": _props("date", ORDER_OPS, "value"),
    "timestamp": _props("timestamp", ORDER_OPS, "value"),
    "checkbox": _props("bool", frozenset({"$eq"}), "value"),
    "personal-name": _props("string", _NAME_OPS, "first_name", "last_name", "full_name"),
    "email-address": {
        "email_address": _keyed("email", STRING_OPS, "email_address"),
        **_props("lower", STRING_OPS, "email_domain", "email_root_domain"),
        **_props("lower", STRING_OPS, "email_local_specifier"),
    },
    "domain": {
        "domain": _keyed("domain", STRING_OPS | {"$not_empty"}, "domain"),
        "root_domain": _keyed("lower", STRING_OPS | {"$not_empty"}, "root_domain"),
    },
    "phone-number": {
        "phone_number": _keyed("phone", STRING_OPS, "phone_number"),
        "country_code": _keyed("upper", frozenset({"$eq", "$not_empty"}), "country_code"),
    },
    "location": {
        **_props("string", STRING_OPS, *_LOCATION_LINES),
        "country_code": _keyed("upper", frozenset({"$eq", "$starts_with"}), "country_code"),
    },
    "select": {
        "option": Prop("option", frozenset({"$eq"}), _option_id),
        "active_from": Prop("timestamp", SINCE_OPS, _active_from),
    },
    "status": {
        "status": Prop("status", frozenset({"$eq"}), _status_id),
        "active_from": Prop("timestamp", SINCE_OPS, _active_from),
    },
    "record-reference": {
        "target_object": _keyed("object", frozenset({"$eq"}), "target_object"),
        "target_record_id": _keyed("string", frozenset({"$eq", "$in"}), "target_record_id"),
    },
    "actor-reference": {
        "referenced_actor_type": _keyed("string", frozenset({"$eq"}), "referenced_actor_type"),
        "referenced_actor_id": _keyed("member", frozenset({"$eq"}), "referenced_actor_id"),
    },
    "interaction": {
        "interaction_type": _keyed("string", frozenset({"$eq", "$not_empty"}), "interaction_type"),
        "owner_member_id": Prop("member", frozenset({"$eq", "$not_empty"}), _owner_member),
        "interacted_at": _keyed("timestamp", ORDER_OPS, "interacted_at"),
    },
}
# record_id only takes $eq and $in (API-NOTES §4).
RECORD_ID_PROPS: dict[str, Prop] = _props("string", frozenset({"$eq", "$in"}), "value")

# The property a shorthand filter compares, and a bare operator applies to (API-NOTES §4:
# name -> full_name, email -> email_address, ...). Record references default to the target id
# and actors to the actor id; location and interaction have no single obvious property, so a
# shorthand on them is refused with the list of properties to choose from.
DEFAULT_PROP: dict[str, str] = {
    "text": "value",
    "number": "value",
    "rating": "value",
    "currency": "currency_value",
    "date": "value",
    "timestamp": "value",
    "checkbox": "value",
    "personal-name": "full_name",
    "email-address": "email_address",
    "domain": "domain",
    "phone-number": "phone_number",
    "select": "option",
    "status": "status",
    "record-reference": "target_record_id",
    "actor-reference": "referenced_actor_id",
}
# The property whose value is the unique index's key (``values.value_key``) for each type.
INDEX_PROP: dict[str, str] = {
    "text": "value",
    "number": "value",
    "email-address": "email_address",
    "domain": "domain",
    "phone-number": "phone_number",
}


@dataclass(frozen=True, slots=True)
class AttrView:
    """An attribute as filters and sorts see it: where its current values come from."""

    slug: str
    type: str
    values: ValuesOf
    props: dict[str, Prop]
    attr: Attribute | None = None
    # For references: the objects whose records the values point at (empty = any).
    target_ids: tuple[str, ...] = ()
    # How an equality operand finds holders without a scan: "record_id", "unique" or None.
    index: str | None = None
    # The attribute id under which ``Holder.values`` keeps the values, when it does.
    stored_id: str | None = None

    def describe(self) -> str:
        """``"slug" (type "t")`` for error messages."""
        return f'"{self.slug}" (type "{self.type}")'


@dataclass(slots=True)
class Compiled:
    """A compiled filter: the predicate, and the only holder ids that can match (if known)."""

    pred: Predicate
    ids: list[str] | None = None


# -- attributes -----------------------------------------------------------------------------------
def _stored(attr_id: str) -> ValuesOf:
    empty: tuple[StoredValue, ...] = ()

    def values(h: Holder) -> Sequence[StoredValue]:
        return h.values.get(attr_id, empty)

    return values


def _record_id_values(h: Holder) -> Sequence[StoredValue]:
    return (StoredValue({"value": h.id}, h.created_at, None, h.created_by),)


def _created_at_values(h: Holder) -> Sequence[StoredValue]:
    return (StoredValue({"value": h.created_at}, h.created_at, None, h.created_by),)


def _created_by_values(h: Holder) -> Sequence[StoredValue]:
    actor = h.created_by
    data = {"referenced_actor_type": actor.get("type"), "referenced_actor_id": actor.get("id")}
    return (StoredValue(data, h.created_at, None, actor),)


def _parent_record_values(ws: Workspace, lst: ListDef) -> ValuesOf:
    slug = ws.schema.parent_slug(lst.parent_object_id)

    def values(h: Holder) -> Sequence[StoredValue]:
        data = {"target_object": slug, "target_record_id": h.parent_record_id}
        return (StoredValue(data, h.created_at, None, h.created_by),)

    return values


def resolve_attribute(ws: Workspace, parent: Parent, ident: Any, where: str) -> AttrView:
    """The attribute ``ident`` (slug or id) of ``parent``; ``filter_error`` with suggestions."""
    attr = parent.find_attribute(ident) if isinstance(ident, str) else None
    if attr is None or attr.is_archived:
        if isinstance(parent, ListDef) and ident == "parent_record":
            return AttrView(
                "parent_record",
                "record-reference",
                _parent_record_values(ws, parent),
                PROPS["record-reference"],
                target_ids=(parent.parent_object_id,),
            )
        raise _unknown_attribute(parent, ident, where)
    if attr.is_system_attribute and attr.api_slug == "record_id":
        return AttrView(
            attr.api_slug, attr.type, _record_id_values, RECORD_ID_PROPS, attr, index="record_id"
        )
    if attr.is_system_attribute and attr.api_slug == "created_at":
        return AttrView(attr.api_slug, attr.type, _created_at_values, PROPS["timestamp"], attr)
    if attr.is_system_attribute and attr.api_slug == "created_by":
        return AttrView(
            attr.api_slug, attr.type, _created_by_values, PROPS["actor-reference"], attr
        )
    # Only system attributes are looked up in the unique index: their uniqueness is fixed from
    # creation, so the index holds every value. A custom attribute can be made unique later
    # ("is_unique applies only to new data", API-NOTES §2), leaving older values unindexed.
    indexed = attr.is_unique and attr.is_system_attribute and attr.type in INDEX_PROP
    return AttrView(
        attr.api_slug,
        attr.type,
        _stored(attr.attribute_id),
        PROPS[attr.type],
        attr,
        target_ids=tuple(attr.allowed_object_ids or ()),
        index="unique" if indexed else None,
        stored_id=attr.attribute_id,
    )


def _unknown_attribute(parent: Parent, ident: Any, where: str) -> FilterError:
    slugs = sorted(a.api_slug for a in parent.attributes.values() if not a.is_archived)
    if isinstance(parent, ListDef):
        slugs.append("parent_record")
    close = difflib.get_close_matches(str(ident), slugs, n=3, cutoff=0.6)
    hint = (
        f" Did you mean {_or_list(close)}?"
        if close
        else f" Attributes of {_noun(parent)}: {', '.join(slugs)}."
    )
    return FilterError(f'Unknown attribute "{ident}" on {_noun(parent)} in {where}.{hint}')


def _noun(parent: Parent) -> str:
    kind = "list" if isinstance(parent, ListDef) else "object"
    return f'{kind} "{parent.api_slug}"'


def _or_list(items: Sequence[str]) -> str:
    quoted = [f'"{i}"' for i in items]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


# -- paths ----------------------------------------------------------------------------------------
Hop = Callable[[Holder], list[Holder]]


def resolve_path(
    ws: Workspace, parent: Parent, path: Any, where: str
) -> tuple[list[Hop], AttrView]:
    """The hops of a ``path`` drill-down and the attribute its last step names.

    Each step is ``[object_or_list, attribute]``; the first names what is queried, every step
    but the last names a record reference (or ``parent_record`` on an entry) whose records the
    next step's object holds (SPEC, sorts ``path``; API-NOTES §4).
    """
    if not isinstance(path, list) or not path:
        raise FilterError(
            f'"path" in {where} must be a non-empty array of [object_or_list, attribute] pairs.'
        )
    for i, step in enumerate(path):
        if not (
            isinstance(step, list) and len(step) == 2 and all(isinstance(s, str) for s in step)
        ):
            raise FilterError(
                f'Step {i} of "path" in {where} must be a pair [object_or_list, attribute] of '
                f"strings, got {step!r}."
            )
    first = path[0][0]
    if first not in (parent.api_slug, parent.id):
        raise FilterError(
            f'The first step of "path" in {where} must name the {_noun(parent)} being queried, '
            f'not "{first}".'
        )
    hops: list[Hop] = []
    current: Parent = parent
    for i, (_, ident) in enumerate(path[:-1]):
        view = resolve_attribute(ws, current, ident, where)
        nxt_ident = path[i + 1][0]
        nxt = ws.schema.find_object(nxt_ident)
        if view.type != "record-reference":
            raise FilterError(
                f'Step {i} of "path" in {where} names attribute {view.describe()}, which is not a '
                "record reference, so the path cannot continue past it."
            )
        if nxt is None or (view.target_ids and nxt.id not in view.target_ids):
            allowed = [ws.schema.parent_slug(t) for t in view.target_ids]
            raise FilterError(
                f'Step {i + 1} of "path" in {where} names "{nxt_ident}", but attribute '
                f'"{view.slug}" references {_or_list(allowed) if allowed else "other"} records.'
            )
        hops.append(_hop(ws, view, nxt))
        current = nxt
    return hops, resolve_attribute(ws, current, path[-1][1], where)


def _hop(ws: Workspace, view: AttrView, target: ObjectDef) -> Hop:
    table = ws.store.records.setdefault(target.id, {})
    values = view.values

    def hop(h: Holder) -> list[Holder]:
        out = []
        for sv in values(h):
            rec = table.get(sv.data.get("target_record_id") or "")
            if rec is not None:
                out.append(rec)
        return out

    return hop


def through(hops: Sequence[Hop], pred: Predicate) -> Predicate:
    """``pred`` applied at the end of ``hops``: true when ANY record reached satisfies it."""
    for hop in reversed(hops):
        pred = _any_via(hop, pred)
    return pred


def _any_via(hop: Hop, inner: Predicate) -> Predicate:
    def pred(h: Holder) -> bool:
        return any(inner(r) for r in hop(h))

    return pred


# -- filters --------------------------------------------------------------------------------------
def compile_filter(ws: Workspace, parent: Parent, node: Any) -> Compiled:
    """Compile one filter object (API-NOTES §4) over the records or entries of ``parent``."""
    return _node(ws, parent, node, "filter")


def _node(ws: Workspace, parent: Parent, node: Any, where: str) -> Compiled:
    if not isinstance(node, dict):
        raise FilterError(f"{where} must be an object, got {_show(node)}.")
    parts: list[Compiled] = []
    if "path" in node and ("constraints" in node or isinstance(node["path"], list)):
        extra = sorted(set(node) - {"path", "constraints"})
        if "constraints" not in node or extra:
            raise FilterError(
                f'A path filter in {where} has exactly two keys, "path" and "constraints"'
                + (f"; remove {', '.join(extra)}." if extra else '; "constraints" is missing.')
            )
        hops, view = resolve_path(ws, parent, node["path"], where)
        final = _attribute(ws, view, node["constraints"], f'{where}.constraints "{view.slug}"')
        if not hops:
            return final
        return Compiled(through(hops, final.pred))
    for key, cond in node.items():
        if key == "$and" or key == "$or":
            if not isinstance(cond, list):
                raise FilterError(f'"{key}" in {where} takes an array of filters.')
            subs = [_node(ws, parent, c, f"{where}.{key}[{i}]") for i, c in enumerate(cond)]
            parts.append(_all(subs) if key == "$and" else _any(subs))
        elif key == "$not":
            parts.append(Compiled(_negate(_node(ws, parent, cond, f"{where}.$not").pred)))
        elif isinstance(key, str) and key.startswith("$"):
            hint = " There is no $neq: wrap the condition in $not." if key == "$neq" else ""
            raise FilterError(
                f'Unknown logical operator "{key}" in {where}. Use $and, $or or $not, or name an '
                f"attribute.{hint}"
            )
        else:
            view = resolve_attribute(ws, parent, key, where)
            parts.append(_attribute(ws, view, cond, f'{where} "{view.slug}"'))
    return _all(parts)


def _negate(inner: Predicate) -> Predicate:
    def pred(h: Holder) -> bool:
        return not inner(h)

    return pred


def _all(parts: list[Compiled]) -> Compiled:
    if len(parts) == 1:
        return parts[0]
    preds = tuple(p.pred for p in parts)
    ids_options = [p.ids for p in parts if p.ids is not None]
    ids = min(ids_options, key=len) if ids_options else None

    def pred(h: Holder) -> bool:
        return all(p(h) for p in preds)

    return Compiled(pred, ids)


def _any(parts: list[Compiled]) -> Compiled:
    preds = tuple(p.pred for p in parts)
    ids: list[str] | None = None
    if all(p.ids is not None for p in parts):
        ids = list(dict.fromkeys(i for p in parts for i in p.ids or ()))

    def pred(h: Holder) -> bool:
        return any(p(h) for p in preds)

    return Compiled(pred, ids)


def _attribute(ws: Workspace, view: AttrView, cond: Any, where: str) -> Compiled:
    """The condition on one attribute: a shorthand scalar, or properties and operators."""
    by_prop: dict[str, dict[str, Any]] = {}
    if isinstance(cond, dict):
        if not cond:
            raise FilterError(f"The condition on attribute {view.describe()} in {where} is empty.")
        for key, val in cond.items():
            if key in LOGICAL_OPS:
                raise FilterError(
                    f'"{key}" in {where} cannot go inside an attribute\'s condition: put it at '
                    'the filter level, e.g. {"$or": [{"attr": a}, {"attr": b}]}.'
                )
            if key.startswith("$"):
                by_prop.setdefault(_default_prop(view, where, key), {})[key] = val
                continue
            if key not in view.props:
                raise _unknown_property(view, key, where)
            ops = by_prop.setdefault(key, {})
            if isinstance(val, dict):
                if not val or not all(isinstance(k, str) and k.startswith("$") for k in val):
                    raise FilterError(
                        f'Property "{key}" of attribute {view.describe()} in {where} takes a value '
                        f'or operators such as {{"$eq": ...}}, got {_show(val)}.'
                    )
                ops.update(val)
            else:
                ops["$eq"] = val  # a property given a bare value means $eq (API-NOTES §4)
    elif isinstance(cond, list) or cond is None:
        raise FilterError(
            f"The condition on attribute {view.describe()} in {where} must be a value or an "
            f"object of properties and operators, got {_show(cond)}."
        )
    else:
        by_prop[_default_prop(view, where, None)] = {"$eq": cond}

    tests: list[ValueTest] = []
    absent: list[ValueTest] = []
    ids: list[str] | None = None
    for prop_name, ops in by_prop.items():
        prop = view.props[prop_name]
        for op, operand in ops.items():
            if op not in ALL_OPS:
                raise FilterError(
                    f'Unknown operator "{op}" on property "{prop_name}" of attribute '
                    f"{view.describe()} in {where}. Supported operators: {_ops(prop)}."
                    + (" There is no $neq: wrap the condition in $not." if op == "$neq" else "")
                )
            if op not in prop.ops:
                raise FilterError(
                    f'Operator "{op}" is not supported on property "{prop_name}" of attribute '
                    f"{view.describe()} in {where}. Supported operators: {_ops(prop)}."
                )
            value = _operand(ws, view, prop_name, prop, op, operand, where)
            if op == "$not_empty" and value is False:
                absent.append(_value_test(prop, op, True))
                continue
            tests.append(_value_test(prop, op, value))
            if view.index and prop_name == _index_prop(view) and op in ("$eq", "$in"):
                found = _lookup(ws, view, value if op == "$in" else [value])
                ids = found if ids is None or len(found) < len(ids) else ids
    return Compiled(_holder_pred(view, tests, absent), ids)


def _index_prop(view: AttrView) -> str:
    return "value" if view.index == "record_id" else INDEX_PROP[view.type]


def _lookup(ws: Workspace, view: AttrView, keys: Iterable[Any]) -> list[str]:
    """Holder ids for equality operands on an indexed attribute, without a scan."""
    out: dict[str, None] = {}
    if view.index == "record_id":
        assert view.attr is not None
        table = ws.store.records.get(view.attr.parent_id, {})
        for k in keys:
            if k in table:
                out[k] = None
        return list(out)
    assert view.attr is not None
    for k in keys:
        owner = ws.store.find_by_unique(view.attr, k)
        if owner is not None:
            out[owner] = None
    return list(out)


def _holder_pred(view: AttrView, tests: list[ValueTest], absent: list[ValueTest]) -> Predicate:
    """True when ANY value passes every test, and (with ``absent``) no value is filled."""
    # The hot loop of every scan: written out by hand, since generator expressions and extra
    # calls per record cost more than the tests themselves.
    values = view.values
    aid = view.stored_id
    present: Predicate
    if len(tests) == 1 and aid is not None:
        test = tests[0]
        empty: tuple[StoredValue, ...] = ()

        def present_stored(h: Holder) -> bool:
            for sv in h.values.get(aid, empty):  # noqa: SIM110 - any() over a generator is slower
                if test(sv):
                    return True
            return False

        present = present_stored
    else:

        def present_any(h: Holder) -> bool:
            for sv in values(h):
                for t in tests:
                    if not t(sv):
                        break
                else:
                    return True
            return False

        present = present_any
    if not absent:
        return present

    def none_filled(h: Holder) -> bool:
        return not any(filled(sv) for sv in values(h) for filled in absent)

    if not tests:
        return none_filled

    def both(h: Holder) -> bool:
        return none_filled(h) and present(h)

    return both


def _filled(x: Any) -> bool:
    return x is not None and x != ""


def _value_test(prop: Prop, op: str, want: Any) -> ValueTest:
    """The test one operator makes of one value, reading plain keys inline where it can."""
    key = prop.key
    if key is None:
        read, test = prop.read, _test(op, want)

        def via_read(sv: StoredValue) -> bool:
            return test(read(sv))

        return via_read
    if op == "$eq":

        def eq(sv: StoredValue) -> bool:
            return bool(sv.data.get(key) == want)

        return eq
    if op == "$in":
        wants = frozenset(want)

        def is_in(sv: StoredValue) -> bool:
            return sv.data.get(key) in wants

        return is_in
    if op == "$contains":
        needle = str(want).casefold()

        def contains(sv: StoredValue) -> bool:
            x = sv.data.get(key)
            return isinstance(x, str) and needle in x.casefold()

        return contains
    test = _test(op, want)

    def keyed(sv: StoredValue) -> bool:
        return test(sv.data.get(key))

    return keyed


def _test(op: str, want: Any) -> Test:
    """The test one operator makes of one property value (``None`` when the value lacks it)."""
    if op == "$eq":
        return lambda x: x is not None and x == want
    if op == "$in":
        wants = frozenset(want)
        return lambda x: x in wants
    if op == "$not_empty":
        return _filled
    if op in ("$contains", "$starts_with", "$ends_with"):
        needle = str(want).casefold()
        if op == "$contains":
            return lambda x: isinstance(x, str) and needle in x.casefold()
        if op == "$starts_with":
            return lambda x: isinstance(x, str) and x.casefold().startswith(needle)
        return lambda x: isinstance(x, str) and x.casefold().endswith(needle)
    if op == "$lt":
        return lambda x: x is not None and x < want
    if op == "$lte":
        return lambda x: x is not None and x <= want
    if op == "$gt":
        return lambda x: x is not None and x > want
    return lambda x: x is not None and x >= want


def _default_prop(view: AttrView, where: str, op: str | None) -> str:
    if view.index == "record_id":
        return "value"
    name = DEFAULT_PROP.get(view.type)
    if name is None:
        example = next(iter(view.props))
        raise FilterError(
            f"Attribute {view.describe()} in {where} has no default property for "
            + (f'the bare operator "{op}"' if op else "a shorthand filter")
            + f": name one of its properties ({', '.join(view.props)}), e.g. "
            f'{{"{view.slug}": {{"{example}": {{"$eq": ...}}}}}}.'
        )
    return name


def _unknown_property(view: AttrView, key: str, where: str) -> FilterError:
    hint = ""
    if view.type == "location" and key in ("latitude", "longitude"):
        hint = " Latitude and longitude cannot be filtered."
    return FilterError(
        f'Attribute {view.describe()} in {where} has no filterable property "{key}". '
        f"Filterable properties: {', '.join(view.props)}.{hint}"
    )


def _ops(prop: Prop) -> str:
    return ", ".join(sorted(prop.ops))


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


# -- operands -------------------------------------------------------------------------------------
def _operand(
    ws: Workspace, view: AttrView, prop_name: str, prop: Prop, op: str, operand: Any, where: str
) -> Any:
    """The operand checked for ``op`` and normalised to compare with stored values."""
    what = f'"{op}" on property "{prop_name}" of attribute {view.describe()} in {where}'
    if op == "$not_empty":
        if not isinstance(operand, bool):
            raise FilterError(f"{what} takes true or false, got {_show(operand)}.")
        return operand
    if op == "$in":
        if not isinstance(operand, list):
            raise FilterError(f"{what} takes an array of values, got {_show(operand)}.")
        return [_scalar(ws, view, prop, "$eq", item, what) for item in operand]
    if op in ("$contains", "$starts_with", "$ends_with"):
        if not isinstance(operand, str):
            raise FilterError(f"{what} takes a string, got {_show(operand)}.")
        return operand
    return _scalar(ws, view, prop, op, operand, what)


def _scalar(ws: Workspace, view: AttrView, prop: Prop, op: str, v: Any, what: str) -> Any:
    kind = prop.kind
    if kind == "number":
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise FilterError(f"{what} takes a number, got {_show(v)}.")
        return v
    if kind == "currency":
        # Currency filters accept a number or a numeric string (API-NOTES §4).
        if not isinstance(v, bool) and isinstance(v, int | float | str):
            try:
                dec = Decimal(str(v).strip())
            except InvalidOperation:
                dec = None
            if dec is not None and dec.is_finite():
                return int(dec) if dec == dec.to_integral_value() else float(dec)
        raise FilterError(f"{what} takes a number or a numeric string, got {_show(v)}.")
    if kind == "date":
        day = coerce_filter_date(v)
        if day is None:
            raise FilterError(
                f'{what} takes an ISO 8601 date such as "2023-01-31", got {_show(v)}.'
            )
        return day
    if kind == "timestamp":
        # A timestamp filter needs both a date and a time (API-NOTES §4).
        moment = coerce_filter_timestamp(v) if isinstance(v, str) and _HAS_TIME.match(v) else None
        if moment is None:
            raise FilterError(
                f"{what} takes an ISO 8601 timestamp with a date and a time such as "
                f'"2023-01-31T09:30:00Z", got {_show(v)}.'
            )
        return moment
    if kind == "bool":
        if v in ("true", "false"):
            return v == "true"
        if not isinstance(v, bool):
            raise FilterError(f"{what} takes true or false, got {_show(v)}.")
        return v
    if not isinstance(v, str):
        raise FilterError(f"{what} takes a string, got {_show(v)}.")
    if kind == "option" or kind == "status":
        return _choice(view, kind, v, what)
    if kind == "object":
        obj = ws.schema.find_object(v)
        if obj is None:
            raise FilterError(f'{what} names object "{v}", which does not exist.')
        return obj.api_slug
    if kind == "member":
        return ws.find_member(v) or v
    return _normalise_string(ws, view, kind, v)


def _choice(view: AttrView, kind: str, v: str, what: str) -> str:
    """An option or status id from its id or title (archived ones included)."""
    attr = view.attr
    assert attr is not None
    if kind == "option":
        opt = attr.find_option(v)
        if opt is not None:
            return opt.option_id
        titles = [o.title for o in attr.options.values()]
    else:
        st = attr.find_status(v)
        if st is not None:
            return st.status_id
        titles = [s.title for s in attr.statuses.values()]
    listed = ", ".join(f'"{t}"' for t in titles) or "none"
    raise FilterError(f'{what} names "{v}", which is no {kind} of it. Valid titles: {listed}.')


def _normalise_string(ws: Workspace, view: AttrView, kind: str, v: str) -> str:
    """An equality operand normalised the way a write normalises the stored value."""
    if kind == "email":
        if view.attr is not None:
            try:
                return str(normalize_one(view.attr, v, ws)["email_address"])
            except EmulatorError:
                pass
        return v.strip().lower()
    if kind == "lower":
        return v.strip().lower()
    if kind == "upper":
        return v.strip().upper()
    if kind == "domain":
        return normalize_domain(v) or v.strip().lower()
    if kind == "phone":
        try:
            parsed = phonenumbers.parse(v, None)
        except phonenumbers.NumberParseException:
            return v.strip()
        return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))
    return v
