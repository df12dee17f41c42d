"""One writer thread per process that writes whole requests in batches.

A verification or report decides outside any lock (see ``gateway.access.hot_path``) and then
hands the writer a :class:`WriteJob`: what it must write (its token id, budget, use counts)
and the ledger entries it makes. The writer takes everything queued, and in ONE transaction:

1. takes the locks (SQLite: the database's write lock; PostgreSQL: the rows every job relies
   on, in one global order so that two replicas' writers cannot deadlock);
2. applies each job in a savepoint of its own: the job re-checks what it decided on (the
   grants it used still in force, the caller's standing unchanged) and raises :class:`Stale`
   if it changed — the request then decides again — or a ``CredgateError`` that fails just
   that request; its savepoint is rolled back, the others go on;
3. queues every entry of the batch with the ledger while the locks are held (so the ledger's
   order follows the lock order: a revoke acknowledged before this batch took its locks is
   seen by it, one acknowledged later is ordered after it), waits for them (one ledger
   commit), indexes the access decisions under their ledger indexes;
4. commits (one flush) and only then wakes the requests.

If the ledger cannot take the batch, or the commit cannot reach the disk, the whole
transaction is rolled back and every request of the batch gets ``ServiceUnavailable``:
nothing was disclosed. A crash after the ledger's commit and before this one leaves ledger
entries for requests that were never answered (docs/performance.md): the ledger may say more
than was served, never less.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from gateway import ledger_port
from gateway.access_index import AccessFacts, index_accesses
from gateway.db import CommitNotDurable, lock_for_write
from gateway.errors import CredgateError, ServiceUnavailable

if TYPE_CHECKING:
    from gateway.services import Services

log = logging.getLogger(__name__)

MAX_BATCH = 256
SUBMIT_TIMEOUT_SECONDS = 60.0


class Stale(Exception):
    """What a request decided on changed before its write section: decide again."""


@dataclass(slots=True)
class LedgerWrite:
    """A ledger entry a job makes; ``access`` is indexed under its index once known."""

    entry: dict[str, Any]
    subject: str | None
    access: AccessFacts | None = None
    index: int = -1


@dataclass(frozen=True, slots=True)
class Locks:
    """What a job relies on, locked for the batch on PostgreSQL (SQLite locks everything)."""

    grants: tuple[str, ...] = ()
    principals: tuple[str, ...] = ()
    # (institution, enterprise) pairs whose bisection budget the job counts
    budgets: tuple[tuple[str, str], ...] = ()


class WriteJob(Protocol):
    def locks(self) -> Locks: ...

    def apply(self, session: Session) -> list[LedgerWrite]:
        """Re-check and write, in the writer's transaction; the entries to append."""
        ...


@dataclass(eq=False, slots=True)
class _Pending:
    job: WriteJob
    writes: list[LedgerWrite] = field(default_factory=list)
    error: BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)


_STOP = object()


class RequestWriter:
    """The process's writer thread for ``engine`` (start on first use, close at shutdown)."""

    def __init__(self, engine: Engine, ledger: Callable[[], ledger_port.LedgerPort | None]) -> None:
        self._engine = engine
        self._ledger = ledger
        self._postgres = engine.dialect.name == "postgresql"
        self._queue: queue.SimpleQueue[_Pending | object] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="request-writer", daemon=True)
        self._thread.start()
        self.batches = 0  # for tests and benchmarks: how many transactions were written
        self.jobs = 0

    def submit(self, job: WriteJob) -> list[LedgerWrite]:
        """Write ``job`` in the next batch; its ledger writes with their indexes set.

        Raises what the job raised (:class:`Stale`, a ``CredgateError``) or
        ``ServiceUnavailable`` when the batch could not be made durable."""
        pending = _Pending(job)
        self._queue.put(pending)
        if not pending.done.wait(SUBMIT_TIMEOUT_SECONDS):
            raise ServiceUnavailable("the writer did not answer in time")
        if pending.error is not None:
            raise pending.error
        return pending.writes

    def close(self, timeout: float = 10.0) -> None:
        self._queue.put(_STOP)
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            batch = [item]
            stop = False
            while len(batch) < MAX_BATCH:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is _STOP:
                    stop = True
                    break
                batch.append(more)
            self._write([b for b in batch if isinstance(b, _Pending)])
            if stop:
                return

    def _write(self, batch: list[_Pending]) -> None:
        try:
            self._write_batch(batch)
        except BaseException as exc:  # the whole batch failed: nothing of it was committed
            failure = _unavailable(exc)
            for pending in batch:
                if pending.error is None:
                    pending.error = failure
        finally:
            self.batches += 1
            self.jobs += len(batch)
            for pending in batch:
                pending.done.set()

    def _write_batch(self, batch: list[_Pending]) -> None:
        with Session(self._engine, expire_on_commit=False) as session:
            lock_for_write(session)
            if self._postgres:
                _lock_rows(session, [p.job.locks() for p in batch])
            for pending in batch:
                try:
                    with session.begin_nested():
                        pending.writes = pending.job.apply(session)
                except Exception as exc:
                    pending.error = exc
            writes = [w for p in batch if p.error is None for w in p.writes]
            if writes:
                _append(self._ledger(), writes)
                index_accesses(
                    session,
                    [
                        replace(w.access, ledger_index=w.index)
                        for w in writes
                        if w.access is not None
                    ],
                )
            session.commit()


def _append(ledger: ledger_port.LedgerPort | None, writes: Sequence[LedgerWrite]) -> None:
    """Queue every entry (in order, locks held), then wait for them: one ledger commit."""
    if ledger is None:
        raise ServiceUnavailable("the ledger is not available; nothing can be served")
    try:
        pending = [ledger.enqueue(w.entry, subject=w.subject) for w in writes]
        for write, entry in zip(writes, pending, strict=True):
            write.index = entry.wait().index
    except Exception as exc:  # any ledger failure fails the batch closed
        raise ledger_port.unavailable(exc) from None


def _unavailable(exc: BaseException) -> BaseException:
    """What every request of a failed batch is answered with: the failure itself where the
    error handlers know it (a commit that did not reach the disk, a locked database), else
    ``ServiceUnavailable``."""
    if isinstance(exc, CredgateError | CommitNotDurable | OperationalError):
        return exc
    log.error("a write batch failed", exc_info=exc)
    return ServiceUnavailable(f"this request could not be recorded: {type(exc).__name__}")


def _lock_rows(session: Session, locks: list[Locks]) -> None:
    """PostgreSQL: lock what the batch relies on, each kind in one sorted order, so that two
    replicas' writers (and a revoke, which locks one grant) cannot wait on each other in a
    cycle. Grants FOR UPDATE (their use counts change), principals FOR SHARE (an assessment or
    a suspension takes them FOR UPDATE), budgets by transaction-scoped advisory locks."""
    grants = sorted({g for lock in locks for g in lock.grants})
    principals = sorted({p for lock in locks for p in lock.principals})
    budgets = sorted({b for lock in locks for b in lock.budgets})
    if grants:
        session.execute(
            text("SELECT id FROM authorization_grant WHERE id = ANY(:ids) ORDER BY id FOR UPDATE"),
            {"ids": grants},
        )
    if principals:
        session.execute(
            text("SELECT id FROM principal WHERE id = ANY(:ids) ORDER BY id FOR SHARE"),
            {"ids": principals},
        )
    for institution, enterprise in budgets:
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"budget:{institution}:{enterprise}"},
        )


_WRITER_LOCK = threading.Lock()


def writer_of(services: Services) -> RequestWriter:
    """The process's writer for ``services`` (started on first use; see :func:`close_writer`)."""
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
