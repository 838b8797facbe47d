"""Records of an object (``/v2/objects/{object}/records``), their entries, search and merge."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator
from typing import Any

from ..._core import async_sleep
from ..._exceptions import NotFoundError
from ..._types import NOT_GIVEN, NotGiven, strip_not_given
from ...models import MergeResult, Record, RecordEntry, SearchResult
from ..pagination import iter_offset
from ._base import QUERY_PAGE, AsyncHolderResource, _seg

# Documented page-size caps (API-NOTES §1, gotcha 4).
RECORD_ENTRIES_MAX = 1000
# A merge answered 202 is polled this often, this many times, by default (a minute in all).
MERGE_POLL_INTERVAL = 1.0
MERGE_MAX_POLLS = 60


class AsyncRecords(AsyncHolderResource[Record]):
    """Records of an object: ``/v2/objects/{object}/records``."""

    _model = Record
    _values_key = "values"

    @staticmethod
    def _base(object: str) -> str:
        return f"/v2/objects/{_seg(object)}/records"

    async def create(self, object: str, values: dict[str, Any]) -> Record:
        """Create a record; fails with a 400 ``uniqueness_conflict`` if a unique value is taken."""
        body = {"data": {"values": values}}
        return Record.model_validate(await self._data("POST", self._base(object), body))

    async def assert_record(
        self, object: str, matching_attribute: str, values: dict[str, Any]
    ) -> Record:
        """Create or update the record whose unique ``matching_attribute`` matches (upsert)."""
        body = {"data": {"values": values}}
        data = await self._data(
            "PUT", self._base(object), body, matching_attribute=matching_attribute
        )
        return Record.model_validate(data)

    async def get(self, object: str, record_id: str) -> Record:
        """Get a record."""
        return await self._fetch(object, record_id)

    async def update(self, object: str, record_id: str, values: dict[str, Any]) -> Record:
        """Update a record, adding to multiselect values (PATCH)."""
        return await self._patch(object, record_id, values)

    async def overwrite(self, object: str, record_id: str, values: dict[str, Any]) -> Record:
        """Update a record, replacing multiselect values (PUT)."""
        return await self._put(object, record_id, values)

    async def delete(self, object: str, record_id: str) -> None:
        """Delete a record."""
        await self._remove(object, record_id)

    async def query(
        self,
        object: str,
        *,
        filter: dict[str, Any] | NotGiven = NOT_GIVEN,
        sorts: builtins.list[dict[str, Any]] | NotGiven = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        offset: int | NotGiven = NOT_GIVEN,
    ) -> builtins.list[Record]:
        """One page of records matching ``filter``, in ``sorts`` order."""
        return await self._query(object, filter, sorts, limit, offset)

    def iter(
        self,
        object: str,
        *,
        filter: dict[str, Any] | NotGiven = NOT_GIVEN,
        sorts: builtins.list[dict[str, Any]] | NotGiven = NOT_GIVEN,
        page_size: int = QUERY_PAGE,
    ) -> AsyncIterator[Record]:
        """Every record matching ``filter``, fetched page by page."""
        return self._iter(object, filter, sorts, page_size)

    async def get_attribute_values(
        self,
        object: str,
        record_id: str,
        attribute: str,
        *,
        show_historic: bool | NotGiven = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        offset: int | NotGiven = NOT_GIVEN,
    ) -> builtins.list[dict[str, Any]]:
        """The values of one attribute of a record, with history when asked."""
        return await self._values(object, record_id, attribute, show_historic, limit, offset)

    async def list_entries(
        self,
        object: str,
        record_id: str,
        *,
        limit: int | NotGiven = NOT_GIVEN,
        offset: int | NotGiven = NOT_GIVEN,
    ) -> builtins.list[RecordEntry]:
        """The list entries whose parent is this record."""
        path = f"{self._base(object)}/{_seg(record_id)}/entries"
        data = await self._data("GET", path, limit=limit, offset=offset)
        return [RecordEntry.model_validate(e) for e in data]

    def iter_entries(self, object: str, record_id: str) -> AsyncIterator[RecordEntry]:
        """Every list entry of this record."""

        async def fetch(limit: int, offset: int) -> builtins.list[RecordEntry]:
            return await self.list_entries(object, record_id, limit=limit, offset=offset)

        return iter_offset(fetch, RECORD_ENTRIES_MAX)

    async def search(
        self,
        query: str,
        objects: builtins.list[str],
        *,
        request_as: dict[str, Any] | None = None,
        limit: int | NotGiven = NOT_GIVEN,
    ) -> builtins.list[SearchResult]:
        """Fuzzy search across objects (beta; eventually consistent)."""
        body = strip_not_given(
            {
                "query": query,
                "objects": objects,
                "request_as": request_as or {"type": "workspace"},
                "limit": limit,
            }
        )
        data = await self._data("POST", "/v2/objects/records/search", body)
        return [SearchResult.model_validate(r) for r in data]

    async def write_attribute_values(
        self, object: str, record_id: str, attribute: str, values: builtins.list[dict[str, Any]]
    ) -> builtins.list[dict[str, Any]]:
        """Replace the whole value history of one attribute of a record (beta; for migrating
        history). ``values`` are ``{"value", "active_from", "active_until"}`` (``active_until``
        None: still active). Every earlier value is destroyed; no webhook or workflow fires.
        Relationship, formula and enriched attributes are refused. The values written, oldest
        first."""
        return await self._write_values(object, record_id, attribute, values)

    async def merge(
        self,
        object: str,
        primary_record_id: str,
        secondary_record_id: str,
        *,
        wait: bool = False,
        poll_interval: float = MERGE_POLL_INTERVAL,
        max_polls: int = MERGE_MAX_POLLS,
    ) -> MergeResult:
        """Merge two records into a new one (beta): the primary's values win where both have
        one; both originals stop resolving, so a repeat is 404 (the call is not idempotent and
        never retried). Attio allows 5 merges a second.

        ``new_record_id`` names the new record. A large merge is answered 202 and finishes
        later (``in_progress``); with ``wait`` this call then polls the new record until it
        reads (``wait_for_merge``) and returns with ``in_progress`` False.
        """
        body = {
            "data": {
                "primary_record_id": primary_record_id,
                "secondary_record_id": secondary_record_id,
            }
        }
        status, data = await self._data_status("POST", f"{self._base(object)}/merge", body)
        result = MergeResult.model_validate({**data, "in_progress": status == 202})
        if result.in_progress and wait:
            await self.wait_for_merge(
                object, result.new_record_id, poll_interval=poll_interval, max_polls=max_polls
            )
            result = result.model_copy(update={"in_progress": False})
        return result

    async def wait_for_merge(
        self,
        object: str,
        new_record_id: str,
        *,
        poll_interval: float = MERGE_POLL_INTERVAL,
        max_polls: int = MERGE_MAX_POLLS,
    ) -> Record:
        """The merged record once its merge (answered 202) has finished.

        Reads it up to ``max_polls`` times, ``poll_interval`` seconds apart, while Attio answers
        404 ``merge_in_progress``; after that, that error is raised (the merge is still running:
        wait longer, or read the record later). Any other error is raised at once.
        """
        for poll in range(max(1, max_polls)):
            try:
                return await self.get(object, new_record_id)
            except NotFoundError as exc:
                if exc.code != "merge_in_progress" or poll + 1 >= max_polls:
                    raise
            await async_sleep(poll_interval)
        raise AssertionError("unreachable: the last poll returns or raises")
