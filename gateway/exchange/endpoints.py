"""The provincial exchange: the outbound feed, backflow provenance and reconciliation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Response

from gateway.context import RequestContext
from gateway.db import unit_of_work
from gateway.deps import Ctx, ServicesDep, context_for, request_context, require_role
from gateway.exchange import backflow, feed, provenance, push
from gateway.exchange.provenance import following_provenance
from gateway.http.params import BoundedInt
from gateway.ingestion.schemas import BatchIn, BatchResult
from gateway.principals.models import Principal, Role
from gateway.services import Services


@asynccontextmanager
async def _exchange(app: FastAPI) -> AsyncIterator[None]:
    """Record provenance of every batch; run the push worker when a receiver URL is set."""
    services: Services = app.state.services
    settings = services.settings
    async with following_provenance(app):
        if not settings.exchange_push_url:
            yield
            return
        receiver = push.HttpReceiver(settings.exchange_push_url)
        worker = push.PushWorker(
            services.engine,
            lambda session, caller: request_context(services, session, caller),
            settings.exchange_push_receiver,
            receiver,
            services.clock.now,
            settings.exchange_push_interval_seconds,
        )
        worker.start()
        try:
            yield
        finally:
            worker.stop()
            receiver.close()


router = APIRouter(tags=["exchange"], lifespan=_exchange)
ProvinceCtx = Annotated[RequestContext, Depends(context_for(Role.province))]
Province = Annotated[Principal, Depends(require_role(Role.province))]


@router.get("/v1/exchange/feed")
def get_feed(
    province: Province,
    services: ServicesDep,
    after: Annotated[BoundedInt, Query(ge=0, description="the last cursor the receiver holds")] = 0,
    limit: Annotated[int, Query(ge=1, le=feed.MAX_LIMIT)] = 500,
) -> dict[str, Any]:
    """The next signed batch after ``after`` (``batch: null`` when nothing is new)."""
    # Its own transaction, committed before the answer leaves: a request-scoped session
    # commits after the response is sent, and a batch the receiver got must survive a crash.
    with unit_of_work(services.engine) as session:
        return feed.next_batch(request_context(services, session, province), after, limit)


@router.get("/v1/exchange/feed/digests")
def get_feed_digests(ctx: ProvinceCtx) -> dict[str, Any]:
    """Per pushed dataset, the record count and digest a receiver holding everything has."""
    return {"datasets": feed.platform_digests(ctx)}


@router.post("/v1/exchange/backflow/{dataset}/batches", response_model=BatchResult)
def push_backflow(
    dataset: str, batch: BatchIn, ctx: ProvinceCtx, response: Response
) -> BatchResult:
    """The provincial platform pushes a 总对总 dataset back (same rules as a source's batch)."""
    outcome = backflow.push(ctx, dataset, batch)
    response.headers["Idempotent-Replay"] = "true" if outcome.replayed else "false"
    return outcome.result


@router.get("/v1/exchange/provenance/{dataset}/reconciliation")
def reconcile_by_source(dataset: str, ctx: Ctx) -> dict[str, Any]:
    """Per source, what it vouches for of the current records (count and digest)."""
    return backflow.reconciliation_by_source(ctx, dataset)


@router.get("/v1/exchange/provenance/{dataset}/records/{record_id}")
def record_provenance(dataset: str, record_id: str, ctx: Ctx) -> dict[str, Any]:
    """Every source that sent the record's current content."""
    return provenance.of_record(ctx, dataset, record_id)
