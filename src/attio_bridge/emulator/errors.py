"""The emulator's errors: one class per Attio error code, each rendering Attio's error body.

    EmulatorError                      {status_code, type, code, message}
    ├── ValidationTypeError            400 invalid_request_error validation_type
    ├── MissingValueError              400 invalid_request_error missing_value
    ├── ValueNotFoundError             400 invalid_request_error value_not_found
    ├── UniquenessConflictError        400 invalid_request_error uniqueness_conflict
    ├── NotUniqueMatchingAttributeError 400 ... matching_attribute_definition_not_unique
    ├── MultipleMatchResultsError      400 invalid_request_error multiple_match_results
    ├── ImmutableValueError            400 invalid_request_error immutable_value
    ├── SystemEditUnauthorizedError    400 invalid_request_error system_edit_unauthorized
    ├── FormulaEditUnauthorizedError   400 invalid_request_error formula_edit_unauthorized
    ├── FilterError                    400 invalid_request_error filter_error
    ├── SelfMergeError                 400 invalid_request_error self_merge
    ├── NotFoundError                  404 invalid_request_error not_found
    ├── MergeInProgressError           404 invalid_request_error merge_in_progress
    ├── SlugConflictError              409 invalid_request_error slug_conflict
    ├── BillingError                   403 auth_error billing_error
    ├── UnauthorizedError              401 auth_error unauthorized
    └── RateLimitError                 429 rate_limit_error rate_limit_exceeded

Codes and statuses follow API-NOTES §8 (Attio's documented error codes).
"""

from __future__ import annotations

from typing import Any, ClassVar


class EmulatorError(Exception):
    """An error answered with Attio's body ``{status_code, type, code, message}``."""

    status_code: ClassVar[int] = 400
    type: ClassVar[str] = "invalid_request_error"
    code: ClassVar[str] = "validation_type"

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra

    def body(self) -> dict[str, Any]:
        """Attio's error body for this error."""
        return {
            "status_code": self.status_code,
            "type": self.type,
            "code": self.code,
            "message": self.message,
            **self.extra,
        }


class ValidationTypeError(EmulatorError):
    """A value or body of the wrong type or shape."""

    code = "validation_type"


class MissingValueError(EmulatorError):
    """A required value was not given."""

    code = "missing_value"


class ValueNotFoundError(EmulatorError):
    """A referenced option, status, member, record or attribute does not exist."""

    code = "value_not_found"


class UniquenessConflictError(EmulatorError):
    """A unique attribute's value is already used by another record (400, as observed)."""

    code = "uniqueness_conflict"


class NotUniqueMatchingAttributeError(EmulatorError):
    """An assert named a matching attribute that is not unique."""

    code = "matching_attribute_definition_not_unique"


class MultipleMatchResultsError(EmulatorError):
    """An assert matched more than one record or entry."""

    code = "multiple_match_results"


class ImmutableValueError(EmulatorError):
    """A write tried to change something that cannot change (an entry's parent)."""

    code = "immutable_value"


class SystemEditUnauthorizedError(EmulatorError):
    """A write to a read-only system attribute."""

    code = "system_edit_unauthorized"


class FormulaEditUnauthorizedError(EmulatorError):
    """A write to a formula attribute, whose values Attio computes."""

    code = "formula_edit_unauthorized"


class FilterError(EmulatorError):
    """A filter or sort that cannot be applied."""

    code = "filter_error"


class SelfMergeError(EmulatorError):
    """A merge of a record with itself."""

    code = "self_merge"


class NotFoundError(EmulatorError):
    """A path names something that does not exist."""

    status_code = 404
    code = "not_found"


class MergeInProgressError(EmulatorError):
    """A read of a record whose merge is still applying."""

    status_code = 404
    code = "merge_in_progress"


class SlugConflictError(EmulatorError):
    """A duplicate api_slug, or a duplicate option or status title."""

    status_code = 409
    code = "slug_conflict"


class BillingError(EmulatorError):
    """A feature the workspace's plan does not include."""

    status_code = 403
    type = "auth_error"
    code = "billing_error"


class UnauthorizedError(EmulatorError):
    """A missing or unknown bearer token."""

    status_code = 401
    type = "auth_error"
    code = "unauthorized"


class RateLimitError(EmulatorError):
    """Too many requests in the current second."""

    status_code = 429
    type = "rate_limit_error"
    code = "rate_limit_exceeded"

    def __init__(self, message: str = "Rate limit exceeded, please try again later") -> None:
        super().__init__(message)


def not_found(thing: str, ident: str) -> NotFoundError:
    """Attio's 404 message: ``<Thing> with slug/ID "<x>" not found.``."""
    return NotFoundError(f'{thing} with slug/ID "{ident}" not found.')
