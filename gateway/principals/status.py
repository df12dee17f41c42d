"""A principal's effective status at a moment: what the policy is told (active/suspended).

An operator's stored status comes first. An institution is also suspended while its latest
assessment is a failure, or once its next assessment is overdue (a never-assessed institution
is due ``assessment.first_due_days`` after registration); a later passing assessment
reinstates it. The rules are in ``gateway.oversight.standing``.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from gateway.oversight.standing import standing_of
from gateway.policy.data import PolicyData, load_policy_data
from gateway.principals.models import Principal, PrincipalStatus


def effective_status(
    session: Session, principal: Principal, now: datetime, data: PolicyData | None = None
) -> PrincipalStatus:
    """The status the policy decides with (``data`` defaults to the repository's policy data)."""
    if data is None:
        data = load_policy_data()
    return standing_of(session, principal, now, data.assessment, data.oversight.zone).status
