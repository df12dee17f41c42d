"""Yes/no verification for institutions; the predicate list, public."""

from __future__ import annotations

from functools import partial
from typing import Any

import anyio
from fastapi import APIRouter

from gateway.context import RequestContext
from gateway.deps import BearerToken, HotPath, ServicesDep
from gateway.hot_path import serve
from gateway.principals.models import Role
from gateway.services import Services
from gateway.verification import service
from gateway.verification.schemas import VerificationIn, VerificationOut
from verifiers import describe

router = APIRouter(tags=["verification"])


@router.get("/v1/verifiers")
def list_verifiers() -> list[dict[str, Any]]:
    return describe()


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
