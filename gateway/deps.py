"""FastAPI dependencies, as ``Annotated`` aliases; tests swap them via dependency_overrides."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlmodel import Session

from gateway.bootstrap import Services
from gateway.catalog import Catalog
from gateway.clock import Clock
from gateway.errors import CredgateError, Forbidden, Unauthenticated
from gateway.principals.auth import authenticate
from gateway.principals.models import Principal, Role

# Dependencies that only read memory are async: a sync one costs a worker-thread hop.


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_session(services: ServicesDep) -> Iterator[Session]:
    """One transaction per request: commit on success, roll back on any exception."""
    with Session(services.engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except CredgateError as exc:
            if exc.keep_records:
                session.commit()
            else:
                session.rollback()
            raise
        except BaseException:
            session.rollback()
            raise


SessionDep = Annotated[Session, Depends(get_session)]


async def get_catalog(services: ServicesDep) -> Catalog:
    return services.catalog


CatalogDep = Annotated[Catalog, Depends(get_catalog)]


async def get_clock(services: ServicesDep) -> Clock:
    return services.clock


ClockDep = Annotated[Clock, Depends(get_clock)]


def get_principal(request: Request, services: ServicesDep) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("missing bearer token: send Authorization: Bearer <JWT>")
    return authenticate(token.strip(), services.engine, services.token_rules, services.clock.now())


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_role(*roles: Role) -> Callable[[Principal], Coroutine[Any, Any, Principal]]:
    allowed = ", ".join(r.value for r in roles)

    async def check(principal: PrincipalDep) -> Principal:
        if principal.role not in roles:
            raise Forbidden(
                f"this needs the role {allowed}; {principal.id} is {principal.role.value}"
            )
        return principal

    return check


Operator = Annotated[Principal, Depends(require_role(Role.operator))]
Source = Annotated[Principal, Depends(require_role(Role.source, Role.operator))]
Institution = Annotated[Principal, Depends(require_role(Role.institution))]
EnterpriseCaller = Annotated[Principal, Depends(require_role(Role.enterprise))]
Assessor = Annotated[Principal, Depends(require_role(Role.assessor, Role.operator))]
