"""Sync mappings: which external object maps to which Attio object or list, field by field.

A mapping file is TOML (YAML when its name ends in ``.yaml``/``.yml``, JSON in ``.json``), one
``[[mapping]]`` table per pair of objects::

    [[mapping]]
    name = "hubspot-contacts"   # unique; the key of cursors, checkpoints, conflicts
    system = "hubspot"          # the connector, chosen by name
    object = "contacts"         # the system's object
    attio_object = "people"     # or attio_list = "..."
    # the key finding a record on each side; or { external = "id", attio = "hubspot_id" }
    match = { external = "email", attio = "email_addresses" }
    on_delete = "archive"       # what a delete does on the other side: delete | archive | flag
    direction = "both"          # or "into_attio": the other side is only read
    # values for the Attio records the sync creates, of attributes no field maps
    attio_defaults = { owner = "sales@example.com" }

    [[mapping.fields]]
    external = "email"
    attio = "email_addresses"
    transform = "lowercase"     # rename (default) | lowercase | split_name | map | callable
    owner = "both"              # attio | external | both

``split_name`` takes two external fields, ``external = ["firstname", "lastname"]``, for Attio's
personal-name attribute; ``map`` takes ``values = {external = "attio"}`` (back to the other
side, an Attio value becomes the first external value listed for it); ``callable`` takes
``function = "module:function"`` (external -> Attio) and, for a field Attio may write back,
``inverse = "module:function"``. ``direction = "into_attio"`` makes a one-way mapping: the
other side owns every field (``owner`` may only be ``"external"``, the default there) and is
never written; Zoho's mappings must be one way (its connector only reads).

``load_mappings(path)`` reads and validates a file: every error names the file, the line of the
``[[mapping]]`` or ``[[mapping.fields]]`` table at fault (tomllib keeps no positions, so the
header lines are found in the text; YAML's parser gives them; JSON errors name no line), the
mapping, the field and the fix. ``check(mapping, schema, fields)`` validates one against both
sides' schemas, its problems placed the same way.

A mapping works on *canonical* values: what each mapped field holds on the Attio side, keyed
by the attribute slug (``Mapping.from_external`` / ``to_external`` / ``from_attio_row`` /
``to_attio_row`` translate).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._files import read_settings_file
from ..errors import InvalidInputError
from ..values import TargetSchema, WorkspaceSchema

__all__ = [
    "DIRECTIONS",
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
DIRECTIONS = ("both", "into_attio")
ONE_WAY_SYSTEMS = frozenset({"zoho"})  # systems whose connector only reads
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
    source: str = field(default="", compare=False)  # "file, line N" of its table, when known

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
                value = self._unmap(value)
            elif self.transform == "callable" and self.inverse is not None:
                value = self.inverse(value)
        return {self.external[0]: value}

    def _unmap(self, value: Any) -> Any:
        """The external value of Attio's ``value`` under ``map``: the first listed for it, so
        that a map of several external values to one (HubSpot's stages to Attio's In Progress)
        writes back the first of them; a value the map lacks goes back as it is."""
        for external, attio in self.values.items():
            if attio == value:
                return external
        return value

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
    direction: str = "both"  # "into_attio": the other side is only read (module docstring)
    # Values for the Attio records the sync creates, where no field gives one (a deal's owner).
    attio_defaults: Mapping[str, Any] = field(default_factory=dict)
    source: str = field(default="", compare=False)  # "file, line N" of its table, when known

    @property
    def one_way(self) -> bool:
        """Whether records only flow into Attio (nothing is ever written to the other side)."""
        return self.direction == "into_attio"

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
    """The mappings of the file ``path`` (TOML; YAML for ``.yaml``/``.yml``; JSON for
    ``.json``); ``MappingError`` naming the file, the line of the table at fault, the mapping
    and what to fix."""
    where = str(path)
    if where.lower().endswith((".yaml", ".yml")):
        doc, lines = _read_yaml(path)
    else:
        doc = read_settings_file(path, MappingError, "mapping file")
        lines = None if where.lower().endswith(".json") else _toml_lines(Path(path))
    return parse_mappings(doc, where=where, lines=lines)


# Where each table starts: per [[mapping]], its line and the lines of its [[mapping.fields]].
Lines = Sequence[tuple[int, Sequence[int]]]

_MAPPING_HEADER = re.compile(r"\s*\[\[\s*mapping\s*\]\]")
_FIELDS_HEADER = re.compile(r"\s*\[\[\s*mapping\s*\.\s*fields\s*\]\]")


def _toml_lines(path: Path) -> Lines:
    """The line of each ``[[mapping]]`` header and of the ``[[mapping.fields]]`` headers under
    it (tomllib keeps no positions; the headers are found in the text)."""
    found: list[tuple[int, list[int]]] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if _MAPPING_HEADER.match(line):
            found.append((n, []))
        elif _FIELDS_HEADER.match(line) and found:
            found[-1][1].append(n)
    return found


def _read_yaml(path: str | Path) -> tuple[Any, Lines | None]:
    """A YAML mapping file's content and the lines of its tables (from the parser's marks)."""
    import yaml

    where = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MappingError(f"{where}: no such mapping file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(f"{where}: cannot be read ({exc}); save it as UTF-8 text") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or exc
        raise MappingError(f"{where}: not valid YAML{at}: {problem}") from None
    return doc, _yaml_lines(node)


def _yaml_lines(node: Any) -> Lines | None:
    import yaml

    def value(of: Any, key: str) -> Any:
        if isinstance(of, yaml.MappingNode):
            for k, v in of.value:
                if getattr(k, "value", None) == key:
                    return v
        return None

    tables = value(node, "mapping")
    if not isinstance(tables, yaml.SequenceNode):
        return None
    out: list[tuple[int, list[int]]] = []
    for table in tables.value:
        fields = value(table, "fields")
        items = fields.value if isinstance(fields, yaml.SequenceNode) else []
        out.append((table.start_mark.line + 1, [f.start_mark.line + 1 for f in items]))
    return out


def parse_mappings(
    doc: Any, *, where: str = "mapping file", lines: Lines | None = None
) -> list[SyncMapping]:
    """The mappings of a parsed mapping document (see the module docstring); ``lines`` (the
    line of each table, as ``load_mappings`` finds them) puts the line in every error."""
    if not isinstance(doc, dict) or not isinstance(doc.get("mapping"), list) or not doc["mapping"]:
        raise MappingError(f"{where}: no [[mapping]] tables; add one per pair of objects")
    if lines is not None and len(lines) != len(doc["mapping"]):
        lines = None  # tables written another way (inline arrays): no lines to trust
    out: list[SyncMapping] = []
    for n, table in enumerate(doc["mapping"], 1):
        line, field_lines = lines[n - 1] if lines is not None else (None, ())
        out.append(_mapping(table, _Place(where, n, line, field_lines)))
    names = [m.name for m in out]
    for name in names:
        if names.count(name) > 1:
            raise MappingError(f"{where}: two mappings are named {name!r}; give each its own name")
    return out


@dataclass
class _Place:
    """Where a mapping table is: the file, its number, its line and its fields' lines."""

    file: str
    number: int
    line: int | None
    field_lines: Sequence[int]
    name: str | None = None

    def at(self, line: int | None) -> str:
        return f"{self.file}, line {line}" if line is not None else self.file

    @property
    def source(self) -> str:
        return self.at(self.line) if self.line is not None else ""

    @property
    def where(self) -> str:
        label = f"mapping {self.name!r}" if self.name else f"mapping {self.number}"
        return f"{self.at(self.line)}: {label}"

    def field(self, n: int) -> tuple[str, str]:
        """The prefix of field ``n``'s errors and its source."""
        lines = self.field_lines
        line = lines[n - 1] if len(lines) >= n else self.line
        label = f"mapping {self.name!r}" if self.name else f"mapping {self.number}"
        source = self.at(line) if line is not None else ""
        return f"{self.at(line)}: {label}, field {n}", source


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


_KNOWN_KEYS = frozenset(
    {
        "name",
        "system",
        "object",
        "attio_object",
        "attio_defaults",
        "attio_list",
        "match",
        "on_delete",
        "direction",
        "fields",
    }
)


def _mapping(table: Any, place: _Place) -> SyncMapping:
    if not isinstance(table, dict):
        raise MappingError(f"{place.where}: must be a table")
    name = table.get("name")
    if isinstance(name, str) and name:
        place.name = name
    where = place.where
    name = _text(table, "name", where)
    unknown = sorted(set(table) - _KNOWN_KEYS)
    if unknown:
        raise MappingError(
            f"{where}: unknown key {unknown[0]!r}; known keys: {sorted(_KNOWN_KEYS)}"
        )
    if ("attio_object" in table) == ("attio_list" in table):
        raise MappingError(f"{where}: give exactly one of attio_object or attio_list")
    kind = "object" if "attio_object" in table else "list"
    target = _text(table, f"attio_{kind}", where)
    system = _text(table, "system", where)
    direction = _choice(table, "direction", DIRECTIONS, where, "both")
    if system in ONE_WAY_SYSTEMS and direction != "into_attio":
        raise MappingError(
            f"{where}: {system} is only read (its records sync one way, into Attio);"
            ' add direction = "into_attio"'
        )
    match = table.get("match")
    if not isinstance(match, dict):
        raise MappingError(
            f'{where}: add match = {{ external = "email", attio = "email_addresses" }}'
            " (the key that finds a record on each side)"
        )
    fields_doc = table.get("fields")
    if not isinstance(fields_doc, list) or not fields_doc:
        raise MappingError(f"{where}: no [[mapping.fields]]; map at least one field")
    one_way = direction == "into_attio"
    fields = tuple(_field(f, *place.field(i), one_way) for i, f in enumerate(fields_doc, 1))
    attio_names = [f.attio for f in fields]
    for a in attio_names:
        if attio_names.count(a) > 1:
            raise MappingError(f"{where}: the attribute {a!r} is mapped twice; keep one field")
    return SyncMapping(
        name=name,
        system=system,
        object=_text(table, "object", where),
        attio_target=target,
        attio_kind=kind,
        match_external=_text(match, "external", f"{where}, match"),
        match_attio=_text(match, "attio", f"{where}, match"),
        fields=fields,
        on_delete=_choice(table, "on_delete", ON_DELETE, where, "archive"),
        direction=direction,
        attio_defaults=_defaults(table, where, set(attio_names)),
        source=place.source,
    )


def _defaults(table: Mapping[str, Any], where: str, mapped: set[str]) -> dict[str, Any]:
    """The ``attio_defaults`` table: values of Attio attributes no field maps."""
    doc = table.get("attio_defaults", {})
    if not isinstance(doc, dict):
        raise MappingError(
            f'{where}: attio_defaults must be a table, e.g. {{ owner = "sales@example.com" }}'
        )
    both = sorted(mapped & set(doc))
    if both:
        raise MappingError(
            f"{where}: attio_defaults sets {both[0]!r}, which a field maps; drop one of them"
        )
    return dict(doc)


def _field(doc: Any, where: str, source: str, one_way: bool) -> FieldMap:
    if not isinstance(doc, dict):
        raise MappingError(f"{where}: must be a table")
    attio = _text(doc, "attio", where)
    where = f"{where} ({attio})"
    transform = _choice(doc, "transform", TRANSFORMS, where, "rename")
    # In a one-way mapping the other side owns every field: its values always stand.
    owner = _choice(doc, "owner", OWNERS, where, "external" if one_way else "both")
    if one_way and owner != "external":
        raise MappingError(
            f'{where}: owner = {owner!r} in a mapping with direction = "into_attio", where the'
            ' other side owns every field; remove owner (or set owner = "external")'
        )
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
    return FieldMap(attio, names, owner, transform, dict(values), function, inverse, source)


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
    where = _at(mapping.source, mapping.name)
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
        where = _at(f.source or mapping.source, mapping.name)
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
    where = _at(mapping.source, mapping.name)
    problems += _unset_required(mapping, target, where)
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


def _unset_required(mapping: SyncMapping, target: TargetSchema, where: str) -> list[str]:
    """Attio attributes a record the sync creates needs but gets no value for (a deal's owner),
    and ``attio_defaults`` naming attributes the target lacks."""
    problems = [
        f"{where}: attio_defaults sets {slug!r}, which {target.slug} has not; fix the name"
        for slug in mapping.attio_defaults
        if target.attribute(slug) is None
    ]
    if target.kind != "object":
        return problems  # a list entry's required attributes come with its parent record
    given = {f.attio for f in mapping.fields} | set(mapping.attio_defaults) | {mapping.match_attio}
    for attr in target.attributes.values():
        needed = attr.is_required and attr.is_writable and not attr.has_default
        if needed and not attr.is_archived and attr.slug not in given:
            problems.append(
                f"{where}: {target.slug}.{attr.slug} is required in Attio and no field maps it;"
                f' map one or add attio_defaults = {{ {attr.slug} = "..." }}'
            )
    return problems


def _at(source: str, name: str) -> str:
    """The start of a ``check`` problem: where the table is (when known) and the mapping."""
    return f"{source}: mapping {name!r}" if source else f"mapping {name!r}"
