"""Emails (``GET /v2/emails``, alpha: metadata only) and the sequences unsubscribe list
(``POST /v2/sequences/unsubscribed_emails``, beta)."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Iterable
from typing import Any

from ..._types import NOT_GIVEN, NotGiven
from ...models import Email, UnsubscribedEmail
from ..pagination import iter_cursor
from ._base import AsyncResource

EMAILS_PAGE = 25  # the documented default page (emails/list-emails)


class AsyncEmails(AsyncResource):
    """Email metadata from the workspace's connected mailboxes (alpha)."""

    async def list_page(
        self,
        *,
        linked_object: str | NotGiven = NOT_GIVEN,
        linked_record_ids: Iterable[str] | NotGiven = NOT_GIVEN,
        participants: Iterable[str] | NotGiven = NOT_GIVEN,
        domain: str | NotGiven = NOT_GIVEN,
        sent_after: str | NotGiven = NOT_GIVEN,
        sent_before: str | NotGiven = NOT_GIVEN,
        exclude_automated_participants: bool | NotGiven = NOT_GIVEN,
        cursor: str | None = None,
        limit: int | NotGiven = NOT_GIVEN,
    ) -> tuple[builtins.list[Email], str | None]:
        """One page of emails, newest first, matching any filter given (at least one of
        ``linked_object`` with ``linked_record_ids``, ``participants`` or ``domain``). A page
        may be short while more remain: follow the cursor until it is None."""
        result = await self._get(
            "/v2/emails",
            linked_object=linked_object,
            linked_record_ids=_listed(linked_record_ids),
            participants=_listed(participants),
            domain=domain,
            sent_after=sent_after,
            sent_before=sent_before,
            exclude_automated_participants=exclude_automated_participants,
            cursor=cursor,
            limit=limit,
        )
        items = [Email.model_validate(e) for e in result.get("data", [])]
        return items, (result.get("pagination") or {}).get("next_cursor")

    def iter(self, **filters: Any) -> AsyncIterator[Email]:
        """Every email matching ``filters`` (``list_page``'s)."""

        async def fetch(cursor: str | None) -> tuple[builtins.list[Email], str | None]:
            return await self.list_page(cursor=cursor, limit=EMAILS_PAGE, **filters)

        return iter_cursor(fetch)


def _listed(values: Iterable[str] | NotGiven) -> builtins.list[str] | NotGiven:
    """A list for the query string (sent comma-separated), a single string kept whole."""
    if isinstance(values, NotGiven):
        return values
    return [values] if isinstance(values, str) else builtins.list(values)


class AsyncSequences(AsyncResource):
    """Sequences (beta): the unsubscribe list."""

    async def unsubscribe(self, email_addresses: Iterable[str]) -> builtins.list[UnsubscribedEmail]:
        """Put addresses on the workspace's unsubscribe list (those on it already stay as they
        were: safe to retry); each address with the time it joined the list."""
        body = {"data": {"email_addresses": builtins.list(email_addresses)}}
        data = await self._data("POST", "/v2/sequences/unsubscribed_emails", body)
        return [UnsubscribedEmail.model_validate(e) for e in data]
