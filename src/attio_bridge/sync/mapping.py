"""Sync mappings: which external object maps to which Attio object or list, field by field.

A mapping file is TOML (or JSON when its name ends in ``.json``), one ``[[mapping]]`` table per
pair of objects::

    [[mapping]]
    name = "hubspot-contacts"   # unique; the key of cursors, checkpoints, conflicts
    system = "hubspot"          # the connector, chosen by name
    object = "contacts"         # the system's object
    attio_object = "people"     # or attio_list = "..."
    # the key finding a record on each side; or { external = "id", attio = "hubspot_id" }
    match = { external = "email", attio = "email_addresses" }
    on_delete = "archive"       # what a delete does on the other side: delete | archive | flag

    [[mapping.fields]]
    external = "email"
    attio = "email_addresses"
    transform = "lowercase"     # rename (default) | lowercase | split_name | map | callable
    owner = "both"              # attio | external | both

``split_name`` takes two external fields, ``external = ["firstname", "lastname"]``, for Attio's
personal-name attribute; ``map`` takes ``values = {external = "attio"}``; ``callable`` takes
``function = "module:function"`` (external -> Attio) and, for a field Attio may write back,
``inverse = "module:function"``. ``load_mappings(path)`` reads and validates a file (every
error names the file, the mapping, the field and the fix); ``check(mapping, schema, fields)``
validates one against both sides' schemas.

A mapping works on *canonical* values: what each mapped field holds on the Attio side, keyed
by the attribute slug (``Mapping.from_external`` / ``to_external`` / ``from_attio_row`` /
``to_attio_row`` translate).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._files import read_settings_file
from ..errors import InvalidInputError
from ..values import WorkspaceSchema

__all__ = [
    "ON_DELETE",
    "OWNERS",
    "TRANSFORMS",
    "FieldMap",
    "MappingError",
    "SyncMapping",
    "check",
    "load_mappings",
    "parse_mappings",
]

OWNERS = ("attio", "external", "both")
ON_DELETE = ("delete", "archive", "flag")
TRANSFORMS = ("rename", "lowercase", "split_name", "map", "callable")
_EXTERNAL_ID = "id"  # the match key naming the external record's own id


class MappingError(InvalidInputError):
    """A mapping file or mapping that cannot be used; the message names where and the fix."""


@dataclass(frozen=True)
class FieldMap:
    """One Attio attribute and the external field(s) it maps to."""

    attio: str
    external: tuple[str, ...]
    owner: str = "both"
    transform: str = "rename"
    values: Mapping[str, Any] = field(default_factory=dict)
    function: Callable[[Any], Any] | None = None
    inverse: Callable[[Any], Any] | None = None

    @property
    def invertible(self) -> bool:
        """Whether a canonical value can be turned back into the external field's."""
        return self.transform != "callable" or self.inverse is not None

    @property
    def writes_external(self) -> bool:
        """Whether Attio's value may be written to the other side."""
        return self.owner != "external" and self.invertible

    @property
    def writes_attio(self) -> bool:
        """Whether the other side's value may be written to Attio."""
        return self.owner != "attio"

    def from_external(self, props: Mapping[str, Any]) -> Any:
        """The canonical value from an external record's properties."""
        if self.transform == "split_name":
            first, last = (props.get(f) or "" for f in self.external)
            return _name(first, last)
        value = props.get(self.external[0])
        if value is None:
            return None
        if self.transform == "lowercase":
            return str(value).lower()
        if self.transform == "map":
            return self.values.get(str(value), value)
        if self.transform == "callable" and self.function is not None:
            return self.function(value)
        return value

    def to_external(self, value: Any) -> dict[str, Any]:
        """The external properties holding canonical ``value``."""
        if self.transform == "split_name":
            parts = value if isinstance(value, Mapping) else {}
            first, last = self.external
            return {first: parts.get("first_name") or None, last: parts.get("last_name") or None}
        if value is not None:
            if self.transform == "lowercase":
                value = str(value).lower()
            elif self.transform == "map":
                back = {v: k for k, v in self.values.items()}
                value = back.get(value, value)
            elif self.transform == "callable" and self.inverse is not None:
                value = self.inverse(value)
        return {self.external[0]: value}

    def from_attio_row(self, row: Mapping[str, Any]) -> Any:
        """The canonical value from a decoded Attio row (``values.decode_record``)."""
        if self.transform == "split_name":
            prefix = "" if self.attio == "name" else f"{self.attio}_"
            first, last = row.get(prefix + "first_name"), row.get(prefix + "last_name")
            return _name(first or "", last or "")
        value = row.get(self.attio)
        if isinstance(value, list):
            # A multi-valued attribute (emails, domains) syncs its first value.
            value = value[0] if value else None
        if value is not None and self.transform == "lowercase":
            value = str(value).lower()
        return value


def _name(first: str, last: str) -> dict[str, str] | None:
    if not first and not last:
        return None
    return {"first_name": first, "last_name": last}


@dataclass(frozen=True)
class SyncMapping:
    """One external object <-> one Attio object or list."""

    name: str
    system: str
    object: str
    attio_target: str
    attio_kind: str  # "object" | "list"
    match_external: str
    match_attio: str
    fields: tuple[FieldMap, ...]
    on_delete: str = "archive"

    def field(self, attio: str) -> FieldMap:
        """The field mapped to the attribute ``attio``."""
        for f in self.fields:
            if f.attio == attio:
                return f
        raise MappingError(f"mapping {self.name!r} maps no field to the attribute {attio!r}")

    def from_external(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """Canonical values of an external record's properties."""
        return {f.attio: f.from_external(props) for f in self.fields}

    def from_attio_row(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """Canonical values of a decoded Attio row."""
        return {f.attio: f.from_attio_row(row) for f in self.fields}

    def to_external(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """External properties for canonical ``values`` (only the fields given)."""
        out: dict[str, Any] = {}
        for f in self.fields:
            if f.attio in values:
                out.update(f.to_external(values[f.attio]))
        return out

    @property
    def external_fields(self) -> list[str]:
        """Every external field the mapping reads."""
        return [name for f in self.fields for name in f.external]


def load_mappings(path: str | Path) -> list[SyncMapping]:
    """The mappings of the file ``path``; ``MappingError`` naming the file and what to fix."""
    doc = read_settings_file(path, MappingError, "mapping file")
    return parse_mappings(doc, where=str(path))


def parse_mappings(doc: Any, *, where: str = "mapping file") -> list[SyncMapping]:
    """The mappings of a parsed mapping document (see the module docstring)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("mapping"), list) or not doc["mapping"]:
        raise MappingError(f"{where}: no [[mapping]] tables; add one per pair of objects")
    out: list[SyncMapping] = []
    for n, table in enumerate(doc["mapping"], 1):
        out.append(_mapping(table, f"{where}: mapping {n}"))
    names = [m.name for m in out]
    for name in names:
        if names.count(name) > 1:
            raise MappingError(f"{where}: two mappings are named {name!r}; give each its own name")
    return out


def _text(table: Mapping[str, Any], key: str, where: str, *, default: str | None = None) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or not value:
        raise MappingError(f"{where}: {key!r} must be a non-empty string, not {value!r}")
    return value


def _choice(
    table: Mapping[str, Any], key: str, allowed: Sequence[str], where: str, default: str
) -> str:
    value = _text(table, key, where, default=default)
    if value not in allowed:
        raise MappingError(f"{where}: {key} = {value!r}; use one of {', '.join(allowed)}")
    return value


def _mapping(table: Any, where: str) -> SyncMapping:
    if not isinstance(table, dict):
        raise MappingError(f"{where}: must be a table")
    name = table.get("name")
    if isinstance(name, str) and name:
        where = f"{where.rsplit(': ', 1)[0]}: mapping {name!r}"
    name = _text(table, "name", where)
    known = {
        "name",
        "system",
        "object",
        "attio_object",
        "attio_list",
        "match",
        "on_delete",
        "fields",
    }
    unknown = sorted(set(table) - known)
    if unknown:
        raise MappingError(f"{where}: unknown key {unknown[0]!r}; known keys: {sorted(known)}")
    if ("attio_object" in table) == ("attio_list" in table):
        raise MappingError(f"{where}: give exactly one of attio_object or attio_list")
    kind = "object" if "attio_object" in table else "list"
    target = _text(table, f"attio_{kind}", where)
    match = table.get("match")
    if not isinstance(match, dict):
        raise MappingError(
            f'{where}: add match = {{ external = "email", attio = "email_addresses" }}'
            " (the key that finds a record on each side)"
        )
    fields_doc = table.get("fields")
    if not isinstance(fields_doc, list) or not fields_doc:
        raise MappingError(f"{where}: no [[mapping.fields]]; map at least one field")
    fields = tuple(_field(f, f"{where}, field {i}") for i, f in enumerate(fields_doc, 1))
    attio_names = [f.attio for f in fields]
    for a in attio_names:
        if attio_names.count(a) > 1:
            raise MappingError(f"{where}: the attribute {a!r} is mapped twice; keep one field")
    return SyncMapping(
        name=name,
        system=_text(table, "system", where),
        object=_text(table, "object", where),
        attio_target=target,
        attio_kind=kind,
        match_external=_text(match, "external", f"{where}, match"),
        match_attio=_text(match, "attio", f"{where}, match"),
        fields=fields,
        on_delete=_choice(table, "on_delete", ON_DELETE, where, "archive"),
    )


def _field(doc: Any, where: str) -> FieldMap:
    if not isinstance(doc, dict):
        raise MappingError(f"{where}: must be a table")
    attio = _text(doc, "attio", where)
    where = f"{where} ({attio})"
    transform = _choice(doc, "transform", TRANSFORMS, where, "rename")
    owner = _choice(doc, "owner", OWNERS, where, "both")
    external = doc.get("external")
    if transform == "split_name":
        if not (
            isinstance(external, list)
            and len(external) == 2
            and all(isinstance(e, str) and e for e in external)
        ):
            raise MappingError(
                f'{where}: split_name needs external = ["first", "last"] (two field names)'
            )
        names = tuple(external)
    else:
        names = (_text(doc, "external", where),)
    values = doc.get("values", {})
    if transform == "map" and (not isinstance(values, dict) or not values):
        raise MappingError(f'{where}: map needs values = {{ "external value" = "Attio value" }}')
    function = inverse = None
    if transform == "callable":
        function = _callable(_text(doc, "function", where), where)
        if "inverse" in doc:
            inverse = _callable(_text(doc, "inverse", where), where)
        elif owner != "external":
            raise MappingError(
                f"{where}: a callable without inverse cannot be written back;"
                ' set owner = "external" or add inverse = "module:function"'
            )
    return FieldMap(attio, names, owner, transform, dict(values), function, inverse)


def _callable(spec: str, where: str) -> Callable[[Any], Any]:
    module, colon, name = spec.partition(":")
    if not colon or not module or not name:
        raise MappingError(f'{where}: {spec!r} is not "module:function"')
    try:
        found = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise MappingError(
            f"{where}: cannot load {spec!r} ({exc}); check the module is importable"
        ) from None
    if not callable(found):
        raise MappingError(f"{where}: {spec!r} is not callable")
    return found  # type: ignore[no-any-return]


def check(
    mapping: SyncMapping, schema: WorkspaceSchema, external_fields: Mapping[str, str]
) -> list[str]:
    """Problems of ``mapping`` against Attio's ``schema`` and the connector's ``fields(object)``
    (name -> type), each a sentence naming the field and the fix; ``[]`` when it can run."""
    problems: list[str] = []
    where = f"mapping {mapping.name!r}"
    target = (
        schema.object(mapping.attio_target)
        if mapping.attio_kind == "object"
        else schema.list(mapping.attio_target)
    )
    if target is None:
        known = sorted(schema.objects if mapping.attio_kind == "object" else schema.lists)
        return [
            f"{where}: Attio has no {mapping.attio_kind} {mapping.attio_target!r}; known: {known}"
        ]
    for f in mapping.fields:
        attr = target.attribute(f.attio)
        if attr is None:
            problems.append(
                f"{where}: {target.slug} has no attribute {f.attio!r}; create it or fix the name"
            )
        elif not attr.is_writable and f.writes_attio:
            problems.append(
                f'{where}: {target.slug}.{f.attio} is read-only in Attio; set owner = "attio"'
            )
        elif f.transform == "split_name" and attr.type != "personal-name":
            problems.append(
                f"{where}: split_name needs a personal-name attribute, {f.attio!r} is {attr.type}"
            )
        elif f.transform == "map" and attr.choices():
            titles = {c.title for c in attr.choices()}
            for v in f.values.values():
                if v not in titles:
                    problems.append(
                        f"{where}: {f.attio!r} has no option {v!r}; add it in Attio or fix the map"
                    )
        for name in f.external:
            if name not in external_fields:
                problems.append(
                    f"{where}: {mapping.system} {mapping.object} has no field {name!r}"
                    f" (field {f.attio!r}); fix the name"
                )
    if target.attribute(mapping.match_attio) is None:
        problems.append(
            f"{where}: the match key {mapping.match_attio!r} is not an attribute of {target.slug}"
        )
    if mapping.match_external != _EXTERNAL_ID and mapping.match_external not in external_fields:
        problems.append(
            f"{where}: the match key {mapping.match_external!r} is not a field of"
            f' {mapping.system} {mapping.object} (use "id" for the record id)'
        )
    return problems
