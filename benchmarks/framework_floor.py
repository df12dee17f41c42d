"""The framework's floor for benchmarks/verify_bench.py: the verification route doing no work.

Same path, request and response schemas, bearer-token dependency and worker-thread hop (on a
pool of the gateway's hot-path size) as ``POST /v1/enterprises/{uscc}/verifications``, but the
thread returns a canned answer: no token check, no database, no policy, no ledger. What it
costs per request is what uvicorn, FastAPI, pydantic and the hop cost before credgate does
anything; the gap to the full path is credgate's own work.

    uvicorn benchmarks.framework_floor:app
"""

from __future__ import annotations

import anyio
from fastapi import FastAPI

from gateway import error_handlers
from gateway.deps import BearerToken
from gateway.settings import Settings
from gateway.verification.schemas import CheckResult, VerificationIn, VerificationOut

app = FastAPI(title="credgate framework floor")
error_handlers.install(app)
_LIMITER = anyio.CapacityLimiter(Settings().hot_path_threads)


def _answer(uscc: str, body: VerificationIn) -> VerificationOut:
    results = [
        CheckResult(predicate=c.predicate, holds=True, permitted=True, reason="holds")
        for c in body.checks
    ]
    return VerificationOut(
        enterprise=uscc,
        purpose=body.purpose,
        results=results,
        policy_revision="floor",
        authorizations_used=["floor"],
        ledger_index=0,
    )


@app.post("/v1/enterprises/{uscc}/verifications", response_model=VerificationOut)
async def verify(uscc: str, body: VerificationIn, token: BearerToken) -> VerificationOut:
    return await anyio.to_thread.run_sync(_answer, uscc, body, limiter=_LIMITER)
