"""Tables for objections and credit-repair applications.

Both point at a record by ``(dataset, record_id)`` and remember the version the enterprise saw
(``record_version``): records are versioned, so what was objected to or repaired stays known
after the source corrects it. ``history`` lists every state change with its ledger index.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from gateway.db import UtcDateTime, string_enum


class ObjectionState(StrEnum):
    open = "open"
    under_review = "under_review"
    corrected = "corrected"
    rejected = "rejected"
    withdrawn = "withdrawn"

    @property
    def is_active(self) -> bool:
        return self in (ObjectionState.open, ObjectionState.under_review)


class RepairState(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class Objection(SQLModel, table=True):
    __tablename__ = "objection"
    __table_args__ = (
        Index("ix_objection_record", "enterprise", "dataset", "record_id"),
        Index("ix_objection_source_state", "source_id", "state"),
    )

    id: str = Field(primary_key=True, max_length=32)
    enterprise: str = Field(max_length=18)
    dataset: str = Field(max_length=64)
    record_id: str = Field(max_length=128)
    record_version: int
    field: str | None = Field(default=None, max_length=64)
    # The principal that supplied the objected version: it answers the objection.
    source_id: str = Field(max_length=64)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    evidence: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    state: ObjectionState = Field(sa_type=string_enum(ObjectionState))
    filed_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    deadline: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    resolution: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    corrected_version: int | None = None
    history: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))

    def overdue(self, now: datetime) -> bool:
        return self.state.is_active and now > self.deadline


class CreditRepair(SQLModel, table=True):
    __tablename__ = "credit_repair"
    __table_args__ = (
        Index("ix_credit_repair_record", "enterprise", "dataset", "record_id"),
        Index("ix_credit_repair_state", "state"),
    )

    id: str = Field(primary_key=True, max_length=32)
    enterprise: str = Field(max_length=18)
    dataset: str = Field(max_length=64)
    record_id: str = Field(max_length=128)
    record_version: int
    reason: str = Field(sa_column=Column(Text, nullable=False))
    evidence: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    state: RepairState = Field(sa_type=string_enum(RepairState))
    applied_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    decided_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )
    decided_by: str | None = Field(default=None, max_length=64)
    decision_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # When public display ends (approved repairs only); never before the minimum window.
    effective_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )
    history: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
