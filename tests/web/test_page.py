"""The events page: what it shows of events and their jobs, its live table, escaping, secrets,
and templates replaced from a folder."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from attio_bridge.errors import AttioError
from attio_bridge.web.app import create_app
from attio_bridge.web.feed import summary
from attio_bridge.web.service import Service

from ._support import API_KEY, delivery, make_service, post, record_event, wait_for_row


@pytest.fixture
def service() -> Service:
    return make_service()


@pytest.fixture
def client(service: Service) -> Iterator[TestClient]:
    with TestClient(create_app(service)) as client:
        yield client


def test_the_page_polls_its_feed_with_the_vendored_htmx(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<script src="static/htmx.min.js">' in page.text
    assert 'hx-get="events/feed?since=0"' in page.text
    assert "No events yet" in page.text
    script = client.get("/static/htmx.min.js")
    assert script.status_code == 200
    assert "htmx" in script.text


def test_the_feed_shows_a_new_event_and_its_effect(client: TestClient, service: Service) -> None:
    before = client.get("/events/feed")
    assert "record.created" not in before.text
    since = re.search(r'hx-get="events/feed\?since=(\d+)"', before.text)
    assert since is not None
    unchanged = client.get("/events/feed", params={"since": since[1]})
    assert (unchanged.status_code, unchanged.text) == (204, "")  # htmx keeps what it shows
    assert post(client, delivery(record_event("rec-42", "record.created"))) == 200
    wait_for_row(service, lambda r: r.status == "succeeded")
    polled = client.get("/events/feed", params={"since": since[1]})
    assert polled.status_code == 200
    after = polled.text
    assert "record.created" in after
    assert "record rec-42" in after
    assert 'class="status-succeeded"' in after
    assert "no handler is wired in yet" in after  # the effect
    assert '<div class="count-received"><b>1</b>received</div>' in after


def test_retries_and_dead_letters_show_with_their_error() -> None:
    async def failing(payload: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("the CRM said no")

    service = make_service(failing)
    with TestClient(create_app(service)) as client:
        assert post(client, delivery(record_event())) == 200
        row = wait_for_row(service, lambda r: r.status == "dead")
        feed = client.get("/events/feed").text
    assert row.attempts == 3  # the first try and two retries
    assert 'class="status-dead"' in feed
    assert "RuntimeError: the CRM said no" in feed
    counts = service.feed.counts()
    assert (counts["retrying"], counts["dead"]) == (2, 1)


def test_what_an_event_carries_is_escaped(client: TestClient, service: Service) -> None:
    hostile = record_event("<script>alert(1)</script>", "record.<b>updated</b>")
    assert post(client, delivery(hostile)) == 200
    wait_for_row(service, lambda r: r.status == "succeeded")
    page = client.get("/").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>updated</b>" not in page


def test_a_secret_in_an_error_never_reaches_the_page() -> None:
    async def leaky(payload: dict[str, Any]) -> dict[str, Any]:
        raise AttioError(f"refused key {API_KEY}")  # not retryable: dead at once

    service = make_service(leaky)
    with TestClient(create_app(service)) as client:
        assert post(client, delivery(record_event())) == 200
        wait_for_row(service, lambda r: r.status == "dead")
        page = client.get("/").text
    assert API_KEY not in page
    assert "refused key [redacted]" in page


def test_a_template_folder_replaces_the_page(tmp_path: Path) -> None:
    (tmp_path / "events.html").write_text(
        "<h1>Our events</h1>{% for row in rows %}<i>{{ row.type }}</i>{% endfor %}"
    )
    service = make_service(template_dir=tmp_path)
    with TestClient(create_app(service)) as client:
        assert post(client, delivery(record_event(kind="<task>.created"))) == 200
        wait_for_row(service, lambda r: r.status == "succeeded")
        page = client.get("/").text
        feed = client.get("/events/feed").text
    assert page == "<h1>Our events</h1><i>&lt;task&gt;.created</i>"
    assert 'hx-get="events/feed?since=' in feed  # the partial not replaced is the package's own


def test_an_effect_reads_as_a_line_with_its_json_folded_and_counts_say_what_they_count() -> None:
    async def reread(payload: dict[str, Any]) -> dict[str, Any]:
        return {"action": "re-read record", "object": "people", "record_id": "5f3c1a2b-9d8e"}

    service = make_service(reread)
    with TestClient(create_app(service)) as client:
        assert post(client, delivery(record_event("5f3c1a2b-9d8e", "record.updated"))) == 200
        wait_for_row(service, lambda r: r.status == "succeeded")
        feed = client.get("/events/feed").text
    assert '<td class="effect">re-read record 5f3c1a2b…<details>' in feed
    assert "<summary>JSON</summary>" in feed and "&#34;object&#34;:&#34;people&#34;" in feed
    assert "<b>0</b>retries scheduled</div>" in feed and "<b>1</b>attempts started" in feed


def test_an_effect_whose_action_is_not_about_its_id_names_the_id_apart() -> None:
    effect = {"action": "no external sync hook", "record_id": "5f3c1a2b-9d8e"}
    assert summary(effect) == "no external sync hook (record 5f3c1a2b…)"
    assert summary({"note": "nothing to do"}) == "note: nothing to do"
