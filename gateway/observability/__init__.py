"""Observability and the documentation pages: metrics, request ids in logs, Swagger/ReDoc."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI

from gateway.db import observe_wal_flushes
from gateway.observability.docs import install_docs
from gateway.observability.metrics import Metrics, ObservedEngine, metrics_endpoint
from gateway.observability.middleware import RequestObserver

if TYPE_CHECKING:
    from gateway.services import Services

METRICS_PATH = "/metrics"
LEDGER_OBSERVER = "ledger_observer"


def install(app: FastAPI, services: Services) -> Metrics | None:
    """Request ids on every request; metrics at ``GET /metrics`` unless
    ``settings.metrics_enabled`` is false; the documentation pages. Call once, from the app
    factory, before the app serves (the ledger is opened in its lifespan, after this)."""
    metrics: Metrics | None = None
    if services.settings.metrics_enabled:
        metrics = Metrics(ledger=lambda: services.ledger)
        services.policy_engine = ObservedEngine(
            services.policy_engine, metrics, services.settings.policy_engine.value
        )
        observe_wal_flushes(services.engine, metrics.observe_wal_flush)
        services.extras[LEDGER_OBSERVER] = metrics.observe_ledger_batch
        app.add_route(METRICS_PATH, metrics_endpoint(metrics), ["GET"], include_in_schema=False)
    app.state.metrics = metrics
    install_docs(app)
    _outermost(app, metrics)
    return metrics


def _outermost(app: FastAPI, metrics: Metrics | None) -> None:
    """Put the request observer outside Starlette's own middleware (server errors too)."""
    build = app.build_middleware_stack

    def build_observed() -> RequestObserver:
        return RequestObserver(build(), metrics)

    app.build_middleware_stack = build_observed  # type: ignore[method-assign]
