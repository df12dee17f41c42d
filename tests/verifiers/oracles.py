"""Each predicate computed again, directly from full records, independently of ``verifiers``.

Written from the predicate's documented meaning (docs/verifiers.md) in a different style than
the implementation: ISO dates compared as strings, anniversaries built as dates, ratios as
exact fractions. An oracle returns True or False, or raises ``Undecided`` when the data cannot
decide. Each oracle comes with a strategy for raw arguments, biased towards the record's own
values so that boundaries are hit.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import strategies as st

from tests.verifiers.strategies import ID_NUMBERS, values_of

Rows = Mapping[str, Sequence[Mapping[str, Any]]]
Args = dict[str, Any]


class Undecided(Exception):
    """The data cannot decide the question."""


def only(rows: Rows, dataset: str) -> Mapping[str, Any]:
    """The single record of a one-record dataset; Undecided if none or several."""
    found = rows[dataset]
    if len(found) != 1:
        raise Undecided
    return found[0]


def field(row: Mapping[str, Any], name: str) -> Any:
    if name not in row:
        raise Undecided
    return row[name]


def newest_yearly(rows: Rows, dataset: str, year_field: str, today: date) -> Mapping[str, Any]:
    """The newest yearly record, Undecided if none, ambiguous or older than two years."""
    found = rows[dataset]
    if not found or any(year_field not in r for r in found):
        raise Undecided
    top = max(r[year_field] for r in found)
    newest = [r for r in found if r[year_field] == top]
    if len(newest) > 1 or top + 2 < today.year:
        raise Undecided
    return newest[0]


# ---------------------------------------------------------------- argument strategies


def amounts_near(values: list[Any]) -> st.SearchStrategy[Any]:
    """An amount as the wire sends it (string or integer), often a record value or next to it."""
    near = [Decimal(str(v)) + step for v in values for step in (Decimal(0), Decimal("0.01"))]
    near += [Decimal(str(v)) - Decimal("0.01") for v in values]
    exact = st.sampled_from([n for n in near if n >= 0] or [Decimal(0)]).map(str)
    free = st.one_of(
        st.integers(0, 3_000_000),
        st.decimals(0, 3_000_000, places=2).map(str),
    )
    return st.one_of(exact, free)


def counts_near(values: list[Any], most: int) -> st.SearchStrategy[int]:
    near = [v + step for v in values for step in (-1, 0, 1) if 0 <= v + step <= most]
    return st.one_of(st.sampled_from(near or [0]), st.integers(0, min(most, 50)))


def dates_near(values: list[Any], today: date) -> st.SearchStrategy[str]:
    days = [date.fromisoformat(v) + timedelta(days=s) for v in values for s in (-1, 0, 1)]
    days = [d for d in days if date(1900, 1, 1) <= d <= date(2099, 12, 31)]
    free = st.dates(today - timedelta(days=3660), today)
    return st.one_of(st.sampled_from(days or [today]), free).map(date.isoformat)


def money_args(dataset: str, name: str) -> Callable[[Rows, date], st.SearchStrategy[Args]]:
    return lambda rows, today: st.fixed_dictionaries(
        {"amount": amounts_near(values_of(rows, dataset, name))}
    )


def count_args(
    dataset: str, name: str, arg: str, most: int
) -> Callable[[Rows, date], st.SearchStrategy[Args]]:
    return lambda rows, today: st.fixed_dictionaries(
        {arg: counts_near(values_of(rows, dataset, name), most)}
    )


def no_args(rows: Rows, today: date) -> st.SearchStrategy[Args]:
    return st.just({})


# ---------------------------------------------------------------- registration


def licence_in_force(rows: Rows, args: Args, today: date) -> bool:
    licence = only(rows, "business_licence")
    status = field(licence, "registration_status")
    day = today.isoformat()
    start = licence.get("operating_term_from", day)
    end = licence.get("operating_term_to", day)
    return status == "存续" and start <= day <= end


def registered_capital_at_least(rows: Rows, args: Args, today: date) -> bool:
    capital = field(only(rows, "business_licence"), "registered_capital")
    return Decimal(capital) >= Decimal(str(args["amount"]))


def years_in_operation_at_least(rows: Rows, args: Args, today: date) -> bool:
    established = date.fromisoformat(field(only(rows, "business_licence"), "established_date"))
    year = established.year + args["years"]
    try:
        anniversary = date(year, established.month, established.day)
    except ValueError:  # 29 February in a common year: the year is complete on 1 March
        anniversary = date(year, 3, 1)
    return anniversary <= today


def years_args(rows: Rows, today: date) -> st.SearchStrategy[Args]:
    ages = [
        today.year - int(v[:4]) for v in values_of(rows, "business_licence", "established_date")
    ]
    return st.fixed_dictionaries({"years": counts_near(ages, 200)})


# ---------------------------------------------------------------- supervision and lists


def not_on_abnormal_operations_list(rows: Rows, args: Args, today: date) -> bool:
    return field(only(rows, "abnormal_operations"), "is_listed") is False


def _never_listed_now(rows: Rows, dataset: str, today: date) -> bool:
    day = today.isoformat()
    return all("removal_date" in r and r["removal_date"] <= day for r in rows[dataset])


def not_on_serious_violation_list(rows: Rows, args: Args, today: date) -> bool:
    return _never_listed_now(rows, "serious_violations", today)


def not_on_serious_dishonesty_list(rows: Rows, args: Args, today: date) -> bool:
    return _never_listed_now(rows, "serious_dishonesty_list", today)


def spot_check_failures_at_most(rows: Rows, args: Args, today: date) -> bool:
    return field(only(rows, "spot_checks"), "failed_checks_3y") <= args["count"]


# ---------------------------------------------------------------- tax


def tax_credit_grade_in(rows: Rows, args: Args, today: date) -> bool:
    rating = newest_yearly(rows, "tax_credit_rating", "rating_year", today)
    return field(rating, "tax_credit_grade") in set(args["grades"])


def grades_args(rows: Rows, today: date) -> st.SearchStrategy[Args]:
    grades = st.lists(st.sampled_from(["A", "B", "M", "C", "D"]), min_size=1, max_size=7)
    return st.fixed_dictionaries({"grades": grades})


def not_abnormal_taxpayer(rows: Rows, args: Args, today: date) -> bool:
    return not field(only(rows, "abnormal_taxpayer_status"), "is_abnormal_taxpayer")


def no_tax_arrears(rows: Rows, args: Args, today: date) -> bool:
    return not field(only(rows, "tax_arrears"), "in_arrears")


def vat_paid_last_year_at_least(rows: Rows, args: Args, today: date) -> bool:
    paid = field(only(rows, "tax_payments"), "vat_paid_12m")
    return Decimal(paid) >= Decimal(str(args["amount"]))


def income_tax_paid_last_year_at_least(rows: Rows, args: Args, today: date) -> bool:
    paid = field(only(rows, "tax_payments"), "cit_paid_12m")
    return Decimal(paid) >= Decimal(str(args["amount"]))


def consecutive_normal_tax_months_at_least(rows: Rows, args: Args, today: date) -> bool:
    return field(only(rows, "tax_payments"), "consecutive_normal_months") >= args["months"]


# ---------------------------------------------------------------- payroll


def housing_fund_contributors_at_least(rows: Rows, args: Args, today: date) -> bool:
    return field(only(rows, "housing_fund"), "avg_monthly_contributors_12m") >= args["count"]


def no_social_insurance_arrears(rows: Rows, args: Args, today: date) -> bool:
    return not field(only(rows, "social_insurance_arrears"), "in_arrears")


# ---------------------------------------------------------------- property and utilities


def owns_real_estate(rows: Rows, args: Args, today: date) -> bool:
    titles = rows["real_estate"]
    wanted = args.get("usages")
    if wanted is None:
        return len(titles) > 0
    if any(t.get("usage") in wanted for t in titles):
        return True
    if any("usage" not in t for t in titles):
        raise Undecided
    return False


USAGES = ["工业", "仓储", "商业", "办公", "住宅", "其他"]


def usages_args(rows: Rows, today: date) -> st.SearchStrategy[Args]:
    usages = st.lists(st.sampled_from(USAGES), min_size=1, max_size=3)
    return st.one_of(
        st.just({}), st.just({"usages": None}), st.fixed_dictionaries({"usages": usages})
    )


def no_utility_arrears(rows: Rows, args: Args, today: date) -> bool:
    accounts = [*rows["water_bills"], *rows["electricity_bills"], *rows["gas_bills"]]
    if any(a.get("in_arrears") is True for a in accounts):
        return False
    if not accounts or any("in_arrears" not in a for a in accounts):
        raise Undecided
    return True


# ---------------------------------------------------------------- administrative


def no_administrative_penalty_since(rows: Rows, args: Args, today: date) -> bool:
    penalties = rows["administrative_penalties"]
    if any(p.get("decision_date", "") >= args["since"] for p in penalties):
        return False
    if any("decision_date" not in p for p in penalties):
        raise Undecided
    return True


def since_args(rows: Rows, today: date) -> st.SearchStrategy[Args]:
    decided = values_of(rows, "administrative_penalties", "decision_date")
    return st.fixed_dictionaries({"since": dates_near(decided, today)})


ID_SOURCES = {
    "administrative_licences": "decision_date",
    "administrative_penalties": "decision_date",
    "administrative_coercion": "executed_on",
}


def legal_representative_id_is(rows: Rows, args: Args, today: date) -> bool:
    dated = [
        (r[on], r["legal_rep_id_no"].strip().upper())
        for dataset, on in ID_SOURCES.items()
        for r in rows[dataset]
        if on in r and "legal_rep_id_no" in r
    ]
    if not dated:
        raise Undecided
    newest = max(day for day, _ in dated)
    numbers = {number for day, number in dated if day == newest}
    for change in rows["registration_changes"]:
        if (
            change.get("change_item") == "法定代表人变更"
            and change.get("change_date", "~") > newest
        ):
            raise Undecided  # "~" sorts after every date: an undated change counts as later
    if len(numbers) != 1:
        raise Undecided
    return args["id_no"].strip().upper() in numbers


def id_args(rows: Rows, today: date) -> st.SearchStrategy[Args]:
    number = st.one_of(
        st.sampled_from(ID_NUMBERS),
        st.sampled_from(ID_NUMBERS).map(lambda n: f"  {n.lower()} "),
        st.text("0123456789X", min_size=2, max_size=18),
    )
    return st.fixed_dictionaries({"id_no": number})


# ---------------------------------------------------------------- science and finance


def national_high_tech_enterprise(rows: Rows, args: Args, today: date) -> bool:
    return field(only(rows, "research_development"), "is_high_tech") is True


def annual_revenue_at_least(rows: Rows, args: Args, today: date) -> bool:
    report = newest_yearly(rows, "annual_reports", "report_year", today)
    return Decimal(field(report, "total_revenue")) >= Decimal(str(args["amount"]))


def debt_ratio_at_most(rows: Rows, args: Args, today: date) -> bool:
    report = newest_yearly(rows, "annual_reports", "report_year", today)
    liabilities = Fraction(Decimal(field(report, "total_liabilities")))
    assets = Fraction(Decimal(field(report, "total_assets")))
    if liabilities < 0 or assets <= 0:
        raise Undecided
    return liabilities / assets <= Fraction(Decimal(str(args["ratio"])))


def ratio_args(rows: Rows, today: date) -> st.SearchStrategy[Args]:
    near = []
    for r in rows["annual_reports"]:
        try:
            ratio = Decimal(r["total_liabilities"]) / Decimal(r["total_assets"])
        except (KeyError, ArithmeticError):
            continue
        exact = ratio.quantize(Decimal("0.0001"))
        near += [exact + s for s in (Decimal("-0.0001"), Decimal(0), Decimal("0.0001"))]
    as_wire = st.one_of(st.just(str), st.just(float))
    picked = st.one_of(
        st.sampled_from([n for n in near if 0 <= n <= 1] or [Decimal("0.5")]),
        st.decimals(0, 1, places=4),
    )
    return st.fixed_dictionaries({"ratio": st.builds(lambda f, d: f(d), as_wire, picked)})


# ---------------------------------------------------------------- SME credit evaluations


def _newest_evaluations(rows: Rows) -> list[Mapping[str, Any]]:
    found = rows["sme_credit_evaluations"]
    if not found or any("evaluation_date" not in r for r in found):
        raise Undecided
    top = max(r["evaluation_date"] for r in found)
    return [r for r in found if r["evaluation_date"] == top]


def sme_credit_grade_in(rows: Rows, args: Args, today: date) -> bool:
    grades = {r.get("credit_grade") for r in _newest_evaluations(rows)}
    if None in grades or len(grades) != 1:
        raise Undecided
    return grades.pop() in set(args["grades"])


def sme_grades_args(rows: Rows, today: date) -> st.SearchStrategy[Args]:
    grades = st.lists(
        st.sampled_from(["AAA", "AA", "A", "BBB", "BB", "B", "C"]), min_size=1, max_size=9
    )
    return st.fixed_dictionaries({"grades": grades})


def sme_credit_evaluated_within(rows: Rows, args: Args, today: date) -> bool:
    newest = _newest_evaluations(rows)[0]["evaluation_date"]
    month_index = today.year * 12 + today.month - 1 - args["months"]
    year, month = month_index // 12, month_index % 12 + 1
    cutoff = date(year, month, min(today.day, calendar.monthrange(year, month)[1]))
    return bool(newest >= cutoff.isoformat())


def evaluation_months_args(rows: Rows, today: date) -> st.SearchStrategy[Args]:
    ages = [
        (today.year - int(v[:4])) * 12 + today.month - int(v[5:7])
        for v in values_of(rows, "sme_credit_evaluations", "evaluation_date")
    ]
    near = [a + s for a in ages for s in (-1, 0, 1) if 1 <= a + s <= 120]
    return st.fixed_dictionaries(
        {"months": st.one_of(st.sampled_from(near or [12]), st.integers(1, 120))}
    )


# ---------------------------------------------------------------- the table


@dataclass(frozen=True)
class Oracle:
    expect: Callable[[Rows, Args, date], bool]
    args: Callable[[Rows, date], st.SearchStrategy[Args]]


ORACLES: dict[str, Oracle] = {
    "licence_in_force": Oracle(licence_in_force, no_args),
    "registered_capital_at_least": Oracle(
        registered_capital_at_least, money_args("business_licence", "registered_capital")
    ),
    "years_in_operation_at_least": Oracle(years_in_operation_at_least, years_args),
    "not_on_abnormal_operations_list": Oracle(not_on_abnormal_operations_list, no_args),
    "not_on_serious_violation_list": Oracle(not_on_serious_violation_list, no_args),
    "not_on_serious_dishonesty_list": Oracle(not_on_serious_dishonesty_list, no_args),
    "spot_check_failures_at_most": Oracle(
        spot_check_failures_at_most, count_args("spot_checks", "failed_checks_3y", "count", 1000)
    ),
    "tax_credit_grade_in": Oracle(tax_credit_grade_in, grades_args),
    "not_abnormal_taxpayer": Oracle(not_abnormal_taxpayer, no_args),
    "no_tax_arrears": Oracle(no_tax_arrears, no_args),
    "vat_paid_last_year_at_least": Oracle(
        vat_paid_last_year_at_least, money_args("tax_payments", "vat_paid_12m")
    ),
    "income_tax_paid_last_year_at_least": Oracle(
        income_tax_paid_last_year_at_least, money_args("tax_payments", "cit_paid_12m")
    ),
    "consecutive_normal_tax_months_at_least": Oracle(
        consecutive_normal_tax_months_at_least,
        count_args("tax_payments", "consecutive_normal_months", "months", 600),
    ),
    "housing_fund_contributors_at_least": Oracle(
        housing_fund_contributors_at_least,
        count_args("housing_fund", "avg_monthly_contributors_12m", "count", 1_000_000),
    ),
    "no_social_insurance_arrears": Oracle(no_social_insurance_arrears, no_args),
    "owns_real_estate": Oracle(owns_real_estate, usages_args),
    "no_utility_arrears": Oracle(no_utility_arrears, no_args),
    "no_administrative_penalty_since": Oracle(no_administrative_penalty_since, since_args),
    "legal_representative_id_is": Oracle(legal_representative_id_is, id_args),
    "national_high_tech_enterprise": Oracle(national_high_tech_enterprise, no_args),
    "annual_revenue_at_least": Oracle(
        annual_revenue_at_least, money_args("annual_reports", "total_revenue")
    ),
    "debt_ratio_at_most": Oracle(debt_ratio_at_most, ratio_args),
    "sme_credit_grade_in": Oracle(sme_credit_grade_in, sme_grades_args),
    "sme_credit_evaluated_within": Oracle(sme_credit_evaluated_within, evaluation_months_args),
}


def expected(name: str, rows: Rows, args: Args, today: date) -> bool | None:
    """The oracle's answer: True, False, or None when the data cannot decide."""
    try:
        return ORACLES[name].expect(rows, args, today)
    except Undecided:
        return None
