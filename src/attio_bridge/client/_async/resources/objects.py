"""Objects (``/v2/objects``): list, create, get, update and delete the workspace's objects,
and list their saved views."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator

from ..._types import NOT_GIVEN, NotGiven, strip_not_given
from ...models import AttioObject, View
from ..pagination import iter_cursor
from ._base import AsyncResource, _seg, views_page


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

    async def delete(self, object: str) -> None:
        """Delete a custom object with all its records (standard objects cannot be deleted:
        400 ``system_edit_unauthorized``). Use with care: nothing of it can be recovered."""
        await self._data("DELETE", f"/v2/objects/{_seg(object)}")

    async def list_views(
        self, object: str, *, cursor: str | None = None, limit: int | NotGiven = NOT_GIVEN
    ) -> tuple[builtins.list[View], str | None]:
        """One page of an object's saved views and the next cursor."""
        result = await self._get(f"/v2/objects/{_seg(object)}/views", cursor=cursor, limit=limit)
        return views_page(result)

    def iter_views(self, object: str) -> AsyncIterator[View]:
        """Every saved view of an object."""
        return iter_cursor(lambda cursor: self.list_views(object, cursor=cursor))
