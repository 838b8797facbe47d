"""DriveConnector against the emulator's Drive stand-in and token endpoint, as a separate process.

The credentials are a real service-account key file, generated here with a fresh RSA key, whose
``token_uri`` points at the emulator: google-auth signs its JWT and exchanges it there, as it
would with Google. Effects are read back with plain HTTP calls to the stand-in. Shapes follow
Drive API v3's files reference (developers.google.com/drive/api/reference/rest/v3/files), its
search guide (developers.google.com/drive/api/guides/search-files: escaping ``'`` as ``\\'``)
and its error guide (developers.google.com/drive/api/guides/handle-errors).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from google.oauth2 import service_account
from google.oauth2.credentials import Credentials

from attio_bridge.connectors import ConnectorError, DriveConnector, DriveFolder
from attio_bridge.connectors.drive import DRIVE_SCOPE
from attio_bridge.errors import AttioError
from attio_bridge.testing import EmulatorProcess
from attio_bridge.testing.process import free_port

from ._support import call, fail, reset, service_account_file

READ_TOKEN = "ya29.sandbox"  # a token the stand-in accepts, for reading back


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorProcess]:
    """One emulator process for the module."""
    with EmulatorProcess(api_key="test-key") as process:
        yield process


@pytest.fixture(scope="module")
def key_file(emu: EmulatorProcess, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A service-account key file with a fresh RSA key and the emulator as token_uri."""
    return service_account_file(
        tmp_path_factory.mktemp("google"), f"{emu.base_url}/google/oauth2/token"
    )


@pytest.fixture
def drive(emu: EmulatorProcess, key_file: Path) -> DriveConnector:
    """A connector with service-account credentials, for a freshly reset stand-in."""
    reset(emu)
    creds = service_account.Credentials.from_service_account_file(  # type: ignore[no-untyped-call]
        str(key_file), scopes=[DRIVE_SCOPE]
    )
    return DriveConnector(creds, base_url=f"{emu.base_url}/drive/v3")


def get_file(emu: EmulatorProcess, file_id: str) -> tuple[int, Any]:
    """files.get with every field, as the stand-in answers it."""
    return call(f"{emu.base_url}/drive/v3/files/{file_id}?fields=*", token=READ_TOKEN)


def test_ensure_folder_creates_once(drive: DriveConnector, emu: EmulatorProcess) -> None:
    """The first ensure creates the folder in My Drive; the second finds the same one."""
    folder, created = drive.ensure_folder("Acme, Inc.")
    assert created is True
    status, stored = get_file(emu, folder.id)
    assert status == 200
    assert stored["name"] == "Acme, Inc."
    assert stored["mimeType"] == "application/vnd.google-apps.folder"
    _, root = call(f"{emu.base_url}/drive/v3/files/root?fields=id", token=READ_TOKEN)
    assert stored["parents"] == [root["id"]]
    assert folder.url == f"https://drive.google.com/drive/folders/{folder.id}"
    again, created_again = drive.ensure_folder("Acme, Inc.")
    assert (again, created_again) == (folder, False)


def test_subfolders_are_found_in_their_parent_only(drive: DriveConnector) -> None:
    """A folder name is looked up inside the given parent, not elsewhere."""
    client = drive.create_folder("Acme")
    contracts = drive.create_folder("Contracts", client.id)
    assert drive.find_folder("Contracts", client.id) == contracts
    assert drive.find_folder("Contracts") is None
    other = drive.create_folder("Beta")
    assert drive.ensure_folder("Contracts", other.id)[1] is True


def test_names_with_quotes_and_backslashes(drive: DriveConnector) -> None:
    """Quotes and backslashes in a name are escaped in the query, so the folder is found."""
    folder = drive.create_folder("O'Brien \\ Sons")
    assert drive.find_folder("O'Brien \\ Sons") == folder
    assert drive.find_folder("O'Brien") is None


def test_trashed_folders_are_not_found(drive: DriveConnector, emu: EmulatorProcess) -> None:
    """trash_folder moves the folder to the trash; ensure_folder then makes a new one."""
    folder = drive.create_folder("Old client")
    drive.trash_folder(folder.id)
    assert get_file(emu, folder.id)[1]["trashed"] is True
    assert drive.find_folder("Old client") is None
    fresh, created = drive.ensure_folder("Old client")
    assert created is True and fresh.id != folder.id


def test_unknown_parent_is_a_clear_error(drive: DriveConnector) -> None:
    """Drive's 404 notFound becomes a ConnectorError naming the folder and the fix."""
    with pytest.raises(ConnectorError) as caught:
        drive.create_folder("Acme", "1missingparent")
    err = caught.value
    assert (err.system, err.code, err.status) == ("google_drive", "notFound", 404)
    assert isinstance(err, AttioError) and err.retryable is False
    assert "404" in err.message and "shared with the service account" in err.message


def test_trash_unknown_folder_fails(drive: DriveConnector) -> None:
    """Trashing an id Drive does not know is notFound, not silently ignored."""
    with pytest.raises(ConnectorError) as caught:
        drive.trash_folder("1missing")
    assert caught.value.code == "notFound"


def test_refused_token_never_shows(emu: EmulatorProcess, caplog: pytest.LogCaptureFixture) -> None:
    """A token Drive refuses gives authError naming GOOGLE_DRIVE_TOKEN; the token is in no error,
    repr or log."""
    secret = "ya29.secret-abcdef"
    connector = DriveConnector(
        Credentials(secret),  # type: ignore[no-untyped-call]
        base_url=f"{emu.base_url}/drive/v3",
    )
    with caplog.at_level(logging.DEBUG), pytest.raises(ConnectorError) as caught:
        connector.find_folder("x")
    assert caught.value.code == "authError" and caught.value.retryable is False
    assert "GOOGLE_DRIVE_TOKEN" in str(caught.value)
    for text in (str(caught.value), repr(caught.value), repr(connector), caplog.text):
        assert secret not in text


def test_injected_server_error(drive: DriveConnector, emu: EmulatorProcess) -> None:
    """A 500 from Drive becomes backendError and nothing is created."""
    fail(emu, system="drive", method="files.create", status=500, count=1)
    with pytest.raises(ConnectorError) as caught:
        drive.ensure_folder("Acme")
    assert caught.value.code == "backendError" and caught.value.retryable is True
    assert "run again later" in str(caught.value)
    assert drive.find_folder("Acme") is None


@pytest.mark.parametrize(
    ("status", "reason", "retryable"),
    [
        (503, "unusualOutage", True),  # any 5xx, whatever Google calls it
        (429, "tooManyRequests", True),
        (403, "userRateLimitExceeded", True),  # Drive's rate limit comes as a 403
        (403, "insufficientFilePermissions", False),
        (400, "badRequest", False),
    ],
)
def test_whether_a_drive_error_is_retryable_follows_its_status_and_reason(
    drive: DriveConnector, emu: EmulatorProcess, status: int, reason: str, retryable: bool
) -> None:
    # files.create: a create is never retried by the connector, so the one failure shows.
    fail(emu, system="drive", method="files.create", status=status, error=reason, count=1)
    with pytest.raises(ConnectorError) as caught:
        drive.create_folder("Acme")
    assert (caught.value.code, caught.value.status) == (reason, status)
    assert caught.value.retryable is retryable


def test_unreachable_drive_is_a_connection_error() -> None:
    """Nothing listening at the API URL gives code connection and names DRIVE_API_URL."""
    connector = DriveConnector(
        Credentials("ya29.sandbox"),  # type: ignore[no-untyped-call]
        base_url=f"http://127.0.0.1:{free_port()}/drive/v3",
    )
    with pytest.raises(ConnectorError) as caught:
        connector.find_folder("x")
    assert caught.value.code == "connection" and caught.value.retryable is True
    assert "DRIVE_API_URL" in str(caught.value)


def test_from_env_with_a_service_account_file(
    monkeypatch: pytest.MonkeyPatch, emu: EmulatorProcess, key_file: Path
) -> None:
    """GOOGLE_APPLICATION_CREDENTIALS and DRIVE_API_URL are enough to create a folder."""
    reset(emu)
    monkeypatch.delenv("GOOGLE_DRIVE_TOKEN", raising=False)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
    monkeypatch.setenv("DRIVE_API_URL", f"{emu.base_url}/drive/v3")
    folder = DriveConnector.from_env().create_folder("From env")
    assert isinstance(folder, DriveFolder)
    assert get_file(emu, folder.id)[1]["name"] == "From env"


def test_from_env_with_a_token(monkeypatch: pytest.MonkeyPatch, emu: EmulatorProcess) -> None:
    """GOOGLE_DRIVE_TOKEN is used when no service-account file is set."""
    reset(emu)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("GOOGLE_DRIVE_TOKEN", "ya29.sandbox")
    monkeypatch.setenv("DRIVE_API_URL", f"{emu.base_url}/drive/v3")
    folder, created = DriveConnector.from_env().ensure_folder("Token folder")
    assert created is True
    assert get_file(emu, folder.id)[0] == 200


def test_from_env_without_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credentials, or an unusable key file, is not_configured with the variable to set."""
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.delenv("GOOGLE_DRIVE_TOKEN", raising=False)
    with pytest.raises(ConnectorError) as caught:
        DriveConnector.from_env()
    assert caught.value.code == "not_configured"
    assert "GOOGLE_APPLICATION_CREDENTIALS" in str(caught.value)
    bad = tmp_path / "key.json"
    bad.write_text("{}")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(bad))
    with pytest.raises(ConnectorError) as caught:
        DriveConnector.from_env()
    assert caught.value.code == "not_configured" and str(bad) in str(caught.value)


def test_reads_and_trash_are_retried_after_server_errors(
    drive: DriveConnector, emu: EmulatorProcess
) -> None:
    """A 503 on files.list or files.update is retried (Drive's error guide asks for it)."""
    folder = drive.create_folder("Retried")
    fail(emu, system="drive", method="files.list", status=503, count=1)
    assert drive.find_folder("Retried") == folder
    fail(emu, system="drive", method="files.update", status=500, count=1)
    drive.trash_folder(folder.id)
    assert get_file(emu, folder.id)[1]["trashed"] is True
