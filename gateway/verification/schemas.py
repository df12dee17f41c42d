from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_CHECKS = 32


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    predicate: str = Field(min_length=1, max_length=64)
    args: dict[str, Any] = Field(default_factory=dict)


class VerificationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purpose: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    checks: list[CheckIn] = Field(min_length=1, max_length=MAX_CHECKS)


class CheckResult(BaseModel):
    predicate: str
    holds: bool | None  # None: the data to decide is missing (or the check was not permitted)
    permitted: bool
    reason: str


class VerificationOut(BaseModel):
    enterprise: str
    purpose: str
    results: list[CheckResult]
    policy_revision: str
    authorizations_used: list[str]
    ledger_index: int


MAX_BATCH_ENTERPRISES = 64


class BatchVerificationIn(BaseModel):
    """The same checks about several enterprises (a bank screening a list of demands)."""

    model_config = ConfigDict(extra="forbid")

    purpose: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    enterprises: list[str] = Field(min_length=1, max_length=MAX_BATCH_ENTERPRISES)
    checks: list[CheckIn] = Field(min_length=1, max_length=MAX_CHECKS)

    @field_validator("enterprises")
    @classmethod
    def _distinct(cls, enterprises: list[str]) -> list[str]:
        if len(set(enterprises)) != len(enterprises):
            raise ValueError("each enterprise at most once")
        return enterprises

    def for_one(self) -> VerificationIn:
        return VerificationIn(purpose=self.purpose, checks=self.checks)


class BatchItemOut(BaseModel):
    """One enterprise of a batch: its answer, or the error it alone would have had."""

    enterprise: str
    status: int
    result: VerificationOut | None = None
    error: str | None = None
    message: str | None = None
    detail: Any = None


class BatchVerificationOut(BaseModel):
    purpose: str
    items: list[BatchItemOut]


class BudgetUseOut(BaseModel):
    enterprise: str
    predicate: str
    thresholds_asked: int
    remaining: int


class BudgetOut(BaseModel):
    """An institution's bisection budget today (Benxi's day): per enterprise and predicate,
    how many distinct thresholds it has tested and how many more it may test."""

    day: date
    budget_per_day: int
    used: list[BudgetUseOut]
