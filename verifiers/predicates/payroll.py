"""Predicates on payroll-derived data: housing fund and social insurance."""

from __future__ import annotations

from pydantic import Field

from verifiers.arguments import Arguments, NoArguments
from verifiers.predicates.common import single_at_least, single_flag
from verifiers.spec import PredicateSpec
from verifiers.values import integer
from verifiers.verdict import BELOW_THRESHOLD, IN_ARREARS, NO_DATA

HOUSING_FUND = "housing_fund"
SOCIAL_ARREARS = "social_insurance_arrears"
MAX_CONTRIBUTORS = 1_000_000


class ContributorsArgs(Arguments):
    count: int = Field(
        ge=0, le=MAX_CONTRIBUTORS, description="Least average number of contributors per month."
    )


HOUSING_FUND_CONTRIBUTORS_AT_LEAST = PredicateSpec(
    name="housing_fund_contributors_at_least",
    description=(
        "The average monthly number of housing-fund contributors over the last year is at least "
        "the count."
    ),
    description_zh="近一年住房公积金月均缴存人数不少于给定人数。",
    args_model=ContributorsArgs,
    reads=((HOUSING_FUND, "avg_monthly_contributors_12m"),),
    rule=single_at_least(HOUSING_FUND, "avg_monthly_contributors_12m", integer, lambda a: a.count),
    reasons=frozenset({BELOW_THRESHOLD, NO_DATA}),
    threshold_arg="count",
)

NO_SOCIAL_INSURANCE_ARREARS = PredicateSpec(
    name="no_social_insurance_arrears",
    description="The enterprise currently owes no social-insurance contributions.",
    description_zh="企业当前无社会保险费欠缴。",
    args_model=NoArguments,
    reads=((SOCIAL_ARREARS, "in_arrears"),),
    rule=single_flag(SOCIAL_ARREARS, "in_arrears", wanted=False, failing=IN_ARREARS),
    reasons=frozenset({IN_ARREARS, NO_DATA}),
)

PREDICATES = (HOUSING_FUND_CONTRIBUTORS_AT_LEAST, NO_SOCIAL_INSURANCE_ARREARS)
