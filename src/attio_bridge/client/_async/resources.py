"""Resources of the async client, named after Attio's spec: one class per group of operations.

Every method maps to one operation (``docs/CLIENT-OPERATIONS.md`` lists them); arguments left
out are not sent (``NOT_GIVEN``), and responses come back as pydantic models.
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .._types import NOT_GIVEN, NotGiven, strip_not_given
from ..models import (
    AttioList,
    AttioObject,
    Attribute,
    CallRecording,
    Comment,
    Entry,
    Meeting,
    MergeResult,
    Note,
    Record,
    RecordEntry,
    SearchResult,
    SelectOption,
    Status,
    Task,
    Thread,
    TranscriptPage,
    Webhook,
    WorkspaceMember,
)
from .pagination import iter_cursor, iter_offset

if TYPE_CHECKING:
    from .client import AsyncAttioClient

# Documented page-size caps (API-NOTES §1, gotcha 4). Query endpoints' maximum is not
# documented; 500 is their default and what we ask for.
QUERY_PAGE = 500
RECORD_ENTRIES_MAX = 1000
NOTES_MAX = 50
THREADS_MAX = 50
WEBHOOKS_MAX = 100
TASKS_PAGE = 500
CURSOR_MAX = 200


def _seg(value: str) -> str:
    """A path segment, escaped (slugs and ids are safe; titles may not be)."""
    return quote(str(value), safe="")


def _params(**params: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in strip_not_given(params).items():
        if isinstance(v, bool):
            out[k] = "true" if v else "false"
        elif isinstance(v, builtins.list | tuple):
            # Attio takes many values as one comma-separated parameter (meetings'
            # ``participants``); repeated parameters would be read as the last one only.
            out[k] = ",".join(str(item) for item in v)
        elif v is not None:
            out[k] = v
    return out


class AsyncResource:
    """A group of operations sharing the client."""

    def __init__(self, client: AsyncAttioClient) -> None:
        self._client = client

    async def _get(self, path: str, **params: Any) -> Any:
        return await self._client.request("GET", path, params=_params(**params))

    async def _data(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        result = await self._client.request(method, path, params=_params(**params), json=body)
        return result.get("data") if isinstance(result, dict) else result


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


class AsyncAttributes(AsyncResource):
    """Attributes, select options and statuses of objects (``target="objects"``) and lists."""

    @staticmethod
    def _base(target: str, identifier: str) -> str:
        if target not in ("objects", "lists"):
            raise ValueError(f'target must be "objects" or "lists", not {target!r}')
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


class AsyncRecords(AsyncResource):
    """Records of an object: ``/v2/objects/{object}/records``."""

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
        path = f"{self._base(object)}/{_seg(record_id)}"
        return Record.model_validate(await self._data("GET", path))

    async def update(self, object: str, record_id: str, values: dict[str, Any]) -> Record:
        """Update a record, adding to multiselect values (PATCH)."""
        path = f"{self._base(object)}/{_seg(record_id)}"
        return Record.model_validate(await self._data("PATCH", path, {"data": {"values": values}}))

    async def overwrite(self, object: str, record_id: str, values: dict[str, Any]) -> Record:
        """Update a record, replacing multiselect values (PUT)."""
        path = f"{self._base(object)}/{_seg(record_id)}"
        return Record.model_validate(await self._data("PUT", path, {"data": {"values": values}}))

    async def delete(self, object: str, record_id: str) -> None:
        """Delete a record."""
        await self._data("DELETE", f"{self._base(object)}/{_seg(record_id)}")

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
        body = strip_not_given({"filter": filter, "sorts": sorts, "limit": limit, "offset": offset})
        data = await self._data("POST", f"{self._base(object)}/query", body)
        return [Record.model_validate(r) for r in data]

    def iter(
        self,
        object: str,
        *,
        filter: dict[str, Any] | NotGiven = NOT_GIVEN,
        sorts: builtins.list[dict[str, Any]] | NotGiven = NOT_GIVEN,
        page_size: int = QUERY_PAGE,
    ) -> AsyncIterator[Record]:
        """Every record matching ``filter``, fetched page by page."""

        async def fetch(limit: int, offset: int) -> builtins.list[Record]:
            return await self.query(object, filter=filter, sorts=sorts, limit=limit, offset=offset)

        return iter_offset(fetch, min(page_size, QUERY_PAGE))

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
        path = f"{self._base(object)}/{_seg(record_id)}/attributes/{_seg(attribute)}/values"
        data = await self._data(
            "GET", path, show_historic=show_historic, limit=limit, offset=offset
        )
        return [dict(v) for v in data]

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

    async def merge(
        self, object: str, primary_record_id: str, secondary_record_id: str
    ) -> MergeResult:
        """Merge two records into a new one (beta; API-NOTES §1b)."""
        body = {
            "data": {
                "primary_record_id": primary_record_id,
                "secondary_record_id": secondary_record_id,
            }
        }
        return MergeResult.model_validate(
            await self._data("POST", f"{self._base(object)}/merge", body)
        )


class AsyncLists(AsyncResource):
    """Lists: ``/v2/lists``."""

    async def list(self) -> builtins.list[AttioList]:
        """All lists, in sidebar order."""
        return [AttioList.model_validate(x) for x in await self._data("GET", "/v2/lists")]

    async def create(
        self,
        *,
        name: str,
        api_slug: str,
        parent_object: str,
        workspace_access: str | None = "full-access",
        workspace_member_access: builtins.list[dict[str, Any]] | None = None,
    ) -> AttioList:
        """Create a list of ``parent_object`` records."""
        body: dict[str, Any] = {
            "data": {
                "name": name,
                "api_slug": api_slug,
                "parent_object": parent_object,
                "workspace_access": workspace_access,
                "workspace_member_access": workspace_member_access or [],
            }
        }
        return AttioList.model_validate(await self._data("POST", "/v2/lists", body))

    async def get(self, list: str) -> AttioList:
        """Get a list by slug or id."""
        return AttioList.model_validate(await self._data("GET", f"/v2/lists/{_seg(list)}"))

    async def update(self, list: str, data: dict[str, Any]) -> AttioList:
        """Update a list's name, slug or access."""
        path = f"/v2/lists/{_seg(list)}"
        return AttioList.model_validate(await self._data("PATCH", path, {"data": data}))


class AsyncEntries(AsyncResource):
    """List entries: ``/v2/lists/{list}/entries``."""

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
        body = {
            "data": {
                "parent_record_id": parent_record_id,
                "parent_object": parent_object,
                "entry_values": entry_values or {},
            }
        }
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
        body = {
            "data": {
                "parent_record_id": parent_record_id,
                "parent_object": parent_object,
                "entry_values": entry_values or {},
            }
        }
        return Entry.model_validate(await self._data("PUT", self._base(list), body))

    async def get(self, list: str, entry_id: str) -> Entry:
        """Get an entry."""
        path = f"{self._base(list)}/{_seg(entry_id)}"
        return Entry.model_validate(await self._data("GET", path))

    async def update(self, list: str, entry_id: str, entry_values: dict[str, Any]) -> Entry:
        """Update an entry, adding to multiselect values (PATCH)."""
        path = f"{self._base(list)}/{_seg(entry_id)}"
        body = {"data": {"entry_values": entry_values}}
        return Entry.model_validate(await self._data("PATCH", path, body))

    async def overwrite(self, list: str, entry_id: str, entry_values: dict[str, Any]) -> Entry:
        """Update an entry, replacing multiselect values (PUT)."""
        path = f"{self._base(list)}/{_seg(entry_id)}"
        body = {"data": {"entry_values": entry_values}}
        return Entry.model_validate(await self._data("PUT", path, body))

    async def delete(self, list: str, entry_id: str) -> None:
        """Remove an entry from its list."""
        await self._data("DELETE", f"{self._base(list)}/{_seg(entry_id)}")

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
        body = strip_not_given({"filter": filter, "sorts": sorts, "limit": limit, "offset": offset})
        data = await self._data("POST", f"{self._base(list)}/query", body)
        return [Entry.model_validate(e) for e in data]

    def iter(
        self,
        list: str,
        *,
        filter: dict[str, Any] | NotGiven = NOT_GIVEN,
        sorts: builtins.list[dict[str, Any]] | NotGiven = NOT_GIVEN,
        page_size: int = QUERY_PAGE,
    ) -> AsyncIterator[Entry]:
        """Every entry matching ``filter``, page by page."""

        async def fetch(limit: int, offset: int) -> builtins.list[Entry]:
            return await self.query(list, filter=filter, sorts=sorts, limit=limit, offset=offset)

        return iter_offset(fetch, min(page_size, QUERY_PAGE))

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
        path = f"{self._base(list)}/{_seg(entry_id)}/attributes/{_seg(attribute)}/values"
        data = await self._data(
            "GET", path, show_historic=show_historic, limit=limit, offset=offset
        )
        return [dict(v) for v in data]


class AsyncWorkspaceMembers(AsyncResource):
    """Workspace members."""

    async def list(self) -> builtins.list[WorkspaceMember]:
        """Every member of the workspace."""
        data = await self._data("GET", "/v2/workspace_members")
        return [WorkspaceMember.model_validate(m) for m in data]

    async def get(self, workspace_member_id: str) -> WorkspaceMember:
        """One member."""
        path = f"/v2/workspace_members/{_seg(workspace_member_id)}"
        return WorkspaceMember.model_validate(await self._data("GET", path))


class AsyncNotes(AsyncResource):
    """Notes on records."""

    async def list(
        self,
        *,
        parent_object: str | NotGiven = NOT_GIVEN,
        parent_record_id: str | NotGiven = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        offset: int | NotGiven = NOT_GIVEN,
    ) -> builtins.list[Note]:
        """One page of notes, optionally of one record."""
        data = await self._data(
            "GET",
            "/v2/notes",
            parent_object=parent_object,
            parent_record_id=parent_record_id,
            limit=limit,
            offset=offset,
        )
        return [Note.model_validate(n) for n in data]

    def iter(
        self,
        *,
        parent_object: str | NotGiven = NOT_GIVEN,
        parent_record_id: str | NotGiven = NOT_GIVEN,
    ) -> AsyncIterator[Note]:
        """Every note, optionally of one record (pages of 50, Attio's maximum)."""

        async def fetch(limit: int, offset: int) -> builtins.list[Note]:
            return await self.list(
                parent_object=parent_object,
                parent_record_id=parent_record_id,
                limit=limit,
                offset=offset,
            )

        return iter_offset(fetch, NOTES_MAX)

    async def create(
        self,
        *,
        parent_object: str,
        parent_record_id: str,
        title: str,
        content: str,
        format: str = "plaintext",
        created_at: str | NotGiven = NOT_GIVEN,
        meeting_id: str | NotGiven | None = NOT_GIVEN,
    ) -> Note:
        """Create a note (``format`` "plaintext" or "markdown"; ``created_at`` to backdate)."""
        data = strip_not_given(
            {
                "parent_object": parent_object,
                "parent_record_id": parent_record_id,
                "title": title,
                "format": format,
                "content": content,
                "created_at": created_at,
                "meeting_id": meeting_id,
            }
        )
        return Note.model_validate(await self._data("POST", "/v2/notes", {"data": data}))

    async def get(self, note_id: str) -> Note:
        """Get a note."""
        return Note.model_validate(await self._data("GET", f"/v2/notes/{_seg(note_id)}"))

    async def delete(self, note_id: str) -> None:
        """Delete a note."""
        await self._data("DELETE", f"/v2/notes/{_seg(note_id)}")


class AsyncTasks(AsyncResource):
    """Tasks."""

    async def list(
        self,
        *,
        linked_object: str | NotGiven = NOT_GIVEN,
        linked_record_id: str | NotGiven = NOT_GIVEN,
        assignee: str | NotGiven | None = NOT_GIVEN,
        is_completed: bool | NotGiven = NOT_GIVEN,
        sort: str | NotGiven = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        offset: int | NotGiven = NOT_GIVEN,
    ) -> builtins.list[Task]:
        """One page of tasks (``assignee=None`` lists unassigned tasks)."""
        params: dict[str, Any] = {
            "linked_object": linked_object,
            "linked_record_id": linked_record_id,
            "is_completed": is_completed,
            "sort": sort,
            "limit": limit,
            "offset": offset,
        }
        if assignee is None:
            params["assignee"] = "null"
        elif not isinstance(assignee, NotGiven):
            params["assignee"] = assignee
        data = await self._data("GET", "/v2/tasks", **params)
        return [Task.model_validate(t) for t in data]

    def iter(self, **filters: Any) -> AsyncIterator[Task]:
        """Every task matching the ``list`` filters."""

        async def fetch(limit: int, offset: int) -> builtins.list[Task]:
            return await self.list(limit=limit, offset=offset, **filters)

        return iter_offset(fetch, TASKS_PAGE)

    async def create(
        self,
        *,
        content: str,
        deadline_at: str | None = None,
        is_completed: bool = False,
        linked_records: builtins.list[dict[str, Any]] | None = None,
        assignees: builtins.list[dict[str, Any]] | None = None,
    ) -> Task:
        """Create a task (Attio requires all six fields; empty lists are fine)."""
        data = {
            "content": content,
            "format": "plaintext",
            "deadline_at": deadline_at,
            "is_completed": is_completed,
            "linked_records": linked_records or [],
            "assignees": assignees or [],
        }
        return Task.model_validate(await self._data("POST", "/v2/tasks", {"data": data}))

    async def get(self, task_id: str) -> Task:
        """Get a task."""
        return Task.model_validate(await self._data("GET", f"/v2/tasks/{_seg(task_id)}"))

    async def update(
        self,
        task_id: str,
        *,
        deadline_at: str | NotGiven | None = NOT_GIVEN,
        is_completed: bool | NotGiven = NOT_GIVEN,
        linked_records: builtins.list[dict[str, Any]] | NotGiven = NOT_GIVEN,
        assignees: builtins.list[dict[str, Any]] | NotGiven = NOT_GIVEN,
    ) -> Task:
        """Update a task's deadline, completion, links or assignees (the only writable fields)."""
        data = strip_not_given(
            {
                "deadline_at": deadline_at,
                "is_completed": is_completed,
                "linked_records": linked_records,
                "assignees": assignees,
            }
        )
        path = f"/v2/tasks/{_seg(task_id)}"
        return Task.model_validate(await self._data("PATCH", path, {"data": data}))

    async def delete(self, task_id: str) -> None:
        """Delete a task."""
        await self._data("DELETE", f"/v2/tasks/{_seg(task_id)}")


class AsyncThreads(AsyncResource):
    """Comment threads on records and entries."""

    async def list(
        self,
        *,
        record_id: str | NotGiven = NOT_GIVEN,
        object: str | NotGiven = NOT_GIVEN,
        entry_id: str | NotGiven = NOT_GIVEN,
        list: str | NotGiven = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        offset: int | NotGiven = NOT_GIVEN,
    ) -> builtins.list[Thread]:
        """One page of threads of a record (``record_id``+``object``) or entry."""
        data = await self._data(
            "GET",
            "/v2/threads",
            record_id=record_id,
            object=object,
            entry_id=entry_id,
            list=list,
            limit=limit,
            offset=offset,
        )
        return [Thread.model_validate(t) for t in data]

    async def get(self, thread_id: str) -> Thread:
        """A thread with all its comments."""
        return Thread.model_validate(await self._data("GET", f"/v2/threads/{_seg(thread_id)}"))


class AsyncComments(AsyncResource):
    """Comments."""

    async def create(self, data: dict[str, Any]) -> Comment:
        """Create a comment (``data``: format, content, author and one of thread_id, record,
        entry)."""
        body = {"data": {"format": "plaintext", **data}}
        return Comment.model_validate(await self._data("POST", "/v2/comments", body))

    async def get(self, comment_id: str) -> Comment:
        """Get a comment."""
        return Comment.model_validate(await self._data("GET", f"/v2/comments/{_seg(comment_id)}"))

    async def delete(self, comment_id: str) -> None:
        """Delete a comment (the head comment takes its whole thread with it)."""
        await self._data("DELETE", f"/v2/comments/{_seg(comment_id)}")


class AsyncMeetings(AsyncResource):
    """Meetings (beta)."""

    async def list_page(
        self, *, cursor: str | None = None, limit: int | NotGiven = NOT_GIVEN, **filters: Any
    ) -> tuple[builtins.list[Meeting], str | None]:
        """One page of meetings and the next cursor."""
        result = await self._get("/v2/meetings", cursor=cursor, limit=limit, **filters)
        items = [Meeting.model_validate(m) for m in result.get("data", [])]
        return items, (result.get("pagination") or {}).get("next_cursor")

    def iter(self, **filters: Any) -> AsyncIterator[Meeting]:
        """Every meeting matching ``filters``."""

        async def fetch(cursor: str | None) -> tuple[builtins.list[Meeting], str | None]:
            return await self.list_page(cursor=cursor, limit=CURSOR_MAX, **filters)

        return iter_cursor(fetch)

    async def create_or_find(self, data: dict[str, Any]) -> Meeting:
        """Find the meeting with this ``external_ref``, or create it."""
        return Meeting.model_validate(await self._data("POST", "/v2/meetings", {"data": data}))

    async def get(self, meeting_id: str) -> Meeting:
        """Get a meeting."""
        return Meeting.model_validate(await self._data("GET", f"/v2/meetings/{_seg(meeting_id)}"))


class AsyncCallRecordings(AsyncResource):
    """Call recordings of meetings and their transcripts."""

    @staticmethod
    def _base(meeting_id: str) -> str:
        return f"/v2/meetings/{_seg(meeting_id)}/call_recordings"

    async def list_page(
        self, meeting_id: str, *, cursor: str | None = None, limit: int | NotGiven = NOT_GIVEN
    ) -> tuple[builtins.list[CallRecording], str | None]:
        """One page of a meeting's recordings and the next cursor."""
        result = await self._get(self._base(meeting_id), cursor=cursor, limit=limit)
        items = [CallRecording.model_validate(r) for r in result.get("data", [])]
        return items, (result.get("pagination") or {}).get("next_cursor")

    def iter(self, meeting_id: str) -> AsyncIterator[CallRecording]:
        """Every recording of a meeting."""

        async def fetch(cursor: str | None) -> tuple[builtins.list[CallRecording], str | None]:
            return await self.list_page(meeting_id, cursor=cursor, limit=CURSOR_MAX)

        return iter_cursor(fetch)

    async def create(self, meeting_id: str, *, video_url: str) -> CallRecording:
        """Create a recording from an https .mp4 URL (Attio allows 1 per second)."""
        body = {"data": {"video_url": video_url}}
        return CallRecording.model_validate(await self._data("POST", self._base(meeting_id), body))

    async def get(self, meeting_id: str, call_recording_id: str) -> CallRecording:
        """Get a recording."""
        path = f"{self._base(meeting_id)}/{_seg(call_recording_id)}"
        return CallRecording.model_validate(await self._data("GET", path))

    async def delete(self, meeting_id: str, call_recording_id: str) -> None:
        """Delete a recording (Attio answers 204)."""
        await self._client.request("DELETE", f"{self._base(meeting_id)}/{_seg(call_recording_id)}")

    async def transcript_page(
        self, meeting_id: str, call_recording_id: str, *, cursor: str | None = None
    ) -> tuple[TranscriptPage, str | None]:
        """One page of a transcript and the next cursor."""
        path = f"{self._base(meeting_id)}/{_seg(call_recording_id)}/transcript"
        result = await self._get(path, cursor=cursor)
        page = TranscriptPage.model_validate(result.get("data") or {})
        return page, (result.get("pagination") or {}).get("next_cursor")

    def iter_transcript(
        self, meeting_id: str, call_recording_id: str
    ) -> AsyncIterator[dict[str, Any]]:
        """Every transcript segment of a recording."""

        async def fetch(cursor: str | None) -> tuple[builtins.list[dict[str, Any]], str | None]:
            page, nxt = await self.transcript_page(meeting_id, call_recording_id, cursor=cursor)
            return page.transcript, nxt

        return iter_cursor(fetch)


class AsyncWebhooks(AsyncResource):
    """Webhooks; the signing ``secret`` is only returned by ``create``."""

    async def list(
        self, *, limit: int | NotGiven = NOT_GIVEN, offset: int | NotGiven = NOT_GIVEN
    ) -> builtins.list[Webhook]:
        """One page of webhooks."""
        data = await self._data("GET", "/v2/webhooks", limit=limit, offset=offset)
        return [Webhook.model_validate(w) for w in data]

    def iter(self) -> AsyncIterator[Webhook]:
        """Every webhook."""

        async def fetch(limit: int, offset: int) -> builtins.list[Webhook]:
            return await self.list(limit=limit, offset=offset)

        return iter_offset(fetch, WEBHOOKS_MAX)

    async def create(
        self, *, target_url: str, subscriptions: builtins.list[dict[str, Any]]
    ) -> Webhook:
        """Create a webhook; keep the returned ``secret``: it is never shown again."""
        body = {"data": {"target_url": target_url, "subscriptions": subscriptions}}
        return Webhook.model_validate(await self._data("POST", "/v2/webhooks", body))

    async def get(self, webhook_id: str) -> Webhook:
        """Get a webhook."""
        return Webhook.model_validate(await self._data("GET", f"/v2/webhooks/{_seg(webhook_id)}"))

    async def update(
        self,
        webhook_id: str,
        *,
        target_url: str | NotGiven = NOT_GIVEN,
        subscriptions: builtins.list[dict[str, Any]] | NotGiven = NOT_GIVEN,
    ) -> Webhook:
        """Change a webhook's target or subscriptions."""
        data = strip_not_given({"target_url": target_url, "subscriptions": subscriptions})
        path = f"/v2/webhooks/{_seg(webhook_id)}"
        return Webhook.model_validate(await self._data("PATCH", path, {"data": data}))

    async def delete(self, webhook_id: str) -> None:
        """Delete a webhook."""
        await self._data("DELETE", f"/v2/webhooks/{_seg(webhook_id)}")


class AsyncScim(AsyncResource):
    """SCIM (``/scim/v2``)."""

    async def list_schemas(self) -> Any:
        """The SCIM schemas."""
        return await self._client.request("GET", "/scim/v2/Schemas")
