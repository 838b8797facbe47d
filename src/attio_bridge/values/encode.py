"""Plain Python into Attio's write shapes, checked against the workspace schema.

``encode_values(schema, "people", {"name": "Ada Lovelace", "email_addresses": "ada@acme.com"})``
returns the ``values`` (or ``entry_values``) payload: every value in the explicit object form of
its attribute type (``{"value": ...}``, ``{"email_address": ...}``, ``{"option": title}``, ...),
keyed by attribute slug, a list for multiselect attributes. Every problem found in the record
is raised together in one ``ValuesError``; ``validate_values`` returns them instead.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
from dateutil.parser import isoparse
from email_validator import EmailNotValidError, validate_email

from ..client.models import Record
from .schema import AttributeInfo, SchemaCache, TargetSchema, WorkspaceSchema
from .validate import (
    Problem,
    ValuesError,
    missing_required,
    not_multiselect,
    read_only,
    unknown_attribute,
    unknown_choice,
    wrong_type,
)

LOCATION_KEYS = (
    "line_1",
    "line_2",
    "line_3",
    "line_4",
    "locality",
    "region",
    "postcode",
    "country_code",
    "latitude",
    "longitude",
)
# Everyday names for location parts.
LOCATION_ALIASES = {
    "street": "line_1",
    "address": "line_1",
    "city": "locality",
    "town": "locality",
    "state": "region",
    "county": "region",
    "zip": "postcode",
    "zip_code": "postcode",
    "postal_code": "postcode",
    "country": "country_code",
    "lat": "latitude",
    "lng": "longitude",
    "lon": "longitude",
}
NAME_KEYS = ("first_name", "last_name", "full_name")
# The attribute that identifies a referenced record given as a plain string.
REFERENCE_MATCH = {"companies": "domains", "people": "email_addresses"}

_UUID_RE = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
_DOMAIN_RE = re.compile(
    r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]+)"
)
_MAX_EXACT_INT = 2**53

SchemaLike = WorkspaceSchema | SchemaCache


def resolve_schema(schema: SchemaLike) -> WorkspaceSchema:
    """The ``WorkspaceSchema`` itself, or the one a ``SchemaCache`` holds (loaded if stale)."""
    return schema.get() if isinstance(schema, SchemaCache) else schema


@dataclass(frozen=True, slots=True)
class EncodeOptions:
    """How to read ambiguous input: phone numbers without ``+`` are in ``default_region``
    (ISO 3166 code such as ``"GB"``); naive datetimes are in ``default_timezone``."""

    default_region: str | None = None
    default_timezone: tzinfo = UTC


class _Invalid(Exception):
    """One value could not be encoded; ``make(field, value)`` builds its ``Problem``."""

    def __init__(self, make: Callable[[str, Any], Problem]) -> None:
        super().__init__()
        self.make = make


def _bad(attr: AttributeInfo, expected: str) -> _Invalid:
    return _Invalid(lambda f, v: wrong_type(f, v, attr.type, expected))


@dataclass(frozen=True, slots=True)
class _Ctx:
    schema: WorkspaceSchema
    options: EncodeOptions


# -- scalars -------------------------------------------------------------------------------------
def _text(attr: AttributeInfo, v: Any, ctx: _Ctx) -> Any:
    v = _unwrap(v, "value")
    if not isinstance(v, str):
        raise _bad(attr, "a string")
    return {"value": v}


def _to_decimal(v: Any) -> Decimal | None:
    """A finite Decimal from a number or numeric string (never a bool), or None."""
    if isinstance(v, bool) or not isinstance(v, int | float | Decimal | str):
        return None
    try:
        # repr() of a float is its shortest exact decimal form: 0.1 -> "0.1", not 0.1000...055.
        dec = Decimal(repr(v)) if isinstance(v, float) else Decimal(str(v).strip())
    except InvalidOperation:
        return None
    return dec if dec.is_finite() else None


def _json_number(dec: Decimal) -> int | float | str:
    """``dec`` as JSON can carry it exactly: an int, a float that reads back as ``dec``, or
    else the numeric string (which Attio accepts for currencies)."""
    if dec == dec.to_integral_value() and abs(dec) < _MAX_EXACT_INT:
        return int(dec)
    f = float(dec)
    if math.isfinite(f) and Decimal(repr(f)) == dec:
        return f
    return format(dec.normalize(), "f")


def _number(attr: AttributeInfo, v: Any, ctx: _Ctx) -> Any:
    dec = _to_decimal(_unwrap(v, "value"))
    if dec is None:
        raise _bad(attr, "a number")
    number = _json_number(dec)
    return {"value": float(number) if isinstance(number, str) else number}


_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}


def _checkbox(attr: AttributeInfo, v: Any, ctx: _Ctx) -> Any:
    v = _unwrap(v, "value")
    if isinstance(v, str) and v.strip().casefold() in _TRUE | _FALSE:
        v = v.strip().casefold() in _TRUE
    if not isinstance(v, bool):
        raise _bad(attr, 'True or False (or "true"/"false")')
    return {"value": v}


def _currency(attr: AttributeInfo, v: Any, ctx: _Ctx) -> Any:
    if isinstance(v, Mapping):
        code = v.get("currency_code")
        if code is not None and str(code).upper() != (attr.currency_code or "").upper():
            raise _Invalid(
                lambda f, val: Problem(
                    f,
                    val,
                    "wrong_type",
                    "the currency code cannot be written: it comes from the attribute",
                    f"Give the amount in {attr.currency_code}, without a currency code.",
                )
            )
        v = v.get("currency_value")
    dec = _to_decimal(v)
    if dec is None:
        raise _bad(attr, f"an amount in {attr.currency_code} (a number, Decimal or numeric string)")
    if -int(dec.normalize().as_tuple().exponent) > 4:
        raise _bad(attr, "an amount with at most 4 decimal places")
    return {"currency_value": _json_number(dec)}


def _moment(v: Any, ctx: _Ctx) -> datetime | date | None:
    """A date or datetime from one, or from an ISO 8601 string (None if it is neither)."""
    if isinstance(v, datetime | date):
        return v
    if isinstance(v, str):
        try:
            return isoparse(v.strip())
        except (ValueError, OverflowError):
            return None
    return None


def _to_utc(dt: datetime, ctx: _Ctx) -> datetime:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=ctx.options.default_timezone)
    return dt.astimezone(UTC)


def _date(attr: AttributeInfo, v: Any, ctx: _Ctx) -> Any:
    m = _moment(_unwrap(v, "value"), ctx)
    if m is None:
        raise _bad(attr, 'a date, a datetime or an ISO 8601 string such as "2024-01-31"')
    # A moment becomes the UTC date, as Attio does with a timestamp written to a date.
    day = _to_utc(m, ctx).date() if isinstance(m, datetime) else m
    return {"value": day.isoformat()}


def _timestamp(attr: AttributeInfo, v: Any, ctx: _Ctx) -> Any:
    m = _moment(_unwrap(v, "value"), ctx)
    if m is None:
        raise _bad(attr, 'a datetime, a date or an ISO 8601 string such as "2024-01-31T09:30Z"')
    if not isinstance(m, datetime):
        # A bare date is midnight where the caller is.
        m = datetime.combine(m, time())
    return {"value": _to_utc(m, ctx).strftime("%Y-%m-%dT%H:%M:%S.%fZ")}


def _rating(attr: AttributeInfo, v: Any, ctx: _Ctx) -> Any:
    dec = _to_decimal(_unwrap(v, "value"))
    if dec is None or dec != dec.to_integral_value() or not 0 <= dec <= 5:
        raise _bad(attr, "a whole number from 0 to 5")
    return {"value": int(dec)}


def _choice(key: str, kind: str) -> Callable[[AttributeInfo, Any, _Ctx], Any]:
    def encode(attr: AttributeInfo, v: Any, ctx: _Ctx) -> Any:
        v = _unwrap(v, key)
        if not isinstance(v, str):
            raise _bad(attr, f"{'an' if kind == 'option' else 'a'} {kind} title (a string)")
        found = attr.find_choice(v)
        if found is None:
            titles = [c.title for c in attr.choices() if not c.is_archived]
            raise _Invalid(lambda f, val: unknown_choice(f, val, kind, titles))
        return {key: found.title}

    return encode


def _domain(attr: AttributeInfo, v: Any, ctx: _Ctx) -> Any:
    v = _unwrap(v, "domain")
    domain = domain_from(v) if isinstance(v, str) else None
    if domain is None:
        raise _bad(attr, 'a domain or website URL such as "acme.com" or "https://www.acme.com/"')
    return {"domain": domain}


def domain_from(text: str) -> str | None:
    """``"https://www.Acme.com/about?x=1"`` -> ``"acme.com"``: the host of a URL or domain,
    lowercased, without ``www.``; None if it is no domain."""
    text = text.strip()
    if not text or "@" in text:
        return None
    try:
        host = urlsplit(text if "://" in text else "//" + text).hostname or ""
    except ValueError:
        return None
    host = host.lower().rstrip(".")
    host = host.removeprefix("www.")
    return host if _DOMAIN_RE.fullmatch(host) else None


def _email(attr: AttributeInfo, v: Any, ctx: _Ctx) -> Any:
    v = _unwrap(v, "email_address")
    if not isinstance(v, str):
        raise _bad(attr, 'an email address such as "ada@acme.com"')
    try:
        checked = validate_email(v.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise _bad(attr, 'a valid email address such as "ada@acme.com"') from None
    return {"email_address": checked.normalized}


def _phone(attr: AttributeInfo, v: Any, ctx: _Ctx) -> Any:
    region = ctx.options.default_region
    if isinstance(v, Mapping):
        region = v.get("country_code") or region
        v = v.get("original_phone_number") or v.get("phone_number")
    if not isinstance(v, str):
        raise _bad(attr, 'a phone number such as "+44 20 7946 0958"')
    if not v.strip().startswith("+") and not region:
        raise _bad(attr, 'a number starting with "+" and its country code (or set default_region)')
    try:
        parsed = phonenumbers.parse(v, None if v.strip().startswith("+") else region)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise _bad(attr, 'a valid phone number such as "+44 20 7946 0958"')
    return {
        "original_phone_number": phonenumbers.format_number(
            parsed, phonenumbers.PhoneNumberFormat.E164
        ),
        "country_code": phonenumbers.region_code_for_number(parsed),
    }


def _name(attr: AttributeInfo, v: Any, ctx: _Ctx) -> Any:
    expected = '"First Last", "Last, First" or a dict of first_name, last_name (and full_name)'
    if isinstance(v, str):
        last, comma, first = v.partition(",")
        if not comma:
            words = v.split()
            first, last = (" ".join(words[:-1]), words[-1]) if len(words) > 1 else (v, "")
        first, last = first.strip(), last.strip()
        if not first and not last:
            raise _bad(attr, expected)
        return {
            "first_name": first,
            "last_name": last,
            "full_name": " ".join(p for p in (first, last) if p),
        }
    if isinstance(v, Mapping) and v and set(v) <= set(NAME_KEYS):
        parts = {k: v.get(k) or "" for k in NAME_KEYS}
        if not all(isinstance(p, str) for p in parts.values()):
            raise _bad(attr, expected)
        if not parts["full_name"]:
            parts["full_name"] = " ".join(p for p in (parts["first_name"], parts["last_name"]) if p)
        return parts
    raise _bad(attr, expected)


def _location(attr: AttributeInfo, v: Any, ctx: _Ctx) -> Any:
    expected = f"an address string or a dict with keys among {', '.join(LOCATION_KEYS)}"
    if isinstance(v, str) and v.strip():
        return v.strip()  # Attio parses free text itself
    if not isinstance(v, Mapping):
        raise _bad(attr, expected)
    out: dict[str, Any] = dict.fromkeys(LOCATION_KEYS)
    for key, part in v.items():
        k = LOCATION_ALIASES.get(key, key)
        if k not in out:
            raise _bad(attr, expected)
        if k in ("latitude", "longitude") and isinstance(part, int | float | Decimal):
            part = repr(part) if isinstance(part, float) else str(part)
        if part is not None and not isinstance(part, str):
            raise _bad(attr, f'"{key}" as a string or None')
        out[k] = part
    code = out["country_code"]
    if code is not None:
        if not re.fullmatch(r"[A-Za-z]{2}", code):
            raise _bad(attr, 'country_code as a two-letter ISO code such as "GB"')
        out["country_code"] = code.upper()
    return out


# -- references ----------------------------------------------------------------------------------
def _record_id_form(target: TargetSchema, record_id: str) -> dict[str, Any]:
    return {"target_object": target.slug, "target_record_id": record_id}


def _match_attribute(target: TargetSchema) -> AttributeInfo | None:
    """The attribute a plain string identifies a ``target`` record by."""
    known = REFERENCE_MATCH.get(target.slug)
    if known is not None:
        return target.attribute(known)
    uniques = [a for a in target.unique_attributes() if a.type in _ENCODERS]
    return uniques[0] if len(uniques) == 1 else None


def _reference(attr: AttributeInfo, v: Any, ctx: _Ctx) -> Any:
    schema = ctx.schema
    allowed = [t for t in (schema.object(s) for s in attr.allowed_targets) if t is not None]
    allowed_slugs = {t.slug for t in allowed}
    slugs = ", ".join(t.slug for t in allowed) or "any object"
    expected = (
        f"a record id, a Record, a unique value of the target ({slugs}) such as a domain or "
        'email, or {"target_object": ..., "target_record_id": ...}'
    )
    if isinstance(v, Record):
        target = schema.object(v.id.object_id)
        if target is None or (allowed and target.slug not in allowed_slugs):
            raise _bad(attr, f"a record of {slugs}")
        return _record_id_form(target, v.record_id)
    if isinstance(v, Mapping):
        ident = v.get("target_object")
        if ident is None and len(allowed) == 1:
            ident = allowed[0].slug
        target = schema.object(ident) if isinstance(ident, str) else None
        if target is None or (allowed and target.slug not in allowed_slugs):
            raise _bad(attr, f"a record of {slugs}")
        rest = {k: x for k, x in v.items() if k != "target_object"}
        if set(rest) == {"target_record_id"} and isinstance(rest["target_record_id"], str):
            return _record_id_form(target, rest["target_record_id"])
        if len(rest) != 1:
            raise _bad(attr, expected)
        ((key, wanted),) = rest.items()
        by = target.attribute(key)
        if by is None or not by.is_unique:
            raise _bad(attr, f"a unique attribute of {target.slug} to match by")
        items = wanted if isinstance(wanted, list) else [wanted]
        return {
            "target_object": target.slug,
            by.slug: [_ENCODERS[by.type](by, i, ctx) for i in items],
        }
    if not isinstance(v, str) or not v.strip():
        raise _bad(attr, expected)
    text = v.strip()
    candidates = allowed or list(schema.objects.values())
    if _UUID_RE.fullmatch(text):
        if len(candidates) != 1:
            raise _bad(attr, f'{{"target_object": <one of {slugs}>, "target_record_id": ...}}')
        return _record_id_form(candidates[0], text)
    # Prefer the target whose identifying attribute is most specific for this text.
    rank = {"email-address": 0, "domain": 1, "phone-number": 2}
    matches = [(t, a) for t in candidates if (a := _match_attribute(t)) is not None]
    matches.sort(key=lambda ta: rank.get(ta[1].type, 3))
    for target, by in matches:
        try:
            encoded = _ENCODERS[by.type](by, text, ctx)
        except _Invalid:
            continue
        return {"target_object": target.slug, by.slug: [encoded]}
    raise _bad(attr, expected)


def _actor(attr: AttributeInfo, v: Any, ctx: _Ctx) -> Any:
    expected = "a workspace member's email address or id"
    if isinstance(v, Mapping):
        if v.get("referenced_actor_type", "workspace-member") != "workspace-member":
            raise _bad(attr, "a workspace member (other actors cannot be written)")
        v = v.get("workspace_member_email_address") or v.get("referenced_actor_id")
    if not isinstance(v, str):
        raise _bad(attr, expected)
    text = v.strip()
    if _UUID_RE.fullmatch(text):
        return {"referenced_actor_type": "workspace-member", "referenced_actor_id": text}
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        raise _bad(attr, expected) from None
    return {"workspace_member_email_address": checked.normalized}


def _unwrap(v: Any, key: str) -> Any:
    """The inner value of a one-key ``{key: x}`` dict (Attio's own write form), else ``v``."""
    if isinstance(v, Mapping) and set(v) == {key}:
        return v[key]
    return v


_Encoder = Callable[[AttributeInfo, Any, _Ctx], Any]
_ENCODERS: dict[str, _Encoder] = {
    "text": _text,
    "number": _number,
    "checkbox": _checkbox,
    "currency": _currency,
    "date": _date,
    "timestamp": _timestamp,
    "rating": _rating,
    "select": _choice("option", "option"),
    "status": _choice("status", "status"),
    "record-reference": _reference,
    "actor-reference": _actor,
    "location": _location,
    "domain": _domain,
    "email-address": _email,
    "phone-number": _phone,
    "personal-name": _name,
}


# -- records -------------------------------------------------------------------------------------
def _gather_name_parts(target: TargetSchema, data: Mapping[str, Any]) -> dict[str, Any]:
    """``first_name``/``last_name``/``full_name`` keys (as ``decode`` writes them) folded into
    the target's personal-name attribute, unless they are attributes themselves."""
    out = dict(data)
    for attr in target.attributes.values():
        if attr.type != "personal-name":
            continue
        prefix = "" if attr.slug == "name" else f"{attr.slug}_"
        keys = [prefix + k for k in NAME_KEYS if prefix + k in out]
        keys = [k for k in keys if target.attribute(k) is None]
        # Parts next to the attribute itself are left alone, to be reported as unknown.
        if not keys or attr.slug in out:
            continue
        parts = {k.removeprefix(prefix): out.pop(k) for k in keys}
        out[attr.slug] = {k: p for k, p in parts.items() if p is not None} or None
    return out


def _encode(
    schema: SchemaLike,
    target_name: str,
    data: Mapping[str, Any],
    *,
    create: bool,
    ignore_read_only: bool,
    options: EncodeOptions,
    kind: str | None,
) -> tuple[dict[str, Any], list[Problem], TargetSchema]:
    ws = resolve_schema(schema)
    target = ws.target(target_name, kind)
    ctx = _Ctx(ws, options)
    out: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, value in _gather_name_parts(target, data).items():
        attr = target.attribute(key)
        if attr is None or attr.is_archived:
            live = [a.slug for a in target.attributes.values() if not a.is_archived]
            problems.append(unknown_attribute(key, value, target.slug, live))
            continue
        if not attr.is_writable or attr.type not in _ENCODERS:
            if not ignore_read_only:
                problems.append(read_only(key, value))
            continue
        if value is None:
            out[attr.slug] = []
            continue
        items = list(value) if isinstance(value, list | tuple | set | frozenset) else [value]
        if not attr.is_multiselect and len(items) > 1:
            problems.append(not_multiselect(key, value))
            continue
        encoded = []
        for item in items:
            try:
                encoded.append(_ENCODERS[attr.type](attr, item, ctx))
            except _Invalid as exc:
                problems.append(exc.make(key, item))
        if attr.is_multiselect:
            out[attr.slug] = encoded
        else:
            out[attr.slug] = encoded[0] if encoded else []
    if create:
        given = {slug for slug, v in out.items() if v != []}
        for attr in target.attributes.values():
            needed = attr.is_required and attr.is_writable and not attr.has_default
            if needed and not attr.is_archived and attr.slug not in given:
                bad_already = any(p.field in (attr.slug, attr.id) for p in problems)
                if not bad_already:
                    problems.append(missing_required(attr.slug))
    return out, problems, target


def encode_values(
    schema: SchemaLike,
    target: str,
    data: Mapping[str, Any],
    *,
    create: bool = False,
    ignore_read_only: bool = False,
    options: EncodeOptions | None = None,
    kind: str | None = None,
) -> dict[str, Any]:
    """The ``values`` (or ``entry_values``) payload for ``data`` on object or list ``target``.

    ``data`` maps attribute slugs (or ids) to plain Python: a value, a list of values for a
    multiselect attribute, or None to clear. ``create=True`` also requires every required
    attribute. ``ignore_read_only=True`` drops read-only attributes silently (for rows that
    ``decode`` produced). ``kind`` ("object" or "list") says which ``target`` names when a list
    and an object share a slug. Raises ``ValuesError`` with every problem found.
    """
    out, problems, found = _encode(
        schema,
        target,
        data,
        create=create,
        ignore_read_only=ignore_read_only,
        options=options or EncodeOptions(),
        kind=kind,
    )
    if problems:
        raise ValuesError(found.slug, problems)
    return out


def validate_values(
    schema: SchemaLike,
    target: str,
    data: Mapping[str, Any],
    *,
    create: bool = False,
    ignore_read_only: bool = False,
    options: EncodeOptions | None = None,
    kind: str | None = None,
) -> list[Problem]:
    """Every problem ``encode_values`` would raise for ``data`` (empty when it is fine)."""
    return _encode(
        schema,
        target,
        data,
        create=create,
        ignore_read_only=ignore_read_only,
        options=options or EncodeOptions(),
        kind=kind,
    )[1]
