"""Fuzzy record search across objects (``POST /v2/objects/records/search``, API-NOTES §3)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import ValidationTypeError, ValueNotFoundError
from ..paging import body_count

if TYPE_CHECKING:
    from ..workspace import Workspace

MAX_LIMIT = 25  # the spec's maximum, also its default


def search_records(ws: Workspace, body: dict[str, Any]) -> list[dict[str, Any]]:
    """Records of the named objects whose names, domains, emails or phones contain the query."""
    query = body.get("query")
    objects = body.get("objects")
    if not isinstance(query, str) or len(query) > 256:
        raise ValidationTypeError('"query" is required: a string of at most 256 characters.')
    if not isinstance(objects, list) or not objects:
        raise ValidationTypeError(
            '"objects" is required: a non-empty array of object slugs or IDs.'
        )
    if "request_as" not in body:
        raise ValidationTypeError('"request_as" is required, e.g. {"type": "workspace"}.')
    limit = body_count(body, "limit", MAX_LIMIT, 1, MAX_LIMIT)
    needle = query.strip().lower()
    out: list[dict[str, Any]] = []
    for ident in objects:
        obj = ws.schema.find_object(str(ident))
        if obj is None:
            raise ValueNotFoundError(f'Object with slug/ID "{ident}" not found.')
        fields = {
            slug: obj.find_attribute(slug)
            for slug in ("name", "domains", "email_addresses", "phone_numbers")
        }
        for rec in ws.store.records.get(obj.id, {}).values():
            texts: dict[str, list[str]] = {}
            for slug, attr in fields.items():
                if attr is None:
                    continue
                texts[slug] = [_text(v.data) for v in rec.current(attr.attribute_id)]
            hay = " ".join(t for ts in texts.values() for t in ts).lower()
            if needle and needle not in hay:
                continue
            item: dict[str, Any] = {
                "id": {"workspace_id": ws.workspace_id, "object_id": obj.id, "record_id": rec.id},
                "record_text": (texts.get("name") or [""])[0] or rec.id,
                "record_image": None,
                "object_slug": obj.api_slug,
            }
            if obj.api_slug == "people":
                item["email_addresses"] = texts.get("email_addresses", [])
                item["phone_numbers"] = texts.get("phone_numbers", [])
            if obj.api_slug == "companies":
                item["domains"] = texts.get("domains", [])
            out.append(item)
            if len(out) >= limit:
                return out
    return out


def _text(data: dict[str, Any]) -> str:
    for key in ("full_name", "value", "domain", "email_address", "phone_number"):
        if key in data:
            return str(data[key])
    return ""
