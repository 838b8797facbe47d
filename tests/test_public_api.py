"""What each package exports: its exact ``__all__``, every name importable, no private names.

As httpx's ``test_exported_members`` does: a name added to or dropped from a package's surface
must be added to or dropped from ``EXPORTS`` too, so a change of the public API is always a
visible, reviewed change. Private packages (``client._async``, ``services._sync``) are the
implementation and are not listed; every other package must be.
"""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import pytest

import attio_bridge

EXPORTS: dict[str, set[str]] = {
    "attio_bridge": {
        "AsyncAttioClient",
        "AsyncServices",
        "AttioClient",
        "AttioError",
        "ConfigurationError",
        "InvalidInputError",
        "MissingError",
        "Services",
    },
    "attio_bridge.cache": {
        "Cache",
        "CacheBackend",
        "CacheError",
        "CacheKind",
        "CacheStats",
        "Clock",
        "DEFAULT_PREFIX",
        "DEFAULT_TTLS",
        "JSON",
        "KindStats",
        "MemoryBackend",
        "RedisBackend",
        "create_cache",
    },
    "attio_bridge.cli": {"CliEnvironment", "app", "main"},
    "attio_bridge.jobs": {
        "DEFAULT_PARTITION",
        "STATUSES",
        "JobEvent",
        "JobInfo",
        "JobQueue",
        "JobQueueError",
        "JobSpec",
        "JobStatus",
        "Processor",
        "RetrySchedule",
        "default_jobs_path",
        "parse_duration",
    },
    "attio_bridge.web": {
        "EventFeed",
        "FeedRow",
        "Service",
        "app_from_env",
        "build_service",
        "configure_logging",
        "create_app",
        "service_tenants",
    },
    "attio_bridge.webhooks": {
        "BraintreeKeys",
        "Coalescer",
        "DEFAULT_TENANT",
        "Event",
        "EventProcessor",
        "Handler",
        "HandlerContext",
        "Headers",
        "Hook",
        "Hooks",
        "InboundRequest",
        "JOB_KIND",
        "Receiver",
        "References",
        "Reply",
        "Router",
        "SOURCES",
        "SignatureError",
        "Submit",
        "Tenant",
        "Tenants",
        "UnknownTenantError",
        "decode_hubspot_uri",
        "event_identity",
        "load_handlers",
        "on",
        "parse_braintree",
        "router",
        "sign_attio",
        "sign_hubspot",
        "verify_attio",
        "verify_hubspot",
        "verify_zoho",
    },
    "attio_bridge.webhooks.handlers": {
        "Coalescer",
        "Handler",
        "HandlerContext",
        "Hook",
        "Hooks",
        "Router",
        "SHARED_COALESCER",
        "handler_name",
        "load_handlers",
        "on",
        "router",
    },
    "attio_bridge.client": {
        "DEFAULT_CONCURRENCY",
        "APIConnectionError",
        "APITimeoutError",
        "AsyncAttioClient",
        "AttioAPIError",
        "AttioClient",
        "AttioError",
        "AuthenticationError",
        "BadRequestError",
        "BulkResult",
        "ConfigurationError",
        "ConflictError",
        "InternalServerError",
        "NOT_GIVEN",
        "NotFoundError",
        "NotGiven",
        "PermissionDeniedError",
        "RateBackendError",
        "RateBudget",
        "RateBudgetError",
        "RateLimitError",
        "assert_records",
        "budget_for",
        "classify",
        "clean_api_key",
        "run_bulk",
    },
    "attio_bridge.connectors": {
        "ConnectorError",
        "CrmConnector",
        "DriveConnector",
        "DriveFolder",
        "ExternalRecord",
        "FieldChange",
        "HubSpotConnector",
        "Page",
        "SalesforceConnector",
        "SlackChannel",
        "SlackConnector",
        "ZohoConnector",
        "channel_name",
    },
    "attio_bridge.emulator": {"EmulatorConfig", "create_app"},
    "attio_bridge.emulator.models": set(),
    "attio_bridge.emulator.routes": set(),
    "attio_bridge.services": {
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
    },
    "attio_bridge.snapshot": {
        "Commit",
        "DEFAULT_AUTHOR",
        "ImportResult",
        "KINDS",
        "NotARepositoryError",
        "ObjectKind",
        "PAGE",
        "Progress",
        "RefreshResult",
        "Snapshot",
        "Snapshots",
        "init_project",
        "slugify",
        "unique_slug",
    },
    "attio_bridge.sync": {
        "Conflict",
        "ConflictQueue",
        "ConflictRecord",
        "FieldMap",
        "Link",
        "MappingError",
        "MergeResult",
        "PlannedWrite",
        "RecordStore",
        "Report",
        "Side",
        "SyncEngine",
        "SyncMapping",
        "UnknownConflictError",
        "check",
        "connector_for",
        "load_mappings",
        "merge",
        "parse_mappings",
    },
    "attio_bridge.state": {
        "DATABASE_URL_ENV",
        "Entry",
        "LegacyImport",
        "LockTimeout",
        "SECRETS_NAMESPACE",
        "SECRET_KEY_ENV",
        "SNAPSHOT_STATUSES",
        "SecretKeyError",
        "SecretStore",
        "SnapshotIndex",
        "StateError",
        "StateStore",
        "default_database_path",
        "identity_key",
        "import_legacy_kickoff_manifests",
        "key_file_for",
        "legacy_kickoff_dir",
        "mask_url",
        "open_secrets",
        "open_store",
        "read_legacy_checkpoint",
        "retire_legacy_file",
        "state_home",
    },
    "attio_bridge.testing": {
        "EmulatorControl",
        "EmulatorProcess",
        "EmulatorProcessError",
        "SyncASGITransport",
        "free_port",
    },
    "attio_bridge.emulator.standins": {
        "BRAINTREE",
        "DRIVE",
        "Failure",
        "GOOGLE",
        "HUBSPOT",
        "SALESFORCE",
        "SLACK",
        "STANDINS",
        "ZOHO",
        "StandIn",
        "Standins",
        "http_errors",
        "standin_routes",
    },
    "attio_bridge.emulator.standins.slack": {"SLACK", "SlackError", "SlackModel"},
    "attio_bridge.emulator.standins.drive": {"DRIVE", "DriveError", "DriveModel", "FOLDER_MIME"},
    "attio_bridge.emulator.standins.google": {"GOOGLE", "GoogleAuth", "JWT_BEARER", "NAME"},
    "attio_bridge.emulator.standins.hubspot": {"HUBSPOT", "HubSpotModel"},
    "attio_bridge.emulator.standins.salesforce": {"SALESFORCE", "SalesforceModel"},
    "attio_bridge.emulator.standins.zoho": {"MODULE", "ZOHO", "ZohoModel"},
    "attio_bridge.emulator.standins.braintree": {
        "BRAINTREE",
        "KINDS",
        "BraintreeModel",
        "Change",
        "Notification",
        "notify",
    },
    "attio_bridge.values": {
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
    },
    "attio_bridge.workflows": {
        "ImportReport",
        "RowProblem",
        "advance_deal",
        "advance_stale_deals",
        "enrich_records",
        "export_records",
        "guess_mapping",
        "import_file",
        "kickoff_lead",
        "move_between_lists",
        "qualify_lead",
        "record_meeting_note",
        "rollback_kickoff",
        "run_deal_pipeline",
    },
    "attio_bridge.workflows.importing": set(),
}

# Listed above, but not in every checkout (none today).
ELSEWHERE: set[str] = set()
# Not listed, with what is below them: not a surface at all.
UNLISTED = (
    "attio_bridge.state.migrations",  # Alembic's script folder: Alembic imports it, not users
)


def public_packages() -> set[str]:
    """Every package under ``attio_bridge`` whose dotted name has no private part."""
    found = {"attio_bridge"}
    for info in pkgutil.walk_packages(attio_bridge.__path__, "attio_bridge."):
        if info.ispkg and not any(part.startswith("_") for part in info.name.split(".")):
            found.add(info.name)
    return found


def test_every_public_package_is_listed() -> None:
    found = public_packages()
    unlisted = {p for p in found - set(EXPORTS) if not p.startswith(UNLISTED)}
    assert unlisted == set()
    assert set(EXPORTS) - found <= ELSEWHERE


@pytest.mark.parametrize("package", sorted(EXPORTS))
def test_a_package_exports_exactly_its_listed_names(package: str) -> None:
    if package in ELSEWHERE and package not in public_packages():
        pytest.skip(f"{package} is made on another branch")
    module = importlib.import_module(package)
    exported = module.__all__
    assert len(exported) == len(set(exported)), f"{package}.__all__ names a name twice"
    assert set(exported) == EXPORTS[package]
    assert [name for name in exported if name.startswith("_")] == []
    missing = [name for name in exported if not hasattr(module, name)]
    assert missing == [], f"{package}.__all__ names what it does not have"


def test_the_everyday_names_come_from_the_top_package() -> None:
    from attio_bridge import AsyncAttioClient, AsyncServices, AttioClient, AttioError, Services
    from attio_bridge.client import AsyncAttioClient as ClientAsync
    from attio_bridge.errors import AttioError as RootError
    from attio_bridge.services import Services as ServicesSync

    assert AsyncAttioClient is ClientAsync and AttioError is RootError and Services is ServicesSync
    assert AttioClient.__name__ == "AttioClient" and AsyncServices.__name__ == "AsyncServices"
    assert set(EXPORTS["attio_bridge"]) <= set(dir(attio_bridge))


def test_an_unknown_name_is_an_import_error() -> None:
    with pytest.raises(ImportError, match="Servces"):
        from attio_bridge import Servces  # type: ignore[attr-defined]  # noqa: F401


def test_import_attio_bridge_does_not_load_the_client() -> None:
    # The clients and services are imported on first use: ``import attio_bridge`` (the CLI's
    # start-up, a worker that needs only the errors) must not pay for httpx and pydantic.
    code = (
        "import sys, attio_bridge\n"
        "heavy = sorted(m for m in ('httpx', 'pydantic', 'attio_bridge.client',"
        " 'attio_bridge.services') if m in sys.modules)\n"
        "print(','.join(heavy))\n"
        "attio_bridge.AttioClient\n"
        "print('attio_bridge.client' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.split("\n")[:2] == ["", "True"]
