"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from gateway import error_handlers
from gateway.bootstrap import Services, build_services
from gateway.authorizations.endpoints import router as authorizations_router
from gateway.catalog.endpoints import router as catalog_router
from gateway.ingestion.endpoints import router as ingestion_router
from gateway.principals.endpoints import router as principals_router
from gateway.settings import get_settings


def create_app(services: Services | None = None) -> FastAPI:
    """Build the app; ``services`` lets tests and the demo inject their own wiring."""
    services = services or build_services(get_settings())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield

    app = FastAPI(
        title="credgate",
        version="0.1.0",
        summary="Privacy-preserving credit-data exchange gateway with a verifiable ledger",
        lifespan=lifespan,
    )
    app.state.services = services
    error_handlers.install(app)
    app.include_router(catalog_router)
    app.include_router(principals_router)
    app.include_router(ingestion_router)
    app.include_router(authorizations_router)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
