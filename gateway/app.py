"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import Depends, FastAPI

from gateway import error_handlers, observability
from gateway.access.endpoints import router as access_router
from gateway.authorizations.endpoints import router as authorizations_router
from gateway.bootstrap import build_services, close_service_ledger, open_service_ledger
from gateway.catalog.endpoints import router as catalog_router
from gateway.counter.endpoints import router as counter_router
from gateway.credit_reports.endpoints import router as credit_reports_router
from gateway.db import sole_server
from gateway.exchange.endpoints import router as exchange_router
from gateway.financing.endpoints import router as financing_router
from gateway.http import health, middleware, openapi
from gateway.ingestion.endpoints import router as ingestion_router
from gateway.ledger_api.endpoints import router as ledger_router
from gateway.notifications.endpoints import router as notifications_router
from gateway.oversight.endpoints import router as oversight_router
from gateway.portal import install as install_portal
from gateway.principals.endpoints import router as principals_router
from gateway.query_params import reject_unknown_query_parameters
from gateway.services import Services
from gateway.settings import get_settings
from gateway.subject_rights.endpoints import router as subject_rights_router
from gateway.verification.endpoints import router as verification_router
from gateway.writer import close_writer

WORKER_THREADS = 256
REQUEST_CONCURRENCY = 192


def create_app(services: Services | None = None) -> FastAPI:
    """Build the app; ``services`` lets tests and the demo inject their own wiring."""
    services = services or build_services(get_settings())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Sync handlers run on AnyIO's worker threads. A request holding the database's write
        # lock still needs a thread to serialise its answer before its transaction ends; with
        # too few threads, all of them can be waiting for that lock. Keep far more threads than
        # concurrent requests (``credgate serve`` caps those at REQUEST_CONCURRENCY).
        anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
        with sole_server(services.engine):
            opened = services.ledger is None
            if opened:
                services.ledger = open_service_ledger(services)
            try:
                yield
            finally:
                close_writer(services)  # before the ledger: its last batch appends there
                if opened:
                    close_service_ledger(services)

    app = FastAPI(
        title="credgate",
        version="0.1.0",
        summary="Privacy-preserving credit-data exchange gateway with a verifiable ledger",
        lifespan=lifespan,
        # gateway.observability serves both pages from the package's own assets
        docs_url=None,
        redoc_url=None,
        # every route (routers included below inherit it): unknown query parameters are 422
        dependencies=[Depends(reject_unknown_query_parameters)],
        generate_unique_id_function=openapi.operation_id,
    )
    app.state.services = services
    error_handlers.install(app)
    middleware.install(app, services.settings)
    openapi.install(app)
    observability.install(app, services)
    # Routes are matched in order: the institutions' hot paths first.
    app.include_router(verification_router)
    app.include_router(access_router)
    app.include_router(catalog_router)
    app.include_router(principals_router)
    app.include_router(ingestion_router)
    app.include_router(authorizations_router)
    app.include_router(subject_rights_router)
    app.include_router(ledger_router)
    app.include_router(oversight_router)
    app.include_router(financing_router)
    app.include_router(credit_reports_router)
    app.include_router(exchange_router)
    app.include_router(counter_router)
    app.include_router(notifications_router)
    app.include_router(health.router)
    install_portal(app)

    return app
