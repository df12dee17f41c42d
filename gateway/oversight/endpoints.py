"""The assessors' API: institutions' activity, anomalies, exports, assessments."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response, status

from gateway.access import access_log
from gateway.access.schemas import AccessLogPageOut
from gateway.deps import AssessorCtx
from gateway.http.params import BoundedInt
from gateway.oversight import assessments, service
from gateway.oversight.detectors import Kind
from gateway.oversight.schemas import (
    AnomaliesOut,
    AssessmentIn,
    AssessmentOut,
    InstitutionDetailOut,
    InstitutionListOut,
)
from gateway.pagination import PageDep

router = APIRouter(prefix="/v1/audit", tags=["oversight"])
Since = Annotated[
    datetime | None,
    Query(description="start of the period, with a UTC offset (default: 30 days before until)"),
]
Until = Annotated[datetime | None, Query(description="end of the period, exclusive (default: now)")]
LEDGER_INDEX_HEADER = "Credgate-Ledger-Index"


@router.get("/institutions", response_model=InstitutionListOut)
def list_institutions(
    ctx: AssessorCtx,
    paging: PageDep,
    since: Since = None,
    until: Until = None,
) -> InstitutionListOut:
    listing = service.institutions(ctx, service.period(since, until, ctx.now), paging.window)
    listing.institutions = paging.page(listing.institutions, lambda i: (i.id,))
    return listing


@router.get("/institutions/{institution_id}", response_model=InstitutionDetailOut)
def institution_detail(
    institution_id: str,
    ctx: AssessorCtx,
    since: Since = None,
    until: Until = None,
) -> InstitutionDetailOut:
    return service.institution(ctx, institution_id, service.period(since, until, ctx.now))


@router.get("/anomalies", response_model=AnomaliesOut)
def list_anomalies(
    ctx: AssessorCtx,
    paging: PageDep,
    since: Since = None,
    until: Until = None,
    institution: str | None = None,
    kind: Kind | None = None,
) -> AnomaliesOut:
    period = service.period(since, until, ctx.now)
    found = service.anomalies(ctx, period, institution, kind, paging.window)
    found.anomalies = paging.page(found.anomalies, service.anomaly_key)
    return found


@router.get("/institutions/{institution_id}/export")
def export_accesses(
    institution_id: str,
    ctx: AssessorCtx,
    since: Since = None,
    until: Until = None,
    format: Annotated[Literal["json", "csv"], Query(description="json carries proofs")] = "json",
) -> Response:
    window = service.period(since, until, ctx.now)
    made, index = service.export_accesses(ctx, ctx.caller, institution_id, window, format)
    name = f"{institution_id}-accesses.{format}"
    return Response(
        content=made.body,
        media_type=made.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            LEDGER_INDEX_HEADER: str(index),
        },
    )


@router.post(
    "/institutions/{institution_id}/assessments",
    response_model=AssessmentOut,
    status_code=status.HTTP_201_CREATED,
)
def record_assessment(
    institution_id: str,
    body: AssessmentIn,
    ctx: AssessorCtx,
    response: Response,
) -> AssessmentOut:
    recorded, after = assessments.record(ctx, institution_id, body)
    response.headers["Credgate-Institution-Status"] = after.status.value
    return service.assessment_out(recorded)


@router.get(
    "/institutions/{institution_id}/ledger",
    response_model=AccessLogPageOut,
    response_model_exclude_unset=True,
)
def institution_ledger(
    institution_id: str,
    ctx: AssessorCtx,
    limit: Annotated[BoundedInt, Query(ge=1, le=access_log.MAX_LIMIT)] = 50,
    before: Annotated[BoundedInt | None, Query(ge=0)] = None,
    size: Annotated[BoundedInt | None, Query(ge=1, description=access_log.SIZE_DESCRIPTION)] = None,
) -> dict[str, Any]:
    """The institution's assessments and exports as ledger entries with inclusion proofs,
    in the access log's format (``credgate ledger verify`` checks it offline)."""
    principal = assessments.get_institution(ctx.session, institution_id)
    subject = assessments.ledger_subject(principal.id)
    return access_log.page(ctx.ledger, subject, limit, before, size)
