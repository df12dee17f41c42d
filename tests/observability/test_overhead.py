"""What the request observer costs per request, measured on a bare ASGI app (so nothing else
is timed). On the development machine: about 8-15 µs with metrics, 3-5 µs without; a gateway
request costs milliseconds. The bound here only catches an order-of-magnitude regression
(say, a switch to BaseHTTPMiddleware, which adds a task and a body copy)."""

from __future__ import annotations

import asyncio
import statistics
import time

from starlette.types import Message, Receive, Scope, Send

from gateway.observability.metrics import Metrics
from gateway.observability.middleware import RequestObserver

REQUESTS = 2000
BOUND_SECONDS = 100e-6


async def bare(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


async def _receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _send(message: Message) -> None:
    return None


def _per_request(app: object) -> float:
    scope = {"type": "http", "method": "GET", "path": "/x", "headers": [], "route": None}

    async def run() -> list[float]:
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(REQUESTS):
                await app(dict(scope), _receive, _send)  # type: ignore[operator]
            runs.append((time.perf_counter() - started) / REQUESTS)
        return runs

    return statistics.median(asyncio.run(run()))


def test_the_request_observer_costs_microseconds() -> None:
    baseline = _per_request(bare)
    with_metrics = _per_request(RequestObserver(bare, Metrics())) - baseline
    ids_only = _per_request(RequestObserver(bare, None)) - baseline
    print(f"observer overhead: {with_metrics * 1e6:.1f} µs, ids only {ids_only * 1e6:.1f} µs")
    assert with_metrics < BOUND_SECONDS
    assert ids_only < BOUND_SECONDS
