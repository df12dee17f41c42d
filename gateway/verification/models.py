"""The thresholds each institution has tested, per predicate, enterprise and day."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Date, UniqueConstraint
from sqlmodel import Field, SQLModel

from gateway.db import UtcDateTime


class ThresholdProbe(SQLModel, table=True):
    """One distinct threshold an institution asked about; the budget counts these rows."""

    __tablename__ = "threshold_probe"
    __table_args__ = (
        UniqueConstraint(
            "institution", "enterprise", "predicate", "day", "threshold", name="uq_threshold_probe"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    institution: str = Field(max_length=64)
    enterprise: str = Field(max_length=18)
    predicate: str = Field(max_length=64)
    day: date = Field(sa_column=Column(Date, nullable=False))
    threshold: str = Field(max_length=64)
    first_asked_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
