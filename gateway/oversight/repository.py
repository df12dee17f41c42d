"""The only place oversight builds queries: access events, authorizations, assessments."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import bindparam, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from gateway.access_index import AccessEvent
from gateway.authorizations.models import Authorization
from gateway.oversight.models import Assessment
from gateway.pagination import Window, keyset
from gateway.prepared import Prepared
from gateway.principals.models import Principal, Role

_CHUNK = 500
INSTITUTION = Role.institution.value


def institutions(session: Session, window: Window | None = None) -> Sequence[Principal]:
    """By id; with ``window``, one page of them."""
    query = select(Principal).where(Principal.role == Role.institution)
    if window is not None:
        return session.exec(keyset(query, [(col(Principal.id), False)], window)).all()
    return session.exec(query.order_by(col(Principal.id))).all()


def events(
    session: Session, since: datetime, until: datetime, caller: str | None = None
) -> Sequence[AccessEvent]:
    """Institutions' access events in [since, until), oldest first (one institution's if
    ``caller``)."""
    query = select(AccessEvent).where(
        AccessEvent.caller_role == INSTITUTION,
        col(AccessEvent.at) >= since,
        col(AccessEvent.at) < until,
    )
    if caller is not None:
        query = query.where(AccessEvent.caller == caller)
    return session.exec(query.order_by(col(AccessEvent.at), col(AccessEvent.ledger_index))).all()


def event_times(
    session: Session, since: datetime, until: datetime, caller: str | None = None
) -> Sequence[tuple[str, datetime]]:
    """(caller, at) of institutions' events in [since, until): the bursts' baselines."""
    query = select(AccessEvent.caller, AccessEvent.at).where(
        AccessEvent.caller_role == INSTITUTION,
        col(AccessEvent.at) >= since,
        col(AccessEvent.at) < until,
    )
    if caller is not None:
        query = query.where(AccessEvent.caller == caller)
    return session.exec(query.order_by(col(AccessEvent.at))).all()


def authorizations_by_id(session: Session, ids: Collection[str]) -> dict[str, Authorization]:
    wanted = sorted(set(ids))
    found: dict[str, Authorization] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        rows = session.exec(select(Authorization).where(col(Authorization.id).in_(chunk)))
        found.update({row.id: row for row in rows})
    return found


def authorizations_received(
    session: Session, institution: str, since: datetime, until: datetime
) -> int:
    return session.exec(
        select(func.count()).where(
            Authorization.institution == institution,
            col(Authorization.created_at) >= since,
            col(Authorization.created_at) < until,
        )
    ).one()


def latest_assessment(session: Session, institution: str, now: datetime) -> Assessment | None:
    row = _LATEST.first(session, {"institution": institution, "now": now})
    return None if row is None else Assessment(**row._asdict())


_assessment = Assessment.__table__  # type: ignore[attr-defined]
# Every request of an institution asks for its standing: prepared once (the assessment
# returned is not attached to the session).
_LATEST = Prepared(
    sa_select(_assessment)
    .where(
        _assessment.c.institution == bindparam("institution"),
        _assessment.c.assessed_at <= bindparam("now"),
    )
    .order_by(_assessment.c.assessed_at.desc(), _assessment.c.ledger_index.desc())
    .limit(1)
)


def latest_assessments(session: Session, now: datetime) -> dict[str, Assessment]:
    """Every institution's latest assessment at ``now``."""
    latest: dict[str, Assessment] = {}
    rows = session.exec(
        select(Assessment)
        .where(col(Assessment.assessed_at) <= now)
        .order_by(col(Assessment.assessed_at), col(Assessment.ledger_index))
    )
    for row in rows:
        latest[row.institution] = row
    return latest


def assessments_of(session: Session, institution: str) -> Sequence[Assessment]:
    return session.exec(
        select(Assessment)
        .where(Assessment.institution == institution)
        .order_by(col(Assessment.assessed_at).desc(), col(Assessment.ledger_index).desc())
    ).all()


def add_assessment(session: Session, assessment: Assessment) -> Assessment:
    session.add(assessment)
    session.flush()
    return assessment
