"""Standing from the latest assessment and the clock, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from gateway.oversight.models import Assessment, Outcome
from gateway.oversight.standing import SuspensionReason, standing_from
from gateway.policy.data import AssessmentParams, load_policy_data
from gateway.principals.models import InstitutionKind, Principal, PrincipalStatus, Role

DATA = load_policy_data()
ZONE = DATA.oversight.zone
REGISTERED = datetime(2026, 1, 1, 4, 0, tzinfo=UTC)  # 12:00 in Benxi


def bank(status: PrincipalStatus = PrincipalStatus.active) -> Principal:
    return Principal(
        id="bank-1",
        role=Role.institution,
        kind=InstitutionKind.bank,
        name="bank",
        status=status,
        created_at=REGISTERED,
    )


def assessed(outcome: Outcome, next_due: date) -> Assessment:
    return Assessment(
        institution="bank-1",
        assessor="assessor-1",
        outcome=outcome,
        findings=[],
        next_due=next_due,
        assessed_at=REGISTERED,
        ledger_index=7,
    )


def local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=ZONE).astimezone(UTC)


def test_a_new_institution_is_due_after_the_first_due_days() -> None:
    due = date(2026, 1, 1) + timedelta(days=DATA.assessment.first_due_days)
    on_time = standing_from(
        bank(),
        None,
        local_midnight(due + timedelta(days=1)) - timedelta(seconds=1),
        DATA.assessment,
        ZONE,
    )
    assert (on_time.status, on_time.next_due) == (PrincipalStatus.active, due)
    late = standing_from(
        bank(), None, local_midnight(due + timedelta(days=1)), DATA.assessment, ZONE
    )
    assert (late.status, late.reason) == (
        PrincipalStatus.suspended,
        SuspensionReason.assessment_overdue,
    )
    assert late.overdue and late.overdue_from == local_midnight(due + timedelta(days=1))


def test_grace_days_push_the_suspension_back() -> None:
    rules = AssessmentParams(first_due_days=10, max_interval_days=366, grace_days=3)
    latest = assessed(Outcome.passed, date(2026, 3, 1))
    assert (
        standing_from(bank(), latest, local_midnight(date(2026, 3, 4)), rules, ZONE).status
        is PrincipalStatus.active
    )
    assert standing_from(bank(), latest, local_midnight(date(2026, 3, 5)), rules, ZONE).overdue


def test_a_failed_assessment_suspends_until_a_passing_one() -> None:
    now = REGISTERED + timedelta(days=1)
    failed = standing_from(
        bank(), assessed(Outcome.failed, date(2026, 6, 1)), now, DATA.assessment, ZONE
    )
    assert (failed.status, failed.reason) == (
        PrincipalStatus.suspended,
        SuspensionReason.assessment_failed,
    )
    for outcome in (Outcome.passed, Outcome.passed_with_findings):
        passed = standing_from(
            bank(), assessed(outcome, date(2026, 6, 1)), now, DATA.assessment, ZONE
        )
        assert (passed.status, passed.reason) == (PrincipalStatus.active, None)


def test_an_operators_suspension_comes_first() -> None:
    now = REGISTERED + timedelta(days=1)
    standing = standing_from(
        bank(PrincipalStatus.suspended),
        assessed(Outcome.passed, date(2026, 6, 1)),
        now,
        DATA.assessment,
        ZONE,
    )
    assert (standing.status, standing.reason) == (
        PrincipalStatus.suspended,
        SuspensionReason.by_operator,
    )


def test_principals_that_are_not_institutions_are_not_assessed() -> None:
    enterprise = bank().model_copy(update={"role": Role.enterprise, "kind": None})
    years_later = REGISTERED + timedelta(days=3650)
    standing = standing_from(enterprise, None, years_later, DATA.assessment, ZONE)
    assert (standing.status, standing.next_due) == (PrincipalStatus.active, None)
