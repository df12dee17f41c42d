"""The outbox: one row per notification, written in the transaction of what it announces, and
the webhook subscriptions and deliveries that carry it out."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from gateway.db import UtcDateTime, string_enum

BigId = BigInteger().with_variant(Integer(), "sqlite")


class Notification(SQLModel, table=True):
    """Something ``recipient`` (a principal id) should hear about; ``id`` orders a recipient's
    notifications and is the cursor they poll with."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_recipient_id", "recipient", "id"),)

    id: int | None = Field(
        default=None, sa_column=Column(BigId, primary_key=True, autoincrement=True)
    )
    recipient: str = Field(max_length=64)
    kind: str = Field(max_length=48)
    subject: str | None = Field(default=None, max_length=18)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class DeliveryState(StrEnum):
    pending = "pending"  # waiting for its next attempt (or being attempted, under a lease)
    delivered = "delivered"  # the receiver answered 2xx
    dead = "dead"  # gave up after the configured number of attempts
    cancelled = "cancelled"  # the subscription was deleted before it was delivered


class WebhookSubscription(SQLModel, table=True):
    """``owner`` (a principal) wants its notifications POSTed to ``url``; ``receiver_id`` is
    the owner's name for the receiver, and with the notification fixes the delivery id."""

    __tablename__ = "webhook_subscription"
    __table_args__ = (
        UniqueConstraint("owner", "receiver_id", name="uq_webhook_subscription_owner_receiver"),
    )

    id: int | None = Field(default=None, primary_key=True)
    owner: str = Field(max_length=64)
    receiver_id: str = Field(max_length=64)
    url: str = Field(max_length=2000)
    # Kinds to deliver (exact names, or a prefix ending in ``*``); empty: every kind.
    kinds: list[str] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))

    def wants(self, kind: str) -> bool:
        return not self.kinds or any(
            kind.startswith(k[:-1]) if k.endswith("*") else kind == k for k in self.kinds
        )


class NotificationDelivery(SQLModel, table=True):
    """One (notification, receiver) pair to POST; all of its state lives here so that a
    restarted gateway resumes where it stopped. A worker that claims it holds a lease
    (``leased_by`` until ``lease_until``) so that replicas do not send it at the same time."""

    __tablename__ = "notification_delivery"
    __table_args__ = (
        Index("ix_notification_delivery_due", "state", "next_attempt_at"),
        Index("ix_notification_delivery_owner", "owner", "notification_id"),
    )

    # Derived from (notification, owner, receiver_id): the receiver's idempotency key.
    id: str = Field(primary_key=True, max_length=40)
    notification_id: int = Field(
        sa_column=Column(BigInteger, ForeignKey("notification.id"), nullable=False, index=True)
    )
    owner: str = Field(max_length=64)
    receiver_id: str = Field(max_length=64)
    url: str = Field(max_length=2000)
    state: DeliveryState = Field(sa_type=string_enum(DeliveryState))
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    lease_until: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )
    leased_by: str | None = Field(default=None, max_length=64)
    last_attempt_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )
    last_status: int | None = None
    last_error: str | None = Field(default=None, max_length=300)
    delivered_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class NotificationSweep(SQLModel, table=True):
    """How far a time-driven notification (a grant expired, a deadline near) has been
    announced: the sweep named ``name`` covered every moment up to ``through``."""

    __tablename__ = "notification_sweep"

    name: str = Field(primary_key=True, max_length=48)
    through: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
