"""Domain operations on top of ``values`` and the client: people, companies, deals, lists,
notes, tasks, Attio URLs (``urls``), sync and async.

``Services(client)`` / ``AsyncServices(aclient)`` hold ``people``, ``companies``, ``deals``,
``lists``, ``notes``, ``tasks`` and ``records`` (any object) over one shared schema cache. The
async services are written once in ``_async``; ``_sync`` is generated from them
(``scripts/gen_sync.py``).
``deadlines`` has the task deadline helpers; ``is_record_id`` tells an id (a UUID) from a name,
``company_ref`` reads a company given by record id or domain (``CompanyRef``).
``record_key`` and ``entries_key`` name what the services cache (kinds "records" and "lists"),
for code that invalidates it on events (``attio_bridge.webhooks`` handlers).
"""

from ._async.services import AsyncServices
from ._common import (
    CompanyRef,
    ServiceError,
    ServiceMissingError,
    company_ref,
    entries_key,
    is_record_id,
    record_key,
)
from ._sync.services import Services
from .deadlines import in_days, next_business_day

__all__ = [
    "AsyncServices",
    "CompanyRef",
    "ServiceError",
    "ServiceMissingError",
    "Services",
    "company_ref",
    "entries_key",
    "in_days",
    "is_record_id",
    "next_business_day",
    "record_key",
]
