"""One pure-ASGI middleware, outermost: gives each request its id (``X-Request-ID``, also in
every log line) and counts and times it by route template and status.

Pure ASGI rather than ``BaseHTTPMiddleware``: no extra task, no buffered body, a few
microseconds per request (measured in tests/observability/test_overhead.py). It wraps even
Starlette's server-error middleware, so an unhandled exception's 500 is counted and carries
the id too.
"""

from __future__ import annotations

import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.observability.logs import REQUEST_ID, VALID_REQUEST_ID
from gateway.observability.metrics import UNMATCHED_ROUTE, Metrics

REQUEST_ID_HEADER = b"x-request-id"
# Any token is a valid method on the wire; only these get a label of their own.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER:
            try:
                candidate = value.decode("ascii")
            except UnicodeDecodeError:
                return None
            return candidate if VALID_REQUEST_ID.fullmatch(candidate) else None
    return None


def route_template(scope: Scope) -> str:
    """The path template of the route that answered (set by the router), else one label."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return UNMATCHED_ROUTE
    # a mounted app (static files): its mount point, never the file asked for
    return path or UNMATCHED_ROUTE


class RequestObserver:
    def __init__(self, app: ASGIApp, metrics: Metrics | None) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_id(scope) or uuid.uuid4().hex
        # Not reset afterwards: the server's own lines about this request (its access line, an
        # unhandled exception) come after the app returns, in this request's task context.
        REQUEST_ID.set(request_id)
        id_header = (REQUEST_ID_HEADER, request_id.encode("ascii"))
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), id_header]}
            await send(message)

        metrics = self.metrics
        if metrics is None:
            await self.app(scope, receive, send_with_id)
            return
        started = time.perf_counter()
        metrics.in_flight.inc()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            metrics.in_flight.dec()
            route = route_template(scope)
            method = scope["method"] if scope["method"] in KNOWN_METHODS else "other"
            metrics.request_seconds.labels(method, route).observe(time.perf_counter() - started)
            metrics.requests.labels(method, route, str(status)).inc()
