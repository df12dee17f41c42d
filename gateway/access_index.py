"""An index of access decisions by institution, for assessors.

The ledger is the record; this table is a queryable copy of the facts of each access entry
(who, whom, what, when, allowed or not, why), keyed by its ledger index, written in the
transaction of the request's write section right after the ledger append, denials included
(``gateway.writer``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, insert
from sqlmodel import Field, Session, SQLModel

from gateway.db import UtcDateTime
from gateway.notifications import emit
from gateway.prepared import Prepared

BigId = BigInteger().with_variant(Integer(), "sqlite")


class AccessEvent(SQLModel, table=True):
    __tablename__ = "access_event"
    __table_args__ = (Index("ix_access_event_caller_at", "caller", "at"),)

    id: int | None = Field(
        default=None, sa_column=Column(BigId, primary_key=True, autoincrement=True)
    )
    ledger_index: int = Field(sa_column=Column(BigInteger, nullable=False, unique=True))
    at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    caller: str = Field(max_length=64)
    caller_role: str = Field(max_length=16)
    subject: str = Field(max_length=18, index=True)
    action: str = Field(max_length=32)
    purpose: str | None = Field(default=None, max_length=64)
    allowed: bool
    reason: str = Field(max_length=64)
    authorizations: list[str] = Field(sa_column=Column(JSON, nullable=False))
    detail: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


@dataclass(frozen=True, slots=True)
class AccessFacts:
    """One access decision as indexed (see :class:`AccessEvent`)."""

    ledger_index: int
    at: datetime
    caller: str
    caller_role: str
    subject: str
    action: str
    purpose: str | None
    allowed: bool
    reason: str
    authorizations: list[str]
    detail: dict[str, Any]


def index_access(session: Session, facts: AccessFacts) -> None:
    """Insert ``facts`` in the write section's transaction."""
    index_accesses(session, [facts])


def index_accesses(session: Session, indexed: Sequence[AccessFacts]) -> None:
    """Insert every one of ``indexed`` (a writer's batch) and notify their enterprises, one
    multi-row statement each."""
    if not indexed:
        return
    _INSERT.run_many(session, [{name: getattr(f, name) for name in _FIELDS} for f in indexed])
    emit.accesses_logged(session, indexed)


_INSERT = Prepared(insert(AccessEvent.__table__))  # type: ignore[attr-defined]
_FIELDS = AccessFacts.__slots__
