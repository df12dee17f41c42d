"""Refuse a request before its body is read: 401 without a token, 413 beyond the size limit.

A route that needs a bearer token (the operations the OpenAPI document marks with the bearer
scheme) is answered 401 at once when the ``Authorization`` header is missing or malformed;
the token's signature is still checked by the route's dependency. A body larger than the
limit is answered 413: by its ``Content-Length`` before anything is read, otherwise as soon as
the chunks read add up to more.

(FastAPI's own ``max_body_size`` sits outside every user middleware, so it would read a body
before the token check, and it answers in text/plain rather than as a problem.)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from re import Pattern
from typing import Any

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.error_handlers import problem_response
from gateway.settings import Settings

MISSING_TOKEN = "missing bearer token: send Authorization: Bearer <JWT>"
# What the routes' dependency takes for a token (it then checks the token itself).
_BEARER = re.compile(rb"bearer \s*\S.*", re.IGNORECASE)
BEARER_SCHEME = "HTTPBearer"
# Batch ingestion takes up to 10,000 records in one body.
BATCH_ROUTE = re.compile(r"/v1/datasets/[^/]+/batches")


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


def _may_have_body(scope: Scope) -> bool:
    length = _header(scope, b"content-length")
    if length is not None:
        return length.strip() != b"0"
    return _header(scope, b"transfer-encoding") is not None


def protected_operations(openapi: dict[str, Any]) -> list[tuple[Pattern[str], str]]:
    """(path pattern, METHOD) of every operation that requires the bearer scheme."""
    found = []
    for path, operations in openapi.get("paths", {}).items():
        for method, operation in operations.items():
            if any(BEARER_SCHEME in req for req in operation.get("security", [])):
                found.append((compile_path(path)[0], method.upper()))
    return found


class AuthenticateFirst:
    """401 before the body is read, for a route that needs a token the request lacks."""

    def __init__(self, app: ASGIApp, openapi: Callable[[], dict[str, Any]]) -> None:
        self.app = app
        self._openapi = openapi
        self._protected: list[tuple[Pattern[str], str]] | None = None

    def _is_protected(self, scope: Scope) -> bool:
        if self._protected is None:  # every route is included once the first request comes
            self._protected = protected_operations(self._openapi())
        method, path = scope["method"], scope["path"]
        return any(m == method and p.match(path) for p, m in self._protected)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Only a request with a body is worth refusing early; with a well-formed token the
        # route's dependency does the real check (so the hot paths skip the route scan).
        if (
            scope["type"] == "http"
            and _may_have_body(scope)
            and not _BEARER.fullmatch(_header(scope, b"authorization") or b"")
            and self._is_protected(scope)
        ):
            await _refuse(scope, receive, send, 401, "unauthenticated", MISSING_TOKEN)
            return
        await self.app(scope, receive, send)


class BodyLimit:
    """413 for a body larger than ``max_bytes`` (``batch_bytes`` for batch ingestion)."""

    def __init__(self, app: ASGIApp, max_bytes: int, batch_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.batch_bytes = batch_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.batch_bytes if BATCH_ROUTE.fullmatch(scope["path"]) else self.max_bytes
        length = _header(scope, b"content-length")
        if length is None:
            await self.app(scope, _counting(receive, limit), send)
            return
        # The server holds the body to its Content-Length: nothing left to count.
        if not length.strip().isdigit():
            await _refuse(scope, receive, send, 400, "malformed_request", "bad Content-Length")
        elif int(length) > limit:
            await _refuse(scope, receive, send, 413, "payload_too_large", _too_large(limit))
        else:
            await self.app(scope, receive, send)


async def _refuse(
    scope: Scope, receive: Receive, send: Send, status: int, error: str, message: str
) -> None:
    await problem_response(status, error, message, scope["path"])(scope, receive, send)


def _too_large(limit: int) -> str:
    return f"the request body is larger than the limit of {limit} bytes"


def _counting(receive: Receive, limit: int) -> Receive:
    read = 0

    async def counted() -> Message:
        nonlocal read
        message = await receive()
        if message["type"] == "http.request":
            read += len(message.get("body", b""))
            if read > limit:
                # FastAPI passes an HTTPException raised while reading the body on to the
                # exception handlers, which answer with the problem.
                raise HTTPException(413, _too_large(limit))
        return message

    return counted


def install(app: FastAPI, settings: Settings) -> None:
    """The token check runs first (outermost), so an unauthenticated body is never read."""
    app.add_middleware(
        BodyLimit, max_bytes=settings.max_body_bytes, batch_bytes=settings.max_batch_body_bytes
    )
    app.add_middleware(AuthenticateFirst, openapi=app.openapi)
