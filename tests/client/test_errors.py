"""The client's error tree, its configuration, and where the API key must never appear.

Sources: API-NOTES §8 (Attio's error body ``{status_code, type, code, message}``, the codes and
their statuses), STYLE rule 1 (one tree, one subclass per status), and ``_exceptions.py``'s
module docstring for the tree itself. Statuses the emulator has no natural cause for (403, 5xx,
an unlisted 4xx, a 429 without waiting a second) come from its fault injection.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from attio_bridge.client import (
    APIConnectionError,
    AsyncAttioClient,
    AttioAPIError,
    AttioClient,
    AttioError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
)
from attio_bridge.testing import free_port

from ._factories import attribute_body, people_list, person
from ._target import API_KEY, Target

pytestmark = pytest.mark.anyio
ERROR_KEYS = {"status_code", "type", "code", "message"}


async def raised(call: Callable[[], Any]) -> AttioError:
    """The ``AttioError`` that awaiting ``call()`` raises."""
    with pytest.raises(AttioError) as caught:
        await call()
    return caught.value


# -- one class per status, carrying Attio's body -------------------------------------------------
@pytest.mark.operation(
    "POST /v2/objects/{object}/records",
    "GET /v2/objects/{object}/records/{record_id}",
    "POST /v2/objects",
)
async def test_attio_errors_map_to_their_class_with_every_field(
    aclient: AsyncAttioClient,
) -> None:
    cases: list[tuple[Callable[[], Any], type[AttioAPIError], int, str, str]] = [
        (
            lambda: aclient.records.create("people", {"email_addresses": ["not-an-email"]}),
            BadRequestError,
            400,
            "invalid_request_error",
            "validation_type",
        ),
        (
            lambda: aclient.records.get("people", "00000000-0000-4000-8000-000000000000"),
            NotFoundError,
            404,
            "invalid_request_error",
            "not_found",
        ),
        (
            lambda: aclient.objects.create(api_slug="people", singular_noun="P", plural_noun="Ps"),
            ConflictError,
            409,
            "invalid_request_error",
            "slug_conflict",
        ),
    ]
    for call, cls, status, type_, code in cases:
        error = await raised(call)
        assert type(error) is cls
        assert isinstance(error, AttioAPIError)
        assert (error.status_code, error.type, error.code) == (status, type_, code)
        # The raw body is Attio's four keys, and the fields are read from it.
        assert isinstance(error.body, dict) and set(error.body) == ERROR_KEYS
        assert error.message == error.body["message"] and error.message
        assert error.method and error.path and error.path.startswith("/v2/")
        assert error.message in str(error) and str(status) in str(error)


@pytest.mark.operation("GET /v2/self")
async def test_a_wrong_key_is_an_authentication_error(target: Target) -> None:
    target.require_emulator("a key the emulator refuses")
    async with target.async_client(api_key="wrong-key-5e8d") as attio:
        error = await raised(attio.identify)
    assert type(error) is AuthenticationError
    assert (error.status_code, error.type, error.code) == (401, "auth_error", "unauthorized")


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (403, PermissionDeniedError),
        (500, InternalServerError),
        (503, InternalServerError),
        (418, AttioAPIError),
    ],
)
@pytest.mark.operation("GET /v2/objects")
async def test_injected_statuses_map_to_their_class(
    target: Target, status: int, cls: type[AttioAPIError]
) -> None:
    target.require_emulator("fault injection")
    target.add_fault("GET /v2/objects", "error", status=status)
    async with target.async_client(max_retries=0) as attio:
        error = await raised(attio.objects.list)
    assert type(error) is cls
    assert error.status_code == status
    assert isinstance(error.body, dict) and error.body["status_code"] == status
    assert error.code == error.body["code"] and error.type == error.body["type"]


@pytest.mark.operation("GET /v2/objects")
async def test_a_429_once_the_retries_ran_out_is_a_rate_limit_error(target: Target) -> None:
    target.require_emulator("fault injection")
    target.add_fault("GET /v2/objects", "rate_limit")
    async with target.async_client(max_retries=0) as attio:
        error = await raised(attio.objects.list)
    assert type(error) is RateLimitError
    # API-NOTES §8: Attio's 429 body.
    assert (error.status_code, error.type, error.code) == (
        429,
        "rate_limit_error",
        "rate_limit_exceeded",
    )


async def test_no_answer_is_a_connection_error_not_an_api_error() -> None:
    attio = AsyncAttioClient(
        api_key=API_KEY,
        base_url=f"http://127.0.0.1:{free_port()}",
        max_retries=0,
        read_rate=0,
        write_rate=0,
    )
    async with attio:
        error = await raised(attio.identify)
    assert isinstance(error, APIConnectionError) and not isinstance(error, AttioAPIError)
    # Nothing reached a server that is not there: safe to retry even a POST.
    assert error.request_sent is False


# -- messages name the attribute and the valid choices -------------------------------------------
@pytest.mark.operation("POST /v2/objects/{object}/records")
async def test_an_unknown_select_option_names_the_attribute_and_the_valid_options(
    aclient: AsyncAttioClient,
) -> None:
    await aclient.attributes.create("objects", "people", attribute_body("tier", "select"))
    for title in ("Gold", "Silver"):
        await aclient.attributes.create_option("objects", "people", "tier", title=title)
    error = await raised(lambda: person(aclient, tier="Bronze"))
    assert isinstance(error, BadRequestError) and error.code == "value_not_found"
    text = str(error)
    for expected in ('"tier"', "Bronze", "Gold", "Silver"):
        assert expected in text


@pytest.mark.operation("POST /v2/lists/{list}/entries")
async def test_an_unknown_status_names_the_attribute_and_the_valid_statuses(
    aclient: AsyncAttioClient,
) -> None:
    slug = await people_list(aclient)
    await aclient.attributes.create("lists", slug, attribute_body("stage", "status"))
    for title in ("Open", "Won"):
        await aclient.attributes.create_status("lists", slug, "stage", title=title)
    record = await person(aclient)
    error = await raised(
        lambda: aclient.entries.create(
            slug,
            parent_record_id=record.record_id,
            parent_object="people",
            entry_values={"stage": "Lost"},
        )
    )
    assert isinstance(error, BadRequestError) and error.code == "value_not_found"
    for expected in ('"stage"', "Lost", "Open", "Won"):
        assert expected in str(error)


@pytest.mark.operation("POST /v2/objects/{object}/records")
async def test_a_bad_value_names_its_attribute(aclient: AsyncAttioClient) -> None:
    error = await raised(lambda: person(aclient, email_addresses=["not-an-email"]))
    assert '"email_addresses"' in str(error) and "not-an-email" in str(error)


# -- configuration -------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [AsyncAttioClient, AttioClient])
def test_no_key_anywhere_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch, make: Callable[..., Any]
) -> None:
    monkeypatch.delenv("ATTIO_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="ATTIO_API_KEY"):
        make()
    with pytest.raises(ConfigurationError):
        make(api_key="")


@pytest.mark.parametrize(
    "url", ["api.attio.com", "ftp://api.attio.com", "https://", "not a url", "http:///v2"]
)
@pytest.mark.parametrize("make", [AsyncAttioClient, AttioClient])
def test_a_bad_base_url_is_a_configuration_error(make: Callable[..., Any], url: str) -> None:
    with pytest.raises(ConfigurationError, match="base_url"):
        make(api_key=API_KEY, base_url=url)


def test_a_bad_base_url_from_the_environment_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ATTIO_BASE_URL", "attio.example")
    with pytest.raises(ConfigurationError, match="base_url"):
        AttioClient(api_key=API_KEY)


def test_negative_retries_and_unknown_options_are_configuration_errors() -> None:
    with pytest.raises(ConfigurationError, match="max_retries"):
        AttioClient(api_key=API_KEY, max_retries=-1)
    with (
        AttioClient(api_key=API_KEY, read_rate=0, write_rate=0) as attio,
        pytest.raises(ConfigurationError, match="retires"),
    ):
        attio.with_options(retires=3)


@pytest.mark.operation("GET /v2/self")
async def test_key_and_base_url_come_from_the_environment(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATTIO_API_KEY", target.api_key)
    monkeypatch.setenv("ATTIO_BASE_URL", target.base_url + "/")
    attio, sent = target.recording_async_client(api_key=None, base_url=None)
    async with attio:
        me = await attio.identify()
    assert me.active
    assert attio.base_url == target.base_url  # a trailing slash is dropped
    assert str(sent[0].url) == f"{target.base_url}/v2/self"
    assert sent[0].headers["authorization"] == f"Bearer {target.api_key}"


@pytest.mark.operation("GET /v2/self")
@pytest.mark.parametrize("suffix", ["/v2", "/v2/", "/"])
async def test_a_base_url_ending_in_v2_is_the_same_api(
    target: Target, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    # Attio's docs give https://api.attio.com/v2 as the base URL; paths start with /v2 already.
    attio, sent = target.recording_async_client(base_url=target.base_url + suffix)
    async with attio:
        assert (await attio.identify()).active
    assert attio.base_url == target.base_url
    assert str(sent[0].url) == f"{target.base_url}/v2/self"
    monkeypatch.setenv("ATTIO_BASE_URL", target.base_url + suffix)
    with target.sync_client(base_url=None) as attio_sync:
        assert attio_sync.identify().active
        assert attio_sync.base_url == target.base_url


@pytest.mark.operation("GET /v2/self")
async def test_arguments_win_over_the_environment(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATTIO_API_KEY", "not-the-key")
    monkeypatch.setenv("ATTIO_BASE_URL", "https://elsewhere.example")
    attio, sent = target.recording_async_client()
    async with attio:
        assert (await attio.identify()).active
    assert str(sent[0].url).startswith(target.base_url)


# -- the key stays secret ------------------------------------------------------------------------
@pytest.mark.operation("GET /v2/objects")
async def test_no_error_and_no_repr_ever_shows_the_key(target: Target) -> None:
    target.require_emulator("a known key and fault injection")
    errors: list[BaseException] = []
    async with target.async_client(max_retries=0) as attio:
        assert API_KEY not in repr(attio)
        assert API_KEY not in repr(attio.with_options(timeout=3.0))
        errors.append(await raised(lambda: attio.records.get("people", "missing")))
        errors.append(await raised(lambda: person(attio, email_addresses=["nope"])))
        target.add_fault("GET /v2/objects", "rate_limit", count=1)
        errors.append(await raised(attio.objects.list))
        target.add_fault("GET /v2/objects", "error", status=500, count=1)
        errors.append(await raised(attio.objects.list))
    async with target.async_client(api_key=API_KEY + "-revoked", max_retries=0) as wrong:
        errors.append(await raised(wrong.identify))
    offline = f"http://127.0.0.1:{free_port()}"
    lost = AsyncAttioClient(
        api_key=API_KEY, base_url=offline, max_retries=0, read_rate=0, write_rate=0
    )
    async with lost:
        assert API_KEY not in repr(lost)
        errors.append(await raised(lost.identify))
    with pytest.raises(ConfigurationError) as config_error:
        AsyncAttioClient(api_key=API_KEY, base_url="nowhere")
    errors.append(config_error.value)

    kinds = {type(e) for e in errors}
    assert {NotFoundError, BadRequestError, RateLimitError, InternalServerError} <= kinds
    assert {AuthenticationError, APIConnectionError, ConfigurationError} <= kinds
    for error in errors:
        for text in (str(error), repr(error), str(getattr(error, "body", ""))):
            assert API_KEY not in text, f"{type(error).__name__} shows the key: {text}"


def test_the_sync_clients_repr_does_not_show_the_key(target: Target) -> None:
    attio = target.sync_client()
    assert API_KEY not in repr(attio) and "AttioClient" in repr(attio)


# -- with_options --------------------------------------------------------------------------------
@pytest.mark.operation("GET /v2/self")
async def test_with_options_keeps_the_key_and_the_budget(target: Target) -> None:
    target.require_emulator("a budget the test sets")
    async with target.async_client(read_rate=90, write_rate=20) as attio:
        assert attio.budget is not None
        copy = attio.with_options(timeout=5.0, max_retries=1)
        async with copy:
            assert copy.max_retries == 1
            assert copy.budget is attio.budget  # one budget per key: pacing stays shared
            assert (await copy.identify()).active  # the key came along
            other = copy.with_options(read_rate=30)
            assert other.budget is not attio.budget and other.budget is not None
            await other.aclose()


@pytest.mark.operation("GET /v2/self")
def test_sync_with_options_outlives_the_client_it_came_from(target: Target) -> None:
    attio = target.sync_client()
    copy = attio.with_options(max_retries=0)
    assert copy.budget is attio.budget
    attio.close()  # closes the transport the two share; the copy's next request reopens it
    assert copy.identify().active
    copy.close()
