"""Where each stored record came from: every source that sent the same content.

The province and a city source may both send a record (数据回流, 总对总). Ingestion derives the
record's id from the subject and the dataset's natural key, and an identical content digest
leaves the stored version unchanged, so the record is stored once; this module keeps one
provenance row per source that sent that content.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from fastapi import FastAPI
from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from gateway.context import RequestContext
from gateway.errors import Forbidden, NotFound
from gateway.exchange.models import RecordProvenance
from gateway.ingestion import service as ingestion
from gateway.ingestion.schemas import BatchResult, RecordOutcome
from gateway.principals.models import Principal, Role
from gateway.records.models import Batch, DatasetRecord
from gateway.services import Services

_KEPT = (RecordOutcome.created, RecordOutcome.superseded, RecordOutcome.unchanged)


def note_batch(session: Session, supplier: Principal, batch: BatchResult, now: datetime) -> None:
    """Record the supplier of every record the batch created, replaced or confirmed."""
    ids = [r.record_id for r in batch.records if r.outcome in _KEPT and r.record_id]
    if not ids:
        return
    current = session.exec(
        select(DatasetRecord).where(
            DatasetRecord.dataset == batch.dataset,
            col(DatasetRecord.record_id).in_(ids),
            col(DatasetRecord.superseded_at).is_(None),
        )
    ).all()
    row = session.exec(
        select(Batch).where(
            Batch.source_id == supplier.id,
            Batch.dataset == batch.dataset,
            Batch.batch_id == batch.batch_id,
        )
    ).one()
    known = set(
        session.exec(
            select(RecordProvenance.record_id, RecordProvenance.digest).where(
                RecordProvenance.dataset == batch.dataset,
                RecordProvenance.source_id == supplier.id,
                col(RecordProvenance.record_id).in_(ids),
            )
        ).all()
    )
    for record in current:
        if (record.record_id, record.digest) in known:
            continue
        session.add(
            RecordProvenance(
                dataset=record.dataset,
                record_id=record.record_id,
                digest=record.digest,
                source_id=supplier.id,
                batch_pk=row.id or 0,
                received_at=now,
            )
        )


def sources_of(
    session: Session, dataset: str, records: Iterable[tuple[str, str, str]]
) -> dict[str, list[str]]:
    """record_id -> the sources that sent its current content, for ``(record_id, digest,
    stored source)`` triples; the stored record's own source is always one of them."""
    wanted = list(records)
    out: dict[str, set[str]] = defaultdict(set)
    for record_id, _, source in wanted:
        out[record_id].add(source)
    if wanted:
        rows = session.exec(
            select(RecordProvenance.record_id, RecordProvenance.source_id).where(
                RecordProvenance.dataset == dataset,
                or_(
                    *(
                        and_(
                            col(RecordProvenance.record_id) == r, col(RecordProvenance.digest) == d
                        )
                        for r, d, _ in wanted
                    )
                ),
            )
        ).all()
        for record_id, source in rows:
            out[record_id].add(source)
    return {record_id: sorted(sources) for record_id, sources in out.items()}


def current_with_sources(
    session: Session, dataset: str, uscc: str | None = None
) -> list[tuple[DatasetRecord, list[str]]]:
    """The dataset's current records (of one enterprise, if given) with their provenance."""
    query = select(DatasetRecord).where(
        DatasetRecord.dataset == dataset, col(DatasetRecord.superseded_at).is_(None)
    )
    if uscc is not None:
        query = query.where(DatasetRecord.uscc == uscc)
    records = list(session.exec(query.order_by(col(DatasetRecord.record_id))).all())
    sources = sources_of(session, dataset, ((r.record_id, r.digest, r.source_id) for r in records))
    return [(r, sources[r.record_id]) for r in records]


def of_record(ctx: RequestContext, dataset: str, record_id: str) -> dict[str, Any]:
    """The record's current version and every source that sent that content. Enterprises
    see their own records only; institutions and government ask through reports."""
    record = ctx.session.exec(
        select(DatasetRecord).where(
            DatasetRecord.dataset == dataset,
            DatasetRecord.record_id == record_id,
            col(DatasetRecord.superseded_at).is_(None),
        )
    ).first()
    if record is None:
        raise NotFound(f"no current record {record_id} in {dataset}")
    allowed = ctx.caller.role in (Role.operator, Role.source, Role.province) or (
        ctx.caller.role is Role.enterprise and ctx.caller.id == record.uscc
    )
    if not allowed:
        raise Forbidden(f"{ctx.caller.id} may not see where record {record_id} came from")
    sources = sources_of(
        ctx.session, dataset, [(record.record_id, record.digest, record.source_id)]
    )
    return {
        "dataset": dataset,
        "record_id": record_id,
        "version": record.version,
        "digest": record.digest,
        "provenance": sources[record_id],
    }


@asynccontextmanager
async def following_provenance(app: FastAPI) -> AsyncIterator[None]:
    """While ``app`` runs, batches stored through its engine record their provenance."""
    services: Services = app.state.services

    def listener(session: Session, supplier: Principal, batch: BatchResult, now: datetime) -> None:
        if session.get_bind() is services.engine:
            note_batch(session, supplier, batch, now)

    remove = ingestion.add_batch_listener(listener)
    try:
        yield
    finally:
        remove()
