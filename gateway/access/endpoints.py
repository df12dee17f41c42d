"""Reports for institutions; the subject's own report and access log, free."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Query

from gateway.access import access_log, service
from gateway.access.schemas import AccessLogPageOut, ReportOut
from gateway.context import RequestContext
from gateway.deps import BearerToken, EnterpriseCaller, HotPath, ServicesDep
from gateway.hot_path import serve
from gateway.http.params import BoundedInt
from gateway.principals.models import Role

router = APIRouter(tags=["access"])
Purpose = Annotated[
    str, Query(pattern=service.PURPOSE_PATTERN, description="why the data is needed")
]


@router.get("/v1/enterprises/{uscc}/report", response_model=ReportOut)
async def institution_report(
    uscc: str, purpose: Purpose, token: BearerToken, services: ServicesDep, hot_path: HotPath
) -> ReportOut:
    return await anyio.to_thread.run_sync(
        serve,
        services,
        token,
        (Role.institution,),
        partial(_institution, uscc, purpose),
        limiter=hot_path,
    )


@router.get("/v1/me/report", response_model=ReportOut)
async def my_report(token: BearerToken, services: ServicesDep, hot_path: HotPath) -> ReportOut:
    return await anyio.to_thread.run_sync(
        serve, services, token, (Role.enterprise,), service.self_report, limiter=hot_path
    )


def _institution(uscc: str, purpose: str, ctx: RequestContext) -> service.DecidedReport:
    return service.institution_report(ctx, uscc, purpose)


@router.get("/v1/me/access-log", response_model=AccessLogPageOut, response_model_exclude_unset=True)
def my_access_log(
    enterprise: EnterpriseCaller,
    services: ServicesDep,
    limit: Annotated[BoundedInt, Query(ge=1, le=access_log.MAX_LIMIT)] = 50,
    before: Annotated[
        BoundedInt | None, Query(ge=0, description="page: entries with a lower index")
    ] = None,
    size: Annotated[BoundedInt | None, Query(ge=1, description=access_log.SIZE_DESCRIPTION)] = None,
) -> dict[str, Any]:
    """The caller's own ledger entries with proofs; the newest page carries a signed subject
    head, to save and verify later pages against (``credgate ledger verify --page
    page.json --previous-head old-page.json``)."""
    return access_log.page(services.ledger, enterprise.id, limit, before, size)
