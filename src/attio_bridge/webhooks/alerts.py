"""Alerts: tell the team when something needs a person, once per incident, not once per event.

Three things raise an incident, each under a key:

- a dead letter (a job that will not be retried again): ``dead-letter:<tenant>:<topic>``, the
  topic being what the job's partition names after the tenant (the object or kind);
- an open circuit (``attio_bridge.jobs.circuits``): ``circuit:<tenant>:<system>``;
- a webhook Attio marks ``degraded`` (its deliveries keep failing): ``webhook-degraded:<id>``.

An incident stays open in the state store's ``alerts`` namespace, shared by every process, until
it resolves: the circuit closes, the webhook is ``active`` again (or gone), no dead letter is
left in that partition (``sweep_dead_letters``). Only the first event of an incident notifies;
the others count. After it resolves, the next failure opens a new incident and notifies again.

Notifiers: ``SlackNotifier`` (a message through ``SlackConnector.post_message`` to a channel)
and ``WebhookNotifier`` (a JSON POST to any URL, through httpx). A notifier that fails never
fails the caller: it is logged (its class and a message without the URL's path or any token)
and tried again with the incident's next event, at most once a minute.

    alerts = Alerts(store, [SlackNotifier(SlackConnector.from_env(), "#ops")])
    queue.subscribe(alerts.on_job_event)             # dead letters
    circuits.add_listener(alerts.on_circuit_change)  # open circuits
    alerts.check_webhooks(client.webhooks.iter(), tenant="acme")   # periodically
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

import httpx

from ..errors import AttioError
from ..state import LockTimeout, StateStore

if TYPE_CHECKING:
    from ..connectors import SlackConnector
    from ..jobs.circuits import CircuitChange

__all__ = [
    "ALERTS_NAMESPACE",
    "Alert",
    "Alerts",
    "Notifier",
    "NotifierError",
    "SlackNotifier",
    "WebhookNotifier",
]

_log = logging.getLogger(__name__)

ALERTS_NAMESPACE = "alerts"
# A notifier that failed is tried again with a later event of the incident, not sooner.
RETRY_NOTIFY_AFTER = 60.0


@dataclass(frozen=True, slots=True)
class Alert:
    """What a notifier sends: the incident's ``key`` and ``kind``, a one-line ``title``, a
    ``text`` saying what to do, and ``details`` (JSON)."""

    key: str
    kind: str
    title: str
    text: str
    details: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The alert as a webhook notifier posts it."""
        return {
            "key": self.key,
            "kind": self.kind,
            "title": self.title,
            "text": self.text,
            "details": dict(self.details),
        }


class NotifierError(AttioError):
    """A notifier could not deliver an alert; retryable."""

    retryable = True


class Notifier(Protocol):
    """Sends an alert somewhere; raises on failure."""

    def send(self, alert: Alert) -> None:
        """Deliver ``alert``."""


class SlackNotifier:
    """Posts each alert to a Slack ``channel`` (id or ``#name``) through the Slack connector."""

    def __init__(self, slack: SlackConnector, channel: str) -> None:
        self.slack = slack
        self.channel = channel

    def __repr__(self) -> str:
        return f"SlackNotifier(channel={self.channel!r})"

    def send(self, alert: Alert) -> None:
        """Post ``*title*`` and the text as one message."""
        self.slack.post_message(self.channel, f":rotating_light: *{alert.title}*\n{alert.text}")


def _where(url: str) -> str:
    # A webhook URL often carries its token in the path (Slack's incoming webhooks do).
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or '?'}"


class WebhookNotifier:
    """POSTs each alert as JSON (``Alert.as_json()``) to ``url``; any 2xx is success. The URL
    may hold a token: only its scheme and host ever show in a message or a ``repr``."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self._url = url
        self._client = httpx.Client(
            timeout=timeout, transport=transport, headers=dict(headers or {})
        )

    def __repr__(self) -> str:
        return f"WebhookNotifier({_where(self._url)})"

    def send(self, alert: Alert) -> None:
        """POST the alert; ``NotifierError`` (naming only the host) when it is not taken."""
        try:
            response = self._client.post(self._url, json=alert.as_json())
        except httpx.HTTPError as exc:
            raise NotifierError(
                f"the alert webhook at {_where(self._url)} could not be reached "
                f"({type(exc).__name__}): check the URL and the network"
            ) from None
        if not 200 <= response.status_code < 300:
            raise NotifierError(
                f"the alert webhook at {_where(self._url)} answered {response.status_code}: "
                "check the URL and what the receiver expects"
            )

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.close()


DEAD_LETTER_SETTLE = 30.0
"""Seconds a dead-letter incident stays open after its last dead letter, whatever a sweep lists."""


class Alerts:
    """Incidents kept in ``store`` (shared by every process using it), notified through
    ``notifiers`` once each."""

    def __init__(
        self,
        store: StateStore,
        notifiers: Sequence[Notifier],
        *,
        clock: Callable[[], float] = time.time,
        lock_timeout: float = 30.0,
    ) -> None:
        self.store = store
        self.notifiers = list(notifiers)
        self._clock = clock
        self._lock_timeout = lock_timeout

    # -- incidents ----------------------------------------------------------------------------
    def raise_incident(self, alert: Alert) -> bool:
        """Open the incident ``alert.key``, or count one more event of it if open; whether a
        notification was sent now. Never raises: a failure is logged."""
        try:
            with self.store.lock(f"alert:{alert.key}", timeout=self._lock_timeout):
                return self._raise_locked(alert)
        except LockTimeout:
            _log.warning("alert %s: another process holds it; not notified from here", alert.key)
        except Exception as exc:
            _log.error("alert %s could not be recorded: %s", alert.key, _said(exc))
        return False

    def _raise_locked(self, alert: Alert) -> bool:
        now = self._clock()
        doc = self.store.get(ALERTS_NAMESPACE, alert.key)
        if doc is None:
            doc = {
                "key": alert.key,
                "kind": alert.kind,
                "title": alert.title,
                "details": dict(alert.details),
                "opened_at": now,
                "events": 0,
                "notified": False,
                "next_try": 0.0,
            }
        doc["events"] = int(doc.get("events", 0)) + 1
        doc["last_at"] = now
        if doc.get("notified") or now < float(doc.get("next_try", 0.0)):
            self.store.put(ALERTS_NAMESPACE, alert.key, doc)
            return False
        sent = self._notify(alert)
        doc["notified"] = sent
        doc["next_try"] = 0.0 if sent else now + RETRY_NOTIFY_AFTER
        self.store.put(ALERTS_NAMESPACE, alert.key, doc)
        return sent

    def _notify(self, alert: Alert) -> bool:
        """Send to every notifier; True when at least one took it."""
        sent = False
        for notifier in self.notifiers:
            try:
                notifier.send(alert)
                sent = True
            except Exception as exc:  # a notifier's failure must not fail the caller
                _log.error("alert %s not sent through %r: %s", alert.key, notifier, _said(exc))
        return sent

    def resolve(self, key: str) -> bool:
        """Close the incident ``key``; whether one was open. Never raises."""
        try:
            with self.store.lock(f"alert:{key}", timeout=self._lock_timeout):
                closed = self.store.delete(ALERTS_NAMESPACE, key)
        except Exception as exc:
            _log.error("alert %s could not be resolved: %s", key, _said(exc))
            return False
        if closed:
            _log.info("alert %s resolved", key)
        return closed

    def open_incidents(self, prefix: str = "") -> dict[str, dict[str, Any]]:
        """The open incidents (those whose key starts with ``prefix``), by key."""
        return dict(self.store.items(ALERTS_NAMESPACE, prefix))

    # -- dead letters -------------------------------------------------------------------------
    def dead_letter(self, tenant: str, topic: str, *, job_id: str, error: str | None) -> bool:
        """A job of ``tenant`` about ``topic`` was dead-lettered."""
        return self.raise_incident(
            Alert(
                key=f"dead-letter:{tenant}:{topic}",
                kind="dead-letter",
                title=f"Dead letters for {topic} in workspace {tenant}",
                text=(
                    f"Job {job_id} failed on every retry and is kept as a dead letter"
                    f"{': ' + error if error else ''}. Fix the cause, then "
                    f"`attio-bridge jobs replay {job_id}` (or list them: `attio-bridge jobs list "
                    "--status dead`). Further dead letters of this kind are not announced until "
                    "these are cleared."
                ),
                details={"tenant": tenant, "topic": topic, "job_id": job_id},
            )
        )

    def on_job_event(self, event: Any) -> None:
        """A job queue observer (``JobQueue.subscribe``): a ``dead`` event raises the
        incident of its partition (``<tenant>:<topic>``)."""
        if getattr(event, "what", None) != "dead":
            return
        partition = str(getattr(event, "partition", ""))
        tenant, topic = _partition(partition, str(getattr(event, "kind", "")))
        job_id = str(getattr(event, "job_id", "?"))
        self.dead_letter(tenant, topic, job_id=job_id, error=getattr(event, "error", None))

    def sweep_dead_letters(self, dead_partitions: Iterable[str]) -> list[str]:
        """Resolve the dead-letter incidents of partitions that hold no dead job any more
        (``dead_partitions``: the partitions of the jobs dead now, listed before this call);
        the keys resolved. An incident that saw a dead letter in the last
        ``DEAD_LETTER_SETTLE`` seconds stays open: the queue tells its observers of a dead job
        before the job's state is written, so a listing taken meanwhile does not show it yet
        (closing then would notify the same incident twice)."""
        still = {"dead-letter:{}:{}".format(*_partition(p, "")) for p in dead_partitions}
        settled = self._clock() - DEAD_LETTER_SETTLE
        gone = [
            k
            for k, doc in self.open_incidents("dead-letter:").items()
            if k not in still and float(doc.get("last_at", 0.0)) < settled
        ]
        return [k for k in gone if self.resolve(k)]

    # -- circuits -----------------------------------------------------------------------------
    def on_circuit_change(self, change: CircuitChange) -> None:
        """A circuit listener (``Circuits.add_listener``): open raises, closed resolves."""
        key = f"circuit:{change.tenant}:{change.system}"
        if change.new == "open":
            self.raise_incident(
                Alert(
                    key=key,
                    kind="circuit",
                    title=f"{change.system} is down for workspace {change.tenant}",
                    text=(
                        f"Calls to {change.system} kept failing, so its circuit opened: jobs "
                        "that need it wait and retry. It is tried again on its own; check the "
                        "system's status and credentials."
                    ),
                    details={"system": change.system, "tenant": change.tenant},
                )
            )
        elif change.new == "closed":
            self.resolve(key)

    # -- webhooks -----------------------------------------------------------------------------
    def check_webhooks(self, webhooks: Iterable[Any], *, tenant: str = "default") -> list[str]:
        """Raise an incident for each webhook whose ``status`` is ``degraded`` and resolve those
        of webhooks active again or gone (``webhooks``: the workspace's, e.g.
        ``client.webhooks.iter()``); the keys of the incidents open afterwards."""
        degraded: list[str] = []
        seen: set[str] = set()
        for hook in webhooks:
            hook_id = str(hook.id.get("webhook_id", ""))
            key = f"webhook-degraded:{hook_id}"
            seen.add(key)
            if hook.status == "degraded":
                degraded.append(key)
                self.raise_incident(
                    Alert(
                        key=key,
                        kind="webhook-degraded",
                        title=f"Attio marks webhook {hook_id} degraded (workspace {tenant})",
                        text=(
                            f"Attio could not deliver events to {_where(hook.target_url)} and "
                            "marked the webhook degraded: check the receiver (attio-bridge "
                            "serve) is up and reachable, and that its secret matches."
                        ),
                        details={"tenant": tenant, "webhook_id": hook_id},
                    )
                )
            else:
                self.resolve(key)
        for key, doc in self.open_incidents("webhook-degraded:").items():
            if key not in seen and doc.get("details", {}).get("tenant") == tenant:
                self.resolve(key)
        return degraded


def _partition(partition: str, kind: str) -> tuple[str, str]:
    """``(tenant, topic)`` of a queue partition ``"<tenant>:<topic>"``."""
    tenant, sep, topic = partition.partition(":")
    if not sep:
        return (partition or "default", kind or "jobs")
    return tenant, topic or kind or "jobs"


def _said(exc: BaseException) -> str:
    """An exception for a log line: its class and, for our own errors (whose messages hold no
    secret), the message; never another library's text, which may quote a URL or token."""
    if isinstance(exc, AttioError):
        return f"{type(exc).__name__}: {exc}"
    return type(exc).__name__
