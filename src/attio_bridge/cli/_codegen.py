"""Code generation for ``attio-bridge schema codegen``: a typed Python module of one workspace.

``generate_module(targets)`` (pure: no I/O) returns the source of a module holding, for each
object and list, a ``TypedDict`` (``total=False``) of the values ``encode_values`` accepts,
keyed by attribute slug with a type derived from the attribute type (select options and status
titles as ``Literal`` aliases, multiselect attributes as lists, ``None`` to clear), read-only
attributes left out; and a class of ``Final`` slug constants per object and list. The source
is ``mypy --strict`` and ``ruff check`` clean under the project's rules.
"""

from __future__ import annotations

import json
import keyword
import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..values.schema import AttributeInfo, TargetSchema

LINE = 100
# Plain Python accepted by ``encode_values`` per attribute type; other types have no write form.
_SCALARS = {
    "text": "str",
    "domain": "str",
    "email-address": "str",
    "phone-number": "str",
    "actor-reference": "str",
    "number": "Decimal | float | int",
    "currency": "Decimal | float | int",
    "rating": "int",
    "checkbox": "bool",
    "date": "date",
    "timestamp": "datetime",
    "record-reference": "str | RecordReference",
    "location": "str | Location",
    "personal-name": "str | PersonalName",
}
# Helper TypedDicts, emitted when an attribute type uses them.
_HELPERS = {
    "RecordReference": '''class RecordReference(TypedDict):
    """A record by id: ``{"target_object": "companies", "target_record_id": "..."}``."""

    target_object: str
    target_record_id: str
''',
    "Location": '''class Location(TypedDict, total=False):
    """An address by parts (a free-text string is accepted too)."""

    line_1: str | None
    line_2: str | None
    line_3: str | None
    line_4: str | None
    locality: str | None
    region: str | None
    postcode: str | None
    country_code: str | None
    latitude: str | float | None
    longitude: str | float | None
''',
    "PersonalName": '''class PersonalName(TypedDict, total=False):
    """A person's name by parts (``"First Last"`` or ``"Last, First"`` is accepted too)."""

    first_name: str
    last_name: str
    full_name: str
''',
}
# Names the module defines or imports itself.
_RESERVED = {"Decimal", "date", "datetime", "Final", "Literal", "TypeAlias", "TypedDict"}


def pascal(slug: str) -> str:
    """``"sales_pipeline"`` -> ``"SalesPipeline"``: a class-name form of a slug."""
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", slug) if p]
    name = "".join(p[:1].upper() + p[1:] for p in parts) or "X"
    return "X" + name if name[0].isdigit() else name


def constant(slug: str) -> str:
    """``"email_addresses"`` -> ``"EMAIL_ADDRESSES"``: a constant-name form of a slug."""
    name = re.sub(r"[^0-9A-Za-z_]", "_", slug).upper() or "X"
    return "_" + name if name[0].isdigit() else name


def py_str(text: str) -> str:
    """A Python string literal of ``text``, quoted as ``ruff format`` would: double quotes
    unless the text holds some and no single ones (JSON's escapes are Python's too)."""
    if '"' in text and "'" not in text:
        return repr(text)
    return json.dumps(text, ensure_ascii=False)


@dataclass
class _Names:
    """Names taken in one scope; a taken name gets a numeric suffix."""

    taken: set[str] = field(default_factory=set)

    def claim(self, name: str) -> str:
        candidate, n = name, 2
        while candidate in self.taken:
            candidate, n = f"{name}{n}", n + 1
        self.taken.add(candidate)
        return candidate


def _bracketed(head: str, items: Sequence[str], tail: str = "]") -> list[str]:
    """``head`` + items + ``tail`` on one line when it fits, else one item per line."""
    one = f"{head}{', '.join(items)}{tail}"
    if len(one) <= LINE:
        return [one]
    return [head, *(f"    {i}," for i in items), tail]


def _with_comment(code: str, comment: str) -> str:
    """``code  # comment``, the comment shortened (or dropped) to keep the line short."""
    room = LINE - len(code) - 4
    if room < 12:
        return code
    if len(comment) > room:
        comment = comment[: room - 3].rstrip() + "..."
    return f"{code}  # {comment}"


def _describe(attr: AttributeInfo) -> str:
    flags = [
        flag
        for flag, on in (
            ("unique", attr.is_unique),
            ("required", attr.is_required),
            ("multiselect", attr.is_multiselect),
        )
        if on
    ]
    kind = attr.type
    if attr.allowed_targets:
        kind += " -> " + ", ".join(attr.allowed_targets)
    if attr.currency_code:
        kind += f" in {attr.currency_code}"
    title = " ".join(attr.title.split())
    return f"{title} ({', '.join([kind, *flags])})"


@dataclass
class _Module:
    """The module being written: its parts and the names they use."""

    names: _Names = field(default_factory=_Names)
    aliases: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)
    used: set[str] = field(default_factory=set)

    def value_type(self, owner: str, attr: AttributeInfo) -> str | None:
        """The annotation of ``attr``'s values, or None when it has no write form."""
        if attr.type in ("select", "status"):
            titles = [c.title for c in attr.choices() if not c.is_archived]
            if titles:
                suffix = "Option" if attr.type == "select" else "Status"
                alias = self.names.claim(f"{owner}{pascal(attr.slug)}{suffix}")
                lines = _bracketed(f"{alias}: TypeAlias = Literal[", [py_str(t) for t in titles])
                self.aliases.append("\n".join(lines))
                self.used.update({"TypeAlias", "Literal"})
                base = alias
            else:
                base = "str"  # no options yet: any title, checked when encoding
        elif attr.type in _SCALARS:
            base = _SCALARS[attr.type]
        else:
            return None
        for word in re.findall(r"\w+", base):
            self.used.add(word)
        return f"list[{base}] | None" if attr.is_multiselect else f"{base} | None"

    def typed_dict(self, target: TargetSchema, owner: str, name: str) -> None:
        """The ``TypedDict`` of ``target``'s writable attributes."""
        fields: list[tuple[str, str, str]] = []
        skipped: list[str] = []
        for attr in target.attributes.values():
            if attr.is_archived:
                continue
            annotation = self.value_type(owner, attr) if attr.is_writable else None
            if annotation is None:
                skipped.append(attr.slug)
                continue
            fields.append((attr.slug, annotation, _describe(attr)))
        what = (
            f"a record of the object {py_str(target.slug)}"
            if target.kind == "object"
            else f"an entry of the list {py_str(target.slug)}"
        )
        doc = f'"""Values to write to {what}; ``None`` clears a value."""'
        used_names = {w for _, ann, _ in fields for w in re.findall(r"\w+", ann)}
        identifiers = all(s.isidentifier() and not keyword.iskeyword(s) for s, _, _ in fields)
        shadowing = any(s in used_names for s, _, _ in fields)
        self.used.add("TypedDict")
        if identifiers and not shadowing:
            lines = [f"class {name}(TypedDict, total=False):", f"    {doc}"]
            if fields:
                lines.append("")
            lines += [_with_comment(f"    {s}: {a}", d) for s, a, d in fields]
        else:
            # A slug that is a keyword (or would shadow a type name) needs the call form; ruff's
            # UP013 asks for the class form whenever the slugs are identifiers.
            noqa = "  # noqa: UP013" if identifiers else ""
            lines = [f"# {doc[3:-3]}", f"{name} = TypedDict({noqa}", f"    {py_str(name)},"]
            lines.append("    {")
            lines += [_with_comment(f"        {py_str(s)}: {a},", d) for s, a, d in fields]
            lines += ["    },", "    total=False,", ")"]
        if skipped:
            note = f"Read-only, left out of {name}: {', '.join(skipped)}"
            lines[:0] = ["# " + line for line in textwrap.wrap(note, LINE - 2)]
        self.bodies.append("\n".join(lines))

    def constants(self, target: TargetSchema, name: str) -> None:
        """A class of ``Final`` slug constants: the target's and its attributes'."""
        kind = "object" if target.kind == "object" else "list"
        title = " ".join(target.name.split())
        lines = [
            f"class {name}:",
            f'    """Slugs of the {kind} {py_str(target.slug)} ({title}) and its attributes."""',
            "",
            f"    SLUG: Final = {py_str(target.slug)}",
        ]
        scope = _Names({"SLUG", "PARENT_OBJECT"})
        if target.parent_object:
            lines.append(f"    PARENT_OBJECT: Final = {py_str(target.parent_object)}")
        for attr in target.attributes.values():
            if not attr.is_archived:
                const = scope.claim(constant(attr.slug))
                lines.append(f"    {const}: Final = {py_str(attr.slug)}")
        self.used.add("Final")
        self.bodies.append("\n".join(lines))


def generate_module(targets: Iterable[TargetSchema], *, source: str = "") -> str:
    """The source of a typed module for ``targets`` (objects and lists of one workspace);
    ``source`` (such as the API's base URL) is named in its docstring."""
    module = _Module()
    module.names.taken.update({*_HELPERS, *_RESERVED, "OBJECTS", "LISTS"})
    chosen = list(targets)
    for target in chosen:
        owner = pascal(target.slug)
        if target.kind == "object":
            consts = module.names.claim(owner)
            values = module.names.claim(f"{owner}Values")
        else:
            consts = module.names.claim(f"{owner}List")
            values = module.names.claim(f"{owner}EntryValues")
            owner = f"{owner}List"
        module.constants(target, consts)
        module.typed_dict(target, owner, values)
    objects = [py_str(t.slug) for t in chosen if t.kind == "object"]
    lists = [py_str(t.slug) for t in chosen if t.kind == "list"]
    module.used.add("Final")

    header = [
        '"""Typed values of an Attio workspace, generated by ``attio-bridge schema codegen``.',
        "",
    ]
    if source and len(source) < LINE - 12:
        header += [f"Source: {source}", ""]
    header += [
        "Do not edit: run the command again when the workspace's schema changes.",
        "",
        "Each object has a ``TypedDict`` ``<Name>Values``, and each list ``<Name>EntryValues``,",
        "of the plain Python values ``attio_bridge.values.encode_values`` accepts, keyed by",
        "attribute slug; read-only attributes are left out. The class named after each object",
        "(``<Name>``) or list (``<Name>List``) holds its slug and the slugs of its attributes.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
    ]
    # isort's order: datetime, decimal, typing.
    imports = []
    dt = [n for n in ("date", "datetime") if n in module.used]
    if dt:
        imports.append(f"from datetime import {', '.join(dt)}")
    if "Decimal" in module.used:
        imports.append("from decimal import Decimal")
    typing_names = sorted(
        n for n in ("Final", "Literal", "TypeAlias", "TypedDict") if n in module.used
    )
    imports.append(f"from typing import {', '.join(typing_names)}")
    slugs = _bracketed("OBJECTS: Final = (", _tuple_items(objects), ")")
    slugs += _bracketed("LISTS: Final = (", _tuple_items(lists), ")")
    helpers = [body for name, body in _HELPERS.items() if name in module.used]
    blocks = ["\n".join(header + imports), "\n".join(slugs), *module.aliases, *helpers]
    blocks += module.bodies
    # One blank line after the imports (isort's rule before a statement), two between blocks.
    out = blocks[0] + "\n\n" + "\n\n\n".join(block.rstrip("\n") for block in blocks[1:])
    return out + "\n"


def _tuple_items(items: list[str]) -> list[str]:
    """Items of a tuple display: a lone item keeps its trailing comma."""
    return [items[0] + ","] if len(items) == 1 else items
