"""Self pre-qualification: which products would the enterprise qualify for, on its own data.

The products' criteria are evaluated by the same predicate code as a bank's verification, on
everything the platform holds of the enterprise (the subject's own view, live datasets fetched
for the subject). Nothing reaches an institution: no access event, no bisection budget, no
notification; the one trace is an entry in the enterprise's own chain naming the products and
the counts of passed, failed and undecided criteria, never a value.
"""

from __future__ import annotations

from gateway.access import holdings
from gateway.context import RequestContext
from gateway.financing import products as catalogue
from gateway.financing import repository
from gateway.financing.models import Product
from gateway.financing.schemas import (
    CriterionIn,
    CriterionResult,
    ProductMatch,
    ProductMatchesOut,
    ProductOut,
)
from gateway.verification.budget import platform_day
from gateway.verification.checks import parse_checks

PASS, FAIL, NO_DATA = "pass", "fail", "no_data"


def industry_of(registration: dict[str, object] | None) -> str | None:
    """The GB/T 4754 class of a licence's ``industry`` field ("C3120 炼钢" -> "C3120")."""
    value = (registration or {}).get("industry")
    if not isinstance(value, str) or not value.strip():
        return None
    return value.split()[0][:8]


def matches(ctx: RequestContext, where: repository.ProductFilter) -> ProductMatchesOut:
    ctx.write()
    enterprise = ctx.caller.id
    found = list(repository.products(ctx.session, where))
    criteria = {
        p.id: parse_checks([CriterionIn.model_validate(c) for c in p.eligibility], "eligibility")
        for p in found
    }
    wanted = {d for checks in criteria.values() for c in checks for d in c.spec.datasets}
    held = holdings.load(
        ctx.session,
        ctx.catalog,
        ctx.live,
        enterprise,
        wanted | {"business_licence"},
        for_subject=True,
    )
    licence = held.records.get("business_licence", [])
    industry = industry_of(licence[0].fields if licence else None)
    region = enterprise[2:8]
    today = platform_day(ctx.now)
    answers = []
    for product in found:
        results = []
        for check in criteria[product.id]:
            records = {
                d: [r.fields for r in held.records.get(d, [])]
                for d in check.spec.datasets
                if d not in held.unavailable
            }
            verdict = check.spec.evaluate(records, check.args, today)
            result = NO_DATA if verdict.holds is None else PASS if verdict.holds else FAIL
            results.append(
                CriterionResult(
                    predicate=check.spec.name,
                    args=check.args.model_dump(mode="json"),
                    result=result,
                    reason=verdict.reason,
                )
            )
        answers.append(_match(product, results, industry, region))
    index = ctx.record(
        {
            "type": "financing.prequalification",
            "enterprise": enterprise,
            "products": [
                {
                    "product_id": m.product.id,
                    "passed": m.passed,
                    "failed": m.failed,
                    "no_data": m.no_data,
                }
                for m in answers
            ],
        },
        subject=enterprise,
    )
    return ProductMatchesOut(
        enterprise=enterprise, industry=industry, region=region, matches=answers, ledger_index=index
    )


def _match(
    product: Product, results: list[CriterionResult], industry: str | None, region: str
) -> ProductMatch:
    count = {kind: sum(r.result == kind for r in results) for kind in (PASS, FAIL, NO_DATA)}
    fits_industry = catalogue.industry_fits(product, industry)
    fits_region = catalogue.region_fits(product, region)
    return ProductMatch(
        product=ProductOut.of(product),
        industry_fits=fits_industry,
        region_fits=fits_region,
        qualifies=fits_industry and fits_region and count[PASS] == len(results),
        passed=count[PASS],
        failed=count[FAIL],
        no_data=count[NO_DATA],
        criteria=results,
    )
