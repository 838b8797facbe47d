"""Domain operations on top of ``values`` and the client: people, companies, deals, lists,
notes, tasks, Attio URLs (``urls``), sync and async.

``Services(client)`` / ``AsyncServices(aclient)`` hold ``people``, ``companies``, ``deals``,
``lists``, ``notes``, ``tasks`` and ``records`` (any object) over one shared schema cache. The
async services are written once in ``_async``; ``_sync`` is generated from them
(``scripts/gen_sync.py``).
``deadlines`` has the task deadline helpers.
"""

from ._async.services import AsyncServices
from ._common import ServiceError, ServiceMissingError
from ._sync.services import Services
from .deadlines import in_days, next_business_day

__all__ = [
    "AsyncServices",
    "ServiceError",
    "ServiceMissingError",
    "Services",
    "in_days",
    "next_business_day",
]
