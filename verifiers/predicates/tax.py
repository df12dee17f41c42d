"""Predicates on tax data (live from the tax bureau): grade, status, arrears, payments."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from verifiers.arguments import Arguments, Money, NoArguments, TaxGrades
from verifiers.predicates.common import is_stale, single_at_least, single_flag
from verifiers.spec import PredicateSpec
from verifiers.values import Records, integer, latest, money, text
from verifiers.verdict import (
    ABNORMAL_TAXPAYER,
    BELOW_THRESHOLD,
    GRADE_NOT_ACCEPTED,
    IN_ARREARS,
    NO_DATA,
    STALE_DATA,
    Verdict,
    no,
    undecided,
    yes,
)

RATING = "tax_credit_rating"
STATUS = "abnormal_taxpayer_status"
ARREARS = "tax_arrears"
PAYMENTS = "tax_payments"
MAX_MONTHS = 600


class GradesArgs(Arguments):
    grades: TaxGrades = Field(description="Accepted tax credit grades, from A, B, M, C, D.")


def tax_credit_grade_in(records: Records, args: GradesArgs, today: date) -> Verdict:
    """The grade of the newest rating year is one of ``grades``; undecided if that is stale."""
    rating = latest(records[RATING], RATING, "rating_year")
    if rating is None:
        return undecided()
    year = integer(rating, "rating_year")
    if year is not None and is_stale(year, today):
        return undecided(STALE_DATA)
    grade = text(rating, "tax_credit_grade")
    if grade is None:
        return undecided()
    return yes() if grade in args.grades else no(GRADE_NOT_ACCEPTED)


TAX_CREDIT_GRADE_IN = PredicateSpec(
    name="tax_credit_grade_in",
    description="The tax credit grade of the latest rated year is one of the given grades.",
    description_zh="最近评级年度的纳税信用等级属于给定等级之一。",
    args_model=GradesArgs,
    reads=((RATING, "rating_year"), (RATING, "tax_credit_grade")),
    rule=tax_credit_grade_in,
    reasons=frozenset({GRADE_NOT_ACCEPTED, STALE_DATA, NO_DATA}),
)

NOT_ABNORMAL_TAXPAYER = PredicateSpec(
    name="not_abnormal_taxpayer",
    description="The tax bureau does not mark the enterprise an abnormal taxpayer.",
    description_zh="企业不是非正常纳税户。",
    args_model=NoArguments,
    reads=((STATUS, "is_abnormal_taxpayer"),),
    rule=single_flag(STATUS, "is_abnormal_taxpayer", wanted=False, failing=ABNORMAL_TAXPAYER),
    reasons=frozenset({ABNORMAL_TAXPAYER, NO_DATA}),
)

NO_TAX_ARREARS = PredicateSpec(
    name="no_tax_arrears",
    description="The enterprise currently owes no tax.",
    description_zh="企业当前无欠税。",
    args_model=NoArguments,
    reads=((ARREARS, "in_arrears"),),
    rule=single_flag(ARREARS, "in_arrears", wanted=False, failing=IN_ARREARS),
    reasons=frozenset({IN_ARREARS, NO_DATA}),
)


class AmountArgs(Arguments):
    amount: Money = Field(description="Least amount, CNY.")


VAT_PAID_LAST_YEAR_AT_LEAST = PredicateSpec(
    name="vat_paid_last_year_at_least",
    description="The VAT actually paid over the last twelve months is at least the amount.",
    description_zh="近一年增值税实际缴税金额不低于给定金额。",
    args_model=AmountArgs,
    reads=((PAYMENTS, "vat_paid_12m"),),
    rule=single_at_least(PAYMENTS, "vat_paid_12m", money, lambda a: a.amount),
    reasons=frozenset({BELOW_THRESHOLD, NO_DATA}),
    threshold_arg="amount",
)

INCOME_TAX_PAID_LAST_YEAR_AT_LEAST = PredicateSpec(
    name="income_tax_paid_last_year_at_least",
    description=(
        "The corporate income tax actually paid over the last twelve months is at least the amount."
    ),
    description_zh="近一年企业所得税实际缴税金额不低于给定金额。",
    args_model=AmountArgs,
    reads=((PAYMENTS, "cit_paid_12m"),),
    rule=single_at_least(PAYMENTS, "cit_paid_12m", money, lambda a: a.amount),
    reasons=frozenset({BELOW_THRESHOLD, NO_DATA}),
    threshold_arg="amount",
)


class MonthsArgs(Arguments):
    months: int = Field(ge=0, le=MAX_MONTHS, description="Least number of consecutive months.")


CONSECUTIVE_NORMAL_TAX_MONTHS_AT_LEAST = PredicateSpec(
    name="consecutive_normal_tax_months_at_least",
    description="Tax has been paid on time for at least the given number of consecutive months.",
    description_zh="连续正常缴税周期（月）不少于给定月数。",
    args_model=MonthsArgs,
    reads=((PAYMENTS, "consecutive_normal_months"),),
    rule=single_at_least(PAYMENTS, "consecutive_normal_months", integer, lambda a: a.months),
    reasons=frozenset({BELOW_THRESHOLD, NO_DATA}),
    threshold_arg="months",
)

PREDICATES = (
    TAX_CREDIT_GRADE_IN,
    NOT_ABNORMAL_TAXPAYER,
    NO_TAX_ARREARS,
    VAT_PAID_LAST_YEAR_AT_LEAST,
    INCOME_TAX_PAID_LAST_YEAR_AT_LEAST,
    CONSECUTIVE_NORMAL_TAX_MONTHS_AT_LEAST,
)
