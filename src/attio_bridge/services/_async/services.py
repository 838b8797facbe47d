"""``AsyncServices``: every service over one client, sharing one schema cache::

    services = AsyncServices(attio)
    ada = await services.people.upsert(
        email="ada@acme.com", name="Ada Lovelace", company="acme.com", phone="+44 20 7946 0958"
    )

Each service holds the same schema cache (``services.schema``), loaded once for all of them,
and the same ``attio_bridge.cache`` cache (``services.cache``) that record, list and note reads
go through: in memory unless one is given, e.g. ``create_cache("redis://127.0.0.1:6379/0")``.
"""

from __future__ import annotations

from ...cache import Cache
from ...client import AsyncAttioClient
from ...values import AsyncSchemaCache, EncodeOptions
from .activity import AsyncNotes, AsyncTasks
from .context import AsyncContext
from .lists import AsyncLists
from .records import AsyncCompanies, AsyncDeals, AsyncPeople, AsyncRecords


class AsyncServices:
    """The everyday operations: ``people``, ``companies``, ``deals``, ``lists``, ``notes``,
    ``tasks``, and ``records`` of any object. ``schema`` shares a schema cache with other code
    (one is made otherwise, living for ``cache``'s "schema" TTL); ``cache`` holds records, lists
    and notes (a fresh memory cache otherwise; one whose TTLs are all 0 turns caching off);
    ``options`` sets the default phone region and the time zone of naive datetimes."""

    def __init__(
        self,
        client: AsyncAttioClient,
        *,
        schema: AsyncSchemaCache | None = None,
        options: EncodeOptions | None = None,
        cache: Cache | None = None,
    ) -> None:
        self.context = AsyncContext(client, schema, options, cache)
        self.schema = self.context.schema
        self.cache = self.context.cache
        self.companies = AsyncCompanies(self.context)
        self.people = AsyncPeople(self.context, self.companies)
        self.deals = AsyncDeals(self.context, self.companies)
        self.lists = AsyncLists(self.context)
        self.notes = AsyncNotes(self.context)
        self.tasks = AsyncTasks(self.context)
        self.records = AsyncRecords(self.context, self.people, self.companies)
