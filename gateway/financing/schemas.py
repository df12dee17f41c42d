"""The financing API's wire formats. Amounts in whole CNY, rates in percent a year (two places),
terms in months."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from gateway.authorizations.service import MAX_USE_LIMIT
from gateway.financing.models import (
    AuthorizationRequest,
    Demand,
    DemandEvent,
    DemandPush,
    DemandState,
    Product,
    ProductKind,
    ProductState,
    PushState,
    RequestState,
)

MAX_AMOUNT = 10**12  # CNY
MAX_TERM_MONTHS = 360
INDUSTRY_CODE = (
    r"^[A-T]([0-9]{2}([0-9]{1,2})?)?$"  # GB/T 4754-2017: section, division, group, class
)
DIVISION_CODE = r"^[0-9]{6}$"  # GB/T 2260 administrative division, as in the USCC
Amount = Annotated[int, Field(ge=1, le=MAX_AMOUNT)]
Term = Annotated[int, Field(ge=1, le=MAX_TERM_MONTHS)]
Rate = Annotated[Decimal, Field(ge=0, le=36, decimal_places=2)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CriterionIn(Strict):
    predicate: str = Field(min_length=1, max_length=64)
    args: dict[str, Any] = Field(default_factory=dict)


class ProductIn(Strict):
    name_zh: str = Field(min_length=1, max_length=120)
    kind: ProductKind
    amount_min: Amount
    amount_max: Amount
    term_min_months: Term
    term_max_months: Term
    rate_min_pct: Rate
    rate_max_pct: Rate
    industries: list[str] = Field(
        default_factory=list,
        max_length=64,
        description="GB/T 4754-2017 codes (section, division, group or class); empty: any",
    )
    regions: list[str] = Field(
        default_factory=list, max_length=64, description="6-digit division codes; empty: any"
    )
    eligibility: list[CriterionIn] = Field(default_factory=list, max_length=16)
    description_zh: str = Field(default="", max_length=2000)


class ProductPatch(Strict):
    """The fields to change; the others keep their values."""

    name_zh: str | None = Field(default=None, min_length=1, max_length=120)
    kind: ProductKind | None = None
    amount_min: Amount | None = None
    amount_max: Amount | None = None
    term_min_months: Term | None = None
    term_max_months: Term | None = None
    rate_min_pct: Rate | None = None
    rate_max_pct: Rate | None = None
    industries: list[str] | None = Field(default=None, max_length=64)
    regions: list[str] | None = Field(default=None, max_length=64)
    eligibility: list[CriterionIn] | None = Field(default=None, max_length=16)
    description_zh: str | None = Field(default=None, max_length=2000)


def pct(basis_points: int | None) -> Decimal | None:
    return None if basis_points is None else (Decimal(basis_points) / 100).quantize(Decimal("0.01"))


class ProductOut(BaseModel):
    id: str
    institution: str
    name_zh: str
    kind: ProductKind
    amount_min: int
    amount_max: int
    term_min_months: int
    term_max_months: int
    rate_min_pct: Decimal
    rate_max_pct: Decimal
    industries: list[str]
    regions: list[str]
    eligibility: list[dict[str, Any]]
    description_zh: str
    state: ProductState
    version: int
    created_at: datetime
    updated_at: datetime
    ledger_index: int

    @classmethod
    def of(cls, product: Product) -> ProductOut:
        data = product.model_dump(exclude={"rate_min_bp", "rate_max_bp"})
        return cls(
            **data,
            rate_min_pct=pct(product.rate_min_bp),
            rate_max_pct=pct(product.rate_max_bp),
        )


class CriterionResult(BaseModel):
    predicate: str
    args: dict[str, Any]
    result: str = Field(description="pass, fail or no_data")
    reason: str


class ProductMatch(BaseModel):
    product: ProductOut
    industry_fits: bool
    region_fits: bool
    qualifies: bool = Field(description="every criterion passes and industry and region fit")
    passed: int
    failed: int
    no_data: int
    criteria: list[CriterionResult]


class ProductMatchesOut(BaseModel):
    enterprise: str
    industry: str | None
    region: str
    matches: list[ProductMatch]
    ledger_index: int


class Collateral(StrEnum):
    none = "none"  # 信用, no collateral
    real_estate = "real_estate"
    equipment = "equipment"
    receivables = "receivables"
    intellectual_property = "intellectual_property"
    equity_pledge = "equity_pledge"
    guarantee = "guarantee"
    deposit = "deposit"


class DemandIn(Strict):
    amount: Amount
    term_months: Term
    purpose_zh: str = Field(min_length=1, max_length=500, description="purpose of the funds")
    collateral: list[Collateral] = Field(default_factory=list, max_length=8)
    target_products: list[str] = Field(default_factory=list, max_length=16)
    target_institutions: list[str] = Field(default_factory=list, max_length=16)
    valid_until: datetime


class DemandPatch(Strict):
    amount: Amount | None = None
    term_months: Term | None = None
    purpose_zh: str | None = Field(default=None, min_length=1, max_length=500)
    collateral: list[Collateral] | None = Field(default=None, max_length=8)
    valid_until: datetime | None = None


class PushOut(BaseModel):
    institution: str
    products: list[str]
    named: bool
    state: PushState
    overdue: bool
    pushed_at: datetime
    pickup_due: datetime
    picked_up_at: datetime | None
    decided_at: datetime | None
    approved_amount: int | None
    approved_rate_pct: Decimal | None
    decline_reason: str | None
    disbursed_at: datetime | None
    disbursed_amount: int | None

    @classmethod
    def of(cls, push: DemandPush, now: datetime) -> PushOut:
        data = push.model_dump(exclude={"id", "demand_id", "approved_rate_bp"})
        return cls(**data, overdue=push.overdue(now), approved_rate_pct=pct(push.approved_rate_bp))


class EventOut(BaseModel):
    kind: str
    institution: str | None
    at: datetime
    detail: dict[str, Any]
    ledger_index: int

    @classmethod
    def of(cls, event: DemandEvent) -> EventOut:
        return cls(**event.model_dump(exclude={"id", "demand_id"}))


class DemandOut(BaseModel):
    id: str
    enterprise: str
    amount: int
    term_months: int
    purpose_zh: str
    collateral: list[str]
    target_products: list[str]
    target_institutions: list[str]
    valid_until: datetime
    industry: str | None
    region: str
    state: DemandState
    created_at: datetime
    updated_at: datetime
    pushes: list[PushOut] = Field(default_factory=list)
    history: list[EventOut] = Field(default_factory=list)

    @classmethod
    def of(
        cls,
        demand: Demand,
        now: datetime,
        pushes: list[DemandPush] | None = None,
        events: list[DemandEvent] | None = None,
    ) -> DemandOut:
        data = demand.model_dump(exclude={"state"})
        return cls(
            **data,
            state=demand.state_at(now),
            pushes=[PushOut.of(p, now) for p in pushes or []],
            history=[EventOut.of(e) for e in events or []],
        )


class PushedDemandOut(BaseModel):
    """A demand as the institution it was pushed to sees it: the terms and its own push only."""

    demand_id: str
    enterprise: str
    amount: int
    term_months: int
    purpose_zh: str
    collateral: list[str]
    industry: str | None
    region: str
    valid_until: datetime
    demand_state: DemandState
    push: PushOut

    @classmethod
    def of(cls, demand: Demand, push: DemandPush, now: datetime) -> PushedDemandOut:
        return cls(
            demand_id=demand.id,
            enterprise=demand.enterprise,
            amount=demand.amount,
            term_months=demand.term_months,
            purpose_zh=demand.purpose_zh,
            collateral=demand.collateral,
            industry=demand.industry,
            region=demand.region,
            valid_until=demand.valid_until,
            demand_state=demand.state_at(now),
            push=PushOut.of(push, now),
        )


class OverdueOut(BaseModel):
    demand_id: str
    enterprise: str
    institution: str
    pushed_at: datetime
    pickup_due: datetime


class DeclineReason(StrEnum):
    insufficient_repayment_capacity = "insufficient_repayment_capacity"
    insufficient_credit_history = "insufficient_credit_history"
    adverse_credit_record = "adverse_credit_record"
    collateral_inadequate = "collateral_inadequate"
    outside_product_scope = "outside_product_scope"
    incomplete_information = "incomplete_information"
    authorization_refused = "authorization_refused"
    enterprise_withdrew = "enterprise_withdrew"
    other = "other"


class DecisionIn(Strict):
    outcome: str = Field(pattern=r"^(approved|declined)$")
    amount: Amount | None = None
    rate_pct: Rate | None = None
    reason_code: DeclineReason | None = None
    note_zh: str = Field(default="", max_length=500)


class DisbursementIn(Strict):
    amount: Amount
    disbursed_on: date | None = None


class AuthorizationRequestIn(Strict):
    enterprise: str = Field(min_length=18, max_length=18)
    purpose: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    datasets: list[str] = Field(default_factory=list, max_length=64)
    classes: list[str] = Field(default_factory=list, max_length=3)
    modes: list[str] = Field(min_length=1, max_length=2)
    # the policy's own limit (at most 365 days today) is checked by the service, naming it
    valid_days: int = Field(ge=1, le=3650, description="how long the grant lasts once in force")
    use_limit: int | None = Field(default=None, ge=1, le=MAX_USE_LIMIT)
    respond_within_days: int = Field(default=7, ge=1, le=30)
    demand_id: str | None = Field(default=None, max_length=40)
    note_zh: str = Field(default="", max_length=500)


class AuthorizationRequestOut(BaseModel):
    id: str
    institution: str
    enterprise: str
    demand_id: str | None
    purpose: str
    datasets: list[str]
    classes: list[str]
    modes: list[str]
    use_limit: int | None
    grant_id: str
    not_before: datetime
    expires_at: datetime
    note_zh: str
    respond_by: datetime
    state: RequestState
    created_at: datetime
    answered_at: datetime | None
    reason: str | None
    ledger_index: int
    answer_ledger_index: int | None

    @classmethod
    def of(cls, request: AuthorizationRequest, now: datetime) -> AuthorizationRequestOut:
        return cls(**request.model_dump(exclude={"state"}), state=request.state_at(now))


class ClaimsOut(BaseModel):
    header: dict[str, str] = Field(description="JWS header fields to set (besides alg and kid)")
    claims: dict[str, Any] = Field(description="the exact claim set to sign")


class TokenIn(Strict):
    token: str = Field(min_length=16, max_length=16_384, description="the signed claims, JWS")


class ReasonIn(Strict):
    reason: str = Field(min_length=1, max_length=500)


class GrantOut(BaseModel):
    """A grant as listed to its enterprise, with its last use."""

    id: str
    institution: str
    purpose: str
    datasets: list[str]
    classes: list[str]
    modes: list[str]
    state: str
    not_before: datetime
    expires_at: datetime
    uses: int
    last_used_at: datetime | None
    request_id: str | None
