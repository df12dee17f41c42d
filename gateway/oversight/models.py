"""The assessments of institutions' information security; the latest one sets their standing."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Date, Index, Integer
from sqlmodel import Field, SQLModel

from gateway.db import UtcDateTime, string_enum

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
    outcome: Outcome = Field(sa_type=string_enum(Outcome, length=24))
    findings: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    next_due: date = Field(sa_column=Column(Date, nullable=False))
    assessed_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    ledger_index: int = Field(sa_column=Column(BigInteger, nullable=False, unique=True))
