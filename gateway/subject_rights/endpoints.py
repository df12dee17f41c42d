"""Objections (the enterprise files or withdraws, the supplying source answers) and credit
repairs (the enterprise applies, an operator decides). Every state change is in the enterprise's
ledger; filing and withdrawing take an ``Idempotency-Key``, as granting and revoking do."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from gateway import idempotency
from gateway.db import lock_for_write
from gateway.deps import (
    EnterpriseCaller,
    IdempotencyKey,
    Operator,
    PrincipalDep,
    ServicesDep,
    SessionDep,
    Source,
)
from gateway.http.params import BoundedInt
from gateway.subject_rights import objections, repairs
from gateway.subject_rights.corrections import following_corrections
from gateway.subject_rights.models import ObjectionState, RepairState
from gateway.subject_rights.schemas import (
    NoteIn,
    ObjectionIn,
    ObjectionOut,
    ReasonIn,
    RepairIn,
    RepairOut,
)
from gateway.subject_rights.service import Desk

router = APIRouter(tags=["subject rights"], lifespan=following_corrections)
Limit = Annotated[BoundedInt, Query(ge=1, le=500)]


def _desk(services: ServicesDep, session: SessionDep) -> Desk:
    return Desk(session=session, ledger=services.ledger, now=services.clock.now())


@router.post("/v1/me/objections", response_model=ObjectionOut, status_code=201)
def file_objection(
    body: ObjectionIn,
    enterprise: EnterpriseCaller,
    services: ServicesDep,
    session: SessionDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    lock_for_write(session)  # the idempotency lookup and the filing form one locked unit
    desk = _desk(services, session)

    def file() -> tuple[int, dict[str, Any]]:
        deadline = services.policy_data.objection_reply_deadline
        objection = objections.file(desk, services.catalog, enterprise, body, deadline)
        return 201, ObjectionOut.of(objection, desk.now).model_dump(mode="json")

    status, reply = idempotency.once_for_post(
        session,
        enterprise.id,
        idempotency_key,
        desk.now,
        file,
        path="/v1/me/objections",
        body=body.model_dump(),
    )
    return JSONResponse(reply, status_code=status)


@router.post("/v1/me/objections/{objection_id}/withdraw", response_model=ObjectionOut)
def withdraw_objection(
    objection_id: str,
    enterprise: EnterpriseCaller,
    services: ServicesDep,
    session: SessionDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    lock_for_write(session)
    desk = _desk(services, session)

    def withdraw() -> tuple[int, dict[str, Any]]:
        objection = objections.withdraw(desk, enterprise, objection_id)
        return 200, ObjectionOut.of(objection, desk.now).model_dump(mode="json")

    status, reply = idempotency.once_for_post(
        session,
        enterprise.id,
        idempotency_key,
        desk.now,
        withdraw,
        path=f"/v1/me/objections/{objection_id}/withdraw",
    )
    return JSONResponse(reply, status_code=status)


@router.get("/v1/me/objections", response_model=list[ObjectionOut])
def my_objections(
    enterprise: EnterpriseCaller,
    services: ServicesDep,
    session: SessionDep,
    state: Annotated[list[ObjectionState] | None, Query()] = None,
    limit: Limit = 100,
) -> list[ObjectionOut]:
    desk = _desk(services, session)
    rows = objections.of_enterprise(desk, enterprise, state, limit)
    return [ObjectionOut.of(o, desk.now) for o in rows]


@router.get("/v1/objections", response_model=list[ObjectionOut])
def answerable_objections(
    source: Source,
    services: ServicesDep,
    session: SessionDep,
    state: Annotated[list[ObjectionState] | None, Query()] = None,
    overdue: bool | None = None,
    limit: Limit = 100,
) -> list[ObjectionOut]:
    """A source's objections to answer; an operator sees everyone's."""
    desk = _desk(services, session)
    rows = objections.for_answerer(desk, source, state, overdue, limit)
    return [ObjectionOut.of(o, desk.now) for o in rows]


@router.get("/v1/objections/{objection_id}", response_model=ObjectionOut)
def get_objection(
    objection_id: str, principal: PrincipalDep, services: ServicesDep, session: SessionDep
) -> ObjectionOut:
    desk = _desk(services, session)
    return ObjectionOut.of(objections.visible(desk, principal, objection_id), desk.now)


@router.post("/v1/objections/{objection_id}/review", response_model=ObjectionOut)
def review_objection(
    objection_id: str, source: Source, services: ServicesDep, session: SessionDep
) -> ObjectionOut:
    desk = _desk(services, session)
    return ObjectionOut.of(objections.review(desk, source, objection_id), desk.now)


@router.post("/v1/objections/{objection_id}/reject", response_model=ObjectionOut)
def reject_objection(
    objection_id: str, body: ReasonIn, source: Source, services: ServicesDep, session: SessionDep
) -> ObjectionOut:
    desk = _desk(services, session)
    return ObjectionOut.of(objections.reject(desk, source, objection_id, body.reason), desk.now)


@router.post("/v1/me/repairs", response_model=RepairOut, status_code=201)
def apply_for_repair(
    body: RepairIn, enterprise: EnterpriseCaller, services: ServicesDep, session: SessionDep
) -> RepairOut:
    return RepairOut.of(repairs.apply(_desk(services, session), services.catalog, enterprise, body))


@router.get("/v1/me/repairs", response_model=list[RepairOut])
def my_repairs(
    enterprise: EnterpriseCaller,
    services: ServicesDep,
    session: SessionDep,
    state: Annotated[list[RepairState] | None, Query()] = None,
    limit: Limit = 100,
) -> list[RepairOut]:
    rows = repairs.listed(_desk(services, session), enterprise.id, state, limit)
    return [RepairOut.of(r) for r in rows]


@router.get("/v1/repairs", response_model=list[RepairOut])
def all_repairs(
    _: Operator,
    services: ServicesDep,
    session: SessionDep,
    state: Annotated[list[RepairState] | None, Query()] = None,
    limit: Limit = 100,
) -> list[RepairOut]:
    rows = repairs.listed(_desk(services, session), None, state, limit)
    return [RepairOut.of(r) for r in rows]


@router.get("/v1/repairs/{repair_id}", response_model=RepairOut)
def get_repair(
    repair_id: str, principal: PrincipalDep, services: ServicesDep, session: SessionDep
) -> RepairOut:
    return RepairOut.of(repairs.visible(_desk(services, session), principal, repair_id))


@router.post("/v1/repairs/{repair_id}/approve", response_model=RepairOut)
def approve_repair(
    repair_id: str,
    operator: Operator,
    services: ServicesDep,
    session: SessionDep,
    body: NoteIn | None = None,
) -> RepairOut:
    publication = services.policy_data.penalty_publication
    note = body.note if body is not None else None
    desk = _desk(services, session)
    return RepairOut.of(repairs.approve(desk, operator, repair_id, publication, note))


@router.post("/v1/repairs/{repair_id}/reject", response_model=RepairOut)
def reject_repair(
    repair_id: str, body: ReasonIn, operator: Operator, services: ServicesDep, session: SessionDep
) -> RepairOut:
    return RepairOut.of(repairs.reject(_desk(services, session), operator, repair_id, body.reason))
