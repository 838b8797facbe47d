"""Entries of a list (``/v2/lists/{list}/entries``)."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator
from typing import Any

from ..._types import NOT_GIVEN, NotGiven
from ...models import Entry
from ._base import QUERY_PAGE, AsyncHolderResource, _seg


def _entry_body(
    parent_record_id: str, parent_object: str, entry_values: dict[str, Any] | None
) -> dict[str, Any]:
    """The body of a new (or asserted) entry of the record ``parent_record_id``."""
    values = entry_values or {}
    record = {"parent_record_id": parent_record_id, "parent_object": parent_object}
    return {"data": {**record, "entry_values": values}}


class AsyncEntries(AsyncHolderResource[Entry]):
    """List entries: ``/v2/lists/{list}/entries``."""

    _model = Entry
    _values_key = "entry_values"

    @staticmethod
    def _base(list: str) -> str:
        return f"/v2/lists/{_seg(list)}/entries"

    async def create(
        self,
        list: str,
        *,
        parent_record_id: str,
        parent_object: str,
        entry_values: dict[str, Any] | None = None,
    ) -> Entry:
        """Add a record to a list (the same record may be added more than once)."""
        body = _entry_body(parent_record_id, parent_object, entry_values)
        return Entry.model_validate(await self._data("POST", self._base(list), body))

    async def assert_entry(
        self,
        list: str,
        *,
        parent_record_id: str,
        parent_object: str,
        entry_values: dict[str, Any] | None = None,
    ) -> Entry:
        """Create the record's entry, or update its one entry (multiselect values replaced)."""
        body = _entry_body(parent_record_id, parent_object, entry_values)
        return Entry.model_validate(await self._data("PUT", self._base(list), body))

    async def get(self, list: str, entry_id: str) -> Entry:
        """Get an entry."""
        return await self._fetch(list, entry_id)

    async def update(self, list: str, entry_id: str, entry_values: dict[str, Any]) -> Entry:
        """Update an entry, adding to multiselect values (PATCH)."""
        return await self._patch(list, entry_id, entry_values)

    async def overwrite(self, list: str, entry_id: str, entry_values: dict[str, Any]) -> Entry:
        """Update an entry, replacing multiselect values (PUT)."""
        return await self._put(list, entry_id, entry_values)

    async def delete(self, list: str, entry_id: str) -> None:
        """Remove an entry from its list."""
        await self._remove(list, entry_id)

    async def query(
        self,
        list: str,
        *,
        filter: dict[str, Any] | NotGiven = NOT_GIVEN,
        sorts: builtins.list[dict[str, Any]] | NotGiven = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        offset: int | NotGiven = NOT_GIVEN,
    ) -> builtins.list[Entry]:
        """One page of entries matching ``filter``."""
        return await self._query(list, filter, sorts, limit, offset)

    def iter(
        self,
        list: str,
        *,
        filter: dict[str, Any] | NotGiven = NOT_GIVEN,
        sorts: builtins.list[dict[str, Any]] | NotGiven = NOT_GIVEN,
        page_size: int = QUERY_PAGE,
    ) -> AsyncIterator[Entry]:
        """Every entry matching ``filter``, page by page."""
        return self._iter(list, filter, sorts, page_size)

    async def list_attribute_values(
        self,
        list: str,
        entry_id: str,
        attribute: str,
        *,
        show_historic: bool | NotGiven = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        offset: int | NotGiven = NOT_GIVEN,
    ) -> builtins.list[dict[str, Any]]:
        """The values of one attribute of an entry, with history when asked."""
        return await self._values(list, entry_id, attribute, show_historic, limit, offset)

    async def write_attribute_values(
        self, list: str, entry_id: str, attribute: str, values: builtins.list[dict[str, Any]]
    ) -> builtins.list[dict[str, Any]]:
        """Replace the whole value history of one attribute of an entry (beta; for migrating
        history). ``values`` are ``{"value", "active_from", "active_until"}`` (``active_until``
        None: still active). Every earlier value is destroyed; no webhook or workflow fires.
        Relationship, formula and enriched attributes are refused. The values written, oldest
        first."""
        return await self._write_values(list, entry_id, attribute, values)
