"""Counter queries (线下查询): operators on behalf of walk-in institutions and enterprises."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.counter import service
from gateway.counter.schemas import CounterReportIn, CounterReportOut
from gateway.deps import OperatorCtx

router = APIRouter(tags=["counter"])


@router.post("/v1/counter/reports", response_model=CounterReportOut)
def counter_report(body: CounterReportIn, ctx: OperatorCtx) -> CounterReportOut:
    """A report for a walk-in party with a paper authorization: the same policy applies as
    if that party had asked; the ledger names operator, party and paper."""
    return service.counter_report(ctx, body)
