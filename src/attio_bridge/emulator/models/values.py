"""Attribute values: every write form Attio accepts, normalised to the shape Attio reads back.

``normalize()`` turns one written value (a bare scalar, a shorthand string or a full object) into
the type-specific read fields Attio stores, applying Attio's normalisation: lowercased email
addresses with their domain parts, root domains, E.164 phone numbers, partial dates filled and
offsets converted to UTC (API-NOTES §2 "Per-type value shapes", gotcha 9). ``render()`` adds the
common envelope. Unknown options, statuses, members and referenced records raise Attio's
``value_not_found``; everything else malformed raises ``validation_type``, naming the attribute.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

import phonenumbers
import tldextract
from dateutil.parser import isoparse
from dateutil.relativedelta import relativedelta
from email_validator import EmailNotValidError, validate_email

from ..clock import format_ts
from ..errors import ValidationTypeError, ValueNotFoundError
from .schema import Attribute, ObjectDef

if TYPE_CHECKING:
    from collections.abc import Hashable

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
# Plain-string references name the target by this attribute (API-NOTES §2, record-reference).
STRING_REFERENCE_ATTRIBUTE = {
    "companies": "domains",
    "people": "email_addresses",
    "users": "user_id",
    "workspaces": "workspace_id",
}
# The public suffix list that ships with tldextract: no network at run time.
_TLD = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


class ValueContext(Protocol):
    """What normalisation needs from the workspace: referenced records and members."""

    workspace_id: str

    def find_object(self, ident: str) -> ObjectDef | None:
        """An object by slug or id."""

    def record_exists(self, object_id: str, record_id: str) -> bool:
        """Whether a record of ``object_id`` has this id."""

    def match_record(self, obj: ObjectDef, attr: Attribute, raw: Any) -> str | None:
        """The id of the record of ``obj`` whose unique ``attr`` equals ``raw``, or None."""

    def find_member(self, ident: str) -> str | None:
        """A workspace member id by id or email address, or None."""


@dataclass(slots=True)
class StoredValue:
    """One value of one attribute, current (``active_until`` None) or historic."""

    data: dict[str, Any]
    active_from: str
    active_until: str | None
    actor: dict[str, Any]

    def render(self) -> dict[str, Any]:
        """The value as Attio reads it back: envelope plus type-specific fields."""
        return {
            "active_from": self.active_from,
            "active_until": self.active_until,
            "created_by_actor": self.actor,
            **self.data,
        }


def value_key(data: dict[str, Any]) -> Hashable:
    """What makes two values of one attribute the same value (for uniqueness and dedupe)."""
    t = data["attribute_type"]
    key: Hashable
    if t == "email-address":
        key = data["email_address"]
    elif t == "domain":
        key = data["domain"]
    elif t == "phone-number":
        key = data["phone_number"]
    elif t == "select":
        key = data["option"]["id"]["option_id"]
    elif t == "status":
        key = data["status"]["id"]["status_id"]
    elif t == "record-reference":
        key = data["target_record_id"]
    elif t == "actor-reference":
        key = (data["referenced_actor_type"], data["referenced_actor_id"])
    elif t == "personal-name":
        key = data["full_name"]
    elif t == "location":
        key = tuple(data[k] for k in LOCATION_KEYS)
    elif t == "currency":
        key = data["currency_value"]
    elif t == "interaction":
        key = (data["interaction_type"], data["interacted_at"])
    else:
        key = data["value"]
    return key


def _fail(attr: Attribute, raw: Any, expected: str) -> ValidationTypeError:
    shown = repr(raw)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return ValidationTypeError(
        f'Invalid value for attribute "{attr.api_slug}" of type "{attr.type}": '
        f"expected {expected}, got {shown}."
    )


def _unwrap(raw: Any, key: str) -> Any:
    """The inner value of ``{key: x}``, or ``raw`` unchanged."""
    if isinstance(raw, dict) and key in raw:
        return raw[key]
    return raw


def _text(attr: Attribute, raw: Any, ctx: ValueContext) -> dict[str, Any]:
    v = _unwrap(raw, "value")
    if not isinstance(v, str):
        raise _fail(attr, raw, 'a string or {"value": string}')
    return {"value": v, "attribute_type": "text"}


def _number(attr: Attribute, raw: Any, ctx: ValueContext) -> dict[str, Any]:
    v = _unwrap(raw, "value")
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise _fail(attr, raw, 'a number or {"value": number}')
    return {"value": v, "attribute_type": "number"}


def _checkbox(attr: Attribute, raw: Any, ctx: ValueContext) -> dict[str, Any]:
    v = _unwrap(raw, "value")
    if v in ("true", "false"):
        v = v == "true"
    if not isinstance(v, bool):
        raise _fail(attr, raw, 'true, false, "true", "false" or {"value": boolean}')
    return {"value": v, "attribute_type": "checkbox"}


def _currency(attr: Attribute, raw: Any, ctx: ValueContext) -> dict[str, Any]:
    if isinstance(raw, dict) and "currency_code" in raw:
        raise ValidationTypeError(
            f'The currency code of attribute "{attr.api_slug}" cannot be written: it comes from '
            'the attribute\'s configuration. Send only "currency_value".'
        )
    v = _unwrap(raw, "currency_value")
    expected = 'a number, a numeric string or {"currency_value": number}'
    if isinstance(v, bool):
        raise _fail(attr, raw, expected)
    try:
        dec = Decimal(str(v)) if isinstance(v, int | float | str) else None
    except InvalidOperation:
        dec = None
    if dec is None or not dec.is_finite():
        raise _fail(attr, raw, expected)
    # Trailing zeros ("4.990000") are not extra precision, so count places once they are gone.
    if -dec.normalize().as_tuple().exponent > 4:  # type: ignore[operator]
        raise _fail(attr, raw, "a number with at most 4 decimal places")
    # Whole numbers read back as integers while a float holds them exactly; JSON numbers
    # beyond that are floats, and one that overflows a float is no number at all.
    exact = dec == dec.to_integral_value() and abs(dec) < 2**53
    number: int | float = int(dec) if exact else float(dec)
    if not math.isfinite(number):
        raise _fail(attr, raw, expected)
    return {
        "currency_value": number,
        "currency_code": attr.currency_code,
        "attribute_type": "currency",
    }


def _parse_moment(attr: Attribute, raw: Any, expected: str) -> datetime:
    v = _unwrap(raw, "value")
    if not isinstance(v, str):
        raise _fail(attr, raw, expected)
    try:
        parsed = isoparse(v.strip())
    except (ValueError, OverflowError):
        raise _fail(attr, raw, expected) from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _date(attr: Attribute, raw: Any, ctx: ValueContext) -> dict[str, Any]:
    moment = _parse_moment(attr, raw, 'an ISO 8601 date such as "2023-01-31"')
    return {"value": moment.date().isoformat(), "attribute_type": "date"}


# Fractional seconds beyond microseconds, which datetime (and so isoparse) cannot hold.
_FRACTION_RE = re.compile(r"T\d{2}:?\d{2}:?\d{2}[.,](\d{7,})")


def _timestamp(attr: Attribute, raw: Any, ctx: ValueContext) -> dict[str, Any]:
    moment = _parse_moment(attr, raw, 'an ISO 8601 timestamp such as "2023-01-31T09:30:00Z"')
    text = _unwrap(raw, "value")
    fine = _FRACTION_RE.search(text)
    # Attio keeps nanoseconds (API-NOTES §0): a written value reads back as precisely as it came.
    nanos = int(fine.group(1)[:9].ljust(9, "0")) if fine else None
    return {"value": format_ts(moment, nanos), "attribute_type": "timestamp"}


def _rating(attr: Attribute, raw: Any, ctx: ValueContext) -> dict[str, Any]:
    v = _unwrap(raw, "value")
    if isinstance(v, bool) or not isinstance(v, int | float) or v != int(v) or not 0 <= v <= 5:
        raise _fail(attr, raw, "a whole number from 0 to 5")
    return {"value": int(v), "attribute_type": "rating"}


def _status(attr: Attribute, raw: Any, ctx: ValueContext) -> dict[str, Any]:
    v = _unwrap(raw, "status")
    if not isinstance(v, str):
        raise _fail(attr, raw, 'a status title or {"status": title or id}')
    st = attr.find_status(v)
    if st is None or st.is_archived:
        titles = ", ".join(f'"{s.title}"' for s in attr.statuses.values() if not s.is_archived)
        # SPEC's message for this error, then the valid titles to help the caller.
        raise ValueNotFoundError(
            f'Cannot find status attribute with status option title "{v}". Valid statuses of '
            f'"{attr.api_slug}": {titles}.'
        )
    return {
        "status": {
            "id": {
                "workspace_id": ctx.workspace_id,
                "object_id": attr.parent_id,
                "attribute_id": attr.attribute_id,
                "status_id": st.status_id,
            },
            "title": st.title,
            "is_archived": st.is_archived,
            "celebration_enabled": st.celebration_enabled,
            "target_time_in_status": st.target_time_in_status,
        },
        "attribute_type": "status",
    }


def _select(attr: Attribute, raw: Any, ctx: ValueContext) -> dict[str, Any]:
    v = _unwrap(raw, "option")
    if not isinstance(v, str):
        raise _fail(attr, raw, 'an option title or {"option": title or id}')
    opt = attr.find_option(v)
    if opt is None or opt.is_archived:
        titles = ", ".join(f'"{o.title}"' for o in attr.options.values() if not o.is_archived)
        raise ValueNotFoundError(
            f'Cannot find select attribute with select option title "{v}". Valid options of '
            f'"{attr.api_slug}": {titles}.'
        )
    return {
        "option": {
            "id": {
                "workspace_id": ctx.workspace_id,
                "object_id": attr.parent_id,
                "attribute_id": attr.attribute_id,
                "option_id": opt.option_id,
            },
            "title": opt.title,
            "is_archived": opt.is_archived,
        },
        "attribute_type": "select",
    }


def _reference(attr: Attribute, raw: Any, ctx: ValueContext) -> dict[str, Any]:
    allowed = attr.allowed_object_ids or []
    objects = [o for o in (ctx.find_object(i) for i in allowed) if o is not None]
    expected = (
        '{"target_object": slug, "target_record_id": id}, {"target_object": slug, '
        "<unique attribute>: [...]} or, where one standard object is allowed, a plain string"
    )
    if isinstance(raw, str):
        if len(objects) != 1 or objects[0].api_slug not in STRING_REFERENCE_ATTRIBUTE:
            raise _fail(attr, raw, expected)
        target = objects[0]
        by = target.find_attribute(STRING_REFERENCE_ATTRIBUTE[target.api_slug])
        assert by is not None
        record_id = ctx.match_record(target, by, raw)
        if record_id is None:
            raise ValueNotFoundError(
                f'Cannot find a {target.singular_noun.lower()} with {by.api_slug} "{raw}" '
                f'for attribute "{attr.api_slug}". Create the record first.'
            )
        return _ref_data(target, record_id)
    if not isinstance(raw, dict) or "target_object" not in raw:
        raise _fail(attr, raw, expected)
    target_ident = raw["target_object"]
    target_obj = ctx.find_object(target_ident) if isinstance(target_ident, str) else None
    if target_obj is None:
        raise ValueNotFoundError(f'Object with slug/ID "{target_ident}" not found.')
    if allowed and target_obj.id not in allowed:
        slugs = ", ".join(f'"{o.api_slug}"' for o in objects)
        raise ValidationTypeError(
            f'Attribute "{attr.api_slug}" cannot reference "{target_obj.api_slug}" records. '
            f"Allowed objects: {slugs}."
        )
    if "target_record_id" in raw:
        rid = raw["target_record_id"]
        if not isinstance(rid, str) or not ctx.record_exists(target_obj.id, rid):
            raise ValueNotFoundError(
                f'Record with ID "{rid}" not found in "{target_obj.api_slug}" for attribute '
                f'"{attr.api_slug}".'
            )
        return _ref_data(target_obj, rid)
    keys = [k for k in raw if k != "target_object"]
    if len(keys) != 1:
        raise _fail(attr, raw, expected)
    by = target_obj.find_attribute(keys[0])
    if by is None or not by.is_unique:
        raise ValidationTypeError(
            f'"{keys[0]}" is not a unique attribute of "{target_obj.api_slug}", so it cannot '
            f'identify the record referenced by "{attr.api_slug}".'
        )
    wanted = raw[keys[0]]
    items = wanted if isinstance(wanted, list) else [wanted]
    for item in items:
        record_id = ctx.match_record(target_obj, by, item)
        if record_id is not None:
            return _ref_data(target_obj, record_id)
    raise ValueNotFoundError(
        f'Cannot find a record of "{target_obj.api_slug}" with {by.api_slug} {wanted!r} for '
        f'attribute "{attr.api_slug}". Create the record first.'
    )


def _ref_data(target: ObjectDef, record_id: str) -> dict[str, Any]:
    return {
        "target_object": target.api_slug,
        "target_record_id": record_id,
        "attribute_type": "record-reference",
    }


def _actor(attr: Attribute, raw: Any, ctx: ValueContext) -> dict[str, Any]:
    ident: Any = None
    if isinstance(raw, str):
        ident = raw
    elif isinstance(raw, dict):
        if "workspace_member_email_address" in raw:
            ident = raw["workspace_member_email_address"]
        elif "referenced_actor_id" in raw:
            if raw.get("referenced_actor_type", "workspace-member") != "workspace-member":
                raise ValidationTypeError(
                    f'Attribute "{attr.api_slug}" can only be written with workspace-member '
                    f'actors, not "{raw.get("referenced_actor_type")}".'
                )
            ident = raw["referenced_actor_id"]
    if not isinstance(ident, str):
        raise _fail(
            attr,
            raw,
            'a member email, {"workspace_member_email_address": email} or '
            '{"referenced_actor_type": "workspace-member", "referenced_actor_id": id}',
        )
    member_id = ctx.find_member(ident)
    if member_id is None:
        raise ValueNotFoundError(
            f'Cannot find workspace member "{ident}" for attribute "{attr.api_slug}".'
        )
    return {
        "referenced_actor_type": "workspace-member",
        "referenced_actor_id": member_id,
        "attribute_type": "actor-reference",
    }


_COUNTRY_NAMES = {
    "united kingdom": "GB",
    "uk": "GB",
    "united states": "US",
    "usa": "US",
    "germany": "DE",
    "france": "FR",
    "spain": "ES",
    "italy": "IT",
    "netherlands": "NL",
    "ireland": "IE",
    "canada": "CA",
    "australia": "AU",
    "japan": "JP",
    "india": "IN",
    "brazil": "BR",
}
_POSTCODE_RE = re.compile(r"\b(\d{4,5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})\b")


def _location(attr: Attribute, raw: Any, ctx: ValueContext) -> dict[str, Any]:
    if isinstance(raw, str):
        return _parse_location(raw)
    if not isinstance(raw, dict):
        raise _fail(attr, raw, "a location string or an object with all ten location keys")
    missing = [k for k in LOCATION_KEYS if k not in raw]
    if missing:
        raise ValidationTypeError(
            f'Location value for attribute "{attr.api_slug}" is missing the keys '
            f"{', '.join(missing)}. Send all ten keys ({', '.join(LOCATION_KEYS)}), "
            "with null where there is no value."
        )
    extra = [k for k in raw if k not in LOCATION_KEYS]
    if extra:
        raise ValidationTypeError(
            f'Location value for attribute "{attr.api_slug}" has unknown keys {", ".join(extra)}.'
        )
    out: dict[str, Any] = {}
    for k in LOCATION_KEYS:
        v = raw[k]
        if v is not None and not isinstance(v, str):
            if k in ("latitude", "longitude") and isinstance(v, int | float):
                raise ValidationTypeError(
                    f'Location "{k}" for attribute "{attr.api_slug}" must be a string such as '
                    f'"{v}", not a number.'
                )
            raise _fail(attr, raw, f'"{k}" as a string or null')
        out[k] = v
    cc = out["country_code"]
    if cc is not None and not re.fullmatch(r"[A-Z]{2}", cc):
        raise ValidationTypeError(
            f'Location "country_code" for attribute "{attr.api_slug}" must be an ISO 3166-1 '
            f'alpha-2 code such as "GB", got "{cc}".'
        )
    out["attribute_type"] = "location"
    return out


def _parse_location(text: str) -> dict[str, Any]:
    """A best-effort reading of a free-text address, as Attio parses location strings."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    out: dict[str, Any] = dict.fromkeys(LOCATION_KEYS)
    if parts and (re.fullmatch(r"[A-Za-z]{2}", parts[-1]) or parts[-1].lower() in _COUNTRY_NAMES):
        last = parts.pop()
        out["country_code"] = _COUNTRY_NAMES.get(last.lower(), last.upper())
    if parts:
        m = _POSTCODE_RE.search(parts[-1])
        if m:
            out["postcode"] = m.group(1)
            rest = (parts[-1][: m.start()] + parts[-1][m.end() :]).strip()
            if rest:
                parts[-1] = rest
            else:
                parts.pop()
    if len(parts) >= 3:
        out["region"] = parts.pop()
    if len(parts) >= 2:
        out["locality"] = parts.pop()
    for i, p in enumerate(parts[:4]):
        out[f"line_{i + 1}"] = p
    out["attribute_type"] = "location"
    return out


_HOST_RE = re.compile(r"(?:[\w-]+\.)+[\w-]+")


def _domain(attr: Attribute, raw: Any, ctx: ValueContext) -> dict[str, Any]:
    v = _unwrap(raw, "domain")
    if not isinstance(v, str) or not v.strip():
        raise _fail(attr, raw, 'a domain such as "acme.com" or {"domain": ...}')
    domain = normalize_domain(v)
    ext = _TLD(domain)
    # An address ("a@b.co") or an empty label ("a..b.com") is not a domain.
    if "@" in v or not ext.suffix or not ext.domain or not _HOST_RE.fullmatch(domain):
        raise _fail(attr, raw, 'a domain such as "acme.com" or {"domain": ...}')
    return {
        "domain": domain,
        "root_domain": f"{ext.domain}.{ext.suffix}",
        "attribute_type": "domain",
    }


def normalize_domain(text: str) -> str:
    """``https://www.Acme.com/about?x=1`` -> ``www.acme.com``: scheme, path and query dropped."""
    text = text.strip()
    if "://" not in text:
        text = "//" + text
    host = urlsplit(text).hostname or ""
    return host.lower().rstrip(".")


def _email(attr: Attribute, raw: Any, ctx: ValueContext) -> dict[str, Any]:
    v = _unwrap(raw, "email_address")
    if not isinstance(v, str):
        raise _fail(attr, raw, 'an email address or {"email_address": ...}')
    try:
        checked = validate_email(v.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationTypeError(
            f'Invalid email address "{v}" for attribute "{attr.api_slug}": {exc}'
        ) from None
    local = checked.local_part.lower()
    domain = checked.domain.lower()
    ext = _TLD(domain)
    root = f"{ext.domain}.{ext.suffix}" if ext.suffix else domain
    return {
        "original_email_address": v,
        "email_address": f"{local}@{domain}",
        "email_domain": domain,
        "email_root_domain": root,
        "email_local_specifier": local,
        "attribute_type": "email-address",
    }


def _phone(attr: Attribute, raw: Any, ctx: ValueContext) -> dict[str, Any]:
    region: str | None = None
    if isinstance(raw, dict):
        number = raw.get("original_phone_number")
        region = raw.get("country_code")
    else:
        number = raw
    if not isinstance(number, str) or (region is not None and not isinstance(region, str)):
        raise _fail(
            attr,
            raw,
            'a phone number with its country prefix such as "+442079460958", or '
            '{"original_phone_number": ..., "country_code": "GB"}',
        )
    if not number.strip().startswith("+") and region is None:
        raise ValidationTypeError(
            f'Phone number "{number}" for attribute "{attr.api_slug}" has no country: start '
            'it with "+" and the country code, or send {"original_phone_number", "country_code"}.'
        )
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise ValidationTypeError(
            f'"{number}" is not a valid phone number for attribute "{attr.api_slug}".'
        )
    return {
        "original_phone_number": number,
        "country_code": phonenumbers.region_code_for_number(parsed),
        "phone_number": phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),
        "attribute_type": "phone-number",
    }


def _name(attr: Attribute, raw: Any, ctx: ValueContext) -> dict[str, Any]:
    if isinstance(raw, str):
        # "Last, First": later commas belong to the first name (API-NOTES §2).
        last, sep, first = raw.partition(",")
        if not sep:
            first, last = raw.strip(), ""
        first, last = first.strip(), last.strip()
        full = " ".join(p for p in (first, last) if p)
        return {
            "first_name": first,
            "last_name": last,
            "full_name": full,
            "attribute_type": "personal-name",
        }
    if isinstance(raw, dict):
        keys = ("first_name", "last_name", "full_name")
        missing = [k for k in keys if k not in raw]
        if missing:
            raise ValidationTypeError(
                f'Name value for attribute "{attr.api_slug}" is missing {", ".join(missing)}: '
                'send first_name, last_name and full_name, or the string "Last, First".'
            )
        if not all(isinstance(raw[k], str) for k in keys):
            raise _fail(attr, raw, "first_name, last_name and full_name as strings")
        return {k: raw[k] for k in keys} | {"attribute_type": "personal-name"}
    raise _fail(attr, raw, 'a "Last, First" string or {first_name, last_name, full_name}')


def _interaction(attr: Attribute, raw: Any, ctx: ValueContext) -> dict[str, Any]:
    raise ValidationTypeError(f'Interaction attribute "{attr.api_slug}" cannot be written.')


_NORMALIZERS = {
    "text": _text,
    "number": _number,
    "checkbox": _checkbox,
    "currency": _currency,
    "date": _date,
    "timestamp": _timestamp,
    "rating": _rating,
    "status": _status,
    "select": _select,
    "record-reference": _reference,
    "actor-reference": _actor,
    "location": _location,
    "domain": _domain,
    "email-address": _email,
    "phone-number": _phone,
    "personal-name": _name,
    "interaction": _interaction,
}


def normalize_one(attr: Attribute, raw: Any, ctx: ValueContext) -> dict[str, Any]:
    """One written value of ``attr`` (never a list), normalised."""
    return _NORMALIZERS[attr.type](attr, raw, ctx)


def normalize(attr: Attribute, raw: Any, ctx: ValueContext) -> list[dict[str, Any]]:
    """The values written for ``attr``, normalised; ``[]`` clears the attribute."""
    if raw is None:
        return []
    if isinstance(raw, list):
        if not attr.is_multiselect and len(raw) > 1:
            raise ValidationTypeError(
                f'Attribute "{attr.api_slug}" holds a single value, but {len(raw)} were given. '
                "Send one value (a bare value or a one-element array)."
            )
        items = raw
    else:
        if attr.is_multiselect:
            raise ValidationTypeError(
                f'Attribute "{attr.api_slug}" is multiselect: send its values as an array, '
                f"for example [{raw!r}]."
            )
        items = [raw]
    fn = _NORMALIZERS[attr.type]
    out: list[dict[str, Any]] = []
    seen: set[Hashable] = set()
    for item in items:
        data = fn(attr, item, ctx)
        key = value_key(data)
        if key not in seen:
            seen.add(key)
            out.append(data)
    return out


_DURATION_RE = re.compile(
    r"P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?"
)


def parse_duration(text: str) -> relativedelta | None:
    """An ISO 8601 duration such as ``P1M`` or ``P1DT12H`` (a dynamic default), or None."""
    m = _DURATION_RE.fullmatch(text)
    if m is None:
        return None
    n = {k: int(v) for k, v in m.groupdict().items() if v}
    return relativedelta(
        years=n.get("years", 0),
        months=n.get("months", 0),
        weeks=n.get("weeks", 0),
        days=n.get("days", 0),
        hours=n.get("hours", 0),
        minutes=n.get("minutes", 0),
        seconds=n.get("seconds", 0),
    )


def check_default(attr: Attribute, default: dict[str, Any] | None, ctx: ValueContext) -> Any:
    """``attr``'s ``default_value`` as Attio keeps it: a static template normalised to read
    shapes (SPEC ``output-value``), or a dynamic template that suits the type (SPEC:
    ``current-user`` for actor references, an ISO 8601 duration for dates and timestamps)."""
    if default is None:
        return None
    template = default["template"]
    if default["type"] == "static":
        return {"type": "static", "template": normalize(attr, template, ctx)}
    if (attr.type == "actor-reference" and template == "current-user") or (
        attr.type in ("date", "timestamp") and parse_duration(template) is not None
    ):
        return {"type": "dynamic", "template": template}
    raise ValidationTypeError(
        f'The dynamic default "{template}" does not suit attribute "{attr.api_slug}" of type '
        f'"{attr.type}": use "current-user" for actor references, or an ISO 8601 duration such '
        'as "P1M" for dates and timestamps.'
    )


def coerce_filter_date(value: Any) -> str | None:
    """A date filter operand as ``YYYY-MM-DD`` (or None if it is not a date)."""
    if isinstance(value, date | datetime):
        return value.isoformat()[:10]
    if not isinstance(value, str):
        return None
    try:
        parsed = isoparse(value)
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC)
    return parsed.date().isoformat()


def coerce_filter_timestamp(value: Any) -> str | None:
    """A timestamp filter operand in Attio's stored form (or None)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = isoparse(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if isinstance(parsed, datetime):
        # Keep nanoseconds as writes do, so an operand copied from a read equals the stored value.
        fine = _FRACTION_RE.search(value)
        return format_ts(parsed, int(fine.group(1)[:9].ljust(9, "0")) if fine else None)
    return format_ts(datetime.combine(parsed, time(), UTC))  # pragma: no cover
