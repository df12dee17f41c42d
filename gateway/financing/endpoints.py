"""Financing services over HTTP: products, pre-qualification, demands, the consent inbox,
outcome statistics. Thin: each route calls one service function with the request's context."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from gateway.authorizations.service import AUTHORIZATION_TYP
from gateway.deps import (
    AssessorCtx,
    Ctx,
    EnterpriseCtx,
    IdempotencyKey,
    InstitutionCtx,
    OperatorCtx,
)
from gateway.financing import (
    demands,
    grants,
    prequalification,
    products,
    repository,
    requests,
    stats,
)
from gateway.financing.models import ProductKind
from gateway.financing.schemas import (
    MAX_AMOUNT,
    MAX_TERM_MONTHS,
    AuthorizationRequestIn,
    AuthorizationRequestOut,
    ClaimsOut,
    DecisionIn,
    DemandIn,
    DemandOut,
    DemandPatch,
    DisbursementIn,
    GrantOut,
    OverdueOut,
    ProductIn,
    ProductMatchesOut,
    ProductOut,
    ProductPatch,
    PushedDemandOut,
    ReasonIn,
    TokenIn,
)
from gateway.http.idempotent import replied_once

router = APIRouter(tags=["financing"])

AmountQ = Annotated[int | None, Query(ge=1, le=MAX_AMOUNT, description="CNY the product covers")]
TermQ = Annotated[int | None, Query(ge=1, le=MAX_TERM_MONTHS, description="months it covers")]
KindQ = Annotated[ProductKind | None, Query()]


# ---------------------------------------------------------------- products


@router.post("/v1/products", response_model=ProductOut, status_code=201)
def publish_product(
    body: ProductIn, ctx: InstitutionCtx, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Publish a credit product (institution). Eligibility criteria are verifier predicates.
    With an ``Idempotency-Key`` a retry publishes nothing new and gets the first reply."""
    return replied_once(
        ctx,
        idempotency_key,
        path="/v1/products",
        body=body,
        status=201,
        make=lambda: ProductOut.of(products.publish(ctx, body)),
    )


@router.put("/v1/products/{product_id}", response_model=ProductOut)
def replace_product(product_id: str, body: ProductIn, ctx: InstitutionCtx) -> ProductOut:
    """Replace an active product's terms (its own institution only)."""
    return ProductOut.of(products.update(ctx, product_id, body))


@router.patch("/v1/products/{product_id}", response_model=ProductOut)
def change_product(product_id: str, body: ProductPatch, ctx: InstitutionCtx) -> ProductOut:
    """Change some of an active product's terms."""
    return ProductOut.of(products.update(ctx, product_id, body))


@router.post("/v1/products/{product_id}/withdraw", response_model=ProductOut)
def withdraw_product(product_id: str, ctx: InstitutionCtx) -> ProductOut:
    """Withdraw a product: it stays listed as withdrawn and matches no demand."""
    return ProductOut.of(products.withdraw(ctx, product_id))


@router.get("/v1/products", response_model=list[ProductOut])
def list_products(
    ctx: Ctx,
    kind: KindQ = None,
    amount: AmountQ = None,
    term_months: TermQ = None,
    industry: Annotated[str | None, Query(description="GB/T 4754 code of an enterprise")] = None,
    institution: Annotated[str | None, Query(max_length=64)] = None,
    include_withdrawn: bool = False,
) -> list[ProductOut]:
    """Products, filtered; active ones unless ``include_withdrawn``."""
    where = repository.ProductFilter(kind, amount, term_months, institution, include_withdrawn)
    return [ProductOut.of(p) for p in products.listed(ctx, where, industry)]


@router.get("/v1/products/{product_id}", response_model=ProductOut)
def get_product(product_id: str, ctx: Ctx) -> ProductOut:
    return ProductOut.of(products.get(ctx, product_id))


@router.get("/v1/me/product-matches", response_model=ProductMatchesOut)
def product_matches(
    ctx: EnterpriseCtx,
    kind: KindQ = None,
    amount: AmountQ = None,
    term_months: TermQ = None,
    institution: Annotated[str | None, Query(max_length=64)] = None,
) -> ProductMatchesOut:
    """Self pre-qualification: each active product's criteria on the enterprise's own data.
    Free, disclosed to no institution, recorded only in the enterprise's own chain."""
    where = repository.ProductFilter(kind, amount, term_months, institution)
    return prequalification.matches(ctx, where)


# ---------------------------------------------------------------- demands (enterprise)


def _demand_out(ctx: EnterpriseCtx, demand_id: str) -> DemandOut:
    demand = demands.own(ctx, demand_id)
    pushes, events = demands.history(ctx, demand)
    return DemandOut.of(demand, ctx.now, pushes, events)


@router.post("/v1/me/financing-demands", response_model=DemandOut, status_code=201)
def publish_demand(
    body: DemandIn, ctx: EnterpriseCtx, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Publish a financing demand; it is pushed to the matching (or named) institutions.
    With an ``Idempotency-Key`` a retry publishes and pushes nothing new."""
    return replied_once(
        ctx,
        idempotency_key,
        path="/v1/me/financing-demands",
        body=body,
        status=201,
        make=lambda: _demand_out(ctx, demands.publish(ctx, body).id),
    )


@router.patch("/v1/me/financing-demands/{demand_id}", response_model=DemandOut)
def change_demand(demand_id: str, body: DemandPatch, ctx: EnterpriseCtx) -> DemandOut:
    """Change an open demand; institutions it now matches receive it too."""
    demands.update(ctx, demand_id, body)
    return _demand_out(ctx, demand_id)


@router.post("/v1/me/financing-demands/{demand_id}/withdraw", response_model=DemandOut)
def withdraw_demand(demand_id: str, ctx: EnterpriseCtx) -> DemandOut:
    demands.withdraw(ctx, demand_id)
    return _demand_out(ctx, demand_id)


@router.get("/v1/me/financing-demands", response_model=list[DemandOut])
def list_own_demands(ctx: EnterpriseCtx) -> list[DemandOut]:
    return [
        DemandOut.of(d, ctx.now, repository.pushes_of(ctx.session, d.id))
        for d in repository.demands_of(ctx.session, ctx.caller.id)
    ]


@router.get("/v1/me/financing-demands/{demand_id}", response_model=DemandOut)
def get_own_demand(demand_id: str, ctx: EnterpriseCtx) -> DemandOut:
    """The demand with every push's state and its whole history."""
    return _demand_out(ctx, demand_id)


# ---------------------------------------------------------------- demands (institution)


@router.get("/v1/financing-demands/pushed", response_model=list[PushedDemandOut])
def pushed_demands(ctx: InstitutionCtx) -> list[PushedDemandOut]:
    """The demands pushed to the calling institution (there is no other way to see one)."""
    return [PushedDemandOut.of(d, p, ctx.now) for d, p in demands.mine(ctx)]


@router.get("/v1/financing-demands/overdue", response_model=list[OverdueOut])
def overdue_pickups(ctx: AssessorCtx) -> list[OverdueOut]:
    """Pushes not picked up within the deadline (operators and assessors)."""
    return [
        OverdueOut(
            demand_id=d.id,
            enterprise=d.enterprise,
            institution=p.institution,
            pushed_at=p.pushed_at,
            pickup_due=p.pickup_due,
        )
        for d, p in demands.overdue(ctx)
    ]


@router.get("/v1/financing-demands/{demand_id}", response_model=PushedDemandOut)
def pushed_demand(demand_id: str, ctx: InstitutionCtx) -> PushedDemandOut:
    return PushedDemandOut.of(*demands.pushed_to_me(ctx, demand_id), ctx.now)


@router.post("/v1/financing-demands/{demand_id}/pick-up", response_model=PushedDemandOut)
def pick_up(demand_id: str, ctx: InstitutionCtx) -> PushedDemandOut:
    """Accept a pushed demand (within the pick-up deadline, or late)."""
    return PushedDemandOut.of(*demands.pick_up(ctx, demand_id), ctx.now)


@router.post("/v1/financing-demands/{demand_id}/decision", response_model=PushedDemandOut)
def credit_decision(demand_id: str, body: DecisionIn, ctx: InstitutionCtx) -> PushedDemandOut:
    """Report the credit decision: approved (amount, rate) or declined (reason code)."""
    return PushedDemandOut.of(*demands.decide(ctx, demand_id, body), ctx.now)


@router.post("/v1/financing-demands/{demand_id}/disbursement", response_model=PushedDemandOut)
def disbursement(demand_id: str, body: DisbursementIn, ctx: InstitutionCtx) -> PushedDemandOut:
    """Report the loan disbursed."""
    return PushedDemandOut.of(*demands.disburse(ctx, demand_id, body), ctx.now)


# ---------------------------------------------------------------- the consent inbox


@router.post("/v1/authorization-requests", response_model=AuthorizationRequestOut, status_code=201)
def request_authorization(
    body: AuthorizationRequestIn, ctx: InstitutionCtx, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Ask an enterprise for an authorization (scope, purpose, modes, validity). With an
    ``Idempotency-Key`` a retry asks nothing new (the enterprise's inbox gets one request)."""
    return replied_once(
        ctx,
        idempotency_key,
        path="/v1/authorization-requests",
        body=body,
        status=201,
        make=lambda: AuthorizationRequestOut.of(requests.create(ctx, body), ctx.now),
    )


@router.get("/v1/authorization-requests", response_model=list[AuthorizationRequestOut])
def sent_requests(ctx: InstitutionCtx) -> list[AuthorizationRequestOut]:
    return [AuthorizationRequestOut.of(r, ctx.now) for r in requests.inbox(ctx)]


@router.get("/v1/me/authorization-requests", response_model=list[AuthorizationRequestOut])
def received_requests(
    ctx: EnterpriseCtx,
    state: Annotated[str | None, Query(pattern=r"^(pending|answered)$")] = None,
) -> list[AuthorizationRequestOut]:
    """Requests to the enterprise: all, or only ``pending`` or ``answered`` ones."""
    listed = [AuthorizationRequestOut.of(r, ctx.now) for r in requests.inbox(ctx)]
    if state == "pending":
        return [r for r in listed if r.state == "pending"]
    if state == "answered":
        return [r for r in listed if r.state != "pending"]
    return listed


@router.get("/v1/me/authorization-requests/{request_id}", response_model=AuthorizationRequestOut)
def received_request(request_id: str, ctx: EnterpriseCtx) -> AuthorizationRequestOut:
    return AuthorizationRequestOut.of(requests.own(ctx, request_id), ctx.now)


@router.get("/v1/me/authorization-requests/{request_id}/claims", response_model=ClaimsOut)
def claims_to_sign(request_id: str, ctx: EnterpriseCtx) -> ClaimsOut:
    """The exact JWS claims that approve the request; sign them with the enterprise's key."""
    request = requests.own(ctx, request_id)
    return ClaimsOut(
        header={"typ": AUTHORIZATION_TYP},
        claims=requests.claims(ctx, request),
    )


@router.post(
    "/v1/me/authorization-requests/{request_id}/approve", response_model=AuthorizationRequestOut
)
def approve_request(request_id: str, body: TokenIn, ctx: EnterpriseCtx) -> AuthorizationRequestOut:
    """Approve with the signed claims; a token that differs from the request is refused."""
    request, _ = requests.approve(ctx, request_id, body.token)
    return AuthorizationRequestOut.of(request, ctx.now)


@router.post(
    "/v1/me/authorization-requests/{request_id}/reject", response_model=AuthorizationRequestOut
)
def reject_request(request_id: str, body: ReasonIn, ctx: EnterpriseCtx) -> AuthorizationRequestOut:
    return AuthorizationRequestOut.of(requests.reject(ctx, request_id, body.reason), ctx.now)


@router.get("/v1/me/grants", response_model=list[GrantOut])
def my_grants(ctx: EnterpriseCtx) -> list[GrantOut]:
    """The enterprise's grants with their state, uses and last use."""
    return grants.listed(ctx)


# ---------------------------------------------------------------- outcomes


@router.get(
    "/v1/stats/financing",
    response_model=stats.StatsOut,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def financing_stats(
    ctx: OperatorCtx,
    by: stats.Dimension = stats.Dimension.institution,
    format: Annotated[str, Query(pattern=r"^(json|csv)$")] = "json",
) -> Response:
    """Demands, pick-up rate, median response, approvals and amounts, grouped ``by``."""
    result = stats.outcomes(ctx, by)
    if format == "csv":
        return PlainTextResponse(
            stats.as_csv(result),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="financing-{by.value}.csv"'},
        )
    return Response(result.model_dump_json(), media_type="application/json")
