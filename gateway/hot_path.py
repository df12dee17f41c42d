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

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlmodel import Session

from gateway.context import RequestContext
from gateway.deps import check_role, request_context
from gateway.errors import CredgateError, ServiceUnavailable
from gateway.principals.auth import TokenId, remember_once, verify_token
from gateway.principals.models import Role
from gateway.services import Services
from gateway.writer import LedgerWrite, Locks, Stale, WriteJob, writer_of

T_co = TypeVar("T_co", covariant=True)
T = TypeVar("T")
K = TypeVar("K")
MAX_ATTEMPTS = 3


class Decided(Protocol[T_co]):
    """A request decided: what to write, and how to answer once written."""

    @property
    def job(self) -> WriteJob: ...

    def answer(self, writes: list[LedgerWrite]) -> T_co: ...


def serve(
    services: Services,
    token: str,
    roles: tuple[Role, ...],
    decide: Callable[[RequestContext], Decided[T]],
) -> T:
    """Authenticate, decide and answer one request as the module says."""
    outcome = serve_each(services, token, roles, [""], lambda ctx, _: decide(ctx))[""]
    if isinstance(outcome, CredgateError):
        raise outcome
    return outcome


def serve_each(
    services: Services,
    token: str,
    roles: tuple[Role, ...],
    keys: Sequence[K],
    decide: Callable[[RequestContext, K], Decided[T]],
) -> dict[K, T | CredgateError]:
    """One request asking the same about each of ``keys`` (a batch of enterprises): each
    key decided, written and answered on its own — in one write job, so one token spent and
    one batch — with its answer or its error. Only a failure of the request itself (its
    token, its caller's role, the batch not recorded) is raised."""
    writer = writer_of(services)
    outcomes: dict[K, T | CredgateError] = {}
    undecided = list(keys)
    token_id: TokenId | None = None
    for _ in range(MAX_ATTEMPTS):
        now = services.clock.now()
        decided: dict[K, Decided[T]] = {}
        with Session(services.engine, expire_on_commit=False) as session:
            caller, verified = verify_token(session, token, services.token_rules, now)
            try:
                check_role(caller, roles)
                ctx = request_context(services, session, caller, now)
                for key in undecided:
                    try:
                        decided[key] = decide(ctx, key)
                    except CredgateError as exc:
                        outcomes[key] = exc
            except BaseException:
                session.rollback()
                if token_id is None:
                    writer.submit(_Parts(verified, now, {}))
                raise
            session.rollback()  # the read ends here: nothing was written
        parts = {key: _Part(d.job) for key, d in decided.items()}
        writer.submit(_Parts(None if token_id else verified, now, parts))
        token_id = verified
        undecided = []
        for key, part in parts.items():
            if part.stale:
                undecided.append(key)
            elif part.error is not None:
                outcomes[key] = part.error
            else:
                try:
                    outcomes[key] = decided[key].answer(part.writes)
                except CredgateError as exc:
                    outcomes[key] = exc
        if not undecided:
            return outcomes
    for key in undecided:
        outcomes[key] = ServiceUnavailable(
            "what this request relies on kept changing while it was decided; try again"
        )
    return outcomes


class _Part:
    """One key's job inside a request's write job."""

    __slots__ = ("error", "job", "stale", "writes")

    def __init__(self, job: WriteJob) -> None:
        self.job = job
        self.writes: list[LedgerWrite] = []
        self.stale = False
        self.error: CredgateError | None = None


class _Parts:
    """A request's write job: its token id first (a replayed token fails the whole request
    before anything is written), then each part in a savepoint of its own — a part whose
    decision went stale, or that failed, is rolled back alone."""

    def __init__(self, token_id: TokenId | None, now: datetime, parts: dict[Any, _Part]) -> None:
        self._token_id, self._now, self._parts = token_id, now, parts

    def locks(self) -> Locks:
        locks = [part.job.locks() for part in self._parts.values()]
        return Locks(
            grants=tuple(g for lock in locks for g in lock.grants),
            principals=tuple(p for lock in locks for p in lock.principals),
            budgets=tuple(b for lock in locks for b in lock.budgets),
        )

    def apply(self, session: Session) -> list[LedgerWrite]:
        if self._token_id is not None:
            remember_once(session, self._token_id, self._now)
        writes: list[LedgerWrite] = []
        for part in self._parts.values():
            try:
                with session.begin_nested():
                    part.writes = part.job.apply(session)
            except Stale:
                part.stale = True
            except CredgateError as exc:
                part.error = exc
            else:
                writes.extend(part.writes)
        return writes


def decide_and_write(ctx: RequestContext, decide: Callable[[RequestContext], Decided[T]]) -> T:
    """:func:`serve` for a request already authenticated by the dependencies (its token
    spent) that has written nothing yet — a counter query, a credit report: decide in its
    session, end that read (the writer commits in between, so the request's later writes
    start a new transaction), write through the writer, answer; decide again if stale."""
    if ctx.writer is None:
        raise ServiceUnavailable("no writer: this request cannot be recorded")
    for _ in range(MAX_ATTEMPTS):
        decided = decide(ctx)
        ctx.session.rollback()
        part = _Part(decided.job)
        ctx.writer.submit(_Parts(None, ctx.now, {0: part}))
        if part.stale:
            continue
        if part.error is not None:
            raise part.error
        return decided.answer(part.writes)
    raise ServiceUnavailable(
        "what this request relies on kept changing while it was decided; try again"
    )
