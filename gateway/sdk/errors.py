"""The exceptions the SDK raises: one class per status family, each carrying what the
gateway said (status, error code, message, structured detail).

The gateway answers errors as ``{"error", "message", "detail"}`` or as RFC 9457
``application/problem+json`` (``type``, ``title``, ``status``, ``detail`` and the same
``error`` code); both are read here.
"""

from __future__ import annotations

from typing import Any

import httpx


class CredgateError(Exception):
    """Base of every SDK error."""


class KeyFileError(CredgateError):
    """The caller's private key could not be read (missing, unreadable, not a usable key)."""


class GatewayUnreachable(CredgateError):
    """No HTTP answer came back (connection refused, timeout, bad URL)."""


class ApiError(CredgateError):
    """The gateway answered with an error status."""

    def __init__(
        self, status: int, code: str, message: str, detail: Any = None, body: Any = None
    ) -> None:
        super().__init__(f"HTTP {status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail
        self.body = body


class ClientError(ApiError):
    """4xx: the request cannot succeed as sent."""


class InvalidRequest(ClientError):
    """400 or 422: malformed or invalid input; ``detail`` names the offending parts."""


class AuthenticationFailed(ClientError):
    """401: the token was refused (key not registered, clock skew, wrong audience)."""


class PermissionDenied(ClientError):
    """403: the caller may not do this."""


class NotFound(ClientError):
    """404."""


class Conflict(ClientError):
    """409: the state does not allow it (already revoked, batch id reused)."""


class RateLimited(ClientError):
    """429: a budget is spent (verification thresholds per day)."""


class ServerError(ApiError):
    """5xx: the gateway failed; nothing was disclosed."""


class ServiceUnavailable(ServerError):
    """503: the gateway failed closed (ledger, policy engine, busy database); retry later."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: InvalidRequest,
    401: AuthenticationFailed,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    422: InvalidRequest,
    429: RateLimited,
    503: ServiceUnavailable,
}


def _problem_code(body: dict[str, Any], status: int) -> str:
    code = body.get("error") or body.get("code")
    if isinstance(code, str) and code:
        return code
    kind = body.get("type")
    if isinstance(kind, str) and kind not in ("", "about:blank"):
        return kind.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return f"http_{status}"


def error_from_response(response: httpx.Response) -> ApiError:
    """The exception for an error response, whichever of the two shapes it has."""
    status = response.status_code
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        code = _problem_code(body, status)
        detail = body.get("detail")
        message = body.get("message")
        if not isinstance(message, str):
            # problem+json: ``detail`` is the human explanation, ``title`` the short one;
            # the structured part (if any) travels in an extension member.
            message = detail if isinstance(detail, str) else body.get("title")
        if isinstance(detail, str):
            detail = body.get("errors", body.get("problems"))
        if not isinstance(message, str) or not message:
            message = response.reason_phrase or "error"
    else:
        code = f"http_{status}"
        message = response.text.strip()[:200] or response.reason_phrase or "error"
        detail = None
    family = _BY_STATUS.get(status) or (ServerError if status >= 500 else ClientError)
    return family(status, code, message, detail, body)
