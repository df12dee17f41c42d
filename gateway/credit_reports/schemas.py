"""Wire shapes of credit reports (the envelope itself is canonical JSON, see document.py)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from gateway.access.service import PURPOSE_PATTERN


class CreditReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purpose: str = Field(pattern=PURPOSE_PATTERN, description="procurement, bidding, approval, …")
