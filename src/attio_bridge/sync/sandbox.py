"""The sandbox's sync: HubSpot's and Zoho's stand-ins kept in step with the emulator's Attio.

``SandboxSync`` is a ``SyncService`` (``sync.service``) configured for the sandbox: the
mappings shipped in ``sandbox_mapping.toml`` (HubSpot contacts <-> Attio people by email,
companies <-> companies by domain) and ``sandbox_zoho.toml`` (Zoho's Services one way into the
custom object ``services`` that the emulator's sandbox seed creates), a HubSpot and a Zoho
connector at the stand-ins, an Attio client with the service's key and a state store of the
sandbox's own (never the user's). Its jobs, event handler (HubSpot's webhooks, Zoho's
notifications, Attio's events), periodic pulls (every ``SANDBOX_PERIOD`` seconds, so a missed
webhook is caught), reconciles (every ``SANDBOX_RECONCILE_PERIOD`` seconds, so a lost Attio
webhook is caught) and conflicts' resolver are the service's; ``start(queue)`` submits the
first full sync of every mapping once the queue has started (before the first tick, which
leaves this period's reconcile out).

The sandbox CLI (``cli.serve``) wires it; nothing here starts a server.
"""

from __future__ import annotations

import tomllib
from importlib import resources

from ..client import AttioClient
from ..connectors.hubspot import HubSpotConnector
from ..connectors.zoho import ZohoConnector
from ..jobs import JobQueue
from ..state import open_store
from .jobs import sync_job
from .mapping import MappingError, SyncMapping, parse_mappings
from .service import SyncService, event_patterns

__all__ = [
    "EVENT_PATTERNS",
    "MAPPING_FILE",
    "MAPPING_FILES",
    "SANDBOX_PERIOD",
    "SANDBOX_RECONCILE_PERIOD",
    "SandboxSync",
    "sandbox_mappings",
]

MAPPING_FILE = "sandbox_mapping.toml"
MAPPING_FILES = (MAPPING_FILE, "sandbox_zoho.toml")
"""The files of the sandbox's mappings: HubSpot's two-way, Zoho's one-way."""
SANDBOX_PERIOD = 30.0
"""Seconds between two pulls in the sandbox."""
SANDBOX_RECONCILE_PERIOD = 600.0
"""Seconds between two reconciles (full runs) in the sandbox."""


def sandbox_mappings() -> list[SyncMapping]:
    """The mappings shipped in ``MAPPING_FILES``, in that order."""
    found: list[SyncMapping] = []
    for name in MAPPING_FILES:
        text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:  # a packaging fault, not the user's
            raise MappingError(f"{name}: {exc}; reinstall attio-bridge") from None
        found += parse_mappings(doc, where=name)
    return found


EVENT_PATTERNS = tuple(event_patterns(sandbox_mappings()))
"""The event types whose records the sandbox's mappings sync."""


class SandboxSync(SyncService):
    """The sandbox's sync (module docstring)."""

    def __init__(
        self,
        *,
        attio_key: str,
        attio_url: str,
        hubspot_token: str,
        hubspot_url: str,
        zoho_token: str,
        zoho_url: str,
        state_url: str,
        period: float = SANDBOX_PERIOD,
        reconcile_period: float = SANDBOX_RECONCILE_PERIOD,
    ) -> None:
        client = AttioClient(api_key=attio_key, base_url=attio_url)
        state = open_store(state_url)
        hubspot = HubSpotConnector(hubspot_token, base_url=hubspot_url)
        zoho = ZohoConnector(zoho_token, base_url=zoho_url)
        super().__init__(
            sandbox_mappings(),
            client=client,
            state=state,
            connectors={"hubspot": hubspot, "zoho": zoho},
            period=period,
            reconcile_period=reconcile_period,
            first_run=None,  # start() submits the first runs: the sandbox's queue is new each run
            owned=(client, state, hubspot, zoho),
            where=" and ".join(MAPPING_FILES),
        )
        self._started = False

    def __repr__(self) -> str:
        return f"SandboxSync(mappings={list(self.engines)!r})"

    def start(self, queue: JobQueue) -> None:
        """Submit the first full sync of every mapping (once; ``queue`` started): it stands for
        this reconcile period's reconcile."""
        if not self._started:
            queue.submit_sync([sync_job(m, "sandbox-start") for m in self.mappings])
            self.cover(self.mappings)
            self._started = True

    def tick(self, queue: JobQueue) -> list[bool]:
        """``start`` (when not yet), then the service's tick."""
        self.start(queue)
        return super().tick(queue)
