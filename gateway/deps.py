"""FastAPI dependencies, as ``Annotated`` aliases; tests swap them via dependency_overrides."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import anyio
from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from gateway.bootstrap import Services
from gateway.catalog import Catalog
from gateway.clock import Clock
from gateway.db import lock_for_write
from gateway.errors import CredgateError, Forbidden, Unauthenticated
from gateway.principals.auth import authenticate, authenticate_in, spend_token
from gateway.principals.models import Principal, Role

# Dependencies that only read memory are async: a sync one costs a worker-thread hop.


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


@contextmanager
def _settled(session: Session, after_rollback: Callable[[], None] = lambda: None) -> Iterator[None]:
    """Commit when the block succeeds or fails with a ``keep_records`` error (a denial keeps
    what it recorded); otherwise roll back, then run ``after_rollback``."""
    try:
        yield
        session.commit()
    except CredgateError as exc:
        if exc.keep_records:
            session.commit()
        else:
            session.rollback()
            after_rollback()
        raise
    except BaseException:
        session.rollback()
        after_rollback()
        raise


def get_session(services: ServicesDep) -> Iterator[Session]:
    """One transaction per request: commit on success, roll back on any exception."""
    with Session(services.engine, expire_on_commit=False) as session, _settled(session):
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


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


def _check_role(principal: Principal, roles: tuple[Role, ...]) -> None:
    if principal.role not in roles:
        allowed = ", ".join(r.value for r in roles)
        raise Forbidden(f"this needs the role {allowed}; {principal.id} is {principal.role.value}")


def require_role(*roles: Role) -> Callable[[Principal], Coroutine[Any, Any, Principal]]:
    async def check(principal: PrincipalDep) -> Principal:
        _check_role(principal, roles)
        return principal

    return check


async def get_hot_path(request: Request, services: ServicesDep) -> anyio.CapacityLimiter:
    """The worker threads verifications and reports run on (see ``hot_path_threads``)."""
    limiter: anyio.CapacityLimiter | None = getattr(request.app.state, "hot_path", None)
    if limiter is None:
        limiter = anyio.CapacityLimiter(services.settings.effective_hot_path_threads)
        request.app.state.hot_path = limiter
    return limiter


HotPath = Annotated[anyio.CapacityLimiter, Depends(get_hot_path)]


@contextmanager
def caller_transaction(
    services: Services, token: str, *roles: Role
) -> Iterator[tuple[Principal, Session]]:
    """Authenticate and serve a request in one transaction, on one worker thread.

    The hot paths use it instead of ``PrincipalDep`` plus ``SessionDep`` (a thread hop and a
    transaction each). Commits as :func:`get_session` does (``keep_records`` errors keep what
    the request recorded); when the request's work is rolled back, its token id is recorded
    on its own afterwards, so the token stays spent either way.
    """
    with Session(services.engine, expire_on_commit=False) as session:
        lock_for_write(session)
        try:
            principal, token_id = authenticate_in(
                session, token, services.token_rules, services.clock.now()
            )
        except BaseException:
            session.rollback()
            raise
        with _settled(session, after_rollback=lambda: spend_token(services.engine, token_id)):
            _check_role(principal, roles)
            yield principal, session


Operator = Annotated[Principal, Depends(require_role(Role.operator))]
Source = Annotated[Principal, Depends(require_role(Role.source, Role.operator))]
Institution = Annotated[Principal, Depends(require_role(Role.institution))]
EnterpriseCaller = Annotated[Principal, Depends(require_role(Role.enterprise))]
Assessor = Annotated[Principal, Depends(require_role(Role.assessor, Role.operator))]
