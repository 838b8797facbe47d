"""Row encoding of an import: a file's row (``{column: value}``) to the values written
(``values.encode_values``), its match key, the references by unique value it holds, and the
records filter that finds its key. No Attio I/O. See docs/IMPORT.md, "Rows" and "Matching"."""

from __future__ import annotations

import builtins
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ...errors import InvalidInputError
from ...values import (
    AttributeInfo,
    Problem,
    TargetSchema,
    ValuesError,
    WorkspaceSchema,
    encode_values,
)
from ...values.validate import UNKNOWN_CHOICE

__all__ = [
    "KEY_PROPS",
    "AmbiguousMatch",
    "Encoded",
    "MissingRequired",
    "Reference",
    "RowEncoder",
    "ambiguous_message",
    "describe_key",
    "digest",
    "key_filter",
    "reference_of",
    "references",
    "required_attributes",
]

# For a key found through a search: per attribute type, the keys of an encoded value that
# identify it and the filter property each is compared on with ``$eq``. Types left out
# (location, actor references, interactions) cannot be matched on.
KEY_PROPS: dict[str, dict[str, str]] = {
    "text": {"value": "value"},
    "number": {"value": "value"},
    "rating": {"value": "value"},
    "currency": {"currency_value": "currency_value"},
    "date": {"value": "value"},
    "timestamp": {"value": "value"},
    "checkbox": {"value": "value"},
    "personal-name": {"full_name": "full_name"},
    "email-address": {"email_address": "email_address"},
    "domain": {"domain": "domain"},
    "phone-number": {"original_phone_number": "phone_number"},
    "select": {"option": "option"},
    "status": {"status": "status"},
    "record-reference": {"target_object": "target_object", "target_record_id": "target_record_id"},
}


def _row_data(target: TargetSchema, mapping: Mapping[str, str], row: Mapping[str, Any]) -> Any:
    data: dict[str, Any] = {}
    for column, slug in mapping.items():
        value = row.get(column)
        if value is None:
            continue
        attr = target.attribute(slug)
        if attr is not None and attr.is_multiselect and isinstance(value, str):
            value = [p.strip() for p in value.split(";") if p.strip()]
        data[slug] = value
    return data


@dataclass(frozen=True, slots=True)
class Encoded:
    """A row as written: the record's ``values``, the entry's ``entry_values`` (with a list),
    its match key (the match attributes' values as JSON) and the required attributes it gives
    no value for (so it can only update)."""

    values: dict[str, Any]
    entry_values: dict[str, Any]
    key: str
    lacking: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RowEncoder:
    """Rows to ``values`` (and ``entry_values`` with a list) through ``values.encode_values``."""

    schema: WorkspaceSchema
    target: TargetSchema
    mapping: Mapping[str, str]  # to the object's attributes
    match: tuple[str, ...]
    list_target: TargetSchema | None = None
    entry_mapping: Mapping[str, str] = field(default_factory=dict)  # to the list's
    fixed: Mapping[str, Any] = field(default_factory=dict)  # encoded values of every row

    def encode(self, row: Mapping[str, Any]) -> Encoded | str:
        """The encoded row, or why it is invalid."""
        problems: builtins.list[str] = []
        try:
            data = _row_data(self.target, self.mapping, row)
            values = encode_values(self.schema, self.target.slug, data, kind="object")
        except ValuesError as exc:
            values = {}
            problems += (_explain(self.target, p) for p in exc.problems)
        values.update(self.fixed)
        entry_values: dict[str, Any] = {}
        if self.list_target is not None:
            try:
                data = _row_data(self.list_target, self.entry_mapping, row)
                entry_values = encode_values(self.schema, self.list_target.slug, data, kind="list")
            except ValuesError as exc:
                problems += (_explain(self.list_target, p) for p in exc.problems)
        if problems:
            return "; ".join(problems)
        missing = [m for m in self.match if not values.get(m)]
        if missing:
            return f"no value for the match attribute {', '.join(map(repr, missing))}"
        if len(self.match) == 1:
            key = json.dumps(values[self.match[0]], sort_keys=True)
        else:
            key = json.dumps([values[m] for m in self.match], sort_keys=True)
        lacking = tuple(r for r in required_attributes(self.target) if values.get(r) in (None, []))
        return Encoded(values, entry_values, key, lacking)


def _explain(target: TargetSchema, problem: Problem) -> str:
    """``problem`` as a row problem; an unknown option of a multiselect given with a comma
    gets the hint that a cell separates several values with ``;`` (``_row_data``)."""
    text = str(problem)
    attr = target.attribute(problem.field)
    given = problem.value if isinstance(problem.value, builtins.list) else [problem.value]
    if (
        problem.code == UNKNOWN_CHOICE
        and attr is not None
        and attr.is_multiselect
        and any(isinstance(v, str) and "," in v for v in given)
    ):
        text += f" (several values of {attr.slug} in one cell are separated with ';', not ',')"
    return text


def required_attributes(target: TargetSchema) -> tuple[str, ...]:
    """The attributes a new record of ``target`` must be given (Attio's ``missing_value``)."""
    return tuple(
        a.slug
        for a in target.attributes.values()
        if a.is_required and a.is_writable and not a.has_default and not a.is_archived
    )


def digest(key: str) -> int:
    """An 8-byte digest of a match key: what the plan keeps per row to find duplicates.

    A set of these takes a fraction of the keys themselves at 100,000 rows; two different keys
    share a digest with odds of about 1 in 10^9 at that size (they would be taken for duplicates).
    """
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big")


Reference = tuple[str, str, str]  # (object, unique attribute, JSON of its values)


def reference_of(item: Any) -> Reference | None:
    """The reference by unique value an encoded value is, if it is one."""
    if isinstance(item, dict) and "target_object" in item and "target_record_id" not in item:
        rest = [k for k in item if k != "target_object"]
        if len(rest) == 1:
            by = rest[0]
            return item["target_object"], by, json.dumps(item[by], sort_keys=True)
    return None


def references(values: Mapping[str, Any]) -> Iterator[Reference]:
    """Each reference by unique value among ``values``."""
    for value in values.values():
        for item in value if isinstance(value, list) else [value]:
            ref = reference_of(item)
            if ref is not None:
                yield ref


def key_filter(attrs: Sequence[AttributeInfo], values: Mapping[str, Any]) -> dict[str, Any]:
    """A records filter matching ``values`` of ``attrs`` with ``$eq`` (every value of each)."""
    parts = []
    for attr in attrs:
        value = values[attr.slug]
        for item in value if isinstance(value, list) else [value]:
            props = KEY_PROPS[attr.type]
            cond = {props[k]: {"$eq": v} for k, v in item.items() if k in props}
            parts.append({attr.slug: cond})
    return parts[0] if len(parts) == 1 else {"$and": parts}


def describe_key(attrs: Sequence[AttributeInfo], values: Mapping[str, Any]) -> str:
    """``name "Big deal" and associated_company "<id>"``: the key as the search compared it."""
    parts = []
    for attr in attrs:
        value = values[attr.slug]
        props = KEY_PROPS[attr.type]
        shown = [
            v
            for item in (value if isinstance(value, list) else [value])
            for k, v in item.items()
            if k in props and k != "target_object"
        ]
        parts.append(f"{attr.slug} " + " ".join(json.dumps(v, default=str) for v in shown))
    return " and ".join(parts)


def ambiguous_message(
    target: str, attrs: Sequence[AttributeInfo], values: Mapping[str, Any], ids: Iterable[str]
) -> str:
    """Why a row whose key several records have is not written (in the plan and the write)."""
    return (
        f"several records of {target} match {describe_key(attrs, values)} "
        f"({', '.join(ids)}); nothing written: merge them in Attio or match on more attributes"
    )


class AmbiguousMatch(InvalidInputError):
    """Several records match a row's key: the row is not written (which one would it be?)."""


class MissingRequired(InvalidInputError):
    """A row that matches no record and lacks a value a new record must have."""
