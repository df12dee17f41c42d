"""The assessments of institutions' information security; the latest one sets their standing."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Date, Enum, Index, Integer
from sqlmodel import Field, SQLModel

from gateway.db import UtcDateTime

BigId = BigInteger().with_variant(Integer(), "sqlite")


class Outcome(StrEnum):
    passed = "passed"
    passed_with_findings = "passed_with_findings"
    failed = "failed"

    @property
    def passing(self) -> bool:
        return self is not Outcome.failed


class Assessment(SQLModel, table=True):
    """One recorded assessment; never changed, a later one supersedes it."""

    __tablename__ = "assessment"
    __table_args__ = (Index("ix_assessment_institution_at", "institution", "assessed_at"),)

    id: int | None = Field(
        default=None, sa_column=Column(BigId, primary_key=True, autoincrement=True)
    )
    institution: str = Field(max_length=64)
    assessor: str = Field(max_length=64)
    outcome: Outcome = Field(
        sa_type=Enum(
            Outcome,
            native_enum=False,
            length=24,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    findings: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    next_due: date = Field(sa_column=Column(Date, nullable=False))
    assessed_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    ledger_index: int = Field(sa_column=Column(BigInteger, nullable=False, unique=True))
