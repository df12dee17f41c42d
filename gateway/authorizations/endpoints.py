"""Enterprises grant and revoke; both parties list what concerns them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from gateway import idempotency
from gateway.authorizations import service
from gateway.authorizations.schemas import AuthorizationOut, GrantIn
from gateway.db import lock_for_write
from gateway.deps import EnterpriseCaller, IdempotencyKey, PrincipalDep, ServicesDep, SessionDep
from gateway.pagination import PageDep

router = APIRouter(tags=["authorizations"])


def _rules(services: ServicesDep) -> service.GrantRules:
    data = services.policy_data
    return service.GrantRules(
        audience=services.settings.audience,
        purposes=frozenset(data.purposes),
        max_lifetime=data.max_authorization_lifetime,
    )


@router.post("/v1/authorizations", response_model=AuthorizationOut, status_code=201)
def grant_authorization(
    body: GrantIn,
    enterprise: EnterpriseCaller,
    session: SessionDep,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    lock_for_write(session)  # the idempotency lookup and the grant form one locked unit
    now = services.clock.now()

    def grant() -> tuple[int, dict[str, Any]]:
        authorization, created = service.grant(
            session,
            services.catalog,
            _rules(services),
            services.ledger,
            enterprise,
            body.token,
            now,
        )
        return (201 if created else 200), AuthorizationOut.of(authorization, now).model_dump(
            mode="json"
        )

    status, reply = idempotency.once_for_post(
        session,
        enterprise.id,
        idempotency_key,
        now,
        grant,
        path="/v1/authorizations",
        body=body.model_dump(),
    )
    return JSONResponse(reply, status_code=status)


@router.post("/v1/authorizations/{authorization_id}/revoke", response_model=AuthorizationOut)
def revoke_authorization(
    authorization_id: str,
    enterprise: EnterpriseCaller,
    session: SessionDep,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    lock_for_write(session)
    now = services.clock.now()

    def revoke() -> tuple[int, dict[str, Any]]:
        authorization = service.revoke(session, services.ledger, enterprise, authorization_id, now)
        return 200, AuthorizationOut.of(authorization, now).model_dump(mode="json")

    status, reply = idempotency.once_for_post(
        session,
        enterprise.id,
        idempotency_key,
        now,
        revoke,
        path=f"/v1/authorizations/{authorization_id}/revoke",
    )
    return JSONResponse(reply, status_code=status)


@router.get("/v1/authorizations", response_model=list[AuthorizationOut])
def list_authorizations(
    principal: PrincipalDep, session: SessionDep, services: ServicesDep, paging: PageDep
) -> list[AuthorizationOut]:
    now = services.clock.now()
    rows = paging.page(
        service.visible_to(session, principal, paging.window), lambda a: (a.created_at, a.id)
    )
    return [AuthorizationOut.of(a, now) for a in rows]


@router.get("/v1/authorizations/{authorization_id}", response_model=AuthorizationOut)
def get_authorization(
    authorization_id: str, principal: PrincipalDep, session: SessionDep, services: ServicesDep
) -> AuthorizationOut:
    return AuthorizationOut.of(
        service.get_visible(session, principal, authorization_id), services.clock.now()
    )
