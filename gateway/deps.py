"""FastAPI dependencies, as ``Annotated`` aliases; tests swap them via dependency_overrides."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from datetime import datetime
from typing import Annotated, Any

import anyio
from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from gateway.catalog import Catalog
from gateway.clock import Clock
from gateway.context import RequestContext
from gateway.errors import CredgateError, Forbidden, Unauthenticated
from gateway.principals.auth import authenticate
from gateway.principals.models import Principal, Role
from gateway.services import Services
from gateway.writer import writer_of

# Dependencies that only read memory are async: a sync one costs a worker-thread hop.


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_session(services: ServicesDep) -> Iterator[Session]:
    """One transaction per request: commit on success, roll back on any exception but a
    ``keep_records`` refusal."""
    with Session(services.engine, expire_on_commit=False) as session:
        try:
            yield session
        except CredgateError as exc:
            if not exc.keep_records:
                session.rollback()
                raise
            session.commit()  # a refusal that recorded itself keeps its records
            raise
        except BaseException:
            session.rollback()
            raise
        session.commit()


# scope="function": the transaction ends (commits) before the response is sent. FastAPI's
# default for dependencies with yield runs their exit after the response has left, which would
# acknowledge a write (a revoke) before it is committed and durable.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def get_catalog(services: ServicesDep) -> Catalog:
    return services.catalog


CatalogDep = Annotated[Catalog, Depends(get_catalog)]


async def get_clock(services: ServicesDep) -> Clock:
    return services.clock


ClockDep = Annotated[Clock, Depends(get_clock)]


# Declares the scheme in the OpenAPI document; the token itself is checked by get_principal.
_bearer = HTTPBearer(
    auto_error=False,
    bearerFormat="JWT",
    description="A JWT (EdDSA or ES256) signed with the caller's own registered key",
)


async def get_bearer_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    if credentials is None or not credentials.credentials.strip():
        raise Unauthenticated("missing bearer token: send Authorization: Bearer <JWT>")
    return credentials.credentials.strip()


BearerToken = Annotated[str, Depends(get_bearer_token)]
# A client's key for retrying a state change safely (see gateway.idempotency).
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]


def get_principal(token: BearerToken, services: ServicesDep) -> Principal:
    return authenticate(token, services.engine, services.token_rules, services.clock.now())


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def check_role(principal: Principal, roles: tuple[Role, ...]) -> None:
    if principal.role not in roles:
        allowed = ", ".join(r.value for r in roles)
        raise Forbidden(f"this needs the role {allowed}; {principal.id} is {principal.role.value}")


def require_role(*roles: Role) -> Callable[[Principal], Coroutine[Any, Any, Principal]]:
    async def check(principal: PrincipalDep) -> Principal:
        check_role(principal, roles)
        return principal

    return check


async def get_hot_path(request: Request, services: ServicesDep) -> anyio.CapacityLimiter:
    """The worker threads verifications and reports run on (see ``hot_path_threads``)."""
    limiter: anyio.CapacityLimiter | None = getattr(request.app.state, "hot_path", None)
    if limiter is None:
        limiter = anyio.CapacityLimiter(services.settings.hot_path_threads)
        request.app.state.hot_path = limiter
    return limiter


HotPath = Annotated[anyio.CapacityLimiter, Depends(get_hot_path)]


Operator = Annotated[Principal, Depends(require_role(Role.operator))]
Source = Annotated[Principal, Depends(require_role(Role.source, Role.operator))]
Institution = Annotated[Principal, Depends(require_role(Role.institution))]
EnterpriseCaller = Annotated[Principal, Depends(require_role(Role.enterprise))]
Assessor = Annotated[Principal, Depends(require_role(Role.assessor, Role.operator))]


def request_context(
    services: Services, session: Session, caller: Principal, now: datetime | None = None
) -> RequestContext:
    """The request's unit of work (see :class:`gateway.context.RequestContext`)."""
    return RequestContext(
        session=session,
        now=services.clock.now() if now is None else now,
        caller=caller,
        catalog=services.catalog,
        policy_data=services.policy_data,
        policy_engine=services.policy_engine,
        ledger=services.ledger,
        live=services.live_sources,
        audience=services.settings.audience,
        writer=writer_of(services),
    )


def context_for(
    *roles: Role,
) -> Callable[[ServicesDep, SessionDep, PrincipalDep], Coroutine[Any, Any, RequestContext]]:
    """A dependency giving the request's context for a caller in one of ``roles`` (any
    authenticated caller when none are named)."""

    async def build(
        services: ServicesDep, session: SessionDep, caller: PrincipalDep
    ) -> RequestContext:
        if roles:
            check_role(caller, roles)
        return request_context(services, session, caller)

    return build


Ctx = Annotated[RequestContext, Depends(context_for())]
OperatorCtx = Annotated[RequestContext, Depends(context_for(Role.operator))]
SourceCtx = Annotated[RequestContext, Depends(context_for(Role.source, Role.operator))]
InstitutionCtx = Annotated[RequestContext, Depends(context_for(Role.institution))]
EnterpriseCtx = Annotated[RequestContext, Depends(context_for(Role.enterprise))]
AssessorCtx = Annotated[RequestContext, Depends(context_for(Role.assessor, Role.operator))]
