"""Source-facing routes: push batches, reconcile, see which datasets are overdue."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response
from sqlalchemy.exc import IntegrityError

from gateway.db import unit_of_work
from gateway.deps import CatalogDep, ClockDep, PrincipalDep, ServicesDep, SessionDep, Source
from gateway.errors import NotFound
from gateway.ingestion import reconciliation, service
from gateway.ingestion.schemas import BatchIn, BatchResult, DatasetStatus, ReconciliationReport
from gateway.pagination import PageDep

router = APIRouter(tags=["ingestion"])


@router.post("/v1/datasets/{dataset}/batches", response_model=BatchResult)
def push_batch(
    dataset: str, batch: BatchIn, source: Source, services: ServicesDep, response: Response
) -> BatchResult:
    # A concurrent twin of this batch may commit first; the retry then answers as a replay.
    for attempt in (1, 2):
        try:
            with unit_of_work(services.engine) as session:
                outcome = service.ingest_batch(
                    session, services.catalog, source, dataset, batch, services.clock.now()
                )
            break
        except IntegrityError:
            if attempt == 2:
                raise
    response.headers["Idempotent-Replay"] = "true" if outcome.replayed else "false"
    return outcome.result


@router.get("/v1/datasets/{dataset}/reconciliation", response_model=ReconciliationReport)
def get_reconciliation(
    dataset: str,
    source: Source,
    session: SessionDep,
    catalog: CatalogDep,
    clock: ClockDep,
    records: bool = Query(False, description="list (record_id, digest) pairs, paged"),
    after: str = Query("", description="page after this record_id"),
) -> ReconciliationReport:
    spec = service.stored_dataset(catalog, dataset)
    service.ensure_may_reconcile(source, spec)
    return reconciliation.reconcile(session, spec, clock.now(), records, after)


@router.get("/v1/datasets", response_model=list[DatasetStatus])
def list_dataset_status(
    _: PrincipalDep, session: SessionDep, catalog: CatalogDep, clock: ClockDep, paging: PageDep
) -> list[DatasetStatus]:
    """In the catalog's order."""
    return paging.of_list(reconciliation.all_statuses(session, catalog, clock.now()))


@router.get("/v1/datasets/{dataset}/status", response_model=DatasetStatus)
def get_dataset_status(
    dataset: str, _: PrincipalDep, session: SessionDep, catalog: CatalogDep, clock: ClockDep
) -> DatasetStatus:
    for status in reconciliation.all_statuses(session, catalog, clock.now()):
        if status.dataset == dataset:
            return status
    raise NotFound(f"no dataset {dataset!r} in the catalog")
