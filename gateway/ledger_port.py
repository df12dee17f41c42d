"""How the gateway's features write to the ledger: a narrow port, failing closed.

Features depend on :class:`LedgerPort` (the ledger's ``append`` and ``enqueue``), never on
the ledger's storage. Any failure to append becomes :class:`ServiceUnavailable`, so the caller
answers 503 and discloses nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from sqlmodel import Session

from gateway.db import commit_deferring_flush, is_single_writer, lock_for_write
from gateway.errors import ServiceUnavailable

log = logging.getLogger(__name__)


class Receipt(Protocol):
    @property
    def index(self) -> int: ...


class PendingEntry(Protocol):
    def wait(self) -> Receipt: ...


class LedgerPort(Protocol):
    def append(self, payload: dict[str, Any], subject: str | None = None) -> Receipt: ...

    def enqueue(self, payload: dict[str, Any], subject: str | None = None) -> PendingEntry: ...


def record(ledger: LedgerPort | None, payload: dict[str, Any], subject: str | None) -> int:
    """Append ``payload`` durably and return its index, or raise ``ServiceUnavailable``."""
    appending = _open(ledger)
    try:
        return appending.append(payload, subject=subject).index
    except Exception as exc:  # any ledger failure fails closed
        raise _unavailable(exc) from None


def _open(ledger: LedgerPort | None) -> LedgerPort:
    if ledger is None:
        raise ServiceUnavailable("the ledger is not available; nothing can be served")
    return ledger


def _unavailable(exc: Exception) -> ServiceUnavailable:
    log.error("ledger append failed", exc_info=exc)
    return ServiceUnavailable(f"the ledger could not record this request: {type(exc).__name__}")


def record_in_lock_order(
    session: Session,
    ledger: LedgerPort | None,
    payload: dict[str, Any],
    subject: str | None,
    undo: Callable[[Session], None],
) -> int:
    """:func:`record` for a request that holds the database's write lock and has decided.

    Where that lock is the whole database's (SQLite: see :func:`gateway.db.is_single_writer`)
    holding it while the ledger reaches the disk would make every request wait for every
    other's flush. So the entry is queued while the lock is held, which fixes its place in
    the ledger after every entry of a request that held the lock before (a revoke included);
    then the request's transaction commits, letting the next writer in, and the entry is
    awaited outside the lock. The request goes on in a new write transaction. If the entry
    fails, ``undo`` reverses in that transaction what the committed one did (the request
    answers 503 and has disclosed nothing).

    On PostgreSQL the row locks stay held until the entry is durable, as in :func:`record`.
    """
    if not is_single_writer(session):
        return record(ledger, payload, subject)
    appending = _open(ledger)
    try:
        pending = appending.enqueue(payload, subject=subject)
    except Exception as exc:
        raise _unavailable(exc) from None
    commit_deferring_flush(session)  # the request's last commit flushes this one too
    try:
        index = pending.wait().index
    except Exception as exc:
        lock_for_write(session)
        undo(session)
        session.commit()
        raise _unavailable(exc) from None
    lock_for_write(session)
    return index
