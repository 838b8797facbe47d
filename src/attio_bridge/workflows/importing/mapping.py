"""Column mapping of an import: which column goes to which attribute of the object (or of the
list), guessed from the headers or given (a mapping file), and checked once before any row is
read. See docs/IMPORT.md, "Mapping"."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from ...errors import InvalidInputError
from ...values import TargetSchema

__all__ = [
    "ALIASES",
    "ALIAS_ALTERNATES",
    "LIST_PREFIX",
    "NAME_PARTS",
    "Mappings",
    "choose_mappings",
    "guess_mapping",
    "load_mapping",
]

# Headers people use for standard attributes (normalised: lower case, words joined by "_").
ALIASES: dict[str, str] = {
    "email": "email_addresses",
    "e_mail": "email_addresses",
    "email_address": "email_addresses",
    "emails": "email_addresses",
    "work_email": "email_addresses",
    "phone": "phone_numbers",
    "phone_number": "phone_numbers",
    "mobile": "phone_numbers",
    "telephone": "phone_numbers",
    "website": "domains",
    "web_site": "domains",
    "url": "domains",
    "domain": "domains",
    "company": "company",
    "company_domain": "company",
    "company_website": "company",
    "organisation": "company",
    "organization": "company",
    "employer": "company",
    "first_name": "first_name",
    "firstname": "first_name",
    "given_name": "first_name",
    "last_name": "last_name",
    "lastname": "last_name",
    "surname": "last_name",
    "family_name": "last_name",
    "full_name": "full_name",
    "title": "job_title",
    "position": "job_title",
    "role": "job_title",
    "company_name": "name",
}
# Where an alias names an attribute the object lacks, the slugs tried next (a deal's company).
ALIAS_ALTERNATES: dict[str, tuple[str, ...]] = {"company": ("associated_company",)}
# Keys ``values`` folds into a personal-name attribute.
NAME_PARTS = ("first_name", "last_name", "full_name")
# A mapping file's slug with this prefix names an attribute of the list (as an export writes a
# list attribute whose name the record also has).
LIST_PREFIX = "list:"

# ``(columns -> object attributes, columns -> list attributes, unmapped columns)``
Mappings = tuple[dict[str, str], dict[str, str], list[str]]


def _norm(text: str) -> str:
    return "_".join("".join(c if c.isalnum() else " " for c in text.casefold()).split())


def guess_mapping(target: TargetSchema, headers: list[str]) -> tuple[dict[str, str], list[str]]:
    """``({column: attribute slug}, unmapped columns)``: a column maps to the writable
    attribute whose slug or title it names, else through ``ALIASES``; name parts
    (``first_name``...) map to themselves when the target has a personal name."""
    writable = {
        a.slug: a for a in target.attributes.values() if a.is_writable and not a.is_archived
    }
    by_title = {_norm(a.title): a.slug for a in writable.values()}
    has_name = any(a.type == "personal-name" for a in writable.values())
    mapping: dict[str, str] = {}
    unmapped: list[str] = []
    for header in headers:
        key = _norm(header)
        slug = key if key in writable else by_title.get(key)
        if slug is None and key in ALIASES:
            alias = ALIASES[key]
            if alias in NAME_PARTS and has_name:
                slug = alias
            else:
                candidates = (alias, *ALIAS_ALTERNATES.get(alias, ()))
                slug = next((c for c in candidates if c in writable), None)
        if slug is None or slug in mapping.values():
            unmapped.append(header)
        else:
            mapping[header] = slug
    return mapping, unmapped


def load_mapping(path: Path) -> dict[str, str]:
    """A mapping file: a JSON object ``{column: attribute slug}``; ``InvalidInputError`` naming the
    file when it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:  # not JSON, or not UTF-8
        raise InvalidInputError(f"{path} is not a JSON mapping file ({exc})") from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise InvalidInputError(f"{path}: a mapping file must be a JSON object of column: slug")
    return {k.strip(): v.strip() for k, v in data.items()}


def choose_mappings(
    target: TargetSchema,
    list_target: TargetSchema | None,
    headers: list[str],
    mapping: Mapping[str, str] | None,
    taken: str | None,
    source: str = "the file",
) -> Mappings:
    """``(columns -> object attributes, columns -> list attributes, unmapped columns)``:
    guessed, or from ``mapping``. ``taken`` is an attribute set for every row (``company=``):
    a guess leaves it to that; a given mapping naming it is an ``InvalidInputError``, as is one
    naming a column ``source`` (the file's name) lacks or an attribute the target lacks."""
    if mapping is None:
        return _guessed(target, list_target, headers, taken)
    _check_mapping(target, list_target, headers, mapping, source)
    chosen = {c: s for c, s in mapping.items() if not s.startswith(LIST_PREFIX)}
    for column, slug in chosen.items():
        if slug == taken:
            raise InvalidInputError(
                f"the mapping sends column {column!r} to {slug}, which the company argument "
                "sets for every row: drop one of them"
            )
    entry_mapping: dict[str, str] = {}
    if list_target is not None:
        entry_mapping = {
            c: s.removeprefix(LIST_PREFIX) for c, s in mapping.items() if s.startswith(LIST_PREFIX)
        }
    unmapped = [h for h in headers if h not in chosen and h not in entry_mapping]
    return chosen, entry_mapping, unmapped


def _guessed(
    target: TargetSchema, list_target: TargetSchema | None, headers: list[str], taken: str | None
) -> Mappings:
    """The mappings guessed from ``headers``: the object's attributes first, then the list's."""
    entry_mapping: dict[str, str] = {}
    plain = headers
    if list_target is not None:
        # A "list:SLUG" header (as an export of a list writes on a clash) names a list
        # attribute outright.
        for h in headers:
            slug = h.removeprefix(LIST_PREFIX)
            if h.startswith(LIST_PREFIX) and list_target.attribute(slug) is not None:
                entry_mapping[h] = slug
        plain = [h for h in headers if h not in entry_mapping]
    chosen, unmapped = guess_mapping(target, plain)
    if taken is not None:
        unmapped += [c for c, s in chosen.items() if s == taken]
        chosen = {c: s for c, s in chosen.items() if s != taken}
    if list_target is not None:
        guessed, unmapped = guess_mapping(list_target, unmapped)
        entry_mapping |= guessed
    return chosen, entry_mapping, unmapped


def _mappable(target: TargetSchema) -> list[str]:
    """The slugs a mapping may send a column to: writable attributes, and the name parts when
    ``target`` has a personal name (``values`` folds them into it)."""
    slugs = [a.slug for a in target.attributes.values() if a.is_writable and not a.is_archived]
    if any(target.attributes[s].type == "personal-name" for s in slugs):
        slugs += [p for p in NAME_PARTS if p not in slugs]
    return slugs


def _check_mapping(
    target: TargetSchema,
    list_target: TargetSchema | None,
    headers: Sequence[str],
    mapping: Mapping[str, str],
    source: str,
) -> None:
    """``InvalidInputError`` for the first mistake of a given mapping: a column ``source`` lacks, an
    attribute the target (or, for ``"list:SLUG"``, the list) lacks or cannot write. Checked
    once, before any row is read, so a mistake is one error instead of a problem per row."""
    for column, slug in mapping.items():
        if column not in headers:
            shown = ", ".join(repr(h) for h in headers) or "none"
            raise InvalidInputError(
                f"the mapping names the column {column!r}, which {source} does not have "
                f"(its columns: {shown}): fix the column name in the mapping file"
            )
        into = target
        name = slug
        if slug.startswith(LIST_PREFIX):
            if list_target is None:
                raise InvalidInputError(
                    f"the mapping sends column {column!r} to {slug}, a list attribute, but the "
                    "import names no list: name the list to import into, or drop the prefix"
                )
            into, name = list_target, slug.removeprefix(LIST_PREFIX)
        slugs = _mappable(into)
        attr = into.attribute(name)  # by slug or id
        if name in slugs or (attr is not None and attr.slug in slugs):
            continue
        if attr is not None and not attr.is_archived:
            why = f"{into.slug}.{attr.slug} is read-only"
        else:
            why = f"{into.slug} has no attribute {name!r}"
        near = difflib.get_close_matches(name, slugs, n=3, cutoff=0.6)
        hint = f"did you mean {' or '.join(near)}?" if near else f"use one of {', '.join(slugs)}"
        raise InvalidInputError(f"the mapping sends column {column!r} to {slug}, but {why}: {hint}")
