"""The root of every error attio-bridge raises on purpose, and the classes every layer shares.

    AttioError                      everything raised on purpose; ``retryable`` says if trying
    │                               the same thing again later may succeed
    ├── ConfigurationError          set up wrongly: no API key, a bad URL, option or config file
    │   └── TenantsFileError        a workspaces configuration that cannot be used (webhooks)
    ├── InvalidInputError           input that cannot be used as given (also a ``ValueError``):
    │   │                           a rules file, an Attio URL, a workflow's arguments, file rows
    │   ├── ValuesError             values the workspace's schema would refuse   (values)
    │   ├── ServiceError            asked for what the workspace cannot do       (services)
    │   ├── AttioUrlError           not an Attio URL of a known form             (services.urls)
    │   ├── SignatureError          a webhook delivery not signed by its sender  (webhooks)
    │   ├── RulesFileError          a scoring rules file that cannot be used     (workflows)
    │   └── SubscriptionsFileError  a webhook subscriptions file that cannot be used (webhooks)
    ├── MissingError                what was asked for does not exist (also a ``LookupError``):
    │   │                           a record with this email, a list, a member, a saved run
    │   └── NotFoundError           ... said by Attio with a 404                 (client)
    ├── APIConnectionError          no HTTP answer from Attio (retryable)        (client)
    ├── RateBudgetError             no rate budget permit in time (retryable)    (client)
    ├── AttioAPIError               Attio answered with an error body            (client)
    ├── ConnectorError              another system (Slack, Drive, ...) failed    (connectors)
    ├── CacheError                  the cache was used wrongly, or is unreachable (cache)
    ├── CircuitOpenError            a system's circuit is open: not called (retryable) (jobs)
    ├── NotifierError               an alert could not be delivered (retryable)  (webhooks)
    ├── JobQueueError               the jobs database unreachable, a queue not started (jobs)
    └── StateError                  the state store failed, or a lock was not had (state)
        └── SecretKeyError          a secret the key in use cannot decrypt       (state)

Each class lives with the layer that raises it; this module holds the root and the classes that
several layers raise. Library messages say what is wrong and how to fix it in the library's own
terms (arguments, files, records), never a command-line flag: the CLI maps classes to exit codes
in one place (``cli/_common.py``).
"""

from __future__ import annotations

import re

__all__ = ["AttioError", "ConfigurationError", "InvalidInputError", "MissingError", "mask_url"]

# A password in a URL's authority (``user:password@``) or in its query (``?password=``).
_AUTHORITY_SECRET = re.compile(r"(://[^:/@?#]*:)[^@/?#]*@")
_QUERY_SECRET = re.compile(r"([?&]password=)[^&#]*", re.IGNORECASE)


def mask_url(url: str) -> str:
    """``url`` fit for a message: any password replaced by ``***`` (also when it does not
    parse). Every layer that names a database, Redis or other URL in an error uses it."""
    return _QUERY_SECRET.sub(r"\1***", _AUTHORITY_SECRET.sub(r"\1***@", url))


class AttioError(Exception):
    """Every error attio-bridge raises on purpose.

    ``retryable`` is True when the same call may succeed later unchanged (a connection dropped,
    a rate limit, a server error, a lock held by another run); False when something must be
    fixed first. Job queues decide dead letters from it.
    """

    retryable: bool = False

    def __init__(self, message: str = "", *args: object) -> None:
        super().__init__(message, *args)
        self.message = message


class ConfigurationError(AttioError):
    """Set up wrongly: no API key, a bad base URL, option or configuration file."""


class InvalidInputError(AttioError, ValueError):
    """Input that cannot be used as given; the message names what is wrong and the fix."""


class MissingError(AttioError, LookupError):
    """What was asked for does not exist: a record with this email, a list, a member, a run."""

    def __str__(self) -> str:
        # LookupError's KeyError-like repr quoting is not wanted: the message is prose.
        return self.message
