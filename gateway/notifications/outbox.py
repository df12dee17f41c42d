"""Writing to the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from gateway.notifications.models import Notification


def notify(
    session: Session,
    *,
    recipient: str,
    kind: str,
    payload: dict[str, Any],
    at: datetime,
    subject: str | None = None,
) -> Notification:
    """Put a notification for ``recipient`` in the outbox, in ``session``'s transaction.

    ``kind`` is a dotted name (``demand.pushed``, ``authorization_request.approved`` …);
    ``payload`` holds ids and states, never credit data values."""
    notification = Notification(
        recipient=recipient, kind=kind, subject=subject, payload=payload, created_at=at
    )
    session.add(notification)
    return notification
