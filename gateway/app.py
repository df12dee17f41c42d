"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from gateway import error_handlers
from gateway.access.endpoints import router as access_router
from gateway.authorizations.endpoints import router as authorizations_router
from gateway.bootstrap import build_services, close_service_ledger, open_service_ledger
from gateway.catalog.endpoints import router as catalog_router
from gateway.db import durability_failure, sole_server
from gateway.ingestion.endpoints import router as ingestion_router
from gateway.ledger_api.endpoints import router as ledger_router
from gateway.oversight.endpoints import router as oversight_router
from gateway.portal import install as install_portal
from gateway.principals.endpoints import router as principals_router
from gateway.services import Services
from gateway.settings import get_settings
from gateway.subject_rights.endpoints import router as subject_rights_router
from gateway.verification.endpoints import router as verification_router

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
                if opened:
                    close_service_ledger(services)

    app = FastAPI(
        title="credgate",
        version="0.1.0",
        summary="Privacy-preserving credit-data exchange gateway with a verifiable ledger",
        lifespan=lifespan,
    )
    app.state.services = services
    error_handlers.install(app)
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
    install_portal(app)

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> JSONResponse:
        """200 while this process can serve; 503 once it cannot store writes durably (a
        failed WAL flush is final until restart) or has no ledger to record accesses in."""
        failure = durability_failure(services.engine)
        if failure is None and services.ledger is None:
            failure = "the ledger is not open"
        if failure is not None:
            return JSONResponse({"status": "failing", "reason": failure}, status_code=503)
        return JSONResponse({"status": "ok"})

    return app
