"""``AsyncAttioClient``: the typed async client for Attio's REST API v2.

All decisions (classification, decoding, retries) live in the sans-I/O ``BaseClient``; this
module only performs the I/O: pace with the rate budget, send, sleep before a retry.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, BinaryIO

from .._core import BaseClient, RetryLater, async_sleep, classify
from .._exceptions import APIConnectionError
from .._http import Form, download_async, make_async_client, send_async
from ..models import Self
from .resources import (
    AsyncActivities,
    AsyncActivityRecords,
    AsyncAttributes,
    AsyncCallRecordings,
    AsyncComments,
    AsyncEmails,
    AsyncEntries,
    AsyncFiles,
    AsyncLists,
    AsyncMeetings,
    AsyncNotes,
    AsyncObjects,
    AsyncRecords,
    AsyncScim,
    AsyncSequences,
    AsyncSql,
    AsyncTasks,
    AsyncThreads,
    AsyncWebhooks,
    AsyncWorkspaceMembers,
)


class AsyncAttioClient(BaseClient):
    """Attio's API, async: ``async with AsyncAttioClient() as attio: await attio.identify()``.

    The API key comes from ``api_key`` or ``ATTIO_API_KEY``, the base URL from ``base_url`` or
    ``ATTIO_BASE_URL`` (default ``https://api.attio.com``). ``transport`` is an httpx transport,
    the seam for tests (``httpx.ASGITransport(app=emulator)``).
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        opts = self._options
        self._http = make_async_client(opts.base_url, self._headers(), opts.timeout, opts.transport)
        self.objects = AsyncObjects(self)
        self.attributes = AsyncAttributes(self)
        self.records = AsyncRecords(self)
        self.lists = AsyncLists(self)
        self.entries = AsyncEntries(self)
        self.workspace_members = AsyncWorkspaceMembers(self)
        self.notes = AsyncNotes(self)
        self.tasks = AsyncTasks(self)
        self.threads = AsyncThreads(self)
        self.comments = AsyncComments(self)
        self.meetings = AsyncMeetings(self)
        self.call_recordings = AsyncCallRecordings(self)
        self.webhooks = AsyncWebhooks(self)
        self.scim = AsyncScim(self)
        self.files = AsyncFiles(self)
        self.activities = AsyncActivities(self)
        self.activity_records = AsyncActivityRecords(self)
        self.emails = AsyncEmails(self)
        self.sequences = AsyncSequences(self)
        self.sql = AsyncSql(self)

    def with_options(self, **changes: Any) -> AsyncAttioClient:
        """A copy with some options changed (``timeout``, ``max_retries``, ...), same budget."""
        return type(self)(**self._copy_options(**changes))

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        timeout: float | None = None,
        form: Form | None = None,
    ) -> Any:
        """Send one API request with pacing and retries; the decoded JSON body (None on 204).
        ``form`` sends a multipart body (a file upload) instead of ``json``."""
        _, body = await self._send(method, path, params, json, timeout, form)
        return body

    async def request_status(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        timeout: float | None = None,
        form: Form | None = None,
    ) -> tuple[int, Any]:
        """``request()``, with the status of the success it ended in: ``(status, body)``. For
        the few operations whose success statuses differ in meaning (a record merge's 202 says
        it is still being applied)."""
        return await self._send(method, path, params, json, timeout, form)

    async def _send(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None,
        json: Any,
        timeout: float | None,
        form: Form | None,
    ) -> tuple[int, Any]:
        # The one sender behind request() and request_status(): a subclass that intercepts
        # requests (the CLI's dry run) overrides those two, never this.
        op = classify(method, path)
        attempt = 0
        while True:
            wait, ticket = self._score_ticket(op, json)
            if wait > 0:
                await async_sleep(wait)
            if self._budget is not None:
                await self._budget.acquire_async(op.write)
            try:
                raw = await send_async(self._http, op.method, path, params, json, timeout, form)
            except APIConnectionError as exc:
                decision: Any = self._decide_failure(op, exc, attempt)
            else:
                self._score_settle(ticket, raw)
                decision = self._decide(op, raw, attempt)
                if not isinstance(decision, RetryLater):
                    return raw.status_code, decision
            await async_sleep(decision.delay)
            attempt += 1

    async def fetch_signed(self, url: str, sink: BinaryIO | None = None) -> tuple[bytes, int]:
        """GET a signed storage URL Attio redirected to (a file download), without the API key:
        the bytes, or written to ``sink`` as they arrive; and how many there were."""
        return await download_async(self._http, url, sink)

    async def identify(self) -> Self:
        """``GET /v2/self``: the token, its scopes and workspace (check a key)."""
        return Self.model_validate(await self.request("GET", "/v2/self"))

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> AsyncAttioClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
