"""An institution's standing: active, or suspended by an operator, a failed assessment or an
overdue one. ``gateway.oversight.status.effective_status`` tells the policy what this says.

Due dates are calendar dates of the platform's time zone: an institution due on 1 March is
suspended from 00:00 local time on 2 March (plus the grace days of the policy data).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlmodel import Session

from gateway.oversight import repository
from gateway.oversight.models import Assessment, Outcome
from gateway.policy.data import AssessmentParams
from gateway.principals.models import Principal, PrincipalStatus, Role


class SuspensionReason(StrEnum):
    by_operator = "suspended_by_operator"
    assessment_failed = "assessment_failed"
    assessment_overdue = "assessment_overdue"


@dataclass(frozen=True, slots=True)
class Standing:
    status: PrincipalStatus
    reason: SuspensionReason | None
    latest: Assessment | None
    # When the next assessment is due (None for principals that are not assessed).
    next_due: date | None
    # The moment the institution is (or was) suspended for being overdue.
    overdue_from: datetime | None

    @property
    def overdue(self) -> bool:
        return self.reason is SuspensionReason.assessment_overdue


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def start_of_day(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def due_date(
    principal: Principal, latest: Assessment | None, rules: AssessmentParams, zone: ZoneInfo
) -> date:
    if latest is not None:
        return latest.next_due
    return local_day(principal.created_at, zone) + timedelta(days=rules.first_due_days)


def standing_from(
    principal: Principal,
    latest: Assessment | None,
    now: datetime,
    rules: AssessmentParams,
    zone: ZoneInfo,
) -> Standing:
    """Standing from the stored status and the latest assessment (pure: no I/O)."""
    reason: SuspensionReason | None = None
    if principal.role is not Role.institution:
        if principal.status is PrincipalStatus.suspended:
            reason = SuspensionReason.by_operator
        return Standing(principal.status, reason, None, None, None)
    due = due_date(principal, latest, rules, zone)
    overdue_from = start_of_day(due + timedelta(days=1 + rules.grace_days), zone)
    if principal.status is PrincipalStatus.suspended:
        reason = SuspensionReason.by_operator
    elif latest is not None and latest.outcome is Outcome.failed:
        reason = SuspensionReason.assessment_failed
    elif now >= overdue_from:
        reason = SuspensionReason.assessment_overdue
    status = PrincipalStatus.active if reason is None else PrincipalStatus.suspended
    return Standing(status, reason, latest, due, overdue_from)


def standing_of(
    session: Session, principal: Principal, now: datetime, rules: AssessmentParams, zone: ZoneInfo
) -> Standing:
    """The standing of ``principal`` at ``now``. Assessments recorded after ``now`` (a clock
    set back) are ignored, so the answer depends only on what was known at ``now``."""
    latest = (
        repository.latest_assessment(session, principal.id, now)
        if principal.role is Role.institution
        else None
    )
    return standing_from(principal, latest, now, rules, zone)
