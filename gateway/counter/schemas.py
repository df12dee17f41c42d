"""Wire shapes of counter queries (线下查询)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from gateway.access.schemas import ReportOut
from gateway.access.service import PURPOSE_PATTERN
from gateway.principals.schemas import PRINCIPAL_ID_PATTERN


class PaperAuthorizationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the scan, hex")
    presented_by: str = Field(min_length=1, max_length=200, description="who handed it over")
    signed_on: datetime | None = Field(None, description="the date on the paper, if any")


class CounterReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    represented: str = Field(pattern=PRINCIPAL_ID_PATTERN, description="the walk-in party's id")
    enterprise: str | None = Field(
        None, description="the enterprise asked about (an enterprise asks about itself)"
    )
    purpose: str = Field(pattern=PURPOSE_PATTERN)
    paper_authorization: PaperAuthorizationIn


class CounterReportOut(BaseModel):
    operator: str
    represented: str
    report: ReportOut
    counter_ledger_index: int
