"""What an import's arguments name, resolved against the workspace's schema: the object and
list the rows go to, the match key, and the attribute ``company=`` fills. No Attio I/O.
See docs/IMPORT.md, "Matching" and "Lists and companies"."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...errors import InvalidInputError, MissingError
from ...services import CompanyRef, company_ref
from ...values import AttributeInfo, TargetSchema, WorkspaceSchema
from .rows import KEY_PROPS

__all__ = [
    "DEFAULT_MATCH",
    "company_attribute",
    "company_item",
    "match_attributes",
    "resolve_targets",
    "target_named",
]

# The match attribute when none is given, for the objects that have an obvious one.
DEFAULT_MATCH = ("email_addresses", "domains")
# Slugs tried first for the company reference that ``company=`` fills.
_COMPANY_SLUGS = ("company", "associated_company")


def target_named(schema: WorkspaceSchema, name: str, kind: str | None = None) -> TargetSchema:
    """The object or list ``name`` (slug or id) names, of ``kind`` when given; ``MissingError``
    naming the known ones when there is none."""
    try:
        return schema.target(name, kind)
    except KeyError as exc:
        raise MissingError(str(exc.args[0])) from None


def resolve_targets(
    schema: WorkspaceSchema, object: str, list: str | None
) -> tuple[TargetSchema, TargetSchema | None]:
    """The object the rows go to and the list they are added to, if any: ``object`` names an
    object or a list (then the rows go to its parent object). ``MissingError`` for a name that is
    neither, ``InvalidInputError`` for a list of another object."""
    named = target_named(schema, object)
    if named.kind == "list":
        if list is not None and target_named(schema, list, "list").slug != named.slug:
            raise InvalidInputError(
                f"import into list {named.slug!r} takes no second list ({list!r})"
            )
        assert named.parent_object is not None
        return schema.target(named.parent_object, "object"), named
    list_target = target_named(schema, list, "list") if list is not None else None
    if list_target is not None and list_target.parent_object != named.slug:
        raise InvalidInputError(
            f"list {list_target.slug!r} holds {list_target.parent_object}, not {named.slug}"
        )
    return named, list_target


def match_attributes(
    target: TargetSchema, match: str | Sequence[str] | None
) -> tuple[list[AttributeInfo], bool]:
    """The attributes of the match key and whether it is found through a search (``True``
    unless it is one unique attribute, which Attio asserts on). ``MissingError`` for an attribute
    ``target`` does not have, ``InvalidInputError`` for one that cannot be matched on or no key."""
    given = [match] if isinstance(match, str) else list(match or ())
    # "name,associated_company" is read as two attributes (slugs hold no commas).
    names = [n.strip() for m in given for n in m.split(",") if n.strip()]
    matchable = [
        a.slug
        for a in target.attributes.values()
        if a.type in KEY_PROPS and a.is_writable and not a.is_archived
    ]
    if not names:
        names = [m for m in DEFAULT_MATCH if m in matchable][:1]
        if not names:
            raise InvalidInputError(
                f"say what identifies a {target.slug} record: match on one or more of its "
                f"attributes (the match argument), e.g. one of {', '.join(matchable)}"
            )
    attrs: list[AttributeInfo] = []
    for name in dict.fromkeys(names):
        attr = target.attribute(name)
        if attr is None or attr.is_archived:
            raise MissingError(
                f"{target.slug} has no attribute {name!r} to match on; "
                f"use one of {', '.join(matchable)}"
            )
        if attr.slug not in matchable:
            why = "read-only" if not attr.is_writable else f"of type {attr.type}"
            raise InvalidInputError(
                f"cannot match {target.slug} records on {attr.slug!r} ({why}); "
                f"use one of {', '.join(matchable)}"
            )
        attrs.append(attr)
    return attrs, not (len(attrs) == 1 and attrs[0].is_unique)


def company_attribute(target: TargetSchema) -> AttributeInfo:
    """The attribute of ``target`` that links a record to a company (``company``,
    ``associated_company``, else the one writable reference to companies); ``InvalidInputError`` if
    there is none."""
    found = [
        a
        for a in target.attributes.values()
        if a.type == "record-reference"
        and a.allowed_targets == ("companies",)
        and a.is_writable
        and not a.is_archived
    ]
    for slug in _COMPANY_SLUGS:
        for a in found:
            if a.slug == slug:
                return a
    if len(found) != 1:
        raise InvalidInputError(
            f"{target.slug} records have no single company attribute to link to, so "
            "a company cannot be given; map a column to the attribute instead"
        )
    return found[0]


def company_item(attr: AttributeInfo, company: str) -> tuple[Any, str | None]:
    """``(the encoded value linking to company, the record id that must exist)``: ``company``
    is a domain or website (a reference by unique value, asserted before the rows; no id to
    check) or a record id. ``InvalidInputError`` when it is neither."""
    ref = company_ref("company", company)
    if not isinstance(ref, CompanyRef):
        raise InvalidInputError(
            f"company {company!r} is neither a company record id nor a domain: "
            'pass e.g. "acme.com" or the id of an existing company'
        )
    item: dict[str, Any]
    if ref.record_id is not None:
        item = {"target_object": "companies", "target_record_id": ref.record_id}
    else:
        item = {"target_object": "companies", "domains": [{"domain": ref.domain}]}
    return ([item] if attr.is_multiselect else item), ref.record_id
