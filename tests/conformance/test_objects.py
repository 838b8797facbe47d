"""Conformance of the object endpoints (``/v2/objects``) to Attio's spec, success and errors."""

from __future__ import annotations

import pytest

from .factories import unique
from .validation import ConformantClient

op = pytest.mark.operation


def _create(c: ConformantClient, slug: str, expect: int = 200) -> dict[str, object]:
    body = {"data": {"api_slug": slug, "singular_noun": "Widget", "plural_noun": "Widgets"}}
    response = c.post("/v2/objects", json=body, expect=expect)
    data: dict[str, object] = response.json()
    return data


@op("GET /v2/objects")
def test_list_objects_includes_the_standard_objects(conformant: ConformantClient) -> None:
    """Spec "List objects"; standard objects per API-NOTES §2."""
    slugs = {o["api_slug"] for o in conformant.data("GET", "/v2/objects")}
    assert {"people", "companies", "deals", "users", "workspaces"} <= slugs


@op("POST /v2/objects", "GET /v2/objects/{object}")
def test_create_object_then_get_it_by_slug_and_id(conformant: ConformantClient) -> None:
    """Spec "Create an object" / "Get an object"; path ids take a UUID or slug (API-NOTES §0)."""
    slug = unique("widgets_")
    created = _create(conformant, slug)["data"]
    assert isinstance(created, dict)
    by_slug = conformant.data("GET", f"/v2/objects/{slug}")
    by_id = conformant.data("GET", f"/v2/objects/{created['id']['object_id']}")
    assert by_slug == by_id == created


@op("POST /v2/objects")
def test_create_object_with_a_taken_slug_is_409(conformant: ConformantClient) -> None:
    """Spec: POST /v2/objects 409 ``slug_conflict`` (API-NOTES §8)."""
    slug = unique("widgets_")
    _create(conformant, slug)
    body = _create(conformant, slug, expect=409)
    assert body["code"] == "slug_conflict"


@op("GET /v2/objects/{object}")
def test_get_unknown_object_is_404(conformant: ConformantClient) -> None:
    """Spec: GET /v2/objects/{object} 404 ``not_found``."""
    conformant.get("/v2/objects/no_such_object", expect=404, code="not_found")


@op("PATCH /v2/objects/{object}")
def test_update_object_renames_slug_and_nouns(conformant: ConformantClient) -> None:
    """Spec "Update an object": slug and nouns (API-NOTES §1)."""
    slug = unique("widgets_")
    _create(conformant, slug)
    new_slug = unique("gadgets_")
    updated = conformant.data(
        "PATCH",
        f"/v2/objects/{slug}",
        json={"data": {"api_slug": new_slug, "singular_noun": "Gadget", "plural_noun": "Gadgets"}},
    )
    assert (updated["api_slug"], updated["singular_noun"]) == (new_slug, "Gadget")
    conformant.get(f"/v2/objects/{new_slug}", expect=200)
    conformant.get(f"/v2/objects/{slug}", expect=404)


@op("PATCH /v2/objects/{object}")
def test_update_object_errors(conformant: ConformantClient) -> None:
    """Spec: PATCH /v2/objects/{object} 400 ``validation_type``, 404, 409 ``slug_conflict``."""
    slug, other = unique("widgets_"), unique("widgets_")
    _create(conformant, slug)
    _create(conformant, other)
    path = f"/v2/objects/{slug}"
    conformant.patch(
        path, json={"data": {"api_slug": "Not A Slug!"}}, expect=400, code="validation_type"
    )
    conformant.patch(path, json={"data": {"api_slug": other}}, expect=409, code="slug_conflict")
    conformant.patch(
        "/v2/objects/no_such_object",
        json={"data": {"plural_noun": "Nothing"}},
        expect=404,
        code="not_found",
    )
