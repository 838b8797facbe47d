"""Webhooks (``/v2/webhooks``)."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator
from typing import Any

from ..._types import NOT_GIVEN, NotGiven, strip_not_given
from ...models import Webhook
from ..pagination import iter_offset
from ._base import AsyncResource, _seg

# Documented page-size caps (API-NOTES §1, gotcha 4).
WEBHOOKS_MAX = 100


class AsyncWebhooks(AsyncResource):
    """Webhooks; the signing ``secret`` is only returned by ``create``."""

    async def list(
        self, *, limit: int | NotGiven = NOT_GIVEN, offset: int | NotGiven = NOT_GIVEN
    ) -> builtins.list[Webhook]:
        """One page of webhooks."""
        data = await self._data("GET", "/v2/webhooks", limit=limit, offset=offset)
        return [Webhook.model_validate(w) for w in data]

    def iter(self) -> AsyncIterator[Webhook]:
        """Every webhook."""

        async def fetch(limit: int, offset: int) -> builtins.list[Webhook]:
            return await self.list(limit=limit, offset=offset)

        return iter_offset(fetch, WEBHOOKS_MAX)

    async def create(
        self, *, target_url: str, subscriptions: builtins.list[dict[str, Any]]
    ) -> Webhook:
        """Create a webhook; keep the returned ``secret``: it is never shown again."""
        body = {"data": {"target_url": target_url, "subscriptions": subscriptions}}
        return Webhook.model_validate(await self._data("POST", "/v2/webhooks", body))

    async def get(self, webhook_id: str) -> Webhook:
        """Get a webhook."""
        return Webhook.model_validate(await self._data("GET", f"/v2/webhooks/{_seg(webhook_id)}"))

    async def update(
        self,
        webhook_id: str,
        *,
        target_url: str | NotGiven = NOT_GIVEN,
        subscriptions: builtins.list[dict[str, Any]] | NotGiven = NOT_GIVEN,
    ) -> Webhook:
        """Change a webhook's target or subscriptions."""
        data = strip_not_given({"target_url": target_url, "subscriptions": subscriptions})
        path = f"/v2/webhooks/{_seg(webhook_id)}"
        return Webhook.model_validate(await self._data("PATCH", path, {"data": data}))

    async def delete(self, webhook_id: str) -> None:
        """Delete a webhook."""
        await self._data("DELETE", f"/v2/webhooks/{_seg(webhook_id)}")
