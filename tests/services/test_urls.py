"""Attio web-app URLs: every accepted form, round trips, URLs the emulator hands out, rejections."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from attio_bridge.client import AttioClient
from attio_bridge.emulator import EmulatorConfig, create_app
from attio_bridge.errors import InvalidInputError
from attio_bridge.services.urls import (
    AttioUrl,
    AttioUrlError,
    AttioUrlKind,
    NotAnAttioUrlError,
    RecordUrlError,
    UnknownAttioUrlError,
    parse_url,
    record_noun,
    record_url,
)
from attio_bridge.testing import SyncASGITransport
from tests.conformance.factories import meeting_body

KEY = "urls-suite-key"
REC = "bf071e1f-6035-429d-b874-d83ea64ea13b"
NOTE = "05649629-8d0c-4b6a-a2b6-a0f9d95effa6"
ENTRY = "2e6e29ea-c4e0-4f44-842d-78a891f8c156"
MEETING = "cb59ab17-ad15-460c-a126-0715617c0853"
RECORDING = "e8f2a3b7-9b4d-4c5e-8a1f-3d7b2c5e8f9a"
VIEW = "7c1d0a5e-3f7b-4b8e-9a51-3c2d6e8f9a10"
APP = "https://app.attio.com"

K = AttioUrlKind

# (url, the parts it parses into) for every form in the module's docstring.
FORMS: list[tuple[str, AttioUrl]] = [
    (f"{APP}/acme", AttioUrl(K.WORKSPACE, "acme")),
    (f"{APP}/acme/", AttioUrl(K.WORKSPACE, "acme")),
    (f"{APP}/acme/companies/view/", AttioUrl(K.OBJECT_VIEW, "acme", object="companies")),
    (
        f"{APP}/acme/companies/view/{VIEW}",
        AttioUrl(K.OBJECT_VIEW, "acme", object="companies", view_id=VIEW),
    ),
    (f"{APP}/acme/people", AttioUrl(K.OBJECT_VIEW, "acme", object="people")),
    (f"{APP}/acme/person/{REC}", AttioUrl(K.RECORD, "acme", object="person", record_id=REC)),
    (
        f"{APP}/acme/person/{REC}/overview",
        AttioUrl(K.RECORD, "acme", object="person", record_id=REC, tab="overview"),
    ),
    (
        f"{APP}/textql-data/deals/{REC}/overview",
        AttioUrl(K.RECORD, "textql-data", object="deals", record_id=REC, tab="overview"),
    ),
    (
        f"{APP}/acme/company/record/{REC}/emails",
        AttioUrl(K.RECORD, "acme", object="company", record_id=REC, tab="emails"),
    ),
    (
        f"{APP}/acme/deals/record/{REC}/notes?modal=note&id={NOTE}",
        AttioUrl(K.NOTE, "acme", object="deals", record_id=REC, note_id=NOTE, tab="notes"),
    ),
    (
        f"{APP}/acme/person/{REC}/notes?id={NOTE}&modal=note",
        AttioUrl(K.NOTE, "acme", object="person", record_id=REC, note_id=NOTE, tab="notes"),
    ),
    (f"{APP}/acme/collection/sales", AttioUrl(K.LIST_VIEW, "acme", list="sales")),
    (
        f"{APP}/acme/collection/sales/view/{VIEW}",
        AttioUrl(K.LIST_VIEW, "acme", list="sales", view_id=VIEW),
    ),
    (
        f"{APP}/acme/lists/{ENTRY}/view/{VIEW}",
        AttioUrl(K.LIST_VIEW, "acme", list=ENTRY, view_id=VIEW),
    ),
    (
        f"{APP}/acme/collection/sales/entry/{ENTRY}",
        AttioUrl(K.LIST_ENTRY, "acme", list="sales", entry_id=ENTRY),
    ),
    (
        f"{APP}/acme/collection/sales/entry/{ENTRY}/overview",
        AttioUrl(K.LIST_ENTRY, "acme", list="sales", entry_id=ENTRY, tab="overview"),
    ),
    (
        f"{APP}/salarya/calls/{MEETING}/{RECORDING}",
        AttioUrl(K.CALL_RECORDING, "salarya", meeting_id=MEETING, call_recording_id=RECORDING),
    ),
    (
        f"{APP}/salarya/calls/{MEETING}/{RECORDING}/transcript",
        AttioUrl(
            K.CALL_RECORDING,
            "salarya",
            meeting_id=MEETING,
            call_recording_id=RECORDING,
            tab="transcript",
        ),
    ),
]


@pytest.mark.parametrize(("url", "parts"), FORMS, ids=[u for u, _ in FORMS])
def test_every_form_parses_into_its_parts(url: str, parts: AttioUrl) -> None:
    assert parse_url(url) == parts


@pytest.mark.parametrize(("url", "parts"), FORMS, ids=[u for u, _ in FORMS])
def test_parts_round_trip_through_their_canonical_url(url: str, parts: AttioUrl) -> None:
    assert parse_url(parts.url) == parts


@pytest.mark.parametrize(
    "url",
    [
        f"{APP}/acme",
        f"{APP}/acme/companies/view/{VIEW}",
        f"{APP}/acme/person/{REC}",
        f"{APP}/acme/deals/{REC}/overview",
        f"{APP}/acme/deals/record/{REC}/notes?modal=note&id={NOTE}",
        f"{APP}/acme/collection/sales/view/{VIEW}",
        f"{APP}/acme/collection/sales/entry/{ENTRY}/overview",
        f"{APP}/acme/calls/{MEETING}/{RECORDING}/transcript",
    ],
)
def test_canonical_urls_round_trip_as_strings(url: str) -> None:
    assert parse_url(url).url == url


def test_aliases_normalise_to_the_canonical_spelling() -> None:
    # The long record form and the "lists" spelling read fine and are written canonically.
    assert parse_url(f"{APP}/acme/company/record/{REC}/overview").url == (
        f"{APP}/acme/company/{REC}/overview"
    )
    assert parse_url(f"{APP}/acme/lists/sales").url == f"{APP}/acme/collection/sales"


def test_scheme_case_whitespace_query_and_fragment_are_tolerated() -> None:
    expected = AttioUrl(K.RECORD, "acme", object="person", record_id=REC)
    assert parse_url(f"  app.attio.com/acme/person/{REC}  ") == expected
    assert parse_url(f"http://APP.attio.com/acme/person/{REC.upper()}") == expected
    assert parse_url(f"{APP}/acme/person/{REC}?utm_source=slack#top") == expected


def test_percent_encoded_object_nouns_are_decoded_and_re_encoded() -> None:
    url = f"{APP}/acme/soci%C3%A9t%C3%A9/{REC}"
    parts = parse_url(url)
    assert parts.object == "société"
    assert parts.url == url


# -- URLs the emulator hands out -------------------------------------------------------------
@pytest.fixture
def client() -> Iterator[AttioClient]:
    app = create_app(EmulatorConfig(api_keys=[KEY], read_rate=0, write_rate=0))
    with AttioClient(
        api_key=KEY,
        base_url="http://emulator.test",
        transport=SyncASGITransport(app),
        rate_limit_backend="memory",
        read_rate=0,
        write_rate=0,
    ) as attio:
        yield attio


def test_a_created_persons_web_url_parses_to_its_record(client: AttioClient) -> None:
    person = client.records.create("people", {"email_addresses": ["ada@example.com"]})
    workspace = client.identify().workspace_slug
    assert workspace and person.web_url
    parts = parse_url(person.web_url)
    assert parts == AttioUrl(K.RECORD, workspace, object="person", record_id=person.record_id)
    assert parts.url == person.web_url
    # Built from the parts alone, the URL is the one the API returned.
    assert record_url(workspace, "people", person.record_id) == person.web_url
    assert record_url(person) == person.web_url


def test_record_url_matches_the_api_for_companies_deals_and_custom_objects(
    client: AttioClient,
) -> None:
    workspace = client.identify().workspace_slug
    assert workspace
    company = client.records.create("companies", {"name": "Acme"})
    assert record_url(workspace, "companies", company.record_id) == company.web_url
    client.objects.create(api_slug="projects", singular_noun="Big Project", plural_noun="Projects")
    project = client.records.create("projects", {})
    assert project.web_url == f"{APP}/{workspace}/big-project/{project.record_id}"
    assert (
        record_url(workspace, "projects", project.record_id, singular_noun="Big Project")
        == project.web_url
    )
    assert parse_url(project.web_url).record_id == project.record_id
    assert record_noun("deals") == "deal" and record_noun("projects") == "projects"


def test_record_url_builds_one_only_when_the_record_has_none(client: AttioClient) -> None:
    person = client.records.create("people", {"email_addresses": ["bob@example.com"]})
    bare = person.model_copy(update={"web_url": None})
    assert record_url(bare, workspace_slug="acme", object_slug="people") == (
        f"{APP}/acme/person/{person.record_id}"
    )
    with pytest.raises(ValueError, match="has no web_url; pass workspace_slug= and object_slug="):
        record_url(bare)


def test_a_call_recordings_web_url_parses(client: AttioClient) -> None:
    meeting = client.meetings.create_or_find(meeting_body()["data"])
    meeting_id = meeting.id["meeting_id"]
    recording = client.call_recordings.create(meeting_id, video_url="https://example.com/a.mp4")
    assert recording.web_url
    parts = parse_url(recording.web_url)
    assert parts.kind is K.CALL_RECORDING
    assert parts.meeting_id == meeting_id
    assert parts.call_recording_id == recording.id["call_recording_id"]
    transcript, _ = client.call_recordings.transcript_page(
        meeting_id, recording.id["call_recording_id"]
    )
    assert transcript.web_url and parse_url(transcript.web_url).tab == "transcript"


# -- rejections ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "error", "message"),
    [
        ("https://example.com/acme/person/x", NotAnAttioUrlError, "got host 'example.com'"),
        (
            f"https://api.attio.com/v2/objects/people/records/{REC}",
            NotAnAttioUrlError,
            "that is the REST API",
        ),
        ("ftp://app.attio.com/acme", NotAnAttioUrlError, "expected https://app.attio.com/"),
        ("", NotAnAttioUrlError, "got host 'none'"),
        (APP, UnknownAttioUrlError, "no workspace slug"),
        (f"{APP}/authorize?client_id=x", UnknownAttioUrlError, "an Attio app page"),
        (f"{APP}/acme/person/not-an-id", UnknownAttioUrlError, "record id must be a UUID"),
        (f"{APP}/acme/settings/members", UnknownAttioUrlError, "'settings' page"),
        (f"{APP}/acme/person/{REC}/overview/x", UnknownAttioUrlError, "unexpected path"),
        (f"{APP}/acme/deals/record", UnknownAttioUrlError, "no record id after /deals/record"),
        (f"{APP}/acme/deals/{REC}?modal=note", UnknownAttioUrlError, "without one id=<note_id>"),
        (f"{APP}/acme/deals/{REC}?modal=note&id=nope", UnknownAttioUrlError, "note id"),
        (f"{APP}/acme/collection", UnknownAttioUrlError, "no list id or slug"),
        (f"{APP}/acme/collection/sales/board", UnknownAttioUrlError, "after the list 'sales'"),
        (f"{APP}/acme/collection/sales/entry/42", UnknownAttioUrlError, "entry id must be"),
        (f"{APP}/acme/calls/{MEETING}", UnknownAttioUrlError, "/calls/<meeting_id>/"),
        (f"{APP}/acme/calls/{MEETING}/{RECORDING}/video", UnknownAttioUrlError, "only /transc"),
    ],
)
def test_unknown_urls_are_rejected_saying_what_was_expected(
    url: str, error: type[AttioUrlError], message: str
) -> None:
    with pytest.raises(error, match=message.replace("?", r"\?")) as caught:
        parse_url(url)
    # Every rejection is a ValueError, and a path rejection lists the forms that are accepted.
    assert isinstance(caught.value, ValueError)
    if error is UnknownAttioUrlError:
        assert "/<workspace>/<object>/<record_id>[/<tab>]" in str(caught.value)


def test_url_errors_are_bad_input_in_the_error_tree() -> None:
    """A URL of no known form and a ``record_url`` that cannot be built are ``InvalidInputError``
    (also ``ValueError``, as before the error tree); the arity mistake is a ``TypeError`` too."""
    with pytest.raises(AttioUrlError) as caught:
        parse_url("https://example.com/acme/person/x")
    assert isinstance(caught.value, InvalidInputError) and isinstance(caught.value, ValueError)
    with pytest.raises(RecordUrlError, match="needs all three") as arity:
        record_url("acme", "people")  # type: ignore[call-overload]
    assert isinstance(arity.value, InvalidInputError) and isinstance(arity.value, TypeError)
