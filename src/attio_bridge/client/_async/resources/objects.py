"""Objects (``/v2/objects``): list, create, get and update the workspace's objects."""

from __future__ import annotations

import builtins

from ..._types import NOT_GIVEN, NotGiven, strip_not_given
from ...models import AttioObject
from ._base import AsyncResource, _seg


class AsyncObjects(AsyncResource):
    """Objects: ``/v2/objects``."""

    async def list(self) -> builtins.list[AttioObject]:
        """List objects (system and custom)."""
        data = await self._data("GET", "/v2/objects")
        return [AttioObject.model_validate(o) for o in data]

    async def create(self, *, api_slug: str, singular_noun: str, plural_noun: str) -> AttioObject:
        """Create a custom object."""
        body = {
            "data": {
                "api_slug": api_slug,
                "singular_noun": singular_noun,
                "plural_noun": plural_noun,
            }
        }
        return AttioObject.model_validate(await self._data("POST", "/v2/objects", body))

    async def get(self, object: str) -> AttioObject:
        """Get an object by slug or id."""
        return AttioObject.model_validate(await self._data("GET", f"/v2/objects/{_seg(object)}"))

    async def update(
        self,
        object: str,
        *,
        api_slug: str | NotGiven = NOT_GIVEN,
        singular_noun: str | NotGiven = NOT_GIVEN,
        plural_noun: str | NotGiven = NOT_GIVEN,
    ) -> AttioObject:
        """Update an object's slug or nouns."""
        data = strip_not_given(
            {"api_slug": api_slug, "singular_noun": singular_noun, "plural_noun": plural_noun}
        )
        path = f"/v2/objects/{_seg(object)}"
        return AttioObject.model_validate(await self._data("PATCH", path, {"data": data}))
