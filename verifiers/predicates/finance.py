"""Predicates on the latest annual report: revenue and debt ratio."""

from __future__ import annotations

from datetime import date
from decimal import localcontext

from pydantic import Field

from verifiers.arguments import Arguments, Money, Ratio
from verifiers.predicates.common import is_stale
from verifiers.spec import PredicateSpec
from verifiers.values import BadRecord, Record, Records, integer, latest, money
from verifiers.verdict import (
    ABOVE_THRESHOLD,
    BELOW_THRESHOLD,
    NO_DATA,
    STALE_DATA,
    UNDEFINED_RATIO,
    Verdict,
    no,
    undecided,
    yes,
)

REPORTS = "annual_reports"


def _latest_report(records: Records, today: date) -> Record | Verdict:
    """The newest annual report, or the undecided verdict if there is none or it is stale."""
    report = latest(records[REPORTS], REPORTS, "report_year")
    if report is None:
        return undecided()
    year = integer(report, "report_year")
    if year is not None and is_stale(year, today):
        return undecided(STALE_DATA)
    return report


class RevenueArgs(Arguments):
    amount: Money = Field(description="Least total operating revenue for the year, CNY.")


def annual_revenue_at_least(records: Records, args: RevenueArgs, today: date) -> Verdict:
    """The newest annual report's total revenue is at least ``amount``."""
    report = _latest_report(records, today)
    if isinstance(report, Verdict):
        return report
    revenue = money(report, "total_revenue")
    if revenue is None:
        return undecided()
    return yes() if revenue >= args.amount else no(BELOW_THRESHOLD)


ANNUAL_REVENUE_AT_LEAST = PredicateSpec(
    name="annual_revenue_at_least",
    description="The total revenue in the latest annual report is at least the amount.",
    description_zh="最近一期企业年报的营业总收入不低于给定金额。",
    args_model=RevenueArgs,
    reads=((REPORTS, "report_year"), (REPORTS, "total_revenue")),
    rule=annual_revenue_at_least,
    reasons=frozenset({BELOW_THRESHOLD, STALE_DATA, NO_DATA}),
    threshold_arg="amount",
)


class DebtRatioArgs(Arguments):
    ratio: Ratio = Field(description="Greatest total liabilities over total assets, 0 to 1.")


def debt_ratio_at_most(records: Records, args: DebtRatioArgs, today: date) -> Verdict:
    """Total liabilities over total assets in the newest annual report is at most ``ratio``."""
    report = _latest_report(records, today)
    if isinstance(report, Verdict):
        return report
    liabilities = money(report, "total_liabilities")
    assets = money(report, "total_assets")
    if liabilities is None or assets is None:
        return undecided()
    if liabilities < 0:
        raise BadRecord("total_liabilities: negative")
    if assets <= 0:
        return undecided(UNDEFINED_RATIO)
    # Multiply rather than divide, with room for every digit: exact at the boundary.
    with localcontext(prec=80):
        within = liabilities <= args.ratio * assets
    return yes() if within else no(ABOVE_THRESHOLD)


DEBT_RATIO_AT_MOST = PredicateSpec(
    name="debt_ratio_at_most",
    description=(
        "Total liabilities over total assets in the latest annual report is at most the ratio."
    ),
    description_zh="最近一期企业年报的资产负债率（负债总额/资产总额）不高于给定比例。",
    args_model=DebtRatioArgs,
    reads=(
        (REPORTS, "report_year"),
        (REPORTS, "total_liabilities"),
        (REPORTS, "total_assets"),
    ),
    rule=debt_ratio_at_most,
    reasons=frozenset({ABOVE_THRESHOLD, UNDEFINED_RATIO, STALE_DATA, NO_DATA}),
    threshold_arg="ratio",
)

PREDICATES = (ANNUAL_REVENUE_AT_LEAST, DEBT_RATIO_AT_MOST)
