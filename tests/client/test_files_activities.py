"""Files, custom activities and their records, emails and the sequences unsubscribe list
through ``AsyncAttioClient`` (operations newer than the vendored spec: Attio's endpoint
reference, docs.attio.com/rest-api/endpoint-reference/files/*, activities/*,
activity-records/*, emails/list-emails, sequences/*). The sync twin is generated; one test
runs it over the same emulator to show the generated upload and download work too.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from attio_bridge.client import AsyncAttioClient, AttioClient, BadRequestError, NotFoundError

from ._factories import attribute_body, person
from ._target import Target, unique

pytestmark = pytest.mark.anyio


@pytest.mark.operation(
    "POST /v2/files/upload",
    "GET /v2/files/{file_id}",
    "GET /v2/files/{file_id}/download",
    "GET /v2/files",
    "POST /v2/files",
    "DELETE /v2/files/{file_id}",
)
async def test_files_upload_from_bytes_path_or_stream_and_download_back(
    aclient: AsyncAttioClient, tmp_path: Path
) -> None:
    """Upload a file (multipart, 201), Download a file (302 to a signed URL, fetched without
    the key), a folder (Create a file), List files in it, Delete a file."""
    rec = (await person(aclient)).record_id
    blob = os.urandom(2048) + b"\r\n--x--\r\n"
    folder = await aclient.files.create_folder("people", rec, "Contracts")
    assert folder.file_type == "folder"
    from_bytes = await aclient.files.upload(
        "people", rec, blob, name="a.bin", parent_folder_id=folder.file_id
    )
    path = tmp_path / "terms.txt"
    path.write_text("terms v1")
    from_path = await aclient.files.upload("people", rec, path, parent_folder_id=folder.file_id)
    assert (from_path.name, from_path.content_type) == ("terms.txt", "text/plain")
    from_stream = await aclient.files.upload("people", rec, io.BytesIO(b"streamed"), name="s.txt")
    assert (await aclient.files.get(from_bytes.file_id)).content_size == len(blob)
    assert await aclient.files.download(from_bytes.file_id) == blob
    out = tmp_path / "copy.bin"
    assert await aclient.files.download(from_bytes.file_id, out) == b""
    assert out.read_bytes() == blob
    sink = io.BytesIO()
    await aclient.files.download(from_stream.file_id, sink)
    assert sink.getvalue() == b"streamed"
    inside = [f.file_id async for f in aclient.files.iter(parent_folder_id=folder.file_id)]
    assert inside == [from_bytes.file_id, from_path.file_id]
    of_record, cursor = await aclient.files.list_page(object="people", record_id=rec)
    everything = {folder.file_id, from_bytes.file_id, from_path.file_id, from_stream.file_id}
    assert {f.file_id for f in of_record} == everything and cursor is None
    await aclient.files.delete(folder.file_id)
    with pytest.raises(NotFoundError):
        await aclient.files.get(from_path.file_id)


@pytest.mark.operation("POST /v2/files")
async def test_connected_files(aclient: AsyncAttioClient) -> None:
    """Create a file: a connected folder of Box."""
    rec = (await person(aclient)).record_id
    linked = await aclient.files.connect(
        "people", rec, storage_provider="box", external_provider_file_id="9", folder=True
    )
    assert (linked.file_type, linked.storage_provider) == ("connected-folder", "box")
    with pytest.raises(BadRequestError):
        await aclient.files.connect(
            "people", rec, storage_provider="nowhere", external_provider_file_id="9"
        )


def test_the_sync_twin_uploads_and_downloads(client: AttioClient) -> None:
    """The generated ``AttioClient`` has the same files methods (multipart and the signed
    download included)."""
    rec = client.records.create("people", {"email_addresses": [f"{unique('s')}@example.com"]})
    made = client.files.upload("people", rec.record_id, b"sync bytes", name="s.txt")
    assert client.files.download(made.file_id) == b"sync bytes"


@pytest.mark.operation(
    "GET /v2/activities",
    "POST /v2/activities",
    "GET /v2/activities/{activity}",
    "PATCH /v2/activities/{activity}",
    "DELETE /v2/activities/{activity}",
)
async def test_activities_define_list_update_delete(aclient: AsyncAttioClient) -> None:
    """Activities: define one (its schema fixed), list (phone calls included), get, update the
    nouns, delete."""
    slug = unique("acme_webinars_")
    made = await aclient.activities.create(
        api_slug=slug, singular_noun="Webinar", plural_noun="Webinars", extends="activities"
    )
    assert made.extends[0]["schema_slug"] == "activities"
    slugs = [a.api_slug async for a in aclient.activities.iter()]
    assert "phone_calls" in slugs and slug in slugs
    assert (await aclient.activities.get(slug)).id == made.id
    renamed = await aclient.activities.update(slug, plural_noun="Online events")
    assert renamed.plural_noun == "Online events"
    await aclient.activities.delete(slug)
    with pytest.raises(NotFoundError):
        await aclient.activities.get(slug)


@pytest.mark.operation(
    "POST /v2/activities/{activity}/records",
    "PUT /v2/activities/{activity}/records",
    "GET /v2/activities/{activity}/records/{record_id}",
    "PATCH /v2/activities/{activity}/records/{record_id}",
    "PUT /v2/activities/{activity}/records/{record_id}",
    "DELETE /v2/activities/{activity}/records/{record_id}",
    "POST /v2/activities/{activity}/records/query",
)
async def test_activity_records(aclient: AsyncAttioClient) -> None:
    """Activity records: create, upsert on a unique attribute, get, update (append and
    overwrite), query, iterate, delete."""
    slug = unique("acme_visits_")
    await aclient.activities.create(
        api_slug=slug, singular_noun="Visit", plural_noun="Visits", extends="interactions"
    )
    await aclient.attributes.create(
        "activities", slug, attribute_body("key", "text", is_unique=True)
    )
    await aclient.attributes.create("activities", slug, attribute_body("page", "text"))
    first = await aclient.activity_records.create(slug, {"key": "k1", "page": "/"})
    upserted = await aclient.activity_records.assert_record(
        slug, "key", {"key": "k1", "page": "/a"}
    )
    assert upserted.record_id == first.record_id
    got = await aclient.activity_records.get(slug, first.record_id)
    assert got.values["page"][0]["value"] == "/a"
    patched = await aclient.activity_records.update(slug, first.record_id, {"page": "/b"})
    put = await aclient.activity_records.overwrite(slug, first.record_id, {"page": "/c"})
    assert (patched.values["page"][0]["value"], put.values["page"][0]["value"]) == ("/b", "/c")
    await aclient.activity_records.create(slug, {"key": "k2", "page": "/c"})
    found = await aclient.activity_records.query(slug, filter={"page": "/c"}, limit=1)
    assert [r.record_id for r in found] == [first.record_id]
    assert len([r async for r in aclient.activity_records.iter(slug, page_size=1)]) == 2
    await aclient.activity_records.delete(slug, first.record_id)
    with pytest.raises(NotFoundError):
        await aclient.activity_records.get(slug, first.record_id)


@pytest.mark.operation("GET /v2/emails", "POST /v2/sequences/unsubscribed_emails")
async def test_emails_and_the_unsubscribe_list(aclient: AsyncAttioClient, target: Target) -> None:
    """List emails needs a filter (400 without), answers newest first and pages by cursor
    (emails put in through the control plane, as a mailbox sync would); the unsubscribe list
    takes addresses once (a retry changes nothing)."""
    with pytest.raises(BadRequestError):
        await aclient.emails.list_page()
    for n in range(3):
        target.control(
            "POST",
            "/emails",
            {
                "subject_line": f"Hello {n}",
                "direction": "inbound",
                "sent_at": f"2030-01-0{n + 1}T09:00:00.000000000Z",
                "participants": [{"role": "from", "email_address": "ann@acme.test", "name": "Ann"}],
            },
        )
    page, cursor = await aclient.emails.list_page(participants=["ann@acme.test"], limit=2)
    assert [e.subject_line for e in page] == ["Hello 2", "Hello 1"] and cursor
    everything = [e.subject_line async for e in aclient.emails.iter(domain="acme.test")]
    assert everything == ["Hello 2", "Hello 1", "Hello 0"]
    assert await aclient.emails.list_page(domain="other.test") == ([], None)
    first = await aclient.sequences.unsubscribe(["gone@x.test"])
    again = await aclient.sequences.unsubscribe(["gone@x.test"])
    assert first == again and first[0].email_address == "gone@x.test"
