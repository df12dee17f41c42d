"""How the gateway's features write to the ledger: a narrow port, failing closed.

Features depend on :class:`LedgerPort` (the ledger's ``append`` and ``enqueue``), never on
the ledger's storage. Any failure to append becomes :class:`ServiceUnavailable`, so the caller
answers 503 and discloses nothing.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

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
        raise unavailable(exc) from None


def _open(ledger: LedgerPort | None) -> LedgerPort:
    if ledger is None:
        raise ServiceUnavailable("the ledger is not available; nothing can be served")
    return ledger


def unavailable(exc: Exception) -> ServiceUnavailable:
    """What a ledger failure becomes for the caller (logged here)."""
    log.error("ledger append failed", exc_info=exc)
    return ServiceUnavailable(f"the ledger could not record this request: {type(exc).__name__}")
