"""Backflow intake (数据回流, 总对总): the provincial platform pushes datasets back through the
normal ingestion path; each record keeps every source that sent its content (see
``provenance``), and reconciliation per source counts what each source vouches for."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlmodel import col, select

from gateway.context import RequestContext
from gateway.errors import Forbidden
from gateway.exchange.models import RecordProvenance
from gateway.ingestion import service as ingestion
from gateway.ingestion.schemas import BatchIn
from gateway.principals.models import Role
from gateway.records.digest import set_digest
from gateway.records.models import DatasetRecord


def push(ctx: RequestContext, dataset: str, batch: BatchIn) -> ingestion.IngestOutcome:
    """The province's batch, validated, versioned and deduplicated like any source's."""
    return ingestion.ingest_batch(ctx.session, ctx.catalog, ctx.caller, dataset, batch, ctx.now)


def reconciliation_by_source(ctx: RequestContext, dataset_id: str) -> dict[str, Any]:
    """Per source, the current records whose content it sent: count and digest (the same
    order-independent digest as ``/v1/datasets/{dataset}/reconciliation``), so that each
    source — city or province — can compare with its own copy although records are shared."""
    dataset = ingestion.stored_dataset(ctx.catalog, dataset_id)
    if ctx.caller.role not in (Role.operator, Role.source, Role.province):
        raise Forbidden(f"{ctx.caller.id} may not reconcile dataset {dataset.id}")
    current = ctx.session.exec(
        select(DatasetRecord.record_id, DatasetRecord.digest, DatasetRecord.source_id).where(
            DatasetRecord.dataset == dataset.id, col(DatasetRecord.superseded_at).is_(None)
        )
    ).all()
    vouched: dict[str, set[tuple[str, str]]] = defaultdict(set)
    digests = {record_id: digest for record_id, digest, _ in current}
    for record_id, digest, source in current:
        vouched[source].add((record_id, digest))
    rows = ctx.session.exec(
        select(
            RecordProvenance.record_id, RecordProvenance.digest, RecordProvenance.source_id
        ).where(RecordProvenance.dataset == dataset.id)
    ).all()
    for record_id, digest, source in rows:
        if digests.get(record_id) == digest:
            vouched[source].add((record_id, digest))
    sources = sorted(vouched)
    if ctx.caller.role is not Role.operator:
        sources = [s for s in sources if s == ctx.caller.id]
    return {
        "dataset": dataset.id,
        "current_records": len(current),
        "digest": set_digest(digests.values()),
        "sources": [
            {
                "source_id": source,
                "current_records": len(vouched[source]),
                "digest": set_digest(d for _, d in vouched[source]),
            }
            for source in sources
        ],
    }
