"""The notifications other features announce, one call each at the place the change happens
(so the feature's code carries one line, and the wording of every kind lives here)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import object_session
from sqlmodel import Session

from gateway.notifications.outbox import Draft, notify, notify_many

if TYPE_CHECKING:
    from gateway.access.events import AccessFacts
    from gateway.authorizations.models import Authorization
    from gateway.subject_rights.models import Objection

ACCESS_LOGGED = "access.logged"
GRANT_REVOKED = "authorization.revoked"
OBJECTION_FILED = "objection.filed"


def accesses_logged(session: Session, logged: Sequence[AccessFacts]) -> None:
    """Each enterprise hears of each new entry in its access log (who, what, allowed or not)."""
    notify_many(
        session,
        [
            Draft(
                recipient=facts.subject,
                kind=ACCESS_LOGGED,
                subject=facts.subject,
                at=facts.at,
                payload={
                    "ledger_index": facts.ledger_index,
                    "caller": facts.caller,
                    "caller_role": facts.caller_role,
                    "action": facts.action,
                    "purpose": facts.purpose,
                    "allowed": facts.allowed,
                    "reason": facts.reason,
                },
            )
            for facts in logged
        ],
    )


def grant_revoked(session: Session, grant: Authorization, now: datetime) -> None:
    """The institution hears that a grant it held was revoked."""
    notify(
        session,
        recipient=grant.institution,
        kind=GRANT_REVOKED,
        subject=grant.enterprise,
        at=now,
        payload={
            "authorization_id": grant.id,
            "enterprise": grant.enterprise,
            "purpose": grant.purpose,
            "revoked_at": now.isoformat(),
            "ledger_index": grant.revoke_ledger_index,
        },
    )


def objection_filed(objection: Objection) -> None:
    """The source that supplied the record hears of the objection and its reply deadline, in
    the transaction that filed it (the objection's own session)."""
    session = object_session(objection)
    if session is None:
        raise RuntimeError("announce an objection once it is added to its session")
    notify(
        session,  # type: ignore[arg-type]
        recipient=objection.source_id,
        kind=OBJECTION_FILED,
        subject=objection.enterprise,
        at=objection.filed_at,
        payload={
            "objection_id": objection.id,
            "enterprise": objection.enterprise,
            "dataset": objection.dataset,
            "record_id": objection.record_id,
            "field": objection.field,
            "deadline": objection.deadline.isoformat(),
        },
    )
