"""Liveness and readiness: whether this process runs, and what it cannot do now.

``/livez`` answers while the process can answer at all. ``/readyz`` (and ``/healthz``, which
the compose file polls) answers 503 with every reason this process cannot serve: the main
database cannot store writes durably, the ledger cannot commit entries (an access that
cannot be logged must not happen), or the policy engine cannot decide.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from gateway.db import durability_failure
from gateway.policy.inputs import Caller, PolicyInput, Resource
from gateway.services import Services

router = APIRouter(tags=["ops"])

# A decision any working engine reaches without data: a bank asking for public fields.
_PROBE_CALLER = Caller(id="readiness-probe", role="institution", kind="bank", status="active")
_PROBE_RESOURCE = Resource.model_validate({"dataset": "business_licence", "class": "public"})


class Health(BaseModel):
    status: Literal["ok", "failing"]
    reasons: list[str] = []


def _policy_failure(services: Services) -> str | None:
    probe = PolicyInput(
        now_ns=int(datetime.now(UTC).timestamp() * 1e9),
        caller=_PROBE_CALLER,
        action="report",
        purpose="loan_underwriting",
        subject="91210502MA0XXXXXXX",
        resources=(_PROBE_RESOURCE,),
    )
    try:
        decision = services.policy_engine.decide(probe)
    except Exception as exc:
        return f"policy engine: {type(exc).__name__}: {exc}"
    return f"policy engine: {decision.reason}" if decision.failed_closed else None


def readiness_failures(services: Services) -> list[str]:
    """Every reason this process cannot serve requests now (empty: ready)."""
    reasons = []
    durability = durability_failure(services.engine)
    if durability is not None:
        reasons.append(f"database: {durability}")
    if services.ledger is None:
        reasons.append("ledger: the ledger is not open")
    else:
        ledger = services.ledger.write_failure()
        if ledger is not None:
            reasons.append(f"ledger: {ledger}")
    policy = _policy_failure(services)
    if policy is not None:
        reasons.append(policy)
    return reasons


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def _readiness(request: Request) -> JSONResponse:
    # the policy probe may call an OPA server: off the event loop
    reasons = await anyio.to_thread.run_sync(readiness_failures, _services(request))
    if reasons:
        return JSONResponse(Health(status="failing", reasons=reasons).model_dump(), 503)
    return JSONResponse(Health(status="ok").model_dump())


_NOT_READY: dict[int | str, dict[str, Any]] = {
    503: {"model": Health, "description": "what this process cannot do now"}
}


@router.get("/livez", response_model=Health)
async def livez() -> Health:
    """200 while the process answers (restart it when this fails)."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses=_NOT_READY)
async def readyz(request: Request) -> JSONResponse:
    """200 when this process can serve; 503 naming every reason it cannot (stop sending
    requests here): writes not durable, the ledger cannot commit, the policy engine fails."""
    return await _readiness(request)


@router.get("/healthz", response_model=Health, responses=_NOT_READY)
async def healthz(request: Request) -> JSONResponse:
    """Readiness, as ``/readyz`` (the compose file's health check)."""
    return await _readiness(request)
