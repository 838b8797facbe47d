"""One error tree: each layer's error class has its place under ``AttioError``, and what a layer
raises on purpose is provoked here through the public API and checked for class and
``retryable``. The cache's and the connectors' errors are provoked against real backends in
``tests/cache`` and ``tests/connectors``; the client's API errors in ``tests/client``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from attio_bridge import AttioClient, Services
from attio_bridge.cache import CacheError
from attio_bridge.client import (
    APIConnectionError,
    AttioAPIError,
    NotFoundError,
    RateBackendError,
    RateBudgetError,
)
from attio_bridge.connectors import ConnectorError
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.errors import AttioError, ConfigurationError, InvalidInputError, MissingError
from attio_bridge.jobs.circuits import CircuitOpenError
from attio_bridge.services import ServiceError
from attio_bridge.services.urls import AttioUrlError, parse_url, record_url
from attio_bridge.state import LockTimeout, SecretKeyError, StateError
from attio_bridge.testing import EmulatorProcess, EmulatorProcessError, SyncASGITransport
from attio_bridge.values import UnknownTargetError, ValuesError
from attio_bridge.webhooks.alerts import NotifierError
from attio_bridge.webhooks.subscriptions import SubscriptionsFileError
from attio_bridge.webhooks.tenants import TenantsFileError

from .conftest import API_KEY


@pytest.mark.parametrize(
    ("cls", "parent"),
    [
        (ConfigurationError, AttioError),
        (InvalidInputError, AttioError),
        (InvalidInputError, ValueError),
        (MissingError, AttioError),
        (MissingError, LookupError),
        (ValuesError, InvalidInputError),
        (ServiceError, InvalidInputError),
        (AttioUrlError, InvalidInputError),
        (UnknownTargetError, MissingError),
        (NotFoundError, MissingError),
        (NotFoundError, AttioAPIError),
        (APIConnectionError, AttioError),
        (RateBudgetError, AttioError),
        (RateBackendError, AttioError),
        (CacheError, AttioError),
        (ConnectorError, AttioError),
        (StateError, AttioError),
        (LockTimeout, StateError),
        (EmulatorProcessError, AttioError),
        (SecretKeyError, StateError),
        (CircuitOpenError, AttioError),
        (SubscriptionsFileError, InvalidInputError),
        (TenantsFileError, ConfigurationError),
        (NotifierError, AttioError),
    ],
)
def test_each_class_has_its_place_in_the_tree(cls: type[Exception], parent: type) -> None:
    assert issubclass(cls, parent)


@pytest.fixture
def client(emulator: EmulatorApp) -> Iterator[AttioClient]:
    """An ``AttioClient`` on the in-process emulator."""
    transport = SyncASGITransport(emulator)
    with AttioClient(api_key=API_KEY, base_url="http://emulator.test", transport=transport) as c:
        yield c


def test_client_a_target_that_is_no_objects_lists_or_activities_is_invalid_input(
    client: AttioClient,
) -> None:
    with pytest.raises(
        InvalidInputError, match='target must be "objects", "lists" or "activities"'
    ) as caught:
        client.attributes.list("object", "people")
    assert isinstance(caught.value, ValueError) and caught.value.retryable is False


def test_services_asked_the_impossible_is_invalid_input(client: AttioClient) -> None:
    with pytest.raises(
        ServiceError, match=r"no company has the domain 'nobody\.example'"
    ) as caught:
        Services(client).companies.get("nobody.example")
    assert isinstance(caught.value, InvalidInputError) and caught.value.retryable is False


def test_services_values_the_schema_refuses_are_invalid_input(client: AttioClient) -> None:
    with pytest.raises(InvalidInputError) as caught:
        Services(client).people.upsert("ada@example.com", nickname="Ada")
    assert isinstance(caught.value, ValuesError) and caught.value.retryable is False


def test_services_urls_errors_are_invalid_input(client: AttioClient) -> None:
    with pytest.raises(InvalidInputError, match=r"example\.com") as caught:
        parse_url("https://example.com/acme/person/1")
    assert isinstance(caught.value, AttioUrlError) and caught.value.retryable is False
    with pytest.raises(InvalidInputError, match="needs all three"):
        record_url("acme", None, "r1")  # type: ignore[call-overload]
    person = client.records.create("people", {"email_addresses": ["bo@example.com"]})
    with pytest.raises(InvalidInputError, match="has no web_url"):
        record_url(person.model_copy(update={"web_url": None}))


def test_values_an_unknown_object_is_missing(client: AttioClient) -> None:
    with pytest.raises(MissingError, match="no object 'gizmos'") as caught:
        Services(client).context.workspace().target("gizmos", "object")
    assert isinstance(caught.value, UnknownTargetError) and caught.value.retryable is False


def test_testing_an_emulator_process_that_cannot_start_says_why() -> None:
    # An unknown seed dataset: the command refuses it and exits before serving.
    with pytest.raises(EmulatorProcessError, match="exited with 2") as caught:
        EmulatorProcess(seed="no-such-dataset", startup_timeout=60).start()
    assert caught.value.retryable is False
