"""SlackConnector against the emulator's Slack stand-in, run as a separate process.

slack_sdk speaks HTTP through urllib, so the emulator runs behind a real socket
(``EmulatorProcess``), one per module. Effects are read back with plain HTTP calls to the
stand-in. Shapes and codes follow Slack's method reference (docs.slack.dev/reference/methods/
conversations.create, conversations.list, conversations.archive, auth.test) and its channel
naming rules ("lowercase letters, numbers, hyphens, and underscores ... 80 characters or less").
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from attio_bridge.connectors import ConnectorError, SlackChannel, SlackConnector, channel_name
from attio_bridge.errors import AttioError, InvalidInputError
from attio_bridge.testing import EmulatorProcess
from attio_bridge.testing.process import free_port

from ._support import call, fail, reset

TOKEN = "xoxb-sandbox"


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorProcess]:
    """One emulator process for the module."""
    with EmulatorProcess(api_key="test-key") as process:
        yield process


@pytest.fixture
def slack(emu: EmulatorProcess) -> SlackConnector:
    """A connector for a freshly reset stand-in."""
    reset(emu)
    return SlackConnector(TOKEN, base_url=f"{emu.base_url}/slack/api/")


def info(emu: EmulatorProcess, channel_id: str) -> dict[str, Any]:
    """conversations.info as the stand-in answers it."""
    status, answer = call(
        f"{emu.base_url}/slack/api/conversations.info", {"channel": channel_id}, token=TOKEN
    )
    assert status == 200
    result: dict[str, Any] = answer
    return result


def test_channel_name_follows_slacks_rules() -> None:
    """Names are lowercase, punctuation and spaces become single hyphens, accents fold, <= 80."""
    assert channel_name("Acme, Inc.") == "internal-acme-inc"
    assert channel_name("  Café Zoë & Co. ") == "internal-cafe-zoe-co"
    assert channel_name("R&D", prefix="ext-") == "ext-r-d"
    long = channel_name("x" * 200)
    assert len(long) == 80 and long.startswith("internal-x")
    with pytest.raises(InvalidInputError, match="no letter or digit") as caught:
        channel_name("!!!")
    assert isinstance(caught.value, ValueError) and caught.value.retryable is False


def test_create_channel_then_find_it(slack: SlackConnector, emu: EmulatorProcess) -> None:
    """A created channel exists in Slack under its name, and find_channel returns the same one."""
    created = slack.create_channel(channel_name("Acme, Inc."))
    assert created.name == "internal-acme-inc"
    assert info(emu, created.id)["channel"]["name"] == "internal-acme-inc"
    assert slack.find_channel("internal-acme-inc") == created
    _, team = call(f"{emu.base_url}/slack/api/auth.test", {}, token=TOKEN)
    assert created.url == f"https://app.slack.com/client/{team['team_id']}/{created.id}"


def test_private_channel(slack: SlackConnector, emu: EmulatorProcess) -> None:
    """private=True creates a private channel, which find_channel still sees."""
    created = slack.create_channel("deal-room", private=True)
    assert info(emu, created.id)["channel"]["is_private"] is True
    assert slack.find_channel("deal-room") == created


def test_create_twice_returns_the_existing_channel(
    slack: SlackConnector, emu: EmulatorProcess
) -> None:
    """A second create of the same name (Slack's name_taken) returns the first channel."""
    first = slack.create_channel("internal-beta")
    second = slack.create_channel("internal-beta")
    assert second == first
    _, listed = call(f"{emu.base_url}/slack/api/conversations.list", {}, token=TOKEN)
    assert [c["name"] for c in listed["channels"]].count("internal-beta") == 1


def test_find_channel_pages_through_the_list(slack: SlackConnector) -> None:
    """find_channel follows next_cursor: a channel past the first page of 200 is found."""
    for i in range(205):
        slack.create_channel(f"filler-{i:03d}")
    last = slack.create_channel("needle")
    assert slack.find_channel("needle") == last
    assert slack.find_channel("not-there") is None


def test_archived_channels_are_not_found(slack: SlackConnector, emu: EmulatorProcess) -> None:
    """An archived channel is invisible to find_channel; creating its name again fails clearly."""
    channel = slack.create_channel("internal-gone")
    slack.archive_channel(channel.id)
    assert info(emu, channel.id)["channel"]["is_archived"] is True
    assert slack.find_channel("internal-gone") is None
    with pytest.raises(ConnectorError) as caught:
        slack.create_channel("internal-gone")
    assert caught.value.code == "name_taken"
    assert "archived" in str(caught.value) and "#internal-gone" in str(caught.value)


def test_archive_is_idempotent_and_unknown_ids_fail(slack: SlackConnector) -> None:
    """Archiving twice is fine; an unknown channel id is channel_not_found."""
    channel = slack.create_channel("internal-twice")
    slack.archive_channel(channel.id)
    slack.archive_channel(channel.id)
    with pytest.raises(ConnectorError) as caught:
        slack.archive_channel("C0NOPE")
    assert (caught.value.system, caught.value.code) == ("slack", "channel_not_found")
    assert caught.value.retryable is False


def test_invalid_name_is_a_clear_error(slack: SlackConnector) -> None:
    """Slack's invalid_name_specials becomes a ConnectorError saying how names must look."""
    with pytest.raises(ConnectorError) as caught:
        slack.create_channel("Acme Inc")
    assert caught.value.code == "invalid_name_specials"
    assert "lowercase" in str(caught.value)


def test_refused_token_never_shows(emu: EmulatorProcess, caplog: pytest.LogCaptureFixture) -> None:
    """invalid_auth names SLACK_BOT_TOKEN as the fix; the token is in no error, repr or log."""
    secret = "xoxb-secret-123456"
    connector = SlackConnector(secret, base_url=f"{emu.base_url}/slack/api/")
    with caplog.at_level(logging.DEBUG), pytest.raises(ConnectorError) as caught:
        connector.create_channel("internal-x")
    assert "conversations.create" in caplog.text  # slack_sdk did log the request
    assert caught.value.code == "invalid_auth"
    # Part of the one tree, and not worth retrying: the token must be fixed first.
    assert isinstance(caught.value, AttioError) and caught.value.retryable is False
    assert "SLACK_BOT_TOKEN" in str(caught.value)
    for text in (str(caught.value), repr(caught.value), repr(connector), caplog.text):
        assert secret not in text


def test_injected_failure_becomes_connector_error(
    slack: SlackConnector, emu: EmulatorProcess
) -> None:
    """A workspace that forbids channel creation (restricted_action) fails with that code."""
    fail(emu, system="slack", method="conversations.create", error="restricted_action", count=1)
    with pytest.raises(ConnectorError) as caught:
        slack.create_channel("internal-blocked")
    assert caught.value.code == "restricted_action" and caught.value.retryable is False
    assert slack.find_channel("internal-blocked") is None


def test_missing_scope_names_the_scope(slack: SlackConnector, emu: EmulatorProcess) -> None:
    """missing_scope tells which scope to add (the stand-in answers no ``needed`` field)."""
    fail(emu, system="slack", method="conversations.list", error="missing_scope")
    with pytest.raises(ConnectorError) as caught:
        slack.find_channel("anything")
    assert caught.value.code == "missing_scope"
    assert "OAuth & Permissions" in str(caught.value)


def test_unreachable_slack_is_a_connection_error() -> None:
    """Nothing listening at the API URL gives code connection and names SLACK_API_URL."""
    connector = SlackConnector(TOKEN, base_url=f"http://127.0.0.1:{free_port()}/slack/api/")
    with pytest.raises(ConnectorError) as caught:
        connector.find_channel("x")
    assert caught.value.code == "connection" and caught.value.retryable is True
    assert "SLACK_API_URL" in str(caught.value)


def test_from_env(monkeypatch: pytest.MonkeyPatch, emu: EmulatorProcess) -> None:
    """from_env reads SLACK_BOT_TOKEN and SLACK_API_URL; without a token it says what to set."""
    reset(emu)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    with pytest.raises(ConnectorError) as caught:
        SlackConnector.from_env()
    assert caught.value.code == "not_configured" and "SLACK_BOT_TOKEN" in str(caught.value)
    assert caught.value.retryable is False
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("SLACK_API_URL", f"{emu.base_url}/slack/api/")
    channel = SlackConnector.from_env().create_channel("internal-env")
    assert isinstance(channel, SlackChannel)
    assert info(emu, channel.id)["channel"]["name"] == "internal-env"


def test_rate_limited_call_is_retried(slack: SlackConnector, emu: EmulatorProcess) -> None:
    """One 429 ratelimited answer (with Retry-After) is waited out; the channel is created."""
    fail(emu, system="slack", method="conversations.create", error="ratelimited", count=1)
    channel = slack.create_channel("internal-patient")
    assert info(emu, channel.id)["channel"]["name"] == "internal-patient"


def test_rate_limited_for_good_is_a_clear_error(
    slack: SlackConnector, emu: EmulatorProcess
) -> None:
    """When Slack keeps answering 429, the error says to wait and run again."""
    fail(emu, system="slack", method="conversations.list", error="ratelimited")
    with pytest.raises(ConnectorError) as caught:
        slack.find_channel("anything")
    assert caught.value.code == "ratelimited" and caught.value.status == 429
    assert caught.value.retryable is True
    assert "run again" in str(caught.value)


def history(emu: EmulatorProcess, channel_id: str) -> list[dict[str, Any]]:
    """conversations.history as the stand-in answers it: the channel's messages, newest first."""
    status, answer = call(
        f"{emu.base_url}/slack/api/conversations.history", {"channel": channel_id}, token=TOKEN
    )
    assert status == 200 and answer["ok"], answer
    messages: list[dict[str, Any]] = answer["messages"]
    return messages


def test_post_message_by_name_or_id(slack: SlackConnector, emu: EmulatorProcess) -> None:
    """A message posted by channel name (with or without #) or id lands in that channel."""
    channel = slack.create_channel("alerts")
    first = slack.post_message("#alerts", "first")
    second = slack.post_message(channel.id, "second")
    assert first != second
    assert [(m["text"], m["ts"]) for m in history(emu, channel.id)] == [
        ("second", second),
        ("first", first),
    ]


def test_post_message_to_a_missing_or_archived_channel(slack: SlackConnector) -> None:
    """Slack's codes, with the fix in the message; neither is worth retrying."""
    with pytest.raises(ConnectorError) as missing:
        slack.post_message("#nowhere", "hello")
    assert missing.value.code == "channel_not_found" and not missing.value.retryable
    channel = slack.create_channel("old-alerts")
    slack.archive_channel(channel.id)
    with pytest.raises(ConnectorError, match="unarchive it") as archived:
        slack.post_message(channel.id, "hello")
    assert archived.value.code == "is_archived" and not archived.value.retryable
