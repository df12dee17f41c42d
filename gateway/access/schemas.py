from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class RecordOut(BaseModel):
    record_id: str
    version: int | None
    valid_from: datetime | None
    fields: dict[str, Any]
    disputed: bool = False  # an objection to it is open or under review
    repaired: bool = False  # a credit repair is approved (institutions stop seeing it)


class DatasetOut(BaseModel):
    dataset: str
    name_zh: str
    live: bool
    records: list[RecordOut]
    source_unavailable: str | None = None


class WithheldOut(BaseModel):
    dataset: str
    field: str
    reason: str


class DecisionOut(BaseModel):
    allow: bool
    reason: str
    policy_revision: str


class ReportOut(BaseModel):
    enterprise: str
    enterprise_name: str
    purpose: str
    generated_at: datetime
    decision: DecisionOut
    datasets: list[DatasetOut]
    withheld: list[WithheldOut]
    authorizations_used: list[str]
    ledger_index: int
