"""Tables for authorizations and idempotent request replies."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from gateway.db import UtcDateTime


class AuthorizationState(StrEnum):
    pending = "pending"  # signed for a later start (not_before in the future)
    active = "active"
    revoked = "revoked"
    expired = "expired"
    exhausted = "exhausted"


class Authorization(SQLModel, table=True):
    """An immutable grant: only ``uses`` and the revocation fields ever change."""

    __tablename__ = "authorization_grant"

    id: str = Field(primary_key=True, max_length=64)
    enterprise: str = Field(max_length=18, index=True)
    institution: str = Field(max_length=64, index=True)
    purpose: str = Field(max_length=64)
    datasets: list[str] = Field(sa_column=Column(JSON, nullable=False))
    classes: list[str] = Field(sa_column=Column(JSON, nullable=False))
    modes: list[str] = Field(sa_column=Column(JSON, nullable=False))
    not_before: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    use_limit: int | None = None
    uses: int = 0
    token: str = Field(sa_type=String)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    grant_ledger_index: int | None = None
    revoked_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )
    revoke_ledger_index: int | None = None

    def state(self, now: datetime) -> AuthorizationState:
        if self.revoked_at is not None:
            return AuthorizationState.revoked
        if now >= self.expires_at:
            return AuthorizationState.expired
        if self.use_limit is not None and self.uses >= self.use_limit:
            return AuthorizationState.exhausted
        if now < self.not_before:
            return AuthorizationState.pending
        return AuthorizationState.active


class IdempotentReply(SQLModel, table=True):
    """The first reply to a request sent with an ``Idempotency-Key``, replayed on retries."""

    __tablename__ = "idempotent_reply"
    __table_args__ = (UniqueConstraint("principal_id", "key", name="uq_idempotent_reply_key"),)

    id: int | None = Field(default=None, primary_key=True)
    principal_id: str = Field(max_length=64)
    key: str = Field(max_length=128)
    request_digest: str = Field(max_length=64)
    status_code: int
    body: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
