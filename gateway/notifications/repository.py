"""Every query of notifications, subscriptions and deliveries."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, or_, update
from sqlmodel import Session, col, select

from gateway.notifications.models import (
    DeliveryState,
    Notification,
    NotificationDelivery,
    NotificationSweep,
    WebhookSubscription,
)


def notifications_after(
    session: Session, recipient: str, after: int, limit: int
) -> Sequence[Notification]:
    return session.exec(
        select(Notification)
        .where(col(Notification.recipient) == recipient, col(Notification.id) > after)
        .order_by(col(Notification.id))
        .limit(limit)
    ).all()


def subscriptions_of(session: Session, owner: str) -> Sequence[WebhookSubscription]:
    return session.exec(
        select(WebhookSubscription)
        .where(col(WebhookSubscription.owner) == owner)
        .order_by(col(WebhookSubscription.id))
    ).all()


def subscription(session: Session, owner: str, receiver_id: str) -> WebhookSubscription | None:
    return session.exec(
        select(WebhookSubscription).where(
            col(WebhookSubscription.owner) == owner,
            col(WebhookSubscription.receiver_id) == receiver_id,
        )
    ).first()


def cancel_pending(session: Session, owner: str, receiver_id: str, now: datetime) -> None:
    session.execute(
        update(NotificationDelivery)
        .where(
            col(NotificationDelivery.owner) == owner,
            col(NotificationDelivery.receiver_id) == receiver_id,
            col(NotificationDelivery.state) == DeliveryState.pending,
        )
        .values(state=DeliveryState.cancelled, lease_until=None, leased_by=None)
    )


def deliveries_of(
    session: Session, owner: str, state: DeliveryState | None, after: int, limit: int
) -> Sequence[NotificationDelivery]:
    query = select(NotificationDelivery).where(
        col(NotificationDelivery.owner) == owner,
        col(NotificationDelivery.notification_id) > after,
    )
    if state is not None:
        query = query.where(col(NotificationDelivery.state) == state)
    return session.exec(
        query.order_by(
            col(NotificationDelivery.notification_id), col(NotificationDelivery.id)
        ).limit(limit)
    ).all()


def any_due(session: Session, now: datetime) -> bool:
    return (
        session.exec(select(col(NotificationDelivery.id)).where(*_due(now)).limit(1)).first()
        is not None
    )


def _due(now: datetime) -> list[ColumnElement[bool]]:
    return [
        col(NotificationDelivery.state) == DeliveryState.pending,
        col(NotificationDelivery.next_attempt_at) <= now,
        or_(
            col(NotificationDelivery.lease_until).is_(None),
            col(NotificationDelivery.lease_until) < now,
        ),
    ]


def claim_due(
    session: Session, now: datetime, limit: int, worker: str, lease_until: datetime
) -> list[tuple[NotificationDelivery, Notification]]:
    """Lease up to ``limit`` due deliveries to ``worker``. On PostgreSQL rows another
    replica is claiming at this moment are skipped (``FOR UPDATE SKIP LOCKED``); on SQLite
    the caller holds the write lock (one writer at a time)."""
    query = (
        select(NotificationDelivery)
        .where(*_due(now))
        .order_by(col(NotificationDelivery.next_attempt_at), col(NotificationDelivery.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    deliveries = session.exec(query).all()
    if not deliveries:
        return []
    for delivery in deliveries:
        delivery.lease_until = lease_until
        delivery.leased_by = worker
        session.add(delivery)
    ids = {d.notification_id for d in deliveries}
    notifications = {
        n.id: n
        for n in session.exec(select(Notification).where(col(Notification.id).in_(ids))).all()
    }
    return [(d, notifications[d.notification_id]) for d in deliveries]


def leased(session: Session, delivery_id: str, worker: str) -> NotificationDelivery | None:
    """The delivery, if it is still pending and leased to ``worker`` (locked on PostgreSQL, so
    that a replica re-claiming it after the lease ended waits or is seen)."""
    query = select(NotificationDelivery).where(
        col(NotificationDelivery.id) == delivery_id,
        col(NotificationDelivery.state) == DeliveryState.pending,
        col(NotificationDelivery.leased_by) == worker,
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.exec(query).first()


def leases_held_except(session: Session, live_workers: Collection[str]) -> bool:
    query = select(col(NotificationDelivery.id)).where(
        col(NotificationDelivery.state) == DeliveryState.pending,
        col(NotificationDelivery.leased_by).is_not(None),
        col(NotificationDelivery.leased_by).not_in(live_workers),
    )
    return session.exec(query.limit(1)).first() is not None


def release_leases_except(session: Session, live_workers: Collection[str]) -> None:
    """Free the leases of workers that are gone (used where one process serves the database)."""
    query = update(NotificationDelivery).where(col(NotificationDelivery.leased_by).is_not(None))
    if live_workers:
        query = query.where(col(NotificationDelivery.leased_by).not_in(live_workers))
    session.execute(query.values(lease_until=None, leased_by=None))


def sweep(session: Session, name: str) -> NotificationSweep | None:
    query = select(NotificationSweep).where(col(NotificationSweep.name) == name)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.exec(query).first()
