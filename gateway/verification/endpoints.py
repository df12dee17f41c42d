"""Yes/no verification for institutions; the predicate list, public."""

from __future__ import annotations

from functools import partial
from typing import Any

import anyio
from fastapi import APIRouter

from gateway.context import RequestContext
from gateway.deps import BearerToken, HotPath, InstitutionCtx, ServicesDep
from gateway.error_handlers import status_for
from gateway.errors import CredgateError
from gateway.hot_path import serve, serve_each
from gateway.principals.models import Role
from gateway.services import Services
from gateway.verification import budget, service
from gateway.verification.schemas import (
    BatchItemOut,
    BatchVerificationIn,
    BatchVerificationOut,
    BudgetOut,
    BudgetUseOut,
    VerificationIn,
    VerificationOut,
)
from verifiers import describe

router = APIRouter(tags=["verification"])


@router.get("/v1/verifiers")
def list_verifiers() -> list[dict[str, Any]]:
    return describe()


@router.get("/v1/me/verification-budget", response_model=BudgetOut)
def my_budget(ctx: InstitutionCtx) -> BudgetOut:
    """The caller's bisection budget today: distinct thresholds tested per enterprise and
    predicate, and how many more it may test (repeating one already asked costs nothing)."""
    per_day = ctx.policy_data.verification.bisection_budget_per_day
    return BudgetOut(
        day=budget.platform_day(ctx.now),
        budget_per_day=per_day,
        used=[
            BudgetUseOut(
                enterprise=enterprise,
                predicate=predicate,
                thresholds_asked=asked,
                remaining=max(0, per_day - asked),
            )
            for enterprise, predicate, asked in budget.used_today(
                ctx.session, ctx.caller.id, ctx.now
            )
        ],
    )


@router.post("/v1/enterprises/{uscc}/verifications", response_model=VerificationOut)
async def verify(
    uscc: str, body: VerificationIn, token: BearerToken, services: ServicesDep, hot_path: HotPath
) -> VerificationOut:
    decide = partial(_decide, services, uscc, body)
    return await anyio.to_thread.run_sync(
        serve, services, token, (Role.institution,), decide, limiter=hot_path
    )


def _decide(
    services: Services, uscc: str, body: VerificationIn, ctx: RequestContext
) -> service.DecidedVerification:
    return service.verify(
        ctx,
        uscc,
        body,
        services.policy_data.verification.bisection_budget_per_day,
        services.argument_hash_key,
    )


@router.post("/v1/verifications", response_model=BatchVerificationOut)
async def verify_batch(
    body: BatchVerificationIn, token: BearerToken, services: ServicesDep, hot_path: HotPath
) -> BatchVerificationOut:
    """The same checks about up to 64 enterprises: each enterprise decided, budgeted, logged
    (one ledger entry each) and answered on its own; ``items`` in the order asked."""
    return await anyio.to_thread.run_sync(_verify_batch, services, token, body, limiter=hot_path)


def _verify_batch(
    services: Services, token: str, body: BatchVerificationIn
) -> BatchVerificationOut:
    one = body.for_one()
    outcomes = serve_each(
        services,
        token,
        (Role.institution,),
        body.enterprises,
        lambda ctx, uscc: _decide(services, uscc, one, ctx),
    )
    return BatchVerificationOut(
        purpose=body.purpose, items=[_item(uscc, outcomes[uscc]) for uscc in body.enterprises]
    )


def _item(uscc: str, outcome: VerificationOut | CredgateError) -> BatchItemOut:
    if isinstance(outcome, CredgateError):
        return BatchItemOut(
            enterprise=uscc,
            status=status_for(outcome),
            error=outcome.code,
            message=outcome.message,
            detail=outcome.detail,
        )
    return BatchItemOut(enterprise=uscc, status=200, result=outcome)
