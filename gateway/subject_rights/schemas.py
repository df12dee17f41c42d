"""The wire format of objections and credit repairs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gateway.subject_rights.models import CreditRepair, Objection, ObjectionState, RepairState

DATASET_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"


class EvidenceIn(BaseModel):
    """A document the enterprise relies on, named by its digest (the gateway stores no files)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    sha256: str = Field(pattern=r"^[0-9A-Fa-f]{64}$")
    description: str = Field(default="", max_length=1000)

    @field_validator("sha256")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()


class _Application(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dataset: str = Field(pattern=DATASET_PATTERN)
    record_id: str = Field(min_length=1, max_length=128)
    reason: str = Field(min_length=1, max_length=4000)
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=20)


class ObjectionIn(_Application):
    field: str | None = Field(
        default=None, pattern=DATASET_PATTERN, description="the field objected to; omit: all"
    )


class RepairIn(_Application):
    pass


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=4000)


class ObjectionOut(BaseModel):
    id: str
    enterprise: str
    dataset: str
    record_id: str
    record_version: int
    field: str | None
    source_id: str
    reason: str
    evidence: list[dict[str, Any]]
    state: ObjectionState
    overdue: bool
    filed_at: datetime
    deadline: datetime
    updated_at: datetime
    resolution: str | None
    corrected_version: int | None
    history: list[dict[str, Any]]

    @classmethod
    def of(cls, objection: Objection, now: datetime) -> ObjectionOut:
        return cls(**objection.model_dump(), overdue=objection.overdue(now))


class RepairOut(BaseModel):
    id: str
    enterprise: str
    dataset: str
    record_id: str
    record_version: int
    reason: str
    evidence: list[dict[str, Any]]
    state: RepairState
    applied_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    decision_reason: str | None
    effective_at: datetime | None
    history: list[dict[str, Any]]

    @classmethod
    def of(cls, repair: CreditRepair) -> RepairOut:
        return cls(**repair.model_dump())


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(default=None, max_length=4000)
