"""Every operation of Attio's spec (and record merge, API-NOTES §1b) through ``AsyncAttioClient``.

Each test names the operations it covers with ``@pytest.mark.operation(...)``; the ``target``
fixture checks against the emulator's journal that it really called them, and
``docs/CLIENT-OPERATIONS.md`` is built from these markers. Behaviour asserted here is what the
client must carry through faithfully (shapes, ids, what was sent), per API-NOTES §1-§7.
"""

from __future__ import annotations

import pytest

from attio_bridge.client import (
    AsyncAttioClient,
    BadRequestError,
    NotFoundError,
)
from attio_bridge.client.models import Entry

from ._factories import Cleanup, attribute_body, meeting_body, member_id, people_list, person
from ._target import unique

pytestmark = pytest.mark.anyio


# -- self, members, SCIM -------------------------------------------------------------------------
@pytest.mark.real_attio
@pytest.mark.operation("GET /v2/self")
async def test_identify_returns_the_tokens_workspace(aclient: AsyncAttioClient) -> None:
    me = await aclient.identify()
    assert me.active is True
    assert me.workspace_id and me.workspace_slug
    # API-NOTES §6: sub is the workspace id.
    assert me.sub == me.workspace_id


@pytest.mark.real_attio
@pytest.mark.operation(
    "GET /v2/workspace_members", "GET /v2/workspace_members/{workspace_member_id}"
)
async def test_workspace_members_list_and_get(aclient: AsyncAttioClient) -> None:
    members = await aclient.workspace_members.list()
    assert members
    first = members[0]
    got = await aclient.workspace_members.get(first.id["workspace_member_id"])
    assert got.id == first.id
    assert got.email_address == first.email_address
    assert got.access_level in ("admin", "member", "suspended")


@pytest.mark.operation("GET /scim/v2/Schemas")
async def test_scim_schemas_are_returned_unwrapped(aclient: AsyncAttioClient) -> None:
    schemas = await aclient.scim.list_schemas()
    # SCIM answers a SCIM ListResponse, not {"data": ...}.
    names = {r["name"] for r in schemas["Resources"]}
    assert {"User", "Group"} <= names


# -- objects -------------------------------------------------------------------------------------
@pytest.mark.real_attio
@pytest.mark.operation("GET /v2/objects", "GET /v2/objects/{object}")
async def test_objects_list_and_get_by_slug_or_id(aclient: AsyncAttioClient) -> None:
    objects = await aclient.objects.list()
    slugs = {o.api_slug for o in objects}
    assert {"people", "companies"} <= slugs
    people = next(o for o in objects if o.api_slug == "people")
    # API-NOTES §0: path identifiers take a slug or a UUID.
    by_slug = await aclient.objects.get("people")
    by_id = await aclient.objects.get(people.id.object_id)
    assert by_slug.id == by_id.id == people.id


@pytest.mark.operation("POST /v2/objects", "PATCH /v2/objects/{object}")
async def test_objects_create_and_update(aclient: AsyncAttioClient) -> None:
    slug = unique("widgets")
    created = await aclient.objects.create(
        api_slug=slug, singular_noun="Widget", plural_noun="Widgets"
    )
    assert created.api_slug == slug
    updated = await aclient.objects.update(slug, plural_noun="Gadgets")
    assert (updated.singular_noun, updated.plural_noun) == ("Widget", "Gadgets")
    assert updated.id == created.id


# -- attributes, options, statuses ---------------------------------------------------------------
@pytest.mark.operation(
    "GET /v2/{target}/{identifier}/attributes",
    "POST /v2/{target}/{identifier}/attributes",
    "GET /v2/{target}/{identifier}/attributes/{attribute}",
    "PATCH /v2/{target}/{identifier}/attributes/{attribute}",
)
async def test_attributes_of_objects_and_lists(aclient: AsyncAttioClient) -> None:
    created = await aclient.attributes.create(
        "objects", "people", attribute_body("nickname", "text")
    )
    assert (created.api_slug, created.type) == ("nickname", "text")
    got = await aclient.attributes.get("objects", "people", "nickname")
    assert got.id == created.id
    updated = await aclient.attributes.update(
        "objects", "people", "nickname", {"title": "Known as"}
    )
    assert updated.title == "Known as"
    listed = await aclient.attributes.list("objects", "people")
    assert "nickname" in {a.api_slug for a in listed}
    page = await aclient.attributes.list("objects", "people", limit=2, offset=1)
    assert [a.api_slug for a in page] == [a.api_slug for a in listed[1:3]]

    list_slug = await people_list(aclient)
    await aclient.attributes.create("lists", list_slug, attribute_body("priority", "number"))
    on_list = await aclient.attributes.list("lists", list_slug)
    assert "priority" in {a.api_slug for a in on_list}


async def test_attributes_refuse_a_target_other_than_objects_or_lists(
    aclient: AsyncAttioClient,
) -> None:
    with pytest.raises(ValueError, match="objects"):
        await aclient.attributes.list("records", "people")


@pytest.mark.operation("PATCH /v2/{target}/{identifier}/attributes/{attribute}")
async def test_archived_attributes_are_listed_only_when_asked(aclient: AsyncAttioClient) -> None:
    await aclient.attributes.create("objects", "people", attribute_body("old_field", "text"))
    await aclient.attributes.update("objects", "people", "old_field", {"is_archived": True})
    shown = await aclient.attributes.list("objects", "people")
    everything = await aclient.attributes.list("objects", "people", show_archived=True)
    assert "old_field" not in {a.api_slug for a in shown}
    assert "old_field" in {a.api_slug for a in everything}


@pytest.mark.operation(
    "GET /v2/{target}/{identifier}/attributes/{attribute}/options",
    "POST /v2/{target}/{identifier}/attributes/{attribute}/options",
    "PATCH /v2/{target}/{identifier}/attributes/{attribute}/options/{option}",
)
async def test_select_options_create_rename_archive(aclient: AsyncAttioClient) -> None:
    await aclient.attributes.create("objects", "people", attribute_body("tier", "select"))
    gold = await aclient.attributes.create_option("objects", "people", "tier", title="Gold")
    await aclient.attributes.create_option("objects", "people", "tier", title="Silver")
    # API-NOTES §0: an option is addressed by its id or its title.
    renamed = await aclient.attributes.update_option(
        "objects", "people", "tier", "Gold", title="Platinum"
    )
    assert renamed.id == gold.id and renamed.title == "Platinum"
    await aclient.attributes.update_option(
        "objects", "people", "tier", gold.id["option_id"], is_archived=True
    )
    active = await aclient.attributes.list_options("objects", "people", "tier")
    every = await aclient.attributes.list_options("objects", "people", "tier", show_archived=True)
    assert [o.title for o in active] == ["Silver"]
    assert {o.title for o in every} == {"Platinum", "Silver"}


@pytest.mark.operation(
    "GET /v2/{target}/{identifier}/attributes/{attribute}/statuses",
    "POST /v2/{target}/{identifier}/attributes/{attribute}/statuses",
    "PATCH /v2/{target}/{identifier}/attributes/{attribute}/statuses/{status}",
)
async def test_statuses_create_update_archive(aclient: AsyncAttioClient) -> None:
    # API-NOTES gotcha 16: status attributes exist on lists only.
    slug = await people_list(aclient)
    await aclient.attributes.create("lists", slug, attribute_body("stage", "status"))
    todo = await aclient.attributes.create_status("lists", slug, "stage", title="To do")
    await aclient.attributes.create_status(
        "lists", slug, "stage", title="Done", celebration_enabled=True
    )
    renamed = await aclient.attributes.update_status(
        "lists", slug, "stage", "To do", {"title": "Backlog"}
    )
    assert renamed.id == todo.id and renamed.title == "Backlog"
    await aclient.attributes.update_status(
        "lists", slug, "stage", todo.id["status_id"], {"is_archived": True}
    )
    active = await aclient.attributes.list_statuses("lists", slug, "stage")
    every = await aclient.attributes.list_statuses("lists", slug, "stage", show_archived=True)
    assert [(s.title, s.celebration_enabled) for s in active] == [("Done", True)]
    assert {s.title for s in every} == {"Backlog", "Done"}


# -- records -------------------------------------------------------------------------------------
@pytest.mark.real_attio
@pytest.mark.operation(
    "POST /v2/objects/{object}/records",
    "GET /v2/objects/{object}/records/{record_id}",
    "PATCH /v2/objects/{object}/records/{record_id}",
    "PUT /v2/objects/{object}/records/{record_id}",
    "DELETE /v2/objects/{object}/records/{record_id}",
)
async def test_record_lifecycle(aclient: AsyncAttioClient, acleanup: Cleanup) -> None:
    email = f"{unique('ada')}@example.com"
    created = await person(aclient, acleanup, email_addresses=[email], job_title="Engineer")
    got = await aclient.records.get("people", created.record_id)
    assert got.id == created.id
    assert [v["email_address"] for v in got.values["email_addresses"]] == [email]

    other = f"{unique('ada')}@example.com"
    # API-NOTES gotcha 2: PATCH adds to multiselect values, PUT replaces them.
    patched = await aclient.records.update(
        "people", created.record_id, {"email_addresses": [other]}
    )
    assert {v["email_address"] for v in patched.values["email_addresses"]} == {email, other}
    put = await aclient.records.overwrite("people", created.record_id, {"email_addresses": [other]})
    assert [v["email_address"] for v in put.values["email_addresses"]] == [other]
    assert put.values["job_title"][0]["value"] == "Engineer"  # attributes not sent are untouched

    await aclient.records.delete("people", created.record_id)
    with pytest.raises(NotFoundError):
        await aclient.records.get("people", created.record_id)


@pytest.mark.real_attio
@pytest.mark.operation("PUT /v2/objects/{object}/records")
async def test_assert_record_creates_then_updates(
    aclient: AsyncAttioClient, acleanup: Cleanup
) -> None:
    email = f"{unique('grace')}@example.com"
    first = await aclient.records.assert_record(
        "people", "email_addresses", {"email_addresses": [email], "job_title": "Admiral"}
    )
    acleanup.append(lambda: aclient.records.delete("people", first.record_id))
    second = await aclient.records.assert_record(
        "people", "email_addresses", {"email_addresses": [email], "job_title": "Rear Admiral"}
    )
    assert second.record_id == first.record_id
    assert second.values["job_title"][0]["value"] == "Rear Admiral"


@pytest.mark.operation("POST /v2/objects/{object}/records/query")
async def test_query_filters_sorts_and_pages(aclient: AsyncAttioClient) -> None:
    for title in ("b", "c", "a", "c"):
        await person(aclient, job_title=title)
    wanted = await aclient.records.query(
        "people",
        filter={"job_title": {"$in": ["a", "b"]}},
        sorts=[{"attribute": "job_title", "direction": "desc"}],
    )
    assert [r.values["job_title"][0]["value"] for r in wanted] == ["b", "a"]
    page = await aclient.records.query(
        "people", sorts=[{"attribute": "job_title", "direction": "asc"}], limit=2, offset=1
    )
    assert [r.values["job_title"][0]["value"] for r in page] == ["b", "c"]


@pytest.mark.operation("GET /v2/objects/{object}/records/{record_id}/attributes/{attribute}/values")
async def test_record_attribute_values_with_history(aclient: AsyncAttioClient) -> None:
    record = await person(aclient, job_title="Intern")
    await aclient.records.update("people", record.record_id, {"job_title": "Engineer"})
    current = await aclient.records.get_attribute_values("people", record.record_id, "job_title")
    history = await aclient.records.get_attribute_values(
        "people", record.record_id, "job_title", show_historic=True
    )
    assert [v["value"] for v in current] == ["Engineer"]
    assert {v["value"] for v in history} == {"Intern", "Engineer"}
    ended = [v for v in history if v["value"] == "Intern"]
    assert ended[0]["active_until"] is not None


@pytest.mark.operation(
    "GET /v2/objects/{object}/records/{record_id}/entries", "POST /v2/lists/{list}/entries"
)
async def test_record_entries_lists_every_list_the_record_is_in(
    aclient: AsyncAttioClient,
) -> None:
    record = await person(aclient)
    first, second = await people_list(aclient), await people_list(aclient)
    made = [
        await aclient.entries.create(
            slug, parent_record_id=record.record_id, parent_object="people"
        )
        for slug in (first, second)
    ]
    entries = await aclient.records.list_entries("people", record.record_id)
    assert {(e.list_api_slug, e.entry_id) for e in entries} == {
        (first, made[0].entry_id),
        (second, made[1].entry_id),
    }
    every = [e async for e in aclient.records.iter_entries("people", record.record_id)]
    assert [e.entry_id for e in every] == [e.entry_id for e in entries]
    one = await aclient.records.list_entries("people", record.record_id, limit=1, offset=1)
    assert [e.entry_id for e in one] == [entries[1].entry_id]


@pytest.mark.operation("POST /v2/objects/records/search")
async def test_search_finds_a_person_by_email(aclient: AsyncAttioClient) -> None:
    email = f"{unique('searchable')}@example.com"
    record = await person(aclient, email_addresses=[email])
    hits = await aclient.records.search(email, ["people"], limit=5)
    assert record.record_id in {h.id.record_id for h in hits}
    hit = next(h for h in hits if h.id.record_id == record.record_id)
    assert hit.object_slug == "people"


@pytest.mark.operation(
    "POST /v2/objects/{object}/records/merge", "GET /v2/objects/{object}/records/{record_id}"
)
async def test_merge_makes_a_new_record_and_retires_both(aclient: AsyncAttioClient) -> None:
    a = await person(aclient, job_title="Keep")
    b = await person(aclient)
    result = await aclient.records.merge("people", a.record_id, b.record_id)
    # API-NOTES §1b and gotcha 17: a new id, and both originals are gone.
    assert result.new_record_id not in (a.record_id, b.record_id)
    merged = await aclient.records.get("people", result.new_record_id)
    emails = {v["email_address"] for v in merged.values["email_addresses"]}
    assert emails == {
        a.values["email_addresses"][0]["email_address"],
        b.values["email_addresses"][0]["email_address"],
    }
    for old in (a, b):
        with pytest.raises(NotFoundError):
            await aclient.records.get("people", old.record_id)


async def test_merge_with_itself_is_a_bad_request(aclient: AsyncAttioClient) -> None:
    a = await person(aclient)
    with pytest.raises(BadRequestError) as caught:
        await aclient.records.merge("people", a.record_id, a.record_id)
    assert caught.value.code == "self_merge"  # API-NOTES §1b


# -- lists and entries ---------------------------------------------------------------------------
@pytest.mark.operation(
    "GET /v2/lists", "POST /v2/lists", "GET /v2/lists/{list}", "PATCH /v2/lists/{list}"
)
async def test_list_lifecycle(aclient: AsyncAttioClient) -> None:
    slug = unique("pipeline")
    created = await aclient.lists.create(name="Pipeline", api_slug=slug, parent_object="people")
    # API-NOTES §5: parent_object reads back as a one-element array.
    assert created.parent_object == ["people"]
    by_id = await aclient.lists.get(created.id.list_id)
    assert by_id.api_slug == slug
    renamed = await aclient.lists.update(slug, {"name": "Hiring"})
    assert renamed.name == "Hiring"
    assert slug in {x.api_slug for x in await aclient.lists.list()}


@pytest.mark.operation(
    "POST /v2/lists/{list}/entries",
    "GET /v2/lists/{list}/entries/{entry_id}",
    "PATCH /v2/lists/{list}/entries/{entry_id}",
    "PUT /v2/lists/{list}/entries/{entry_id}",
    "DELETE /v2/lists/{list}/entries/{entry_id}",
    "GET /v2/lists/{list}/entries/{entry_id}/attributes/{attribute}/values",
)
async def test_entry_lifecycle(aclient: AsyncAttioClient) -> None:
    slug = await people_list(aclient)
    await aclient.attributes.create(
        "lists", slug, attribute_body("tags", "select", is_multiselect=True)
    )
    for title in ("red", "green", "blue"):
        await aclient.attributes.create_option("lists", slug, "tags", title=title)
    record = await person(aclient)
    entry = await aclient.entries.create(
        slug, parent_record_id=record.record_id, parent_object="people", entry_values={}
    )
    assert entry.parent_record_id == record.record_id

    def tags(e: Entry) -> set[str]:
        return {v["option"]["title"] for v in e.entry_values.get("tags", [])}

    # API-NOTES §5: PATCH appends multiselect values, PUT replaces them.
    await aclient.entries.update(slug, entry.entry_id, {"tags": ["red"]})
    patched = await aclient.entries.update(slug, entry.entry_id, {"tags": ["green"]})
    assert tags(patched) == {"red", "green"}
    put = await aclient.entries.overwrite(slug, entry.entry_id, {"tags": ["blue"]})
    assert tags(put) == {"blue"}
    assert tags(await aclient.entries.get(slug, entry.entry_id)) == {"blue"}

    values = await aclient.entries.list_attribute_values(slug, entry.entry_id, "tags")
    history = await aclient.entries.list_attribute_values(
        slug, entry.entry_id, "tags", show_historic=True
    )
    assert [v["option"]["title"] for v in values] == ["blue"]
    assert {v["option"]["title"] for v in history} == {"red", "green", "blue"}

    await aclient.entries.delete(slug, entry.entry_id)
    with pytest.raises(NotFoundError):
        await aclient.entries.get(slug, entry.entry_id)


@pytest.mark.operation("PUT /v2/lists/{list}/entries")
async def test_assert_entry_creates_then_updates_the_one_entry(
    aclient: AsyncAttioClient,
) -> None:
    slug = await people_list(aclient)
    await aclient.attributes.create("lists", slug, attribute_body("score", "number"))
    record = await person(aclient)
    first = await aclient.entries.assert_entry(
        slug, parent_record_id=record.record_id, parent_object="people", entry_values={"score": 1}
    )
    second = await aclient.entries.assert_entry(
        slug, parent_record_id=record.record_id, parent_object="people", entry_values={"score": 2}
    )
    assert second.entry_id == first.entry_id
    assert second.entry_values["score"][0]["value"] == 2


@pytest.mark.operation("POST /v2/lists/{list}/entries/query")
async def test_query_entries_filters_and_pages(aclient: AsyncAttioClient) -> None:
    slug = await people_list(aclient)
    await aclient.attributes.create("lists", slug, attribute_body("score", "number"))
    made = []
    for score in (3, 1, 2):
        record = await person(aclient)
        made.append(
            await aclient.entries.create(
                slug,
                parent_record_id=record.record_id,
                parent_object="people",
                entry_values={"score": score},
            )
        )
    high = await aclient.entries.query(
        slug,
        filter={"score": {"$gte": 2}},
        sorts=[{"attribute": "score", "direction": "asc"}],
    )
    assert [e.entry_values["score"][0]["value"] for e in high] == [2, 3]
    page = await aclient.entries.query(slug, limit=1, offset=2)
    assert [e.entry_id for e in page] == [made[2].entry_id]


# -- notes, tasks, threads, comments -------------------------------------------------------------
@pytest.mark.real_attio
@pytest.mark.operation(
    "POST /v2/notes", "GET /v2/notes/{note_id}", "GET /v2/notes", "DELETE /v2/notes/{note_id}"
)
async def test_note_lifecycle(aclient: AsyncAttioClient, acleanup: Cleanup) -> None:
    record = await person(aclient, acleanup)
    note = await aclient.notes.create(
        parent_object="people",
        parent_record_id=record.record_id,
        title="Call",
        content="# Agenda\n\n**Pricing**",
        format="markdown",
    )
    acleanup.append(lambda: aclient.notes.delete(note.id["note_id"]))
    assert note.parent_record_id == record.record_id
    assert "Pricing" in note.content_plaintext
    got = await aclient.notes.get(note.id["note_id"])
    assert got.title == "Call"
    listed = await aclient.notes.list(parent_object="people", parent_record_id=record.record_id)
    assert [n.id for n in listed] == [note.id]
    await aclient.notes.delete(note.id["note_id"])
    with pytest.raises(NotFoundError):
        await aclient.notes.get(note.id["note_id"])


@pytest.mark.real_attio
@pytest.mark.operation(
    "POST /v2/tasks",
    "GET /v2/tasks/{task_id}",
    "GET /v2/tasks",
    "PATCH /v2/tasks/{task_id}",
    "DELETE /v2/tasks/{task_id}",
)
async def test_task_lifecycle(aclient: AsyncAttioClient, acleanup: Cleanup) -> None:
    record = await person(aclient, acleanup)
    me = await member_id(aclient)
    task = await aclient.tasks.create(
        content=f"Follow up {unique('t')}",
        deadline_at="2030-01-01T09:00:00.000000000Z",
        linked_records=[{"target_object": "people", "target_record_id": record.record_id}],
        assignees=[{"referenced_actor_type": "workspace-member", "referenced_actor_id": me}],
    )
    task_id = task.id["task_id"]
    acleanup.append(lambda: aclient.tasks.delete(task_id))
    assert (await aclient.tasks.get(task_id)).content_plaintext == task.content_plaintext

    linked = await aclient.tasks.list(linked_object="people", linked_record_id=record.record_id)
    assert [t.id for t in linked] == [task.id]
    mine_open = await aclient.tasks.list(assignee=me, is_completed=False)
    assert task.id in [t.id for t in mine_open]

    done = await aclient.tasks.update(task_id, is_completed=True, deadline_at=None)
    assert done.is_completed is True and done.deadline_at is None
    assert task.id not in [t.id for t in await aclient.tasks.list(is_completed=False)]

    await aclient.tasks.delete(task_id)
    with pytest.raises(NotFoundError):
        await aclient.tasks.get(task_id)


@pytest.mark.operation("GET /v2/tasks")
async def test_tasks_assignee_none_lists_unassigned_tasks(aclient: AsyncAttioClient) -> None:
    me = await member_id(aclient)
    nobody = await aclient.tasks.create(content="Nobody's")
    await aclient.tasks.create(
        content="Mine",
        assignees=[{"referenced_actor_type": "workspace-member", "referenced_actor_id": me}],
    )
    # API-NOTES §1: assignee=null lists the tasks nobody is assigned to.
    unassigned = await aclient.tasks.list(assignee=None)
    assert [t.id for t in unassigned] == [nobody.id]
    newest_first = await aclient.tasks.list(sort="created_at:desc")
    assert [t.content_plaintext for t in newest_first] == ["Mine", "Nobody's"]
    every = [t async for t in aclient.tasks.iter(sort="created_at:asc")]
    assert [t.content_plaintext for t in every] == ["Nobody's", "Mine"]


@pytest.mark.real_attio
@pytest.mark.operation(
    "POST /v2/comments",
    "GET /v2/comments/{comment_id}",
    "GET /v2/threads",
    "GET /v2/threads/{thread_id}",
    "DELETE /v2/comments/{comment_id}",
)
async def test_comments_and_threads(aclient: AsyncAttioClient, acleanup: Cleanup) -> None:
    record = await person(aclient, acleanup)
    author = {"type": "workspace-member", "id": await member_id(aclient)}
    head = await aclient.comments.create(
        {
            "content": "Looks good",
            "author": author,
            "record": {"object": "people", "record_id": record.record_id},
        }
    )
    comment_id = head.id["comment_id"]
    acleanup.append(lambda: aclient.comments.delete(comment_id))
    reply = await aclient.comments.create(
        {"content": "Agreed", "author": author, "thread_id": head.thread_id}
    )
    assert reply.thread_id == head.thread_id
    assert (await aclient.comments.get(comment_id)).content_plaintext == "Looks good"

    threads = await aclient.threads.list(object="people", record_id=record.record_id)
    assert [t.id["thread_id"] for t in threads] == [head.thread_id]
    thread = await aclient.threads.get(head.thread_id)
    assert [c.content_plaintext for c in thread.comments] == ["Looks good", "Agreed"]

    # API-NOTES §1: deleting the head comment deletes the whole thread.
    await aclient.comments.delete(comment_id)
    with pytest.raises(NotFoundError):
        await aclient.threads.get(head.thread_id)


@pytest.mark.operation("POST /v2/comments", "GET /v2/threads")
async def test_threads_of_an_entry(aclient: AsyncAttioClient) -> None:
    slug = await people_list(aclient)
    record = await person(aclient)
    entry = await aclient.entries.create(
        slug, parent_record_id=record.record_id, parent_object="people"
    )
    author = {"type": "workspace-member", "id": await member_id(aclient)}
    comment = await aclient.comments.create(
        {
            "content": "On the entry",
            "author": author,
            "entry": {"list": slug, "entry_id": entry.entry_id},
        }
    )
    threads = await aclient.threads.list(list=slug, entry_id=entry.entry_id)
    assert [t.id["thread_id"] for t in threads] == [comment.thread_id]


# -- meetings, call recordings, transcripts ------------------------------------------------------
@pytest.mark.operation("POST /v2/meetings", "GET /v2/meetings/{meeting_id}", "GET /v2/meetings")
async def test_meetings_find_or_create_get_and_list(aclient: AsyncAttioClient) -> None:
    record = await person(aclient)
    ref = unique("event")
    body = meeting_body(ref, linked_records=[{"object": "people", "record_id": record.record_id}])
    created = await aclient.meetings.create_or_find(body)
    again = await aclient.meetings.create_or_find(body)
    # API-NOTES §6: find-or-create keyed on external_ref.
    assert again.id == created.id
    got = await aclient.meetings.get(created.id["meeting_id"])
    assert got.title == "Kickoff"
    page, cursor = await aclient.meetings.list_page(
        linked_object="people", linked_record_id=record.record_id
    )
    assert [m.id for m in page] == [created.id] and cursor is None


@pytest.mark.operation(
    "POST /v2/meetings/{meeting_id}/call_recordings",
    "GET /v2/meetings/{meeting_id}/call_recordings/{call_recording_id}",
    "GET /v2/meetings/{meeting_id}/call_recordings",
    "GET /v2/meetings/{meeting_id}/call_recordings/{call_recording_id}/transcript",
    "DELETE /v2/meetings/{meeting_id}/call_recordings/{call_recording_id}",
)
async def test_call_recording_lifecycle(aclient: AsyncAttioClient) -> None:
    meeting = await aclient.meetings.create_or_find(meeting_body(unique("event")))
    meeting_id = meeting.id["meeting_id"]
    recording = await aclient.call_recordings.create(
        meeting_id, video_url="https://example.com/calls/kickoff.mp4"
    )
    recording_id = recording.id["call_recording_id"]
    got = await aclient.call_recordings.get(meeting_id, recording_id)
    assert got.id == recording.id
    page, cursor = await aclient.call_recordings.list_page(meeting_id)
    assert [r.id for r in page] == [recording.id] and cursor is None
    transcript, _ = await aclient.call_recordings.transcript_page(meeting_id, recording_id)
    assert transcript.transcript and transcript.raw_transcript
    # API-NOTES §1: the one delete that answers 204 with no body, which the client accepts.
    await aclient.call_recordings.delete(meeting_id, recording_id)
    with pytest.raises(NotFoundError):
        await aclient.call_recordings.get(meeting_id, recording_id)


async def test_call_recording_needs_an_https_mp4(aclient: AsyncAttioClient) -> None:
    meeting = await aclient.meetings.create_or_find(meeting_body(unique("event")))
    with pytest.raises(BadRequestError) as caught:
        await aclient.call_recordings.create(
            meeting.id["meeting_id"], video_url="http://example.com/call.mp4"
        )
    assert caught.value.code == "validation_type"  # API-NOTES §8


# -- webhooks ------------------------------------------------------------------------------------
@pytest.mark.real_attio
@pytest.mark.operation(
    "POST /v2/webhooks",
    "GET /v2/webhooks/{webhook_id}",
    "GET /v2/webhooks",
    "PATCH /v2/webhooks/{webhook_id}",
    "DELETE /v2/webhooks/{webhook_id}",
)
async def test_webhook_lifecycle(aclient: AsyncAttioClient, acleanup: Cleanup) -> None:
    # A subscription to an event this test never causes: nothing is delivered anywhere.
    subs = [{"event_type": "workspace-member.created", "filter": None}]
    hook = await aclient.webhooks.create(
        target_url=f"https://example.com/{unique('hook')}", subscriptions=subs
    )
    hook_id = hook.id["webhook_id"]
    acleanup.append(lambda: aclient.webhooks.delete(hook_id))
    # API-NOTES §7: the secret comes with the create response only.
    assert hook.secret
    got = await aclient.webhooks.get(hook_id)
    assert got.secret is None and got.target_url == hook.target_url
    assert hook_id in {w.id["webhook_id"] for w in await aclient.webhooks.list()}
    assert hook_id in {w.id["webhook_id"] async for w in aclient.webhooks.iter()}

    moved = await aclient.webhooks.update(hook_id, target_url="https://example.com/elsewhere")
    assert moved.target_url == "https://example.com/elsewhere"
    assert moved.subscriptions == got.subscriptions  # not sent, so not changed

    await aclient.webhooks.delete(hook_id)
    with pytest.raises(NotFoundError):
        await aclient.webhooks.get(hook_id)
