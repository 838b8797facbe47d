"""Conformance of the webhook endpoints (``/v2/webhooks``; API-NOTES §1, §7)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from .validation import ConformantClient

op = pytest.mark.operation

MISSING = str(uuid.UUID(int=6))
SUBSCRIPTIONS = [
    {"event_type": "record.created", "filter": None},
    {
        "event_type": "list-entry.updated",
        "filter": {"$and": [{"field": "actor.type", "operator": "equals", "value": "api-token"}]},
    },
]


def _create(c: ConformantClient, url: str = "https://hooks.example.com/attio") -> dict[str, Any]:
    body = {"data": {"target_url": url, "subscriptions": SUBSCRIPTIONS}}
    data: dict[str, Any] = c.data("POST", "/v2/webhooks", json=body)
    return data


@op("POST /v2/webhooks", "GET /v2/webhooks/{webhook_id}", "GET /v2/webhooks")
def test_webhook_secret_is_only_returned_on_create(conformant: ConformantClient) -> None:
    """Spec webhooks: the ``secret`` comes back only from create (API-NOTES §7, gotcha 13)."""
    made = _create(conformant)
    assert isinstance(made["secret"], str) and made["secret"]
    got = conformant.data("GET", f"/v2/webhooks/{made['id']['webhook_id']}")
    assert "secret" not in got
    assert {k: v for k, v in made.items() if k != "secret"} == got
    listed = conformant.data("GET", "/v2/webhooks", params={"limit": 10, "offset": 0})
    assert [h["id"] for h in listed] == [made["id"]]
    assert all("secret" not in h for h in listed)


@op("POST /v2/webhooks")
def test_create_webhook_errors(conformant: ConformantClient) -> None:
    """Spec: create webhook 400 ``validation_type`` (https only; each subscription a filter)."""
    conformant.post(
        "/v2/webhooks",
        json={"data": {"target_url": "http://hooks.example.com/x", "subscriptions": []}},
        expect=400,
        code="validation_type",
    )
    conformant.post(
        "/v2/webhooks",
        json={
            "data": {
                "target_url": "https://hooks.example.com/x",
                "subscriptions": [{"event_type": "record.created"}],
            }
        },
        expect=400,
        code="validation_type",
    )


@op("PATCH /v2/webhooks/{webhook_id}")
def test_update_webhook(conformant: ConformantClient) -> None:
    """Spec "Update a webhook": target_url and/or subscriptions, both optional (API-NOTES §1)."""
    made = _create(conformant)
    path = f"/v2/webhooks/{made['id']['webhook_id']}"
    moved = conformant.data(
        "PATCH", path, json={"data": {"target_url": "https://new.example.com/h"}}
    )
    assert moved["target_url"] == "https://new.example.com/h"
    assert moved["subscriptions"] == made["subscriptions"]
    narrowed = conformant.data("PATCH", path, json={"data": {"subscriptions": [SUBSCRIPTIONS[0]]}})
    assert [s["event_type"] for s in narrowed["subscriptions"]] == ["record.created"]


@op("PATCH /v2/webhooks/{webhook_id}", "GET /v2/webhooks/{webhook_id}")
def test_unknown_webhook_is_404(conformant: ConformantClient) -> None:
    """Spec: get/update webhook 404 ``not_found``."""
    conformant.get(f"/v2/webhooks/{MISSING}", expect=404, code="not_found")
    conformant.patch(
        f"/v2/webhooks/{MISSING}",
        json={"data": {"target_url": "https://x.example.com"}},
        expect=404,
        code="not_found",
    )


@op("DELETE /v2/webhooks/{webhook_id}", "GET /v2/webhooks/{webhook_id}")
def test_delete_webhook(conformant: ConformantClient) -> None:
    """Spec "Delete a webhook": ``{}``, then 404."""
    path = f"/v2/webhooks/{_create(conformant)['id']['webhook_id']}"
    assert conformant.delete(path, expect=200).json() == {}
    conformant.get(path, expect=404, code="not_found")
    conformant.delete(path, expect=404, code="not_found")
