"""The outbox: one row per notification, written in the transaction of what it announces."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Integer
from sqlmodel import Field, SQLModel

from gateway.db import UtcDateTime

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
