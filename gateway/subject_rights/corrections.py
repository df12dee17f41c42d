"""A source answers an objection by correcting the record: a batch that replaces or retracts
the objected version moves the objection to ``corrected``, in the batch's own transaction.

A field-level objection is corrected only when that field changed (a routine update of other
fields leaves it open); a record-level one by any new version; a retraction by removing the
record. Ingestion knows nothing of objections: it calls listeners, and this module registers
one for the lifetime of each app, bound to that app's ledger.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import FastAPI
from sqlmodel import Session

from gateway.context import RequestContext
from gateway.deps import request_context
from gateway.ingestion import service as ingestion
from gateway.ingestion.schemas import BatchRecordResult, BatchResult, RecordOutcome
from gateway.principals.models import Principal
from gateway.services import Services
from gateway.subject_rights import objections, repository
from gateway.subject_rights.models import Objection, ObjectionState

ENDING = (RecordOutcome.superseded, RecordOutcome.retracted)


def _answers(session: Session, objection: Objection, change: BatchRecordResult) -> bool:
    if change.outcome is RecordOutcome.retracted or objection.field is None:
        return True
    before = repository.record_version(
        session, objection.dataset, objection.record_id, objection.record_version
    )
    after = repository.record_version(
        session, objection.dataset, objection.record_id, change.version or 0
    )
    if before is None or after is None:
        return True
    return before.fields.get(objection.field) != after.fields.get(objection.field)


def follow(ctx: RequestContext, batch: BatchResult) -> None:
    """Mark the objections the batch ``ctx.caller`` supplied answered as corrected (ledger
    entries fail closed)."""
    changes = {r.record_id: r for r in batch.records if r.outcome in ENDING and r.record_id}
    if not changes:
        return
    for objection in repository.active_objections_on(ctx.session, batch.dataset, changes):
        change = changes[objection.record_id]
        if not _answers(ctx.session, objection, change):
            continue
        how = "retracted" if change.outcome is RecordOutcome.retracted else "replaced"
        objection.corrected_version = change.version if how == "replaced" else None
        objections.transition(
            ctx,
            objection,
            ObjectionState.corrected,
            ctx.caller.id,
            how=how,
            corrected_version=objection.corrected_version,
            batch_id=batch.batch_id,
        )


@asynccontextmanager
async def following_corrections(app: FastAPI) -> AsyncIterator[None]:
    """While ``app`` runs, batches stored through its engine settle the objections they answer."""
    services: Services = app.state.services

    def listener(session: Session, supplier: Principal, batch: BatchResult, now: datetime) -> None:
        if session.get_bind() is services.engine:
            follow(request_context(services, session, supplier, now), batch)

    remove = ingestion.add_batch_listener(listener)
    try:
        yield
    finally:
        remove()
