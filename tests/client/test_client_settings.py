"""The client's settings: the API key as pasted (whitespace around it dropped, whitespace inside
refused before any request, naming where it came from and never the key)."""

from __future__ import annotations

import httpx
import pytest

from attio_bridge.client import AttioClient, ConfigurationError

KEY = "client-settings-s3cret-key-1a2b"


def answering(seen: list[str]) -> httpx.MockTransport:
    """A transport that keeps each request's Authorization header and answers ``{}``."""

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])
        return httpx.Response(200, json={"data": {}})

    return httpx.MockTransport(handle)


@pytest.mark.parametrize("given", ["option", "environment"])
def test_whitespace_around_the_key_is_dropped(given: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    options = {"api_key": f" {KEY}\n"} if given == "option" else {}
    if given == "environment":
        monkeypatch.setenv("ATTIO_API_KEY", f"\t{KEY} ")
    with AttioClient(
        **options, transport=answering(seen), rate_limit_backend="memory", max_retries=0
    ) as client:
        client.request("GET", "/v2/self")
    assert seen == [f"Bearer {KEY}"]


@pytest.mark.parametrize(
    ("given", "named"), [("option", "from api_key"), ("environment", "from ATTIO_API_KEY")]
)
def test_a_key_with_whitespace_inside_is_refused(
    given: str, named: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = f"{KEY[:8]} {KEY[8:]}"
    options = {"api_key": broken} if given == "option" else {}
    if given == "environment":
        monkeypatch.setenv("ATTIO_API_KEY", broken)
    with pytest.raises(ConfigurationError) as caught:
        AttioClient(**options, rate_limit_backend="memory")
    assert named in str(caught.value)
    assert KEY[:8] not in str(caught.value) and KEY[8:] not in str(caught.value)
