"""Wire shapes of batches and reconciliation reports."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

BATCH_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
RECORD_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
MAX_BATCH_RECORDS = 10_000


class BatchMode(StrEnum):
    partial = "partial"  # store the good records, report the bad ones
    all_or_nothing = "all_or_nothing"  # one bad record rejects the whole batch


class BatchRecordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    record_id: str | None = Field(default=None, pattern=RECORD_ID_PATTERN)
    retract: bool = False
    fields: dict[str, Any] = Field(default_factory=dict)


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    batch_id: str = Field(pattern=BATCH_ID_PATTERN)
    mode: BatchMode = BatchMode.partial
    records: list[BatchRecordIn] = Field(min_length=1, max_length=MAX_BATCH_RECORDS)


class RecordOutcome(StrEnum):
    created = "created"
    superseded = "superseded"  # stored as a new version of an existing record
    unchanged = "unchanged"
    retracted = "retracted"
    rejected = "rejected"


class BatchRecordResult(BaseModel):
    index: int
    record_id: str | None
    outcome: RecordOutcome
    version: int | None = None
    errors: list[dict[str, str]] = Field(default_factory=list)


class BatchResult(BaseModel):
    batch_id: str
    dataset: str
    source_id: str
    received_at: datetime
    accepted: int
    unchanged: int
    superseded: int
    retracted: int
    rejected: int
    records: list[BatchRecordResult]


class BatchSummary(BaseModel):
    batch_id: str
    received_at: datetime
    accepted: int
    unchanged: int
    superseded: int
    retracted: int
    rejected: int
    current_records: int


class DatasetStatus(BaseModel):
    dataset: str
    name_zh: str
    source_id: str
    sharing_method: str
    update_frequency: str
    stored: bool
    last_update: datetime | None
    overdue: bool


class ReconciliationReport(BaseModel):
    dataset: str
    as_of: datetime
    current_records: int
    enterprises: int
    digest: str
    digest_algorithm: str
    status: DatasetStatus
    batches: list[BatchSummary]
    record_digests: list[tuple[str, str]] | None = None
    next_after: str | None = None
