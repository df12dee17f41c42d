"""The typed Python SDK: ``Credgate`` / ``AsyncCredgate`` and their exceptions."""

from gateway.sdk.client import AsyncCredgate, Credgate
from gateway.sdk.errors import (
    ApiError,
    AuthenticationFailed,
    ClientError,
    Conflict,
    CredgateError,
    GatewayUnreachable,
    InvalidRequest,
    KeyFileError,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    ServiceUnavailable,
)

__all__ = [
    "ApiError",
    "AsyncCredgate",
    "AuthenticationFailed",
    "ClientError",
    "Conflict",
    "Credgate",
    "CredgateError",
    "GatewayUnreachable",
    "InvalidRequest",
    "KeyFileError",
    "NotFound",
    "PermissionDenied",
    "RateLimited",
    "ServerError",
    "ServiceUnavailable",
]
