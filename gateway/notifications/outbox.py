"""Writing to the outbox."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, text
from sqlmodel import Session, col, select

from gateway.notifications.models import (
    DeliveryState,
    Notification,
    NotificationDelivery,
    WebhookSubscription,
)


def delivery_id(notification_id: int, owner: str, receiver_id: str) -> str:
    """The idempotency key of one notification to one receiver: the same every time, so a
    receiver that got it before (a retry after a crash) knows it by this id."""
    digest = hashlib.sha256(f"{notification_id}\n{owner}\n{receiver_id}".encode()).hexdigest()
    return f"msg_{digest[:32]}"


def notify(
    session: Session,
    *,
    recipient: str,
    kind: str,
    payload: dict[str, Any],
    at: datetime,
    subject: str | None = None,
) -> int:
    """Put one notification for ``recipient`` in the outbox (see :func:`notify_many`);
    returns its id."""
    [notification_id] = notify_many(session, [Draft(recipient, kind, payload, at, subject)])
    return notification_id


@dataclass(frozen=True, slots=True)
class Draft:
    """One notification to put in the outbox (see :func:`notify`)."""

    recipient: str
    kind: str
    payload: dict[str, Any]
    at: datetime
    subject: str | None = None


_NOTIFICATIONS = Notification.__table__  # type: ignore[attr-defined]
_DELIVERIES = NotificationDelivery.__table__  # type: ignore[attr-defined]


def notify_many(session: Session, drafts: Sequence[Draft]) -> list[int]:
    """Put ``drafts`` in the outbox, in ``session``'s transaction, ids in the order given,
    each with one pending delivery per webhook of its recipient that wants its kind: one
    query for the recipients' webhooks and one multi-row insert each for the notifications and
    their deliveries (a writer's batch of access decisions needs no unit of work per row).
    Returns the notifications' ids.

    ``kind`` is a dotted name (``demand.pushed``, ``authorization_request.approved`` …);
    ``payload`` holds ids and states, never credit data values. Nothing is sent here: the
    delivery worker (``gateway.notifications.worker``) sends after the commit.

    Ids become visible in their order: pollers page by ``id > after`` and would never see an id
    committed after a higher one. SQLite has one writer at a time; on PostgreSQL a sequence
    hands ids out in the order asked, not the order committed, so the transaction takes a
    transaction-scoped advisory lock before its first id and keeps it until its commit. Call
    this after the transaction's other locks (grants, principals, budgets), as every caller
    does, so the lock orders stay acyclic."""
    if not drafts:
        return []
    _keep_commit_order(session)
    hooks: dict[str, list[WebhookSubscription]] = defaultdict(list)
    recipients = sorted({d.recipient for d in drafts})
    for hook in session.exec(
        select(WebhookSubscription).where(col(WebhookSubscription.owner).in_(recipients))
    ):
        hooks[hook.owner].append(hook)
    rows = [
        {
            "recipient": d.recipient,
            "kind": d.kind,
            "subject": d.subject,
            "payload": d.payload,
            "created_at": d.at,
        }
        for d in drafts
    ]
    ids = list(
        session.execute(
            insert(_NOTIFICATIONS).returning(_NOTIFICATIONS.c.id, sort_by_parameter_order=True),
            rows,
        ).scalars()
    )
    deliveries = [
        {
            "id": delivery_id(notification_id, draft.recipient, hook.receiver_id),
            "notification_id": notification_id,
            "owner": draft.recipient,
            "receiver_id": hook.receiver_id,
            "url": hook.url,
            "state": DeliveryState.pending,
            "attempts": 0,
            "next_attempt_at": draft.at,
            "created_at": draft.at,
        }
        for notification_id, draft in zip(ids, drafts, strict=True)
        for hook in hooks[draft.recipient]
        if hook.wants(draft.kind)
    ]
    if deliveries:
        session.execute(insert(_DELIVERIES), deliveries)
    return ids


_ORDER_LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended('notification-order', 0))")


def _keep_commit_order(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_ORDER_LOCK)  # re-entrant; held to the end of the transaction
