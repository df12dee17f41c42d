"""Notifications that time alone brings about: a grant expired (its institution hears), an
objection's reply deadline is near (its source hears). Nobody writes anything at that moment,
so the delivery worker sweeps for them; each sweep remembers how far it has announced
(``notification_sweep.through``) in the transaction that writes the notifications, so every
moment is announced once, also across restarts and replicas (the sweep row is locked)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from gateway.authorizations.models import Authorization
from gateway.notifications import repository
from gateway.notifications.models import NotificationSweep
from gateway.notifications.outbox import notify
from gateway.subject_rights.models import Objection, ObjectionState

T = TypeVar("T")

GRANT_EXPIRED = "authorization.expired"
DEADLINE_NEAR = "objection.deadline_near"
# The first sweep of a database looks back this far (what happened before is not news).
FIRST_LOOKBACK = timedelta(hours=1)


def _expired_grants(
    session: Session, since: datetime, until: datetime, _: timedelta
) -> Sequence[Authorization]:
    return session.exec(
        select(Authorization).where(
            col(Authorization.revoked_at).is_(None),
            col(Authorization.expires_at) > since,
            col(Authorization.expires_at) <= until,
        )
    ).all()


def _announce_expired(session: Session, grant: Authorization, now: datetime) -> None:
    notify(
        session,
        recipient=grant.institution,
        kind=GRANT_EXPIRED,
        subject=grant.enterprise,
        at=now,
        payload={
            "authorization_id": grant.id,
            "enterprise": grant.enterprise,
            "purpose": grant.purpose,
            "expires_at": grant.expires_at.isoformat(),
        },
    )


def _objections_near_deadline(
    session: Session, since: datetime, until: datetime, warning: timedelta
) -> Sequence[Objection]:
    return session.exec(
        select(Objection).where(
            col(Objection.state).in_([ObjectionState.open, ObjectionState.under_review]),
            col(Objection.deadline) > since + warning,
            col(Objection.deadline) <= until + warning,
        )
    ).all()


def _announce_deadline(session: Session, objection: Objection, now: datetime) -> None:
    notify(
        session,
        recipient=objection.source_id,
        kind=DEADLINE_NEAR,
        subject=objection.enterprise,
        at=now,
        payload={
            "objection_id": objection.id,
            "enterprise": objection.enterprise,
            "dataset": objection.dataset,
            "record_id": objection.record_id,
            "state": objection.state.value,
            "deadline": objection.deadline.isoformat(),
        },
    )


@dataclass(frozen=True, slots=True)
class _Sweep(Generic[T]):
    name: str
    find: Callable[[Session, datetime, datetime, timedelta], Sequence[T]]
    announce: Callable[[Session, T, datetime], None]


SWEEPS: tuple[_Sweep[Any], ...] = (
    _Sweep(GRANT_EXPIRED, _expired_grants, _announce_expired),
    _Sweep(DEADLINE_NEAR, _objections_near_deadline, _announce_deadline),
)


def _since(session: Session, name: str, now: datetime) -> datetime:
    mark = repository.sweep(session, name)
    return mark.through if mark is not None else now - FIRST_LOOKBACK


def anything_due(session: Session, now: datetime, warning: timedelta) -> bool:
    """Whether :func:`announce` would announce anything (a read: an idle worker takes no
    write lock, which on SQLite would make other transactions wait or retry)."""
    return any(
        sweep.find(session, _since(session, sweep.name, now), now, warning) for sweep in SWEEPS
    )


def announce(session: Session, now: datetime, warning: timedelta) -> int:
    """Announce every expiry and near deadline since the last sweep, up to ``now``; return
    how many. Call it holding the write lock (``unit_of_work(write=True)``); on PostgreSQL
    the sweep rows are locked, so replicas take turns. A sweep that finds nothing writes
    nothing: the next one looks at a longer span."""
    announced = 0
    for sweep in SWEEPS:
        since = _since(session, sweep.name, now)
        found = sweep.find(session, since, now, warning) if since < now else []
        if not found:
            continue
        for item in found:
            sweep.announce(session, item, now)
        on_postgresql = session.get_bind().dialect.name == "postgresql"
        insert = postgresql.insert if on_postgresql else sqlite.insert
        session.execute(
            insert(NotificationSweep.__table__)  # type: ignore[attr-defined]
            .values(name=sweep.name, through=now)
            .on_conflict_do_update(index_elements=["name"], set_={"through": now})
        )
        announced += len(found)
    return announced
