"""The client and token scopes: ``PermissionDeniedError`` names the missing scope, whether
Attio's message names it (the emulator's does) or not (Attio's own: "You do not have the
necessary permissions ...", docs.attio.com activity-records/create-an-activity-record), and
``identify()`` reports the token's scopes (``/v2/self``'s ``scope``)."""

from __future__ import annotations

import httpx
import pytest

from attio_bridge.client import AttioClient, PermissionDeniedError
from attio_bridge.emulator import EmulatorConfig, create_app
from attio_bridge.testing import SyncASGITransport

KEY = "client-scopes-key-5ab1"


def test_a_read_only_token_is_refused_a_write_with_the_scope_named() -> None:
    app = create_app(
        EmulatorConfig(
            api_keys=[KEY],
            scopes={KEY: ("note:read", "object_configuration:read", "record_permission:read")},
            read_rate=0,
            write_rate=0,
        )
    )
    with AttioClient(api_key=KEY, base_url="http://e", transport=SyncASGITransport(app)) as c:
        assert c.identify().scope == "note:read object_configuration:read record_permission:read"
        assert c.notes.list() == []
        with pytest.raises(PermissionDeniedError) as caught:
            c.notes.create(parent_object="people", parent_record_id="x", title="t", content="c")
    err = caught.value
    assert err.missing_scope == "note:read-write"
    assert "note:read-write" in str(err)
    assert err.code == "unauthorized"


def test_attios_own_message_gets_the_scope_the_path_needs() -> None:
    """Attio's message names no scope: the client names the one the request's path needs."""
    body = {
        "status_code": 403,
        "type": "auth_error",
        "code": "unauthorized",
        "message": "You do not have the necessary permissions to create this activity record.",
    }
    transport = httpx.MockTransport(lambda request: httpx.Response(403, json=body))
    with AttioClient(api_key=KEY, base_url="http://e", transport=transport) as c:
        with pytest.raises(PermissionDeniedError) as caught:
            c.activity_records.create("phone_calls", {"direction": "Outbound"})
        assert caught.value.missing_scope == "activity_record:read-write"
        assert "attio-bridge self" in caught.value.message
        with pytest.raises(PermissionDeniedError) as read:
            c.activity_records.query("phone_calls")
        assert read.value.missing_scope == "activity_record:read"
        with pytest.raises(PermissionDeniedError) as lists:
            c.attributes.list("lists", "sales")
        assert lists.value.missing_scope == "list_configuration:read"


def test_a_billing_refusal_names_no_scope() -> None:
    body = {"status_code": 403, "type": "auth_error", "code": "billing_error", "message": "Plan."}
    transport = httpx.MockTransport(lambda request: httpx.Response(403, json=body))
    with (
        AttioClient(api_key=KEY, base_url="http://e", transport=transport) as c,
        pytest.raises(PermissionDeniedError) as caught,
    ):
        c.files.get("f")
    assert caught.value.missing_scope is None
    assert caught.value.message == "Plan."


def test_an_emulator_process_started_with_scopes_refuses_what_they_do_not_grant() -> None:
    """``attio-bridge emulator --scopes`` (through ``EmulatorProcess(scopes=...)``): the key
    has exactly those scopes, over real HTTP."""
    from attio_bridge.testing import EmulatorProcess

    with (
        EmulatorProcess(api_key=KEY, scopes=["webhook:read"]) as emu,
        AttioClient(api_key=KEY, base_url=emu.base_url, max_retries=0) as c,
    ):
        assert c.identify().scope == "webhook:read"
        assert c.webhooks.list() == []
        with pytest.raises(PermissionDeniedError) as caught:
            c.webhooks.create(target_url="https://x.test/", subscriptions=[])
    assert caught.value.missing_scope == "webhook:read-write"


def test_the_scope_the_client_names_is_one_the_emulator_requires() -> None:
    """For every operation the emulator serves, the scope the client would name for a 403 is
    among those the operation needs (the spec's ``security``, the docs' "Required scopes")."""
    import re

    from attio_bridge.client._scopes import scope_for
    from attio_bridge.emulator.app import route_tables
    from attio_bridge.emulator.scopes import required_scopes

    for table in route_tables():
        for spec in table.specs:
            for target in ("objects", "lists") if "{target}" in spec.path else ("",):
                path = re.sub(r"\{[^}]+\}", "x", spec.path.replace("{target}", target))
                needed = required_scopes(spec.operation, {"target": target})
                named = scope_for(spec.method, path)
                assert (named in needed) if needed else named is None, (spec.operation, named)
