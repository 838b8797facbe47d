"""Attributes of objects, lists and activities, with their select options and statuses."""

from __future__ import annotations

import builtins
from typing import Any

from ....errors import InvalidInputError
from ..._types import NOT_GIVEN, NotGiven, strip_not_given
from ...models import Attribute, SelectOption, Status
from ._base import AsyncResource, _seg


class AsyncAttributes(AsyncResource):
    """Attributes, select options and statuses of objects (``target="objects"``), lists and
    activities (``"activities"``: docs.attio.com/rest-api/guides/activities)."""

    @staticmethod
    def _base(target: str, identifier: str) -> str:
        if target not in ("objects", "lists", "activities"):
            raise InvalidInputError(
                f'target must be "objects", "lists" or "activities", not {target!r}'
            )
        return f"/v2/{target}/{_seg(identifier)}/attributes"

    async def list(
        self,
        target: str,
        identifier: str,
        *,
        show_archived: bool | NotGiven = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        offset: int | NotGiven = NOT_GIVEN,
    ) -> builtins.list[Attribute]:
        """List the attributes of an object or list."""
        data = await self._data(
            "GET",
            self._base(target, identifier),
            show_archived=show_archived,
            limit=limit,
            offset=offset,
        )
        return [Attribute.model_validate(a) for a in data]

    async def create(self, target: str, identifier: str, data: dict[str, Any]) -> Attribute:
        """Create an attribute (``data`` as Attio's create body's ``data``)."""
        path = self._base(target, identifier)
        return Attribute.model_validate(await self._data("POST", path, {"data": data}))

    async def get(self, target: str, identifier: str, attribute: str) -> Attribute:
        """Get an attribute by slug or id."""
        path = f"{self._base(target, identifier)}/{_seg(attribute)}"
        return Attribute.model_validate(await self._data("GET", path))

    async def update(
        self, target: str, identifier: str, attribute: str, data: dict[str, Any]
    ) -> Attribute:
        """Update an attribute."""
        path = f"{self._base(target, identifier)}/{_seg(attribute)}"
        return Attribute.model_validate(await self._data("PATCH", path, {"data": data}))

    async def list_options(
        self,
        target: str,
        identifier: str,
        attribute: str,
        *,
        show_archived: bool | NotGiven = NOT_GIVEN,
    ) -> builtins.list[SelectOption]:
        """List a select attribute's options."""
        path = f"{self._base(target, identifier)}/{_seg(attribute)}/options"
        data = await self._data("GET", path, show_archived=show_archived)
        return [SelectOption.model_validate(o) for o in data]

    async def create_option(
        self, target: str, identifier: str, attribute: str, *, title: str
    ) -> SelectOption:
        """Create a select option."""
        path = f"{self._base(target, identifier)}/{_seg(attribute)}/options"
        return SelectOption.model_validate(
            await self._data("POST", path, {"data": {"title": title}})
        )

    async def update_option(
        self,
        target: str,
        identifier: str,
        attribute: str,
        option: str,
        *,
        title: str | NotGiven = NOT_GIVEN,
        is_archived: bool | NotGiven = NOT_GIVEN,
    ) -> SelectOption:
        """Rename or archive a select option (``option`` is its id or title)."""
        path = f"{self._base(target, identifier)}/{_seg(attribute)}/options/{_seg(option)}"
        data = strip_not_given({"title": title, "is_archived": is_archived})
        return SelectOption.model_validate(await self._data("PATCH", path, {"data": data}))

    async def list_statuses(
        self,
        target: str,
        identifier: str,
        attribute: str,
        *,
        show_archived: bool | NotGiven = NOT_GIVEN,
    ) -> builtins.list[Status]:
        """List a status attribute's statuses."""
        path = f"{self._base(target, identifier)}/{_seg(attribute)}/statuses"
        data = await self._data("GET", path, show_archived=show_archived)
        return [Status.model_validate(s) for s in data]

    async def create_status(
        self,
        target: str,
        identifier: str,
        attribute: str,
        *,
        title: str,
        celebration_enabled: bool | NotGiven = NOT_GIVEN,
        target_time_in_status: str | NotGiven | None = NOT_GIVEN,
    ) -> Status:
        """Create a status."""
        path = f"{self._base(target, identifier)}/{_seg(attribute)}/statuses"
        data = strip_not_given(
            {
                "title": title,
                "celebration_enabled": celebration_enabled,
                "target_time_in_status": target_time_in_status,
            }
        )
        return Status.model_validate(await self._data("POST", path, {"data": data}))

    async def update_status(
        self, target: str, identifier: str, attribute: str, status: str, data: dict[str, Any]
    ) -> Status:
        """Update or archive a status (``status`` is its id or title)."""
        path = f"{self._base(target, identifier)}/{_seg(attribute)}/statuses/{_seg(status)}"
        return Status.model_validate(await self._data("PATCH", path, {"data": data}))
