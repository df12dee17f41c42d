"""Tables for principals, their registered public keys, and seen token ids."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from gateway.db import UtcDateTime, string_enum


class Role(StrEnum):
    operator = "operator"
    source = "source"
    institution = "institution"
    enterprise = "enterprise"
    assessor = "assessor"
    # A government body using credit reports in procurement, bidding, approval, market access
    # and qualification review (信用报告 for 政府采购、招投标、行政审批、市场准入、资质审核).
    government = "government"
    # The provincial public credit information platform: consumes the outbound feed and pushes
    # 总对总 datasets back (see docs/exchange.md).
    province = "province"


class InstitutionKind(StrEnum):
    bank = "bank"
    insurer = "insurer"
    guarantor = "guarantor"
    credit_bureau = "credit_bureau"


class PrincipalStatus(StrEnum):
    active = "active"
    suspended = "suspended"


class KeyAlgorithm(StrEnum):
    EdDSA = "EdDSA"
    ES256 = "ES256"


class Principal(SQLModel, table=True):
    __tablename__ = "principal"

    id: str = Field(primary_key=True, max_length=64)
    role: Role = Field(sa_type=string_enum(Role), index=True)
    kind: InstitutionKind | None = Field(default=None, sa_type=string_enum(InstitutionKind))
    name: str = Field(max_length=200)
    status: PrincipalStatus = Field(
        default=PrincipalStatus.active, sa_type=string_enum(PrincipalStatus)
    )
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class PrincipalKey(SQLModel, table=True):
    __tablename__ = "principal_key"

    kid: str = Field(primary_key=True, max_length=64)
    principal_id: str = Field(foreign_key="principal.id", index=True, max_length=64)
    algorithm: KeyAlgorithm = Field(sa_type=string_enum(KeyAlgorithm))
    public_key_pem: str
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    revoked_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )


class SeenToken(SQLModel, table=True):
    """A token id already used; kept until the token would have expired anyway."""

    __tablename__ = "seen_token"
    __table_args__ = (UniqueConstraint("issuer", "jti", name="uq_seen_token_issuer_jti"),)

    id: int | None = Field(default=None, primary_key=True)
    issuer: str = Field(max_length=64)
    jti: str = Field(max_length=128)
    expires_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
