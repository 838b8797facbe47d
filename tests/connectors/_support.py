"""Helpers for connector tests: plain HTTP calls to the emulator's control plane and stand-ins.

They use urllib, not the connectors, so a test reads back what a connector did through a path
the connector does not share. ``service_account_file`` writes a Google service-account key whose
token endpoint is the emulator's.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from attio_bridge.testing import EmulatorProcess


def call(
    url: str,
    body: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    method: str | None = None,
    authorization: str | None = None,
) -> tuple[int, Any]:
    """Send JSON ``body`` (GET when None) to ``url``; ``(status, decoded JSON or None)``.

    ``token`` goes as a Bearer token; ``authorization`` as the whole Authorization header.
    """
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if authorization:
        request.add_header("Authorization", authorization)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as err:
        raw = err.read()
        return err.code, json.loads(raw) if raw else None


def reset(emu: EmulatorProcess) -> None:
    """Empty the emulator (stand-ins included) between tests."""
    status, _ = call(f"{emu.base_url}/_emulator/reset", {})
    assert status == 200


def fail(emu: EmulatorProcess, **rule: Any) -> None:
    """Inject a stand-in failure (``POST /_emulator/standins/fail``)."""
    status, answer = call(f"{emu.base_url}/_emulator/standins/fail", rule)
    assert status == 200, answer


def service_account_file(directory: Path, token_uri: str) -> Path:
    """A service-account key file in ``directory`` with a fresh RSA key, whose token_uri is
    ``token_uri`` (the emulator's ``/google/oauth2/token``)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "attio-bridge-test",
        "private_key_id": "0123456789abcdef",
        "private_key": pem,
        "client_email": "kickoff@attio-bridge-test.iam.gserviceaccount.com",
        "client_id": "1234567890",
        "token_uri": token_uri,
    }
    path = directory / "service-account.json"
    path.write_text(json.dumps(info))
    return path
