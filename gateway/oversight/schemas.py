"""The wire format of the assessors' API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from gateway.oversight.detectors import Kind, Severity
from gateway.oversight.models import Outcome
from gateway.principals.models import InstitutionKind, PrincipalStatus

MAX_FINDINGS = 200
MAX_EVIDENCE = 1000


class PeriodOut(BaseModel):
    since: datetime
    until: datetime


class Counts(BaseModel):
    allowed: int = 0
    denied: int = 0


class DayVolume(BaseModel):
    day: date  # local calendar day of the platform
    reports: int = 0
    verifications: int = 0
    denied: int = 0


class AuthorizationsOut(BaseModel):
    received: int  # granted to the institution in the period
    used: int  # distinct authorizations its accesses in the period used
    uses: int  # accesses in the period that used at least one


class ActivityOut(BaseModel):
    reports: Counts
    verifications: Counts
    by_day: list[DayVolume]
    purposes: dict[str, int]
    denials: dict[str, int]  # by reason
    enterprises_touched: int
    enterprises_without_authorization: int
    threshold_limit_hits: int


class AnomalyOut(BaseModel):
    kind: Kind
    institution: str
    severity: Severity
    first_at: datetime
    last_at: datetime
    subject: str | None
    summary: str
    detail: dict[str, Any]
    ledger_indexes: list[int]


class FindingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    severity: Severity
    description: str = Field(min_length=1, max_length=2000)
    code: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_.-]{0,63}$")
    # Ledger indexes of the entries the finding rests on.
    evidence: list[Annotated[int, Field(ge=0)]] = Field(
        default_factory=list, max_length=MAX_EVIDENCE
    )


class AssessmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    findings: list[FindingIn] = Field(default_factory=list, max_length=MAX_FINDINGS)
    next_due: date


class AssessmentOut(BaseModel):
    id: int
    institution: str
    assessor: str
    outcome: Outcome
    findings: list[dict[str, Any]]
    next_due: date
    assessed_at: datetime
    ledger_index: int


class StandingOut(BaseModel):
    status: PrincipalStatus  # what the policy is told
    stored_status: PrincipalStatus
    reason: str | None
    next_due: date | None
    overdue: bool
    suspended_for_overdue_from: datetime | None
    latest_assessment: AssessmentOut | None


class InstitutionSummaryOut(BaseModel):
    id: str
    name: str
    kind: InstitutionKind | None
    standing: StandingOut
    reports: int
    verifications: int
    denied: int
    anomalies: int


class InstitutionListOut(BaseModel):
    period: PeriodOut
    institutions: list[InstitutionSummaryOut]


class InstitutionDetailOut(BaseModel):
    id: str
    name: str
    kind: InstitutionKind | None
    period: PeriodOut
    standing: StandingOut
    activity: ActivityOut
    authorizations: AuthorizationsOut
    anomalies: list[AnomalyOut]
    assessments: list[AssessmentOut]


class AnomaliesOut(BaseModel):
    period: PeriodOut
    anomalies: list[AnomalyOut]
