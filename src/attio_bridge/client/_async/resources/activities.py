"""Custom activities (``/v2/activities``, beta) and their records
(``/v2/activities/{activity}/records``), which hold values as records do."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator
from typing import Any

from ..._types import NOT_GIVEN, NotGiven, strip_not_given
from ...models import Activity, ActivityRecord
from ..pagination import iter_cursor
from ._base import QUERY_PAGE, AsyncHolderResource, AsyncResource, _seg

ACTIVITIES_PAGE = 100  # the list's default page (activities/list-activities)


class AsyncActivities(AsyncResource):
    """Activities: kinds of event (``extends`` one of activities, interactions, calls, emails)."""

    async def list_page(
        self, *, cursor: str | None = None, limit: int | NotGiven = NOT_GIVEN
    ) -> tuple[builtins.list[Activity], str | None]:
        """One page of activities and the next cursor."""
        result = await self._get("/v2/activities", cursor=cursor, limit=limit)
        items = [Activity.model_validate(a) for a in result.get("data", [])]
        return items, (result.get("pagination") or {}).get("next_cursor")

    def iter(self) -> AsyncIterator[Activity]:
        """Every activity, the system ones (phone calls) included."""

        async def fetch(cursor: str | None) -> tuple[builtins.list[Activity], str | None]:
            return await self.list_page(cursor=cursor, limit=ACTIVITIES_PAGE)

        return iter_cursor(fetch)

    async def create(
        self, *, api_slug: str, singular_noun: str, plural_noun: str, extends: str
    ) -> Activity:
        """Define an activity; ``extends`` (its schema) cannot change later."""
        data = {
            "api_slug": api_slug,
            "singular_noun": singular_noun,
            "plural_noun": plural_noun,
            "extends": extends,
        }
        return Activity.model_validate(await self._data("POST", "/v2/activities", {"data": data}))

    async def get(self, activity: str) -> Activity:
        """Get an activity by slug or id."""
        return Activity.model_validate(await self._data("GET", f"/v2/activities/{_seg(activity)}"))

    async def update(
        self,
        activity: str,
        *,
        api_slug: str | NotGiven = NOT_GIVEN,
        singular_noun: str | NotGiven = NOT_GIVEN,
        plural_noun: str | NotGiven = NOT_GIVEN,
    ) -> Activity:
        """Change an activity's slug or nouns."""
        data = strip_not_given(
            {"api_slug": api_slug, "singular_noun": singular_noun, "plural_noun": plural_noun}
        )
        result = await self._data("PATCH", f"/v2/activities/{_seg(activity)}", {"data": data})
        return Activity.model_validate(result)

    async def delete(self, activity: str) -> None:
        """Delete an activity and every record of it."""
        await self._data("DELETE", f"/v2/activities/{_seg(activity)}")


class AsyncActivityRecords(AsyncHolderResource[ActivityRecord]):
    """Records of an activity: ``/v2/activities/{activity}/records``."""

    _model = ActivityRecord
    _values_key = "values"

    @staticmethod
    def _base(activity: str) -> str:
        return f"/v2/activities/{_seg(activity)}/records"

    async def create(self, activity: str, values: dict[str, Any]) -> ActivityRecord:
        """Log one event."""
        body = {"data": {"values": values}}
        return ActivityRecord.model_validate(await self._data("POST", self._base(activity), body))

    async def assert_record(
        self, activity: str, matching_attribute: str, values: dict[str, Any]
    ) -> ActivityRecord:
        """Create or update the activity record whose unique ``matching_attribute`` matches."""
        body = {"data": {"values": values}}
        data = await self._data(
            "PUT", self._base(activity), body, matching_attribute=matching_attribute
        )
        return ActivityRecord.model_validate(data)

    async def get(self, activity: str, record_id: str) -> ActivityRecord:
        """Get an activity record."""
        return await self._fetch(activity, record_id)

    async def update(self, activity: str, record_id: str, values: dict[str, Any]) -> ActivityRecord:
        """Update an activity record, adding to multiselect values (PATCH)."""
        return await self._patch(activity, record_id, values)

    async def overwrite(
        self, activity: str, record_id: str, values: dict[str, Any]
    ) -> ActivityRecord:
        """Update an activity record, replacing multiselect values (PUT)."""
        return await self._put(activity, record_id, values)

    async def delete(self, activity: str, record_id: str) -> None:
        """Delete an activity record."""
        await self._remove(activity, record_id)

    async def query(
        self,
        activity: str,
        *,
        filter: dict[str, Any] | NotGiven = NOT_GIVEN,
        sorts: builtins.list[dict[str, Any]] | NotGiven = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        offset: int | NotGiven = NOT_GIVEN,
    ) -> builtins.list[ActivityRecord]:
        """One page of an activity's records matching ``filter``, in ``sorts`` order."""
        return await self._query(activity, filter, sorts, limit, offset)

    def iter(
        self,
        activity: str,
        *,
        filter: dict[str, Any] | NotGiven = NOT_GIVEN,
        sorts: builtins.list[dict[str, Any]] | NotGiven = NOT_GIVEN,
        page_size: int = QUERY_PAGE,
    ) -> AsyncIterator[ActivityRecord]:
        """Every record of an activity matching ``filter``, fetched page by page."""
        return self._iter(activity, filter, sorts, page_size)
