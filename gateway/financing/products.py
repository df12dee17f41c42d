"""Credit products: an institution publishes, updates and withdraws; anyone authenticated lists.

Eligibility criteria are verifier predicates with arguments, validated by the same code as a
verification's checks (:func:`gateway.verification.checks.parse_checks`). Every change is a
ledger entry naming the institution (no subject chain: a product is about no enterprise).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from gateway.context import RequestContext
from gateway.errors import Conflict, InvalidInput, NotFound
from gateway.financing import repository
from gateway.financing.models import Product, ProductState
from gateway.financing.schemas import (
    DIVISION_CODE,
    INDUSTRY_CODE,
    CriterionIn,
    ProductIn,
    ProductPatch,
)
from gateway.verification.checks import ParsedCheck, parse_checks


def invalid(field: str, problem: str) -> InvalidInput:
    return InvalidInput(f"{field}: {problem}", detail=[{"field": field, "problem": problem}])


def ordered(low: int | Decimal, high: int | Decimal, low_name: str, high_name: str) -> None:
    if low > high:
        raise invalid(high_name, f"must not be below {low_name}")


def _codes(values: Sequence[str], pattern: str, field: str, what: str) -> list[str]:
    for i, value in enumerate(values):
        if not re.fullmatch(pattern, value):
            raise invalid(f"{field}[{i}]", f"not a {what}")
    return sorted(set(values))


def parse_eligibility(criteria: Sequence[CriterionIn]) -> list[ParsedCheck]:
    parsed = parse_checks(criteria, "eligibility")
    for i, check in enumerate(parsed):
        if check.spec.personal_args:
            # A product is public; a criterion about a person's ID number has no place in it.
            raise invalid(
                f"eligibility[{i}].predicate", "takes personal arguments; not a product criterion"
            )
    return parsed


def stored_eligibility(parsed: Sequence[ParsedCheck]) -> list[dict[str, Any]]:
    return [{"predicate": c.spec.name, "args": c.args.model_dump(mode="json")} for c in parsed]


def _basis_points(rate: Decimal) -> int:
    return int((rate * 100).to_integral_value())


def _checked(body: ProductIn) -> dict[str, Any]:
    """``body`` as the product's stored fields, after the rules a schema cannot state."""
    ordered(body.amount_min, body.amount_max, "amount_min", "amount_max")
    ordered(body.term_min_months, body.term_max_months, "term_min_months", "term_max_months")
    ordered(body.rate_min_pct, body.rate_max_pct, "rate_min_pct", "rate_max_pct")
    return {
        "name_zh": body.name_zh,
        "kind": body.kind,
        "amount_min": body.amount_min,
        "amount_max": body.amount_max,
        "term_min_months": body.term_min_months,
        "term_max_months": body.term_max_months,
        "rate_min_bp": _basis_points(body.rate_min_pct),
        "rate_max_bp": _basis_points(body.rate_max_pct),
        "industries": _codes(body.industries, INDUSTRY_CODE, "industries", "GB/T 4754 code"),
        "regions": _codes(body.regions, DIVISION_CODE, "regions", "6-digit division code"),
        "eligibility": stored_eligibility(parse_eligibility(body.eligibility)),
        "description_zh": body.description_zh,
    }


def _ledger_view(product: Product) -> dict[str, Any]:
    return {
        "product_id": product.id,
        "institution": product.institution,
        "version": product.version,
        "name_zh": product.name_zh,
        "kind": product.kind.value,
        "amount": [product.amount_min, product.amount_max],
        "term_months": [product.term_min_months, product.term_max_months],
        "rate_bp": [product.rate_min_bp, product.rate_max_bp],
        "industries": product.industries,
        "regions": product.regions,
        "eligibility": product.eligibility,
        "state": product.state.value,
    }


def _record(ctx: RequestContext, product: Product, change: str) -> None:
    product.ledger_index = ctx.record(
        {"type": f"financing.product.{change}", **_ledger_view(product)}, subject=None
    )
    ctx.session.add(product)


def publish(ctx: RequestContext, body: ProductIn) -> Product:
    ctx.write()
    fields = _checked(body)
    product = Product(
        id=f"prd-{secrets.token_hex(8)}",
        institution=ctx.caller.id,
        state=ProductState.active,
        created_at=ctx.now,
        updated_at=ctx.now,
        ledger_index=-1,
        **fields,
    )
    _record(ctx, product, "published")
    return product


def _own_active(ctx: RequestContext, product_id: str) -> Product:
    product = repository.product(ctx.session, product_id)
    if product is None or product.institution != ctx.caller.id:
        raise NotFound(f"no product {product_id!r} of {ctx.caller.id}")
    return product


def as_input(product: Product) -> dict[str, Any]:
    return {
        "name_zh": product.name_zh,
        "kind": product.kind,
        "amount_min": product.amount_min,
        "amount_max": product.amount_max,
        "term_min_months": product.term_min_months,
        "term_max_months": product.term_max_months,
        "rate_min_pct": Decimal(product.rate_min_bp) / 100,
        "rate_max_pct": Decimal(product.rate_max_bp) / 100,
        "industries": product.industries,
        "regions": product.regions,
        "eligibility": product.eligibility,
        "description_zh": product.description_zh,
    }


def update(ctx: RequestContext, product_id: str, body: ProductIn | ProductPatch) -> Product:
    """Replace (``ProductIn``) or change (``ProductPatch``) an active product's terms."""
    ctx.write()
    product = _own_active(ctx, product_id)
    if product.state is not ProductState.active:
        raise Conflict(f"product {product_id} is withdrawn; publish a new one")
    if isinstance(body, ProductPatch):
        merged = {**as_input(product), **body.model_dump(exclude_unset=True)}
        try:
            body = ProductIn.model_validate(merged)
        except ValidationError as exc:
            error = exc.errors(include_url=False, include_input=False)[0]
            raise invalid(".".join(str(p) for p in error["loc"]), error["msg"]) from None
    for name, value in _checked(body).items():
        setattr(product, name, value)
    product.version += 1
    product.updated_at = ctx.now
    _record(ctx, product, "updated")
    return product


def withdraw(ctx: RequestContext, product_id: str) -> Product:
    ctx.write()
    product = _own_active(ctx, product_id)
    if product.state is ProductState.withdrawn:
        return product
    product.state = ProductState.withdrawn
    product.version += 1
    product.updated_at = ctx.now
    _record(ctx, product, "withdrawn")
    return product


def industry_fits(product: Product, industry: str | None) -> bool:
    """Empty industries: any. Otherwise the enterprise's class falls under one of the codes."""
    if not product.industries:
        return True
    return industry is not None and any(industry.startswith(code) for code in product.industries)


def region_fits(product: Product, region: str) -> bool:
    return not product.regions or region in product.regions


def listed(
    ctx: RequestContext, where: repository.ProductFilter, industry: str | None
) -> list[Product]:
    if industry is not None and not re.fullmatch(INDUSTRY_CODE, industry):
        raise invalid("industry", "not a GB/T 4754 code")
    found = repository.products(ctx.session, where)
    return [p for p in found if industry is None or industry_fits(p, industry)]


def get(ctx: RequestContext, product_id: str) -> Product:
    product = repository.product(ctx.session, product_id)
    if product is None:
        raise NotFound(f"no product {product_id!r}")
    return product
