"""Recording assessments: each one is a ledger entry about the institution, then a row.

Assessments are not about an enterprise, so they never enter an enterprise's access log.
Their ledger subject is ``institution:<id>``: the institution's assessments (and the exports
made of its accesses) form one chain that ``verify_subject_page`` checks like an
enterprise's access log, so an assessment cannot be dropped or reordered unnoticed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from gateway.context import RequestContext
from gateway.errors import InvalidInput, NotFound
from gateway.oversight import repository
from gateway.oversight.models import Assessment, Outcome
from gateway.oversight.schemas import AssessmentIn
from gateway.oversight.standing import Standing, local_day, standing_from
from gateway.policy.data import PolicyData
from gateway.principals import repository as principals
from gateway.principals.models import Principal, Role

SUBJECT_PREFIX = "institution:"


def ledger_subject(institution_id: str) -> str:
    return f"{SUBJECT_PREFIX}{institution_id}"


def get_institution(
    session: Session, institution_id: str, *, for_change: bool = False
) -> Principal:
    """The institution (its row locked for a change of its standing with ``for_change``)."""
    get = principals.get_for_change if for_change else principals.get
    principal = get(session, institution_id)
    if principal is None or principal.role is not Role.institution:
        raise NotFound(f"no institution {institution_id!r}")
    return principal


def _invalid(field: str, problem: str) -> InvalidInput:
    return InvalidInput(
        f"assessment {field}: {problem}", detail=[{"field": field, "problem": problem}]
    )


def _check(body: AssessmentIn, now: datetime, data: PolicyData) -> None:
    if body.outcome is Outcome.passed and body.findings:
        raise _invalid("findings", "an assessment with findings is passed_with_findings")
    if body.outcome is not Outcome.passed and not body.findings:
        raise _invalid("findings", f"a {body.outcome.value} assessment must state its findings")
    today = local_day(now, data.oversight.zone)
    latest_due = today + timedelta(days=data.assessment.max_interval_days)
    if not today < body.next_due <= latest_due:
        raise _invalid(
            "next_due",
            f"must be after {today.isoformat()} and at most "
            f"{data.assessment.max_interval_days} days ahead ({latest_due.isoformat()})",
        )


def record(
    ctx: RequestContext, institution_id: str, body: AssessmentIn
) -> tuple[Assessment, Standing]:
    """Record ``body`` as the calling assessor's assessment of the institution; returns it
    and the institution's standing after it."""
    ctx.write()
    session, data, assessor, now = ctx.session, ctx.policy_data, ctx.caller, ctx.now
    institution = get_institution(session, institution_id, for_change=True)
    _check(body, now, data)
    zone = data.oversight.zone
    before = standing_from(
        institution,
        repository.latest_assessment(session, institution.id, now),
        now,
        data.assessment,
        zone,
    )
    findings = [f.model_dump(mode="json", exclude_none=True) for f in body.findings]
    draft = Assessment(
        institution=institution.id,
        assessor=assessor.id,
        outcome=body.outcome,
        findings=findings,
        next_due=body.next_due,
        assessed_at=now,
        ledger_index=-1,
    )
    after = standing_from(institution, draft, now, data.assessment, zone)
    entry: dict[str, Any] = {
        "type": "oversight.assessment",
        "institution": institution.id,
        "assessor": assessor.id,
        "outcome": body.outcome.value,
        "findings": findings,
        "next_due": body.next_due.isoformat(),
        "assessed_at": now.isoformat(),
        "status_before": before.status.value,
        "status_after": after.status.value,
    }
    draft.ledger_index = ctx.record(entry, ledger_subject(institution.id))
    return repository.add_assessment(session, draft), after
