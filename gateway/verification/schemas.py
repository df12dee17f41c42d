from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

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
