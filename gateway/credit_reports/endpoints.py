"""Credit reports: a government body's on an enterprise, the enterprise's own to hand over."""

from __future__ import annotations

from typing import Annotated, Any

import rfc8785
from fastapi import APIRouter, Depends, Response

from gateway.context import RequestContext
from gateway.credit_reports import pdf, service
from gateway.credit_reports.schemas import CreditReportIn
from gateway.deps import Ctx, EnterpriseCtx, context_for
from gateway.principals.models import Role

router = APIRouter(tags=["credit reports"])
GovernmentCtx = Annotated[RequestContext, Depends(context_for(Role.government))]
_CANONICAL_JSON = "application/json"


def _canonical(envelope: dict[str, Any], status_code: int = 200) -> Response:
    # Served as canonical JSON bytes: saved as is, the file verifies byte for byte.
    return Response(rfc8785.dumps(envelope), status_code=status_code, media_type=_CANONICAL_JSON)


@router.post("/v1/enterprises/{uscc}/credit-reports", status_code=201)
def issue_for_government(uscc: str, body: CreditReportIn, ctx: GovernmentCtx) -> Response:
    """A signed, logged credit report for a government purpose (the envelope, canonical JSON)."""
    return _canonical(service.for_government(ctx, uscc, body.purpose), 201)


@router.post("/v1/me/credit-reports", status_code=201)
def issue_for_self(body: CreditReportIn, ctx: EnterpriseCtx) -> Response:
    """The enterprise's own credit report for a government purpose, to hand over."""
    return _canonical(service.for_self(ctx, body.purpose), 201)


@router.get("/v1/credit-reports/{report_id}.pdf")
def get_report_pdf(report_id: str, ctx: Ctx) -> Response:
    envelope = service.get(ctx, report_id).envelope
    return Response(pdf.render(envelope), media_type="application/pdf")


@router.get("/v1/credit-reports/{report_id}")
def get_report(report_id: str, ctx: Ctx) -> Response:
    return _canonical(service.get(ctx, report_id).envelope)
