"""Yes/no verification for institutions; the predicate list, public."""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import APIRouter

from gateway.access.endpoints import access_context
from gateway.deps import BearerToken, HotPath, ServicesDep, caller_transaction
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
    # The hot path: authentication and the verification in one transaction, one thread hop.
    return await anyio.to_thread.run_sync(_verify, services, token, uscc, body, limiter=hot_path)


def _verify(services: Services, token: str, uscc: str, body: VerificationIn) -> VerificationOut:
    with caller_transaction(services, token, Role.institution) as (institution, session):
        return service.verify(
            access_context(services, session),
            institution,
            uscc,
            body,
            services.policy_data.verification.bisection_budget_per_day,
            services.argument_hash_key,
        )
