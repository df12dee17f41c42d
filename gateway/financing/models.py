"""Tables of the financing half: products, demands, pushes and their history, consent requests.

Amounts are whole CNY (yuan), rates annual basis points, terms months. States that follow from
the clock (a demand past its validity, a consent request past its reply date, a pick-up past its
deadline) are computed from ``now``, never stored.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from gateway.db import UtcDateTime, string_enum

BigId = BigInteger().with_variant(Integer(), "sqlite")


class ProductKind(StrEnum):
    credit_loan = "credit_loan"  # 信用贷
    mortgage = "mortgage"  # 抵押贷
    guarantee = "guarantee"  # 担保贷
    tax_based = "tax_based"  # 税易贷 / 银税互动
    pledge = "pledge"  # 质押贷 (receivables, IP, equity)
    supply_chain = "supply_chain"  # 供应链金融
    other = "other"


class ProductState(StrEnum):
    active = "active"
    withdrawn = "withdrawn"


class Product(SQLModel, table=True):
    """A credit product an institution publishes; withdrawn products stay (demands refer to
    them) but match nothing."""

    __tablename__ = "financing_product"

    id: str = Field(primary_key=True, max_length=40)
    institution: str = Field(max_length=64, index=True)
    name_zh: str = Field(max_length=120)
    kind: ProductKind = Field(sa_type=string_enum(ProductKind, length=24))
    amount_min: int = Field(sa_column=Column(BigInteger, nullable=False))
    amount_max: int = Field(sa_column=Column(BigInteger, nullable=False))
    term_min_months: int
    term_max_months: int
    rate_min_bp: int
    rate_max_bp: int
    industries: list[str] = Field(sa_column=Column(JSON, nullable=False))
    regions: list[str] = Field(sa_column=Column(JSON, nullable=False))
    eligibility: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    description_zh: str = Field(default="", max_length=2000)
    state: ProductState = Field(sa_type=string_enum(ProductState))
    version: int = 1
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    ledger_index: int = Field(sa_column=Column(BigInteger, nullable=False))


class DemandState(StrEnum):
    open = "open"
    withdrawn = "withdrawn"
    expired = "expired"  # computed: open past valid_until


class Demand(SQLModel, table=True):
    """An enterprise's financing demand (融资需求)."""

    __tablename__ = "financing_demand"

    id: str = Field(primary_key=True, max_length=40)
    enterprise: str = Field(max_length=18, index=True)
    amount: int = Field(sa_column=Column(BigInteger, nullable=False))
    term_months: int
    purpose_zh: str = Field(max_length=500)
    collateral: list[str] = Field(sa_column=Column(JSON, nullable=False))
    target_products: list[str] = Field(sa_column=Column(JSON, nullable=False))
    target_institutions: list[str] = Field(sa_column=Column(JSON, nullable=False))
    valid_until: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    # From the registration record when published: what products matched against.
    industry: str | None = Field(default=None, max_length=8)
    region: str = Field(max_length=6)
    state: DemandState = Field(sa_type=string_enum(DemandState))
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))

    def state_at(self, now: datetime) -> DemandState:
        if self.state is DemandState.open and now >= self.valid_until:
            return DemandState.expired
        return self.state


class PushState(StrEnum):
    pushed = "pushed"
    picked_up = "picked_up"
    authorization_requested = "authorization_requested"
    authorization_approved = "authorization_approved"
    authorization_rejected = "authorization_rejected"
    credit_approved = "credit_approved"
    credit_declined = "credit_declined"
    disbursed = "disbursed"


class DemandPush(SQLModel, table=True):
    """One demand sent to one institution (银企对接 push), and where that institution is with it."""

    __tablename__ = "financing_push"
    __table_args__ = (UniqueConstraint("demand_id", "institution", name="uq_financing_push"),)

    id: int | None = Field(
        default=None, sa_column=Column(BigId, primary_key=True, autoincrement=True)
    )
    demand_id: str = Field(max_length=40, index=True)
    institution: str = Field(max_length=64, index=True)
    # The institution's products the demand matched; empty when the demand named it.
    products: list[str] = Field(sa_column=Column(JSON, nullable=False))
    named: bool = False
    state: PushState = Field(sa_type=string_enum(PushState, length=32))
    pushed_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    pickup_due: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    picked_up_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )
    decided_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )
    approved_amount: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    approved_rate_bp: int | None = None
    decline_reason: str | None = Field(default=None, max_length=48)
    disbursed_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )
    disbursed_amount: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))

    def overdue(self, now: datetime) -> bool:
        return self.state is PushState.pushed and now > self.pickup_due


class DemandEvent(SQLModel, table=True):
    """One step of a demand's history, as the enterprise sees it; the ledger holds it too."""

    __tablename__ = "financing_demand_event"
    __table_args__ = (Index("ix_financing_demand_event_demand", "demand_id", "id"),)

    id: int | None = Field(
        default=None, sa_column=Column(BigId, primary_key=True, autoincrement=True)
    )
    demand_id: str = Field(max_length=40)
    institution: str | None = Field(default=None, max_length=64)
    kind: str = Field(max_length=48)
    detail: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    ledger_index: int = Field(sa_column=Column(BigInteger, nullable=False))


class RequestState(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    expired = "expired"  # computed: pending past respond_by


class AuthorizationRequest(SQLModel, table=True):
    """An institution's request for the enterprise's authorization (the consent inbox). The
    grant's claims are fixed when the request is made, so the enterprise signs what was asked."""

    __tablename__ = "authorization_request"

    id: str = Field(primary_key=True, max_length=40)
    institution: str = Field(max_length=64, index=True)
    enterprise: str = Field(max_length=18, index=True)
    demand_id: str | None = Field(default=None, max_length=40)
    purpose: str = Field(max_length=64)
    datasets: list[str] = Field(sa_column=Column(JSON, nullable=False))
    classes: list[str] = Field(sa_column=Column(JSON, nullable=False))
    modes: list[str] = Field(sa_column=Column(JSON, nullable=False))
    use_limit: int | None = None
    grant_id: str = Field(max_length=64, unique=True)
    not_before: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    note_zh: str = Field(default="", max_length=500)
    respond_by: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    state: RequestState = Field(sa_type=string_enum(RequestState))
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    answered_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )
    reason: str | None = Field(default=None, max_length=500)
    ledger_index: int = Field(sa_column=Column(BigInteger, nullable=False))
    answer_ledger_index: int | None = Field(
        default=None, sa_column=Column(BigInteger, nullable=True)
    )

    def state_at(self, now: datetime) -> RequestState:
        if self.state is RequestState.pending and now >= self.respond_by:
            return RequestState.expired
        return self.state
