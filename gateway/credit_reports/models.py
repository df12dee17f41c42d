"""Issued credit reports: the signed envelope as handed out, kept so it can be fetched again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from gateway.db import UtcDateTime


class CreditReport(SQLModel, table=True):
    __tablename__ = "credit_report"

    id: str = Field(primary_key=True, max_length=40)
    enterprise: str = Field(max_length=18, index=True)
    purpose: str = Field(max_length=64)
    requested_by: str = Field(max_length=64, index=True)
    requested_role: str = Field(max_length=16)
    issued_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    document_sha256: str = Field(max_length=64)
    ledger_index: int
    envelope: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
