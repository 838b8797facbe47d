"""``SyncASGITransport``: an ASGI app served in-process to a sync ``httpx.Client``.

Small ASGI apps written here pin each behaviour down (request and response streaming, errors,
the event loop's lifetime); the emulator shows the transport carrying ``AttioClient``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio
import anyio.to_thread
import httpx
import pytest

from attio_bridge.client import APIConnectionError, AttioClient
from attio_bridge.testing import SyncASGITransport

from ._target import Target

Scope = MutableMapping[str, Any]
URL = "http://app.test"


def thread_alive() -> bool:
    """Whether a transport's event loop thread is running."""
    return any(t.name == "SyncASGITransport" for t in threading.enumerate())


async def echo(scope: Scope, receive: Any, send: Any) -> None:
    """Answers with what it saw: the scope's basics and each request body chunk."""
    chunks: list[str] = []
    while True:
        message = await receive()
        chunks.append(message["body"].decode())
        if not message.get("more_body"):
            break
    headers = {k.decode(): v.decode() for k, v in scope["headers"]}
    body = httpx.Response(
        200,
        json={
            "method": scope["method"],
            "path": scope["path"],
            "query": scope["query_string"].decode(),
            "root_path": scope["root_path"],
            "header": headers.get("x-test"),
            "chunks": chunks,
            "loop": id(asyncio.get_running_loop()),
        },
    ).content
    await send({"type": "http.response.start", "status": 201, "headers": [(b"x-reply", b"yes")]})
    await send({"type": "http.response.body", "body": body})


@pytest.fixture
def echo_client() -> Iterator[httpx.Client]:
    """An ``httpx.Client`` on ``echo``."""
    with httpx.Client(base_url=URL, transport=SyncASGITransport(echo, root_path="/r")) as client:
        yield client


def test_requests_reach_the_app_with_their_scope(echo_client: httpx.Client) -> None:
    response = echo_client.post("/things/a%20b", params={"q": "1"}, headers={"X-Test": "hi"})
    assert response.status_code == 201 and response.headers["x-reply"] == "yes"
    seen = response.json()
    assert (seen["method"], seen["path"], seen["query"]) == ("POST", "/things/a b", "q=1")
    assert (seen["header"], seen["root_path"]) == ("hi", "/r")


def test_a_streamed_request_body_arrives_chunk_by_chunk(echo_client: httpx.Client) -> None:
    def body() -> Iterator[bytes]:
        yield b"one "
        yield b"two "
        yield b"three"

    seen = echo_client.post("/", content=body()).json()
    assert "".join(seen["chunks"]) == "one two three"
    assert seen["chunks"][:3] == ["one ", "two ", "three"]
    assert echo_client.post("/", json={"a": 1}).json()["chunks"][0] == '{"a":1}'


def test_every_request_runs_on_one_event_loop_until_close() -> None:
    transport = SyncASGITransport(echo)
    with httpx.Client(base_url=URL, transport=transport) as client:
        loops = {client.get("/").json()["loop"] for _ in range(3)}
        assert len(loops) == 1
        assert thread_alive()
    # Closing the client closes the transport, which stops the loop and its thread.
    assert not thread_alive()
    # A closed transport opens again, as httpx's connection pool does.
    with httpx.Client(base_url=URL, transport=transport) as client:
        assert client.get("/").json()["loop"] not in loops
    transport.close()
    transport.close()  # twice is fine


def test_threads_can_share_one_transport(echo_client: httpx.Client) -> None:
    def send(i: int) -> tuple[int, str]:
        response = echo_client.post("/", params={"i": str(i)}, content=str(i).encode())
        return response.status_code, "".join(response.json()["chunks"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(send, range(40)))
    assert results == [(201, str(i)) for i in range(40)]


def test_the_response_streams_while_the_app_is_still_sending() -> None:
    first_read = threading.Event()

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"first", "more_body": True})
        # Carry on only once the reader holds the first chunk: a transport that buffered the
        # whole body first would never deliver it, and the wait would time out.
        if not await anyio.to_thread.run_sync(first_read.wait, 10.0):
            raise AssertionError("the first chunk never reached the reader")
        await send({"type": "http.response.body", "body": b"second"})

    with (
        httpx.Client(base_url=URL, transport=SyncASGITransport(app)) as client,
        client.stream("GET", "/") as response,
    ):
        chunks = response.iter_raw()
        assert next(chunks) == b"first"
        first_read.set()
        assert list(chunks) == [b"second"]


def test_a_reader_that_stops_early_ends_an_endless_response() -> None:
    stopped = threading.Event()

    async def endless(scope: Scope, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        try:
            while True:
                await send({"type": "http.response.body", "body": b"x", "more_body": True})
        finally:
            stopped.set()

    with httpx.Client(base_url=URL, transport=SyncASGITransport(endless)) as client:
        with client.stream("GET", "/") as response:
            assert next(response.iter_raw()) == b"x"
        # Closing the response cancelled the app instead of leaving it sending forever.
        assert stopped.wait(10)


async def fails_before_answering(scope: Scope, receive: Any, send: Any) -> None:
    """Raises before any response."""
    raise ValueError("boom")


async def fails_mid_body(scope: Scope, receive: Any, send: Any) -> None:
    """Starts a response, sends part of it, then raises."""
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b'{"data":', "more_body": True})
    raise ValueError("cut off")


async def never_answers(scope: Scope, receive: Any, send: Any) -> None:
    """Returns without a response."""


@pytest.mark.parametrize("app", [fails_before_answering, fails_mid_body])
def test_app_errors_are_raised_by_default(app: Any) -> None:
    with (
        httpx.Client(base_url=URL, transport=SyncASGITransport(app)) as client,
        pytest.raises(ValueError),
    ):
        client.get("/")


def test_without_raising_a_failed_app_answers_as_a_server_would() -> None:
    def client_for(app: Any) -> httpx.Client:
        transport = SyncASGITransport(app, raise_app_exceptions=False)
        return httpx.Client(base_url=URL, transport=transport)

    with client_for(fails_before_answering) as client:
        assert client.get("/").status_code == 500
    with client_for(never_answers) as client:
        assert client.get("/").status_code == 500
    # A body cut off mid-way is a broken connection, as a socket closed by the peer is.
    with client_for(fails_mid_body) as client, pytest.raises(httpx.RemoteProtocolError):
        client.get("/")


def test_an_app_that_never_answers_is_reported() -> None:
    with (
        httpx.Client(base_url=URL, transport=SyncASGITransport(never_answers)) as client,
        pytest.raises(RuntimeError, match="without sending a response"),
    ):
        client.get("/")


def test_an_async_request_body_is_refused() -> None:
    async def body() -> Any:
        yield b"x"

    transport = SyncASGITransport(echo)
    request = httpx.Request("POST", URL, content=body())
    with pytest.raises(TypeError, match="ASGITransport"):
        transport.handle_request(request)
    transport.close()


def test_head_responses_have_no_body(echo_client: httpx.Client) -> None:
    response = echo_client.head("/")
    assert response.status_code == 201 and response.content == b""


# -- with the emulator ---------------------------------------------------------------------------
@pytest.mark.operation("GET /v2/self", "POST /v2/objects/{object}/records")
def test_the_sync_client_runs_on_the_emulator_in_process(target: Target) -> None:
    if target.app is None:
        pytest.skip("the in-process target only")
    with AttioClient(
        api_key=target.api_key,
        base_url=target.base_url,
        transport=SyncASGITransport(target.app),
        read_rate=0,
        write_rate=0,
    ) as attio:
        assert attio.identify().active
        record = attio.records.create("people", {"email_addresses": ["t@example.com"]})
        assert record.record_id


def test_a_dropped_connection_reaches_the_client_as_a_connection_error(target: Target) -> None:
    if target.app is None:
        pytest.skip("the in-process target only")
    # No operation marker: the emulator's journal leaves out requests whose connection it drops.
    target.add_fault("GET /v2/objects", "drop")
    transport = SyncASGITransport(target.app, raise_app_exceptions=False)
    with (
        AttioClient(
            api_key=target.api_key,
            base_url=target.base_url,
            transport=transport,
            read_rate=0,
            write_rate=0,
            max_retries=0,
        ) as attio,
        pytest.raises(APIConnectionError),
    ):
        attio.objects.list()
