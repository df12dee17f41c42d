"""Demo financing data: the demo banks' products and a few enterprises' demands, published
through the financing services as the institutions and enterprises would (ledger entries,
pushes and notifications included)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from gateway.db import unit_of_work
from gateway.deps import request_context
from gateway.financing import demands, products
from gateway.financing.models import ProductKind
from gateway.financing.schemas import Collateral, CriterionIn, DemandIn, ProductIn
from gateway.principals import repository as principals
from gateway.services import Services

PRODUCTS = (
    (
        "bank-icbc-benxi",
        ProductIn(
            name_zh="工银税易贷",
            kind=ProductKind.tax_based,
            amount_min=100_000,
            amount_max=3_000_000,
            term_min_months=6,
            term_max_months=36,
            rate_min_pct=Decimal("3.45"),
            rate_max_pct=Decimal("4.80"),
            eligibility=[
                CriterionIn(predicate="tax_credit_grade_in", args={"grades": ["A", "B"]}),
                CriterionIn(predicate="years_in_operation_at_least", args={"years": 2}),
                CriterionIn(predicate="no_tax_arrears"),
            ],
        ),
    ),
    (
        "bank-benxi-rcb",
        ProductIn(
            name_zh="本溪农商信用贷",
            kind=ProductKind.credit_loan,
            amount_min=50_000,
            amount_max=1_000_000,
            term_min_months=3,
            term_max_months=24,
            rate_min_pct=Decimal("3.90"),
            rate_max_pct=Decimal("6.50"),
            eligibility=[
                CriterionIn(predicate="licence_in_force"),
                CriterionIn(predicate="not_on_serious_dishonesty_list"),
            ],
        ),
    ),
    (
        "bank-benxi-rcb",
        ProductIn(
            name_zh="厂房抵押贷",
            kind=ProductKind.mortgage,
            amount_min=1_000_000,
            amount_max=20_000_000,
            term_min_months=12,
            term_max_months=120,
            rate_min_pct=Decimal("3.60"),
            rate_max_pct=Decimal("4.90"),
            industries=["C"],
            eligibility=[CriterionIn(predicate="owns_real_estate", args={"usages": ["工业"]})],
        ),
    ),
)
DEMANDS = (
    (800_000, 12, "采购原材料", [Collateral.none]),
    (5_000_000, 60, "新建生产线", [Collateral.real_estate]),
)


def seed_financing(services: Services, enterprises: list[str]) -> list[str]:
    """Publish the demo products, and a demand from each of the first enterprises; returns
    the demand ids."""
    for institution, product in PRODUCTS:
        with unit_of_work(services.engine, write=True) as session:
            caller = principals.get(session, institution)
            assert caller is not None
            products.publish(request_context(services, session, caller), product)
    published = []
    for enterprise, (amount, term, purpose, collateral) in zip(enterprises, DEMANDS, strict=False):
        with unit_of_work(services.engine, write=True) as session:
            caller = principals.get(session, enterprise)
            assert caller is not None
            ctx = request_context(services, session, caller)
            demand = DemandIn(
                amount=amount,
                term_months=term,
                purpose_zh=purpose,
                collateral=collateral,
                valid_until=ctx.now + timedelta(days=60),
            )
            published.append(demands.publish(ctx, demand).id)
    return published
