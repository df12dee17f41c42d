"""Enterprises grant and revoke; both parties list what concerns them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from gateway import idempotency
from gateway.authorizations import service
from gateway.authorizations.schemas import AuthorizationOut, GrantIn
from gateway.deps import Ctx, EnterpriseCtx, IdempotencyKey
from gateway.http.idempotent import replied_once
from gateway.pagination import PageDep

router = APIRouter(tags=["authorizations"])


@router.post("/v1/authorizations", response_model=AuthorizationOut, status_code=201)
def grant_authorization(
    body: GrantIn,
    ctx: EnterpriseCtx,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    ctx.write()  # the idempotency lookup and the grant form one locked unit

    def grant() -> tuple[int, dict[str, Any]]:
        authorization, created = service.grant(ctx, body.token)
        return (201 if created else 200), AuthorizationOut.of(authorization, ctx.now).model_dump(
            mode="json"
        )

    status, reply = idempotency.once_for_post(
        ctx.session,
        ctx.caller.id,
        idempotency_key,
        ctx.now,
        grant,
        path="/v1/authorizations",
        body=body.model_dump(),
    )
    return JSONResponse(reply, status_code=status)


@router.post("/v1/authorizations/{authorization_id}/revoke", response_model=AuthorizationOut)
def revoke_authorization(
    authorization_id: str,
    ctx: EnterpriseCtx,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    return replied_once(
        ctx,
        idempotency_key,
        path=f"/v1/authorizations/{authorization_id}/revoke",
        body=None,
        status=200,
        make=lambda: AuthorizationOut.of(service.revoke(ctx, authorization_id), ctx.now),
    )


@router.get("/v1/authorizations", response_model=list[AuthorizationOut])
def list_authorizations(ctx: Ctx, paging: PageDep) -> list[AuthorizationOut]:
    rows = paging.page(
        service.visible_to(ctx.session, ctx.caller, paging.window), lambda a: (a.created_at, a.id)
    )
    return [AuthorizationOut.of(a, ctx.now) for a in rows]


@router.get("/v1/authorizations/{authorization_id}", response_model=AuthorizationOut)
def get_authorization(authorization_id: str, ctx: Ctx) -> AuthorizationOut:
    return AuthorizationOut.of(
        service.get_visible(ctx.session, ctx.caller, authorization_id), ctx.now
    )
