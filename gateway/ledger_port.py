"""How the gateway's features write to the ledger: a narrow port, failing closed.

Features depend on :class:`LedgerPort` (the ledger's ``append``), never on the ledger's
storage. Any failure to append becomes :class:`ServiceUnavailable`, so the caller answers 503
and discloses nothing.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from gateway.errors import ServiceUnavailable

log = logging.getLogger(__name__)


class Receipt(Protocol):
    @property
    def index(self) -> int: ...


class LedgerPort(Protocol):
    def append(self, payload: dict[str, Any], subject: str | None = None) -> Receipt: ...


def record(ledger: LedgerPort | None, payload: dict[str, Any], subject: str | None) -> int:
    """Append ``payload`` durably and return its index, or raise ``ServiceUnavailable``."""
    if ledger is None:
        raise ServiceUnavailable("the ledger is not available; nothing can be served")
    try:
        return ledger.append(payload, subject=subject).index
    except Exception as exc:  # any ledger failure fails closed
        log.exception("ledger append failed")
        raise ServiceUnavailable(
            f"the ledger could not record this request: {type(exc).__name__}"
        ) from None
