"""The Google Drive connector: find, create and trash folders through Drive's REST API v3.

Requests go through ``google.auth.transport.requests.AuthorizedSession``, which attaches and
refreshes the OAuth access token of the credentials given: a service account
(``GOOGLE_APPLICATION_CREDENTIALS``) or a plain access token (``GOOGLE_DRIVE_TOKEN``). Every
failure (an HTTP error with Google's error body, a refused token, a connection error) becomes a
``ConnectorError`` whose ``code`` is Google's ``reason`` (``notFound``, ``authError`` ...), or
``connection``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import google.auth.exceptions
import requests
from google.auth.credentials import Credentials
from google.auth.transport.requests import AuthorizedSession
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ._errors import ConnectorError

SYSTEM = "google_drive"
DEFAULT_API_URL = "https://www.googleapis.com/drive/v3"
FOLDER_MIME = "application/vnd.google-apps.folder"
# The full Drive scope: drive.file would hide folders that people (not this app) created.
DRIVE_SCOPE = "https://www.googleapis.com/auth/drive"
FOLDER_FIELDS = "id, name, webViewLink"
TIMEOUT_S = 30.0
# Drive's error guide asks for retries with exponential backoff on 429 and 5xx. Only reads and
# the idempotent trash (PATCH) are retried: a create that failed with a 5xx may have happened,
# and a second one would make a duplicate folder (ensure_folder's next run finds it instead).
RETRY = Retry(
    total=3,
    connect=1,
    backoff_factor=0.5,
    status_forcelist=(429, 500, 502, 503, 504),
    allowed_methods=frozenset({"GET", "PATCH", "DELETE"}),
    respect_retry_after_header=True,
    raise_on_status=False,
)


@dataclass(frozen=True)
class DriveFolder:
    """A Drive folder: its id, name and the link that opens it in Drive."""

    id: str
    name: str
    url: str


def _quote(value: str) -> str:
    """``value`` as a string literal of Drive's query language (``\\`` and ``'`` escaped)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class DriveConnector:
    """Folders in Google Drive (My Drive or shared drives), as the credentials' account sees them.

    ``base_url`` is the API root, ``https://www.googleapis.com/drive/v3`` by default; the emulator
    serves its stand-in at ``http://HOST:PORT/drive/v3``.
    """

    def __init__(self, credentials: Credentials, *, base_url: str | None = None) -> None:
        self.base_url = (base_url or DEFAULT_API_URL).rstrip("/")
        self._credentials = credentials
        # google-auth ships without complete annotations.
        self._session = AuthorizedSession(credentials)  # type: ignore[no-untyped-call]
        adapter = HTTPAdapter(max_retries=RETRY)
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)

    def __repr__(self) -> str:
        return f"DriveConnector(base_url={self.base_url!r})"

    @classmethod
    def from_env(cls) -> DriveConnector:
        """A connector from the environment.

        ``GOOGLE_APPLICATION_CREDENTIALS`` (a service-account JSON file) is used when set,
        otherwise ``GOOGLE_DRIVE_TOKEN`` (an OAuth access token); ``DRIVE_API_URL`` overrides
        the API root.
        """
        made = cls.from_settings(
            key_file=os.environ.get("GOOGLE_APPLICATION_CREDENTIALS", "").strip() or None,
            token=os.environ.get("GOOGLE_DRIVE_TOKEN", "").strip() or None,
            base_url=os.environ.get("DRIVE_API_URL") or None,
        )
        if made is None:
            raise ConnectorError(
                SYSTEM,
                "not_configured",
                "no Google credentials: set GOOGLE_APPLICATION_CREDENTIALS to a service-account "
                "JSON key file (share the parent folder with the service account), or "
                "GOOGLE_DRIVE_TOKEN to an OAuth access token with the Drive scope",
            )
        return made

    @classmethod
    def from_settings(
        cls, *, key_file: str | None, token: str | None, base_url: str | None = None
    ) -> DriveConnector | None:
        """A connector from a service-account key file (used first) or an access token; None
        when neither is given."""
        if key_file:
            from google.oauth2 import service_account

            try:
                creds: Credentials = service_account.Credentials.from_service_account_file(  # type: ignore[no-untyped-call]
                    key_file, scopes=[DRIVE_SCOPE]
                )
            except (OSError, ValueError, KeyError) as exc:
                raise ConnectorError(
                    SYSTEM,
                    "not_configured",
                    f"{key_file} is not a usable service-account key file "
                    f"({type(exc).__name__}): download a JSON key for the service account from "
                    "the Google Cloud console and point GOOGLE_APPLICATION_CREDENTIALS (or "
                    "--drive-credentials) at it",
                ) from None
            return cls(creds, base_url=base_url)
        if token:
            from google.oauth2.credentials import Credentials as UserCredentials

            return cls(UserCredentials(token), base_url=base_url)  # type: ignore[no-untyped-call]
        return None

    # -- operations ----------------------------------------------------------------------------

    def find_folder(self, name: str, parent_id: str | None = None) -> DriveFolder | None:
        """The oldest folder called ``name`` in ``parent_id`` (My Drive's root when None), not
        in the trash; None when there is none."""
        parent = parent_id or "root"
        query = (
            f"name = {_quote(name)} and mimeType = {_quote(FOLDER_MIME)} "
            f"and {_quote(parent)} in parents and trashed = false"
        )
        params: dict[str, Any] = {
            "q": query,
            "fields": f"nextPageToken, files({FOLDER_FIELDS})",
            "orderBy": "createdTime",
            "pageSize": 100,
            "supportsAllDrives": "true",
            "includeItemsFromAllDrives": "true",
        }
        what = f"looking for folder {name!r} in {parent}"
        while True:
            page = self._request("GET", "/files", what, params=params)
            files = page.get("files") or []
            if files:
                # The oldest match comes first: keep it, whatever later pages hold.
                return self._folder(files[0])
            # Drive may answer an empty page before the end of the results (its files.list
            # reference says so); only a page without nextPageToken is the end.
            token = page.get("nextPageToken")
            if not token:
                return None
            params["pageToken"] = token

    def create_folder(self, name: str, parent_id: str | None = None) -> DriveFolder:
        """A new folder ``name`` in ``parent_id`` (My Drive's root when None)."""
        body: dict[str, Any] = {"name": name, "mimeType": FOLDER_MIME}
        if parent_id:
            body["parents"] = [parent_id]
        params = {"fields": FOLDER_FIELDS, "supportsAllDrives": "true"}
        what = f"creating folder {name!r} in {parent_id or 'root'}"
        return self._folder(self._request("POST", "/files", what, params=params, json=body))

    def ensure_folder(self, name: str, parent_id: str | None = None) -> tuple[DriveFolder, bool]:
        """The folder ``name`` in ``parent_id``, found or created: ``(folder, created)``."""
        found = self.find_folder(name, parent_id)
        if found is not None:
            return found, False
        return self.create_folder(name, parent_id), True

    def trash_folder(self, folder_id: str) -> None:
        """Move folder ``folder_id`` to the trash (a folder already there stays there)."""
        params = {"fields": "id, trashed", "supportsAllDrives": "true"}
        what = f"trashing folder {folder_id}"
        self._request("PATCH", f"/files/{folder_id}", what, params=params, json={"trashed": True})

    # -- plumbing ------------------------------------------------------------------------------

    def _folder(self, raw: dict[str, Any]) -> DriveFolder:
        try:
            folder_id = str(raw["id"])
            name = str(raw["name"])
        except KeyError as exc:
            raise ConnectorError(
                SYSTEM,
                "unexpected_response",
                f"Drive answered a file without {exc.args[0]!r}: check DRIVE_API_URL points at "
                "Drive's API v3",
            ) from None
        url = raw.get("webViewLink") or f"https://drive.google.com/drive/folders/{folder_id}"
        return DriveFolder(id=folder_id, name=name, url=str(url))

    def _request(
        self,
        method: str,
        path: str,
        what: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Send one request; the decoded JSON answer, or a ``ConnectorError``."""
        url = self.base_url + path
        try:
            response = self._session.request(  # type: ignore[no-untyped-call]
                method, url, params=params, json=json, timeout=TIMEOUT_S
            )
        except google.auth.exceptions.RefreshError as exc:
            # AuthorizedSession refreshes on a 401: a service account asks the token endpoint
            # again, a bare access token cannot refresh at all (it was refused or expired).
            if getattr(self._credentials, "service_account_email", None):
                fix = (
                    "check the service-account key in GOOGLE_APPLICATION_CREDENTIALS is current "
                    "and not disabled"
                )
            else:
                fix = (
                    "the access token was refused or has expired (they last an hour): set "
                    "GOOGLE_DRIVE_TOKEN to a fresh one, or use a service account through "
                    "GOOGLE_APPLICATION_CREDENTIALS"
                )
            raise ConnectorError(
                SYSTEM,
                "authError",
                f"Google refused the credentials while {what} ({_refresh_reason(exc)}): {fix}",
            ) from None
        except (requests.RequestException, google.auth.exceptions.TransportError) as exc:
            raise ConnectorError(
                SYSTEM,
                "connection",
                f"could not reach Google Drive at {self.base_url} while {what} "
                f"({type(exc).__name__}): check DRIVE_API_URL and the network, then run again",
            ) from None
        if response.status_code >= 400:
            raise _status_error(response, what)
        if not response.content:
            return {}
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise ConnectorError(
                SYSTEM,
                "unexpected_response",
                f"Drive did not answer with a JSON object while {what}: check DRIVE_API_URL "
                "points at Drive's API v3",
            )
        return data


def _refresh_reason(exc: google.auth.exceptions.RefreshError) -> str:
    # RefreshError's args are (message, response body); the body holds the OAuth error code,
    # never the assertion or a token.
    first = exc.args[0] if exc.args else ""
    return str(first).split(":")[0] or "refresh failed"


def _status_error(response: requests.Response, what: str) -> ConnectorError:
    """A ``ConnectorError`` from Google's error body ``{"error": {code, message, errors}}``."""
    status = response.status_code
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    if not isinstance(error, dict):
        error = {}
    errors = error.get("errors") or [{}]
    reason = str(
        (errors[0] if isinstance(errors[0], dict) else {}).get("reason") or f"http_{status}"
    )
    message = str(error.get("message") or response.reason or status).rstrip(".")
    if status == 401:
        hint = (
            "check GOOGLE_APPLICATION_CREDENTIALS or GOOGLE_DRIVE_TOKEN (an access token expires "
            "after an hour)"
        )
    elif status == 403 and reason in ("rateLimitExceeded", "userRateLimitExceeded"):
        hint = "wait a minute and run again"
    elif status == 403:
        hint = "share the parent folder with the service account (as Editor) or fix its scopes"
    elif status == 404:
        hint = "check the folder id, and that the folder is shared with the service account"
    elif status == 429 or status >= 500:
        hint = "Google Drive is busy or failing: run again later"
    else:
        hint = "see https://developers.google.com/drive/api/guides/handle-errors"
    return ConnectorError(
        SYSTEM,
        reason,
        f"Google Drive answered {status} while {what}: {message}; {hint}",
        status=status,
    )
