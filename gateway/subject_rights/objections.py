"""Objections (异议申诉): the enterprise files, the source that supplied the record answers.

States: ``open`` → ``under_review`` → ``corrected`` | ``rejected`` (``open`` may go straight to
either end), and the enterprise may end it itself, ``withdrawn``, while it is ``open`` or
``under_review``. ``corrected`` happens only through ingestion: the source sends a new version
of the record (see ``corrections``). An objection open or under review past its deadline is
``overdue``; that is computed from the clock, not stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from gateway.catalog.model import Catalog
from gateway.context import RequestContext
from gateway.errors import Conflict, Forbidden, NotFound
from gateway.notifications import emit
from gateway.pagination import Window
from gateway.principals.models import Principal, Role
from gateway.subject_rights import repository
from gateway.subject_rights.models import Objection, ObjectionState
from gateway.subject_rights.schemas import ObjectionIn
from gateway.subject_rights.service import (
    check_field,
    evidence_of,
    new_id,
    own_current_record,
    record_change,
    stored_dataset,
)


def ledger_entry(objection: Objection, kind: str, by: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": f"objection.{kind}",
        "objection_id": objection.id,
        "enterprise": objection.enterprise,
        "dataset": objection.dataset,
        "record_id": objection.record_id,
        "record_version": objection.record_version,
        "field": objection.field,
        "source": objection.source_id,
        "by": by,
        **extra,
    }


def transition(
    ctx: RequestContext, objection: Objection, state: ObjectionState, by: str, **extra: Any
) -> None:
    kind = "filed" if state is ObjectionState.open else state.value
    objection.state = state
    objection.updated_at = ctx.now
    ctx.session.add(objection)
    ctx.session.flush()  # a row the database refuses never reaches the ledger
    objection.history = record_change(
        ctx,
        objection.enterprise,
        ledger_entry(objection, kind, by, **extra),
        objection.history,
        state.value,
        by,
    )


def file(
    ctx: RequestContext,
    catalog: Catalog,
    enterprise: Principal,
    body: ObjectionIn,
    reply_within: timedelta,
) -> Objection:
    ctx.write()
    dataset = stored_dataset(catalog, body.dataset)
    check_field(dataset, body.field)
    record = own_current_record(ctx, enterprise, dataset, body.record_id)
    existing = repository.active_objection(
        ctx.session, enterprise.id, dataset.id, record.record_id, body.field
    )
    if existing is not None:
        raise Conflict(
            f"objection {existing.id} to this is still {existing.state.value}",
            detail={"objection_id": existing.id},
        )
    objection = Objection(
        id=new_id("obj"),
        enterprise=enterprise.id,
        dataset=dataset.id,
        record_id=record.record_id,
        record_version=record.version,
        field=body.field,
        source_id=record.source_id,
        reason=body.reason,
        evidence=evidence_of(body.evidence),
        state=ObjectionState.open,
        filed_at=ctx.now,
        deadline=ctx.now + reply_within,
        updated_at=ctx.now,
        history=[],
    )
    transition(
        ctx,
        objection,
        ObjectionState.open,
        enterprise.id,
        deadline=objection.deadline.isoformat(),
        evidence_sha256=[item["sha256"] for item in objection.evidence],
    )
    emit.objection_filed(objection)
    return objection


def _answerable(ctx: RequestContext, principal: Principal, objection_id: str) -> Objection:
    objection = repository.objection_for_update(ctx.session, objection_id)
    if objection is None or (
        principal.role is not Role.operator and principal.id != objection.source_id
    ):
        raise NotFound(f"no objection {objection_id!r} addressed to {principal.id}")
    if principal.id != objection.source_id:
        raise Forbidden(
            f"objection {objection_id} is answered by {objection.source_id}, "
            "which supplied the record; operators see it but do not answer for the source"
        )
    return objection


def review(ctx: RequestContext, source: Principal, objection_id: str) -> Objection:
    """The source takes the objection up; doing it twice changes nothing."""
    ctx.write()
    objection = _answerable(ctx, source, objection_id)
    if objection.state is ObjectionState.under_review:
        return objection
    if objection.state is not ObjectionState.open:
        raise Conflict(f"objection {objection_id} is already {objection.state.value}")
    transition(ctx, objection, ObjectionState.under_review, source.id)
    return objection


def reject(ctx: RequestContext, source: Principal, objection_id: str, reason: str) -> Objection:
    """The source keeps the record as it is and says why (the reason stays out of the ledger:
    it may quote the record)."""
    ctx.write()
    objection = _answerable(ctx, source, objection_id)
    if not objection.state.is_active:
        raise Conflict(f"objection {objection_id} is already {objection.state.value}")
    objection.resolution = reason
    transition(ctx, objection, ObjectionState.rejected, source.id)
    return objection


def withdraw(ctx: RequestContext, enterprise: Principal, objection_id: str) -> Objection:
    """The enterprise drops its own objection before it is answered; doing it twice changes
    nothing."""
    ctx.write()
    objection = repository.objection_for_update(ctx.session, objection_id)
    if objection is None or objection.enterprise != enterprise.id:
        # the same answer whether the objection is someone else's or does not exist
        raise NotFound(f"no objection {objection_id!r} filed by {enterprise.id}")
    if objection.state is ObjectionState.withdrawn:
        return objection
    if not objection.state.is_active:
        raise Conflict(
            f"objection {objection_id} is already {objection.state.value}",
            detail={"objection_id": objection.id, "state": objection.state.value},
        )
    transition(ctx, objection, ObjectionState.withdrawn, enterprise.id)
    return objection


def visible(ctx: RequestContext, principal: Principal, objection_id: str) -> Objection:
    objection = ctx.session.get(Objection, objection_id)
    if objection is None or (
        principal.role is not Role.operator
        and principal.id not in (objection.enterprise, objection.source_id)
    ):
        raise NotFound(f"no objection {objection_id!r}")
    return objection


def for_answerer(
    ctx: RequestContext,
    principal: Principal,
    states: Sequence[ObjectionState] | None,
    overdue: bool | None,
    window: Window,
) -> Sequence[Objection]:
    """A source's objections (an operator's: everyone's), newest first."""
    return repository.objections(
        ctx.session,
        source_id=None if principal.role is Role.operator else principal.id,
        states=states,
        overdue_at=None if overdue is None else ctx.now,
        overdue=bool(overdue),
        window=window,
    )


def of_enterprise(
    ctx: RequestContext,
    enterprise: Principal,
    states: Sequence[ObjectionState] | None,
    window: Window,
) -> Sequence[Objection]:
    return repository.objections(
        ctx.session, enterprise=enterprise.id, states=states, window=window
    )
