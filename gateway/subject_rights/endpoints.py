"""Objections (the enterprise files or withdraws, the supplying source answers) and credit
repairs (the enterprise applies, an operator decides). Every state change is in the enterprise's
ledger; filing, withdrawing and applying take an ``Idempotency-Key``, as granting and
revoking do."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from gateway.deps import Ctx, EnterpriseCtx, IdempotencyKey, OperatorCtx, SourceCtx
from gateway.http.idempotent import replied_once
from gateway.pagination import Key, PageDep
from gateway.subject_rights import objections, repairs
from gateway.subject_rights.corrections import following_corrections
from gateway.subject_rights.models import CreditRepair, Objection, ObjectionState, RepairState
from gateway.subject_rights.schemas import (
    NoteIn,
    ObjectionIn,
    ObjectionOut,
    ReasonIn,
    RepairIn,
    RepairOut,
)

router = APIRouter(tags=["subject rights"], lifespan=following_corrections)


def _filed(objection: Objection) -> Key:
    return (objection.filed_at, objection.id)


def _applied(repair: CreditRepair) -> Key:
    return (repair.applied_at, repair.id)


@router.post("/v1/me/objections", response_model=ObjectionOut, status_code=201)
def file_objection(
    body: ObjectionIn,
    ctx: EnterpriseCtx,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    def file() -> ObjectionOut:
        deadline = ctx.policy_data.objection_reply_deadline
        objection = objections.file(ctx, ctx.catalog, ctx.caller, body, deadline)
        return ObjectionOut.of(objection, ctx.now)

    return replied_once(
        ctx, idempotency_key, path="/v1/me/objections", body=body, status=201, make=file
    )


@router.post("/v1/me/objections/{objection_id}/withdraw", response_model=ObjectionOut)
def withdraw_objection(
    objection_id: str,
    ctx: EnterpriseCtx,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    return replied_once(
        ctx,
        idempotency_key,
        path=f"/v1/me/objections/{objection_id}/withdraw",
        body=None,
        status=200,
        make=lambda: ObjectionOut.of(objections.withdraw(ctx, ctx.caller, objection_id), ctx.now),
    )


@router.get("/v1/me/objections", response_model=list[ObjectionOut])
def my_objections(
    ctx: EnterpriseCtx,
    state: Annotated[list[ObjectionState] | None, Query()] = None,
    *,
    paging: PageDep,
) -> list[ObjectionOut]:
    rows = paging.page(objections.of_enterprise(ctx, ctx.caller, state, paging.window), _filed)
    return [ObjectionOut.of(o, ctx.now) for o in rows]


@router.get("/v1/objections", response_model=list[ObjectionOut])
def answerable_objections(
    ctx: SourceCtx,
    state: Annotated[list[ObjectionState] | None, Query()] = None,
    overdue: bool | None = None,
    *,
    paging: PageDep,
) -> list[ObjectionOut]:
    """A source's objections to answer; an operator sees everyone's."""
    rows = paging.page(
        objections.for_answerer(ctx, ctx.caller, state, overdue, paging.window), _filed
    )
    return [ObjectionOut.of(o, ctx.now) for o in rows]


@router.get("/v1/objections/{objection_id}", response_model=ObjectionOut)
def get_objection(objection_id: str, ctx: Ctx) -> ObjectionOut:
    return ObjectionOut.of(objections.visible(ctx, ctx.caller, objection_id), ctx.now)


@router.post("/v1/objections/{objection_id}/review", response_model=ObjectionOut)
def review_objection(objection_id: str, ctx: SourceCtx) -> ObjectionOut:
    return ObjectionOut.of(objections.review(ctx, ctx.caller, objection_id), ctx.now)


@router.post("/v1/objections/{objection_id}/reject", response_model=ObjectionOut)
def reject_objection(objection_id: str, body: ReasonIn, ctx: SourceCtx) -> ObjectionOut:
    return ObjectionOut.of(objections.reject(ctx, ctx.caller, objection_id, body.reason), ctx.now)


@router.post("/v1/me/repairs", response_model=RepairOut, status_code=201)
def apply_for_repair(
    body: RepairIn, ctx: EnterpriseCtx, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Apply for credit repair; with an ``Idempotency-Key`` a retry applies once."""
    return replied_once(
        ctx,
        idempotency_key,
        path="/v1/me/repairs",
        body=body,
        status=201,
        make=lambda: RepairOut.of(repairs.apply(ctx, ctx.catalog, ctx.caller, body)),
    )


@router.get("/v1/me/repairs", response_model=list[RepairOut])
def my_repairs(
    ctx: EnterpriseCtx,
    state: Annotated[list[RepairState] | None, Query()] = None,
    *,
    paging: PageDep,
) -> list[RepairOut]:
    rows = paging.page(repairs.listed(ctx, ctx.caller.id, state, paging.window), _applied)
    return [RepairOut.of(r) for r in rows]


@router.get("/v1/repairs", response_model=list[RepairOut])
def all_repairs(
    ctx: OperatorCtx,
    state: Annotated[list[RepairState] | None, Query()] = None,
    *,
    paging: PageDep,
) -> list[RepairOut]:
    rows = paging.page(repairs.listed(ctx, None, state, paging.window), _applied)
    return [RepairOut.of(r) for r in rows]


@router.get("/v1/repairs/{repair_id}", response_model=RepairOut)
def get_repair(repair_id: str, ctx: Ctx) -> RepairOut:
    return RepairOut.of(repairs.visible(ctx, ctx.caller, repair_id))


@router.post("/v1/repairs/{repair_id}/approve", response_model=RepairOut)
def approve_repair(
    repair_id: str,
    ctx: OperatorCtx,
    body: NoteIn | None = None,
) -> RepairOut:
    publication = ctx.policy_data.penalty_publication
    note = body.note if body is not None else None
    return RepairOut.of(repairs.approve(ctx, ctx.caller, repair_id, publication, note))


@router.post("/v1/repairs/{repair_id}/reject", response_model=RepairOut)
def reject_repair(repair_id: str, body: ReasonIn, ctx: OperatorCtx) -> RepairOut:
    return RepairOut.of(repairs.reject(ctx, ctx.caller, repair_id, body.reason))
