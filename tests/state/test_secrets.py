"""The secret store: values encrypted at rest in the state store, the key from the environment
or a generated 0600 file, rotation, and a clear error for a wrong key."""

from __future__ import annotations

import logging
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from attio_bridge.errors import AttioError
from attio_bridge.state import (
    SECRET_KEY_ENV,
    SecretKeyError,
    StateStore,
    key_file_for,
    open_secrets,
    open_store,
)

VALUE = "whsec-0123456789abcdef-plaintext"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StateStore]:
    with open_store(f"sqlite:///{tmp_path / 'state.sqlite3'}") as opened:
        yield opened


def test_values_round_trip_and_the_database_holds_no_plaintext(
    store: StateStore, tmp_path: Path
) -> None:
    secrets = open_secrets(store, environ={})
    secrets.put("webhook:one", VALUE)
    secrets.put("webhook:two", "other")
    secrets.put("slack-token", "xoxb-1")
    assert secrets.get("webhook:one") == VALUE
    assert secrets.get("missing") is None
    assert secrets.names() == ["slack-token", "webhook:one", "webhook:two"]
    assert secrets.names("webhook:") == ["webhook:one", "webhook:two"]
    assert secrets.delete("webhook:two") is True
    assert secrets.delete("webhook:two") is False
    assert secrets.names("webhook:") == ["webhook:one"]
    # The stored document, and the whole database file, hold no plaintext.
    doc = store.get("secrets", "webhook:one")
    assert doc is not None and VALUE not in str(doc)
    raw = (tmp_path / "state.sqlite3").read_bytes()
    with sqlite3.connect(tmp_path / "state.sqlite3") as conn:
        dump = "\n".join(conn.iterdump())
    assert VALUE.encode() not in raw and VALUE not in dump
    assert VALUE not in repr(secrets)


def test_a_generated_key_file_is_private_and_reused(store: StateStore) -> None:
    first = open_secrets(store, environ={})
    first.put("a", VALUE)
    path = key_file_for(store, {})
    assert store.file is not None and path.parent == store.file.parent
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # Another process (another SecretStore) reads the same file, so the same key.
    assert open_secrets(store, environ={}).get("a") == VALUE
    assert str(path) in repr(first) and path.read_text().strip() not in repr(first)


def test_the_key_from_the_environment_and_rotation(store: StateStore) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    open_secrets(store, environ={SECRET_KEY_ENV: old}).put("a", VALUE)
    # During a rotation both keys decrypt; the first encrypts.
    rotating = open_secrets(store, environ={SECRET_KEY_ENV: f"{new},{old}"})
    assert rotating.get("a") == VALUE
    rotating.put("a", VALUE)
    assert open_secrets(store, environ={SECRET_KEY_ENV: new}).get("a") == VALUE


def test_a_wrong_key_is_a_clear_error_without_the_secret_or_key(
    store: StateStore, caplog: pytest.LogCaptureFixture
) -> None:
    right, wrong = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    open_secrets(store, environ={SECRET_KEY_ENV: right}).put("webhook:one", VALUE)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(SecretKeyError) as caught:
        open_secrets(store, environ={SECRET_KEY_ENV: wrong}).get("webhook:one")
    message = str(caught.value)
    assert "'webhook:one' cannot be decrypted" in message
    assert SECRET_KEY_ENV in message and "the key it was stored with" in message
    for secret in (VALUE, right, wrong):
        assert secret not in message and secret not in caplog.text
    assert isinstance(caught.value, AttioError) and not caught.value.retryable


def test_a_malformed_key_names_where_it_came_from(store: StateStore) -> None:
    with pytest.raises(SecretKeyError, match=rf"key 1 in {SECRET_KEY_ENV} is not a Fernet key"):
        open_secrets(store, environ={SECRET_KEY_ENV: "not-a-key"})
    with pytest.raises(SecretKeyError, match="is empty"):
        open_secrets(store, environ={SECRET_KEY_ENV: " , "})


def test_on_either_database_the_stored_document_holds_no_plaintext(
    store_url: str, tmp_path: Path
) -> None:
    """SQLite and the real PostgreSQL alike; with PostgreSQL the key file is under the state
    home (one machine's), so ATTIO_BRIDGE_SECRET_KEY is what machines share."""
    env = {"XDG_STATE_HOME": str(tmp_path / "home")}
    with open_store(store_url) as opened:
        secrets = open_secrets(opened, environ=env)
        secrets.put("webhook:one", VALUE)
        doc = opened.get("secrets", "webhook:one")
        assert doc is not None and VALUE not in str(doc)
        assert open_secrets(opened, environ=env).get("webhook:one") == VALUE
        if opened.backend == "postgresql":
            assert key_file_for(opened, env) == tmp_path / "home" / "attio-bridge" / "secret.key"
            assert key_file_for(opened, env).exists()
