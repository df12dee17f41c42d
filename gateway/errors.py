"""Errors the gateway's services raise. No HTTP here: ``error_handlers`` maps them."""

from __future__ import annotations

from typing import Any


class CredgateError(Exception):
    """Base of every error a service raises on purpose."""

    code = "error"

    def __init__(self, message: str, *, detail: Any = None, keep_records: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail
        # True when the transaction holds records of this very refusal (an expiry recorded on
        # the first answer after it) that must be committed although the request fails.
        self.keep_records = keep_records


class InvalidInput(CredgateError):
    """The caller sent something malformed; ``detail`` names the offending part."""

    code = "invalid_input"


class NotFound(CredgateError):
    code = "not_found"


class Conflict(CredgateError):
    code = "conflict"


class Unauthenticated(CredgateError):
    code = "unauthenticated"


class Forbidden(CredgateError):
    code = "forbidden"


class RateLimited(CredgateError):
    code = "rate_limited"


class ServiceUnavailable(CredgateError):
    """A dependency we must not work without (ledger, policy engine) failed: fail closed."""

    code = "unavailable"
