"""Reports for institutions; the subject's own report and access log, free."""

from __future__ import annotations

from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Query

from gateway.access import access_log, service
from gateway.access.schemas import AccessLogPageOut, ReportOut
from gateway.bootstrap import Services
from gateway.deps import (
    BearerToken,
    EnterpriseCaller,
    HotPath,
    ServicesDep,
    SessionDep,
    caller_transaction,
)
from gateway.http.params import BoundedInt
from gateway.principals.models import Role

router = APIRouter(tags=["access"])
Purpose = Annotated[
    str, Query(pattern=service.PURPOSE_PATTERN, description="why the data is needed")
]


def access_context(services: ServicesDep, session: SessionDep) -> service.AccessContext:
    return service.AccessContext(
        session=session,
        catalog=services.catalog,
        engine=services.policy_engine,
        ledger=services.ledger,
        live=services.live_sources,
        now=services.clock.now(),
        publication=services.policy_data.penalty_publication,
    )


@router.get("/v1/enterprises/{uscc}/report", response_model=ReportOut)
async def institution_report(
    uscc: str, purpose: Purpose, token: BearerToken, services: ServicesDep, hot_path: HotPath
) -> ReportOut:
    # A hot path: authentication and the report in one transaction, one thread hop.
    return await anyio.to_thread.run_sync(
        _institution_report, services, token, uscc, purpose, limiter=hot_path
    )


def _institution_report(services: Services, token: str, uscc: str, purpose: str) -> ReportOut:
    with caller_transaction(services, token, Role.institution) as (institution, session):
        return service.institution_report(
            access_context(services, session), institution, uscc, purpose
        )


@router.get("/v1/me/report", response_model=ReportOut)
def my_report(
    enterprise: EnterpriseCaller, services: ServicesDep, session: SessionDep
) -> ReportOut:
    return service.self_report(access_context(services, session), enterprise)


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
