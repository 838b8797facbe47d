"""Plain Python <-> Attio values, checked against the workspace schema.

The schema (``schema``): ``SchemaCache(client)`` / ``AsyncSchemaCache(aclient)`` load the
workspace's objects, lists, attributes, options and statuses once and keep them 30 minutes
(``refresh()``, ``invalidate()``); ``load_schema`` / ``load_schema_async`` load without caching.

Writing (``encode``)::

    cache = SchemaCache(client)
    values = encode_values(cache, "people", {
        "name": "Ada Lovelace", "email_addresses": "ada@acme.com",
        "phone_numbers": "+44 20 7946 0958", "company": "https://acme.com",
    }, create=True)
    client.records.create("people", values)

Every problem of a record comes at once in ``ValuesError.problems`` (field, value, fix);
``validate_values`` returns them instead of raising. An unknown object or list is an
``UnknownTargetError`` (a ``MissingError``). ``EncodeOptions`` sets the default phone
region and the time zone of naive datetimes.

Reading (``decode``): ``decode_record(cache, record)`` and ``decode_entry(cache, entry)`` give
flat typed rows; ``decode_history(values)`` decodes historic values; ``plain(value)`` makes a
decoded value JSON (``exact=True`` keeps the digits a float would lose). A decoded row written back
with ``encode_values(..., ignore_read_only=True)`` writes the same values.

Anything taking a schema accepts a ``WorkspaceSchema`` or a (sync) ``SchemaCache``; with
``AsyncSchemaCache`` pass ``await cache.get()``.
"""

from .decode import (
    HistoricValue,
    as_decoded,
    decode_entry,
    decode_history,
    decode_record,
    decode_value,
    plain,
)
from .encode import EncodeOptions, domain_from, encode_values, validate_values
from .schema import (
    AsyncSchemaCache,
    AttributeInfo,
    Choice,
    SchemaCache,
    TargetSchema,
    UnknownTargetError,
    WorkspaceSchema,
    build_schema,
    load_schema,
    load_schema_async,
)
from .validate import Problem, ValuesError

__all__ = [
    "AsyncSchemaCache",
    "AttributeInfo",
    "Choice",
    "EncodeOptions",
    "HistoricValue",
    "Problem",
    "SchemaCache",
    "TargetSchema",
    "UnknownTargetError",
    "ValuesError",
    "WorkspaceSchema",
    "as_decoded",
    "build_schema",
    "decode_entry",
    "decode_history",
    "decode_record",
    "decode_value",
    "domain_from",
    "encode_values",
    "load_schema",
    "load_schema_async",
    "plain",
    "validate_values",
]
