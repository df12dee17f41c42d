"""The wire format of notifications, webhooks and deliveries."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator

from gateway.notifications.models import (
    DeliveryState,
    Notification,
    NotificationDelivery,
    WebhookSubscription,
)

KIND_PATTERN = re.compile(r"^[a-z0-9_.]+\*?$|^\*$")


class NotificationOut(BaseModel):
    id: int
    kind: str
    subject: str | None
    payload: dict[str, Any]
    created_at: datetime

    @classmethod
    def of(cls, notification: Notification) -> NotificationOut:
        assert notification.id is not None
        return cls(
            id=notification.id,
            kind=notification.kind,
            subject=notification.subject,
            payload=notification.payload,
            created_at=notification.created_at,
        )


class NotificationPage(BaseModel):
    notifications: list[NotificationOut]
    # Pass as ``after`` to get the next page (the last id here, or the ``after`` you sent).
    next_after: int


class WebhookIn(BaseModel):
    url: str = Field(max_length=2000, description="http(s) URL the deliveries are POSTed to")
    receiver_id: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="your name for the receiver; with the notification it fixes the delivery id",
    )
    kinds: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="kinds to deliver (exact, or a prefix ending in '*'); empty: every kind",
    )

    @field_validator("kinds")
    @classmethod
    def _kinds(cls, kinds: list[str]) -> list[str]:
        for kind in kinds:
            if len(kind) > 48 or not KIND_PATTERN.match(kind):
                raise ValueError(f"{kind!r} is not a notification kind or prefix ('access.*')")
        return sorted(set(kinds))


class WebhookOut(BaseModel):
    receiver_id: str
    url: str
    kinds: list[str]
    created_at: datetime

    @classmethod
    def of(cls, subscription: WebhookSubscription) -> WebhookOut:
        return cls(
            receiver_id=subscription.receiver_id,
            url=subscription.url,
            kinds=subscription.kinds,
            created_at=subscription.created_at,
        )


class DeliveryOut(BaseModel):
    id: str
    notification_id: int
    receiver_id: str
    state: DeliveryState
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_status: int | None
    last_error: str | None
    delivered_at: datetime | None

    @classmethod
    def of(cls, delivery: NotificationDelivery) -> DeliveryOut:
        pending = delivery.state is DeliveryState.pending
        return cls(
            id=delivery.id,
            notification_id=delivery.notification_id,
            receiver_id=delivery.receiver_id,
            state=delivery.state,
            attempts=delivery.attempts,
            next_attempt_at=delivery.next_attempt_at if pending else None,
            last_attempt_at=delivery.last_attempt_at,
            last_status=delivery.last_status,
            last_error=delivery.last_error,
            delivered_at=delivery.delivered_at,
        )


class SigningKeyOut(BaseModel):
    algorithm: str = "Ed25519"
    scheme: str = "v1a"
    # Standard Webhooks form: "whpk_" + base64 of the raw 32-byte key.
    public_key: str
    public_key_pem: str
