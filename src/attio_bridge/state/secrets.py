"""The secret store: webhook signing secrets and other secrets, encrypted at rest in the state
store.

    secrets = open_secrets(store)           # the key: ATTIO_BRIDGE_SECRET_KEY, else a key file
    secrets.put("webhook:3f2c...", value)   # beside the SQLite file (made 0600 on first use)
    secrets.get("webhook:3f2c...")          # -> the value, or None
    secrets.delete(...); secrets.names()

Each value is a Fernet token (AES-128-CBC with HMAC-SHA256, ``cryptography``) in the state
store's ``secrets`` namespace: the database holds no plaintext. ``ATTIO_BRIDGE_SECRET_KEY`` may
hold several keys, comma-separated: the first encrypts, every one decrypts (rotation). With
PostgreSQL serving several machines, set the same ``ATTIO_BRIDGE_SECRET_KEY`` on each: a key
file is one machine's. A value never shows in a ``repr``, a log line or an error message; a
value that the key cannot decrypt raises ``SecretKeyError`` naming the secret and where the key
came from, never the key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from ._errors import StateError
from ._url import state_home
from .store import StateStore

__all__ = [
    "SECRETS_NAMESPACE",
    "SECRET_KEY_ENV",
    "SecretKeyError",
    "SecretStore",
    "key_file_for",
    "open_secrets",
]

SECRET_KEY_ENV = "ATTIO_BRIDGE_SECRET_KEY"
SECRETS_NAMESPACE = "secrets"
_KEY_FILE = "secret.key"


class SecretKeyError(StateError):
    """The secret key is missing, malformed, or not the one a stored secret was encrypted with."""


@dataclass(frozen=True, slots=True)
class _Key:
    """The keys in use and where they came from (for messages; never the keys themselves)."""

    fernet: MultiFernet
    source: str
    fingerprint: str


def _fingerprint(key: bytes) -> str:
    # Names a key in the stored document and in messages without revealing it.
    return hashlib.sha256(key).hexdigest()[:12]


def _parse_keys(text: str, source: str) -> list[bytes]:
    keys: list[bytes] = []
    for number, part in enumerate((p.strip() for p in text.split(",")), 1):
        if not part:
            continue
        raw = part.encode("ascii", "replace")
        try:
            decoded = base64.urlsafe_b64decode(raw)
        except (binascii.Error, ValueError):
            decoded = b""
        if len(decoded) != 32:
            raise SecretKeyError(
                f"key {number} in {source} is not a Fernet key (32 url-safe base64 bytes, 44 "
                'characters); make one with: python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"'
            )
        keys.append(raw)
    if not keys:
        raise SecretKeyError(f"{source} is empty: set it to a Fernet key, or unset it")
    return keys


def key_file_for(store: StateStore, environ: Mapping[str, str] | None = None) -> Path:
    """Where the generated key of ``store`` lives: beside its SQLite file
    (``state.sqlite3.secret.key``), or ``state_home()/secret.key`` for PostgreSQL."""
    path = store.file
    if path is not None:
        return path.with_name(path.name + "." + _KEY_FILE)
    return state_home(environ) / _KEY_FILE


def _key_from_file(path: Path) -> list[bytes]:
    """The key in ``path``, made (0600, its directory 0700) when there is none yet."""
    try:
        return _parse_keys(path.read_text(encoding="ascii"), f"the key file {path}")
    except FileNotFoundError:
        pass
    except (OSError, UnicodeDecodeError) as exc:
        raise SecretKeyError(
            f"cannot read the key file {path} ({exc}); make it readable by this user, or set "
            f"{SECRET_KEY_ENV}"
        ) from None
    key = Fernet.generate_key()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another process made it first: use that one.
        return _key_from_file(path)
    except OSError as exc:
        raise SecretKeyError(
            f"cannot create the key file {path} ({exc.strerror or exc}); make "
            f"{path.parent} writable by this user, or set {SECRET_KEY_ENV}"
        ) from None
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, key + b"\n")
    finally:
        os.close(fd)
    return [key]


class SecretStore:
    """Secrets by name, encrypted in the state store's ``secrets`` namespace.

    Names are short strings (``webhook:<webhook id>``, ``slack-token``); values are strings.
    ``repr`` shows where the key comes from and the store, never a value or a key.
    """

    def __init__(
        self,
        store: StateStore,
        *,
        key: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        env = os.environ if environ is None else environ
        self._store = store
        if key is not None:
            keys, source = _parse_keys(key, "the key given"), "the key given"
        elif env.get(SECRET_KEY_ENV):
            keys, source = _parse_keys(env[SECRET_KEY_ENV], SECRET_KEY_ENV), SECRET_KEY_ENV
        else:
            path = key_file_for(store, env)
            keys, source = _key_from_file(path), f"the key file {path}"
        fernet = MultiFernet([Fernet(k) for k in keys])
        self._key = _Key(fernet, source, _fingerprint(keys[0]))

    def __repr__(self) -> str:
        return f"SecretStore({self._store!r}, key from {self._key.source})"

    @property
    def key_source(self) -> str:
        """Where the key comes from (``ATTIO_BRIDGE_SECRET_KEY`` or the key file's path)."""
        return self._key.source

    def put(self, name: str, value: str) -> None:
        """Keep ``value`` under ``name``, encrypted, replacing what was there."""
        if not isinstance(value, str):
            raise SecretKeyError(f"the secret {name!r} must be a string")
        token = self._key.fernet.encrypt(value.encode("utf-8")).decode("ascii")
        self._store.put(SECRETS_NAMESPACE, name, {"token": token, "key": self._key.fingerprint})

    def get(self, name: str) -> str | None:
        """The value kept under ``name``, or None; ``SecretKeyError`` when the key in use
        cannot decrypt it."""
        doc = self._store.get(SECRETS_NAMESPACE, name)
        if doc is None:
            return None
        token = doc.get("token")
        if not isinstance(token, str):
            raise SecretKeyError(f"the stored secret {name!r} is damaged (no token); put it again")
        try:
            return self._key.fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError):
            stored_with = doc.get("key")
            raise SecretKeyError(
                f"the secret {name!r} cannot be decrypted with the key from "
                f"{self._key.source} (key {self._key.fingerprint}; it was stored with key "
                f"{stored_with}): set {SECRET_KEY_ENV} to the key it was stored with (several, "
                "comma-separated, during a rotation), or put the secret again"
            ) from None

    def delete(self, name: str) -> bool:
        """Forget the secret ``name``; whether there was one."""
        return self._store.delete(SECRETS_NAMESPACE, name)

    def names(self, prefix: str = "") -> list[str]:
        """The names of the secrets kept (those starting with ``prefix``), sorted."""
        return [key for key, _ in self._store.items(SECRETS_NAMESPACE, prefix)]


def open_secrets(
    store: StateStore, *, key: str | None = None, environ: Mapping[str, str] | None = None
) -> SecretStore:
    """The secret store kept in ``store``; the key is ``key``, else ``ATTIO_BRIDGE_SECRET_KEY``
    (comma-separated keys: the first encrypts, all decrypt), else a key file beside the store,
    made on first use, readable by this user only."""
    return SecretStore(store, key=key, environ=environ)
