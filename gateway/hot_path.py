"""Serving a request that decides and then writes: decide outside any lock, write in a batch.

Authentication (signature, keys, times), every read, the policy decision, live-source calls
and the predicates run first, in a read-only transaction, on the request's own thread and in
parallel with other requests. What the request must then write (its token id, budget, use
counts, ledger entries, access index) goes to the process's :class:`~gateway.writer.
RequestWriter` as one job, which re-checks under the lock what the decision relied on. If that
changed (a revoke, a suspension acknowledged in between), the job raises
:class:`~gateway.writer.Stale` and the request decides again from the start, at most
``MAX_ATTEMPTS`` times; it never discloses on a stale decision.

A request that fails after authenticating (not found, wrong role, bad input) still spends its
token, as every authenticated request does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Protocol, TypeVar

from sqlmodel import Session

from gateway.context import RequestContext
from gateway.deps import check_role, request_context
from gateway.errors import ServiceUnavailable
from gateway.principals.auth import TokenId, remember_once, verify_token
from gateway.principals.models import Role
from gateway.services import Services
from gateway.writer import LedgerWrite, Locks, RequestWriter, Stale, WriteJob

T_co = TypeVar("T_co", covariant=True)
T = TypeVar("T")
MAX_ATTEMPTS = 3


class Decided(Protocol[T_co]):
    """A request decided: what to write, and how to answer once written."""

    @property
    def job(self) -> WriteJob: ...

    def answer(self, writes: list[LedgerWrite]) -> T_co: ...


_WRITER_LOCK = threading.Lock()


def writer_of(services: Services) -> RequestWriter:
    """The process's writer for ``services`` (started on first use; see ``close_writer``)."""
    writer: RequestWriter | None = services.extras.get("writer")
    if writer is None:
        with _WRITER_LOCK:
            writer = services.extras.get("writer")
            if writer is None:
                writer = RequestWriter(services.engine, lambda: services.ledger)
                services.extras["writer"] = writer
    return writer


def close_writer(services: Services) -> None:
    writer: RequestWriter | None = services.extras.pop("writer", None)
    if writer is not None:
        writer.close()


def serve(
    services: Services,
    token: str,
    roles: tuple[Role, ...],
    decide: Callable[[RequestContext], Decided[T]],
) -> T:
    """Authenticate, decide and answer one request as the module says."""
    writer = writer_of(services)
    for _ in range(MAX_ATTEMPTS):
        now = services.clock.now()
        with Session(services.engine, expire_on_commit=False) as session:
            caller, token_id = verify_token(session, token, services.token_rules, now)
            try:
                check_role(caller, roles)
                decided = decide(request_context(services, session, caller, now))
            except BaseException:
                session.rollback()
                writer.submit(_SpendToken(token_id, now))
                raise
            session.rollback()  # the read ends here: nothing was written
        try:
            writes = writer.submit(_WithToken(token_id, now, decided.job))
        except Stale:
            continue
        return decided.answer(writes)
    writer.submit(_SpendToken(token_id, now))
    raise ServiceUnavailable(
        "what this request relies on kept changing while it was decided; try again"
    )


class _SpendToken:
    """Only the token id: for a request that failed before it had anything to write."""

    def __init__(self, token_id: TokenId, now: datetime) -> None:
        self._token_id, self._now = token_id, now

    def locks(self) -> Locks:
        return Locks()

    def apply(self, session: Session) -> list[LedgerWrite]:
        remember_once(session, self._token_id, self._now)
        return []


class _WithToken:
    """``job`` after its token id: a replayed token fails the job before it writes."""

    def __init__(self, token_id: TokenId, now: datetime, job: WriteJob) -> None:
        self._token_id, self._now, self._job = token_id, now, job

    def locks(self) -> Locks:
        return self._job.locks()

    def apply(self, session: Session) -> list[LedgerWrite]:
        remember_once(session, self._token_id, self._now)
        return self._job.apply(session)
