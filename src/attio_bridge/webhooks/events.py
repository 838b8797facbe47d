"""One received event, whatever sent it: the unit that is stored, queued and handled.

A delivery (an HTTP request to a receiver) carries one or more events; Attio's is
``{"webhook_id", "events": [...]}``. The receiver turns each into an ``Event`` and hands the
batch to the durable queue before it answers 2xx. ``Event.job_id`` is what makes a redelivery
start nothing new: it derives from the delivery's idempotency key (Attio's ``Idempotency-Key``
header, or the sender's equivalent, or a hash of the raw body when there is none), the event's
position in the delivery and the event itself, so the same event delivered again (same key) maps
to the same job, while two identical-looking events of separate deliveries stay two jobs.

``Event.to_payload()`` / ``Event.from_payload()`` are the JSON form the queue stores; the queue
(``attio_bridge.jobs``) knows nothing of events, only of ``(job id, kind, partition, payload)``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

__all__ = ["JOB_KIND", "Event", "event_identity"]

JOB_KIND = "webhook-event"
"""The queue's job kind for a received event."""


def event_identity(event: Mapping[str, Any]) -> str:
    """A short stable hash of an event's JSON (keys sorted), the same for the same event."""
    canonical = orjson.dumps(dict(event), option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()[:20]


@dataclass(frozen=True, slots=True)
class Event:
    """A verified event from ``source`` for the tenant ``workspace``.

    ``type`` is the sender's event type (Attio's ``event_type``, e.g. ``record.updated``);
    ``payload`` the event object exactly as received; ``delivery_id`` the delivery's idempotency
    key; ``index`` the event's position in its delivery; ``received_at`` a Unix time.
    ``partition`` names the queue partition: ``"<workspace>:<object or kind>"``, so one noisy
    object cannot starve another and one workspace cannot starve another.
    """

    source: str
    workspace: str
    type: str
    payload: dict[str, Any]
    delivery_id: str
    index: int = 0
    received_at: float = 0.0
    partition: str = field(default="")

    @property
    def job_id(self) -> str:
        """The durable job id: the same for a redelivery of this event, unique otherwise."""
        identity = event_identity(self.payload)
        digest = hashlib.sha256(
            f"{self.delivery_id}\x00{self.index}\x00{identity}".encode()
        ).hexdigest()[:24]
        return f"{self.source}:{self.workspace}:{digest}"

    def to_payload(self) -> dict[str, Any]:
        """The JSON document the queue stores for this event."""
        return {
            "source": self.source,
            "workspace": self.workspace,
            "type": self.type,
            "payload": self.payload,
            "delivery_id": self.delivery_id,
            "index": self.index,
            "received_at": self.received_at,
            "partition": self.partition,
        }

    @classmethod
    def from_payload(cls, doc: Mapping[str, Any]) -> Event:
        """The event ``to_payload()`` wrote."""
        return cls(
            source=str(doc["source"]),
            workspace=str(doc["workspace"]),
            type=str(doc["type"]),
            payload=dict(doc["payload"]),
            delivery_id=str(doc["delivery_id"]),
            index=int(doc.get("index", 0)),
            received_at=float(doc.get("received_at", 0.0)),
            partition=str(doc.get("partition", "")),
        )
