"""A principal's effective status at a moment: what the policy is told (active/suspended).

An operator's stored status comes first. An institution is also suspended while its latest
assessment is a failure, or once its next assessment is overdue (a never-assessed institution
is due ``assessment.first_due_days`` after registration); a later passing assessment
reinstates it. The rules are in ``gateway.oversight.standing``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session

from gateway.oversight.standing import standing_of
from gateway.policy.data import PolicyData
from gateway.prepared import Prepared
from gateway.principals.models import Principal, PrincipalStatus


def effective_status(
    session: Session, principal: Principal, now: datetime, data: PolicyData
) -> PrincipalStatus:
    """The status the policy decides with."""
    return standing_of(session, principal, now, data.assessment, data.oversight.zone).status


def status_now(
    session: Session, principal: Principal, now: datetime, data: PolicyData
) -> PrincipalStatus:
    """:func:`effective_status` with the stored status read again in ``session``: what a
    write section compares with the status its request decided with (a suspension in
    between must be seen)."""
    stored = _STORED_STATUS.first(session, {"id": principal.id})
    if stored is None:
        return PrincipalStatus.suspended  # gone: decide nothing more for it
    current = principal.model_copy(update={"status": PrincipalStatus(stored.status)})
    return effective_status(session, current, now, data)


_principal = Principal.__table__  # type: ignore[attr-defined]
_STORED_STATUS = Prepared(sa_select(_principal.c.status).where(_principal.c.id == bindparam("id")))
