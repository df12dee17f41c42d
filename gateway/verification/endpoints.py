"""Yes/no verification for institutions; the predicate list, public."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from gateway.access.endpoints import access_context
from gateway.deps import Institution, ServicesDep, SessionDep
from gateway.verification import service
from gateway.verification.schemas import VerificationIn, VerificationOut
from verifiers import describe

router = APIRouter(tags=["verification"])


@router.get("/v1/verifiers")
def list_verifiers() -> list[dict[str, Any]]:
    return describe()


@router.post("/v1/enterprises/{uscc}/verifications", response_model=VerificationOut)
def verify(
    uscc: str,
    body: VerificationIn,
    institution: Institution,
    services: ServicesDep,
    session: SessionDep,
) -> VerificationOut:
    return service.verify(
        access_context(services, session),
        institution,
        uscc,
        body,
        services.policy_data.verification.bisection_budget_per_day,
        services.argument_hash_key,
    )
