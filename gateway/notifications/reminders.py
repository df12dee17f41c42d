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

from sqlalchemy import Row, Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel

from gateway.notifications import repository
from gateway.notifications.models import NotificationSweep
from gateway.notifications.outbox import notify

T = TypeVar("T")

GRANT_EXPIRED = "authorization.expired"
DEADLINE_NEAR = "objection.deadline_near"
# gateway.subject_rights.models.ObjectionState: open or under review.
ACTIVE_OBJECTION_STATES = ("open", "under_review")
# The first sweep of a database looks back this far (what happened before is not news).
FIRST_LOOKBACK = timedelta(hours=1)


def _table(name: str) -> Table:
    """A feature's table, found in the shared metadata rather than imported: the features
    import this package to notify, so it must not import them (no package import cycle).
    The app imports every feature, so their tables are registered before the worker runs."""
    table = SQLModel.metadata.tables.get(name)
    if table is None:
        raise RuntimeError(f"table {name!r} is not registered: import its feature's models")
    return table


def _value(item: Any) -> str:
    return str(getattr(item, "value", item))


def _expired_grants(
    session: Session, since: datetime, until: datetime, _: timedelta
) -> Sequence[Row[Any]]:
    grants = _table("authorization_grant")
    return session.execute(
        select(
            grants.c.id,
            grants.c.enterprise,
            grants.c.institution,
            grants.c.purpose,
            grants.c.expires_at,
        )
        .where(
            grants.c.revoked_at.is_(None),
            grants.c.expires_at > since,
            grants.c.expires_at <= until,
        )
        .order_by(grants.c.expires_at, grants.c.id)
    ).all()


def _announce_expired(session: Session, grant: Row[Any], now: datetime) -> None:
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
) -> Sequence[Row[Any]]:
    objections = _table("objection")
    return session.execute(
        select(
            objections.c.id,
            objections.c.enterprise,
            objections.c.dataset,
            objections.c.record_id,
            objections.c.source_id,
            objections.c.state,
            objections.c.deadline,
        )
        .where(
            objections.c.state.in_(ACTIVE_OBJECTION_STATES),
            objections.c.deadline > since + warning,
            objections.c.deadline <= until + warning,
        )
        .order_by(objections.c.deadline, objections.c.id)
    ).all()


def _announce_deadline(session: Session, objection: Row[Any], now: datetime) -> None:
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
            "state": _value(objection.state),
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
