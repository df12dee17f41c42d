"""Credit repair (信用修复): the enterprise applies, an operator approves or rejects.

States: ``pending`` → ``approved`` | ``rejected``. An approved repair ends display of the record
to institutions at ``effective_at`` — at once, or at the end of the minimum publication window
if that is later. The record is kept, and the enterprise still sees it, marked repaired.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gateway.catalog.model import Catalog
from gateway.context import RequestContext
from gateway.errors import Conflict, InvalidInput, NotFound
from gateway.pagination import Window
from gateway.policy.data import PenaltyPublicationParams
from gateway.principals.models import Principal, Role
from gateway.subject_rights import repository, rules
from gateway.subject_rights.models import CreditRepair, RepairState
from gateway.subject_rights.schemas import RepairIn
from gateway.subject_rights.service import (
    evidence_of,
    new_id,
    own_current_record,
    record_change,
    stored_dataset,
)


def ledger_entry(repair: CreditRepair, kind: str, by: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": f"repair.{kind}",
        "repair_id": repair.id,
        "enterprise": repair.enterprise,
        "dataset": repair.dataset,
        "record_id": repair.record_id,
        "record_version": repair.record_version,
        "by": by,
        **extra,
    }


def transition(
    ctx: RequestContext, repair: CreditRepair, state: RepairState, by: str, **extra: Any
) -> None:
    kind = "applied" if state is RepairState.pending else state.value
    repair.state = state
    ctx.session.add(repair)
    ctx.session.flush()  # a row the database refuses never reaches the ledger
    repair.history = record_change(
        ctx,
        repair.enterprise,
        ledger_entry(repair, kind, by, **extra),
        repair.history,
        state.value,
        by,
    )


def apply(
    ctx: RequestContext, catalog: Catalog, enterprise: Principal, body: RepairIn
) -> CreditRepair:
    ctx.write()
    dataset = stored_dataset(catalog, body.dataset)
    if dataset.id not in rules.REPAIRABLE:
        problem = f"only {sorted(rules.REPAIRABLE)} can be repaired"
        raise InvalidInput(f"dataset: {problem}", detail=[{"field": "dataset", "problem": problem}])
    record = own_current_record(ctx, enterprise, dataset, body.record_id)
    existing = repository.standing_repair(ctx.session, enterprise.id, dataset.id, record.record_id)
    if existing is not None:
        raise Conflict(
            f"repair {existing.id} of this record is already {existing.state.value}",
            detail={"repair_id": existing.id},
        )
    repair = CreditRepair(
        id=new_id("rep"),
        enterprise=enterprise.id,
        dataset=dataset.id,
        record_id=record.record_id,
        record_version=record.version,
        reason=body.reason,
        evidence=evidence_of(body.evidence),
        state=RepairState.pending,
        applied_at=ctx.now,
        history=[],
    )
    transition(
        ctx,
        repair,
        RepairState.pending,
        enterprise.id,
        evidence_sha256=[item["sha256"] for item in repair.evidence],
    )
    return repair


def _pending(ctx: RequestContext, repair_id: str) -> CreditRepair:
    repair = repository.repair_for_update(ctx.session, repair_id)
    if repair is None:
        raise NotFound(f"no repair {repair_id!r}")
    if repair.state is not RepairState.pending:
        raise Conflict(f"repair {repair_id} is already {repair.state.value}")
    return repair


def approve(
    ctx: RequestContext,
    operator: Principal,
    repair_id: str,
    publication: PenaltyPublicationParams,
    note: str | None,
) -> CreditRepair:
    ctx.write()
    repair = _pending(ctx, repair_id)
    # The window is dated by the version the enterprise applied about: what it asked to end.
    record = repository.record_version(
        ctx.session, repair.dataset, repair.record_id, repair.record_version
    )
    fields = record.fields if record is not None else {}
    repair.effective_at = rules.repair_takes_effect(repair.dataset, fields, ctx.now, publication)
    repair.decided_at, repair.decided_by, repair.decision_reason = ctx.now, operator.id, note
    transition(
        ctx,
        repair,
        RepairState.approved,
        operator.id,
        effective_at=repair.effective_at.isoformat(),
    )
    return repair


def reject(ctx: RequestContext, operator: Principal, repair_id: str, reason: str) -> CreditRepair:
    ctx.write()
    repair = _pending(ctx, repair_id)
    repair.decided_at, repair.decided_by, repair.decision_reason = ctx.now, operator.id, reason
    transition(ctx, repair, RepairState.rejected, operator.id)
    return repair


def visible(ctx: RequestContext, principal: Principal, repair_id: str) -> CreditRepair:
    repair = ctx.session.get(CreditRepair, repair_id)
    if repair is None or (
        principal.role is not Role.operator and principal.id != repair.enterprise
    ):
        raise NotFound(f"no repair {repair_id!r}")
    return repair


def listed(
    ctx: RequestContext,
    enterprise: str | None,
    states: Sequence[RepairState] | None,
    window: Window,
) -> Sequence[CreditRepair]:
    return repository.repairs(ctx.session, enterprise=enterprise, states=states, window=window)
