"""Operator API for principals and their keys."""

from __future__ import annotations

from fastapi import APIRouter, status

from gateway.deps import ClockDep, Operator, SessionDep
from gateway.errors import NotFound
from gateway.pagination import PageDep
from gateway.principals import repository, service
from gateway.principals.models import Role
from gateway.principals.schemas import KeyIn, KeyOut, PrincipalIn, PrincipalOut

router = APIRouter(tags=["principals"])


@router.post("/v1/principals", response_model=PrincipalOut, status_code=status.HTTP_201_CREATED)
def register_principal(
    body: PrincipalIn, _: Operator, session: SessionDep, clock: ClockDep
) -> PrincipalOut:
    now = clock.now()
    principal = service.register(session, body.id, body.role, body.name, now, body.kind)
    if body.public_key_pem:
        service.add_key(session, principal.id, body.public_key_pem, now)
    return PrincipalOut.model_validate(principal, from_attributes=True)


@router.get("/v1/principals", response_model=list[PrincipalOut])
def list_principals(
    _: Operator, session: SessionDep, paging: PageDep, role: Role | None = None
) -> list[PrincipalOut]:
    rows = paging.page(repository.list_all(session, role, paging.window), lambda p: (p.id,))
    return [PrincipalOut.model_validate(p, from_attributes=True) for p in rows]


@router.get("/v1/principals/{principal_id}", response_model=PrincipalOut)
def get_principal(principal_id: str, _: Operator, session: SessionDep) -> PrincipalOut:
    principal = repository.get(session, principal_id)
    if principal is None:
        raise NotFound(f"no principal {principal_id!r}")
    return PrincipalOut.model_validate(principal, from_attributes=True)


@router.post(
    "/v1/principals/{principal_id}/keys", response_model=KeyOut, status_code=status.HTTP_201_CREATED
)
def add_key(
    principal_id: str, body: KeyIn, _: Operator, session: SessionDep, clock: ClockDep
) -> KeyOut:
    key = service.add_key(session, principal_id, body.public_key_pem, clock.now())
    return KeyOut.model_validate(key, from_attributes=True)
