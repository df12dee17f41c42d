"""One request's unit of work: who asks, when, in which transaction, under which policy.

Every feature's service takes a :class:`RequestContext` instead of its parts. It is built once
per request by ``gateway.deps`` (or by the hot path, see ``gateway.access.hot_path``) and holds
the request's one transaction, its one clock reading and its authenticated caller. Writing to
the ledger goes through :meth:`RequestContext.record`, which fails closed and indexes access
decisions in the same transaction as their entry.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from gateway import ledger_port
from gateway.access_index import AccessFacts, index_access
from gateway.catalog.model import Catalog
from gateway.db import lock_for_write
from gateway.policy.data import PenaltyPublicationParams, PolicyData
from gateway.policy.engine import PolicyEngine
from gateway.principals.models import Principal
from ledger.log import Ledger

if TYPE_CHECKING:
    from gateway.access.live_sources import LiveSources
    from gateway.writer import RequestWriter


@dataclass(frozen=True, slots=True)
class RequestContext:
    """The request's transaction, clock reading, caller and the process's wiring."""

    session: Session
    now: datetime
    caller: Principal
    catalog: Catalog
    policy_data: PolicyData
    policy_engine: PolicyEngine
    ledger: Ledger | None
    live: LiveSources | None
    audience: str
    # the process's writer of decided requests (gateway.hot_path.decide_and_write)
    writer: RequestWriter | None = None

    @property
    def publication(self) -> PenaltyPublicationParams:
        return self.policy_data.penalty_publication

    def as_caller(self, caller: Principal) -> RequestContext:
        """The same unit of work on behalf of ``caller`` (a counter query's represented party)."""
        return replace(self, caller=caller)

    def write(self) -> None:
        """Begin the write section: on SQLite take the database's write lock (first thing in
        the transaction, so that what is read next cannot change before it is written);
        PostgreSQL locks rows instead. Harmless when already taken."""
        lock_for_write(self.session)

    def record(
        self,
        entry: dict[str, Any],
        subject: str | None,
        access: AccessFacts | None = None,
    ) -> int:
        """Append ``entry`` to the ledger durably (fail closed: ``ServiceUnavailable``) and,
        for an access decision, index ``access`` under the entry's index in this transaction.
        Returns the entry's ledger index."""
        index = ledger_port.record(self.ledger, entry, subject)
        if access is not None:
            index_access(self.session, replace(access, ledger_index=index))
        return index
