"""Tax (市税务局), social insurance (市人力资源社会保障局) and housing fund (市公积金管理中心)."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from gateway.demo.context import Context, Record, Records
from gateway.demo.profiles import Profile
from gateway.demo.values import add_months, money, money_str, month_label, months_between

HEADCOUNT_BANDS = (
    (9, "1-9人"),
    (49, "10-49人"),
    (99, "50-99人"),
    (299, "100-299人"),
    (999, "300-999人"),
)
CONTRIBUTION_BANDS = (
    (10_000, "1万元以下"),
    (50_000, "1万-5万元"),
    (100_000, "5万-10万元"),
    (500_000, "10万-50万元"),
    (1_000_000, "50万-100万元"),
)
EMPLOYER_PENSION_RATE = Decimal("0.16")


def _band(value: Decimal | int, bands: tuple[tuple[int, str], ...], top: str) -> str:
    return next((label for limit, label in bands if value <= limit), top)


def _last_rated_year(today: date) -> int:
    # Grades for a year are published in April of the next.
    return today.year - 1 if today >= date(today.year, 4, 30) else today.year - 2


def _grade(p: Profile, year: int, base: str, latest: int) -> str:
    if year == p.established.year:
        return "M"  # newly established
    if p.stopped_year is not None:
        return "D" if year >= p.stopped_year else "B"
    if year == latest and p.has("abnormal_taxpayer"):
        return "D"
    if year == latest and p.has("strained"):
        return "C"
    return base


def _ratings(p: Profile, rng: random.Random, today: date) -> list[Record]:
    latest = _last_rated_year(today)
    old = months_between(p.established, today) >= 36
    base = (
        "A" if old and rng.random() < {"micro": 0.12, "small": 0.35, "medium": 0.5}[p.size] else "B"
    )
    if base == "B" and p.size == "micro" and rng.random() < 0.3:
        base = "M"
    return [
        {
            "enterprise_name": p.name,
            "uscc": p.uscc,
            "rating_year": year,
            "tax_credit_grade": _grade(p, year, base, latest),
        }
        for year in range(max(p.established.year, today.year - 5), latest + 1)
    ]


def _payday(rng: random.Random, today: date, months_back: int) -> date:
    """A filing-period payment day (1st-15th), ``months_back`` months before the latest one."""
    day = date(today.year, today.month, rng.randint(1, 15))
    if day > today:
        day = add_months(day, -1)
    return add_months(day, -months_back)


def _tax(p: Profile, rng: random.Random, today: date) -> Records:
    vat_payable = (
        money(p.revenue_12m * Decimal(str(p.industry.vat_burden))) if p.operating else Decimal(0)
    )
    profit = max(Decimal(0), p.revenue_12m * Decimal(str(p.margin)))
    cit_payable = money(profit * p.cit_rate) if p.operating else Decimal(0)
    vat_unpaid = cit_unpaid = owed = Decimal(0)
    months_unpaid = 0
    types = None
    if p.has("tax_arrears"):
        if p.operating:
            months_unpaid = rng.randint(1, 3)
            vat_unpaid = money(vat_payable * months_unpaid / 12)
            cit_unpaid = money(cit_payable / 2) if rng.random() < 0.3 else Decimal(0)
            owed = vat_unpaid + cit_unpaid
            types = "增值税、企业所得税" if cit_unpaid else "增值税"
        else:
            owed = money(rng.uniform(8_000, 300_000))  # from before it stopped filing
            types = "增值税、城市维护建设税"
    if p.operating:
        age_months = months_between(p.established, today)
        streak = 0 if p.has("tax_arrears") or p.has("abnormal_taxpayer") else age_months
        if streak and rng.random() < 0.1:
            streak = rng.randint(min(3, age_months), age_months)
        if p.has("abnormal_taxpayer"):
            months_unpaid = max(months_unpaid, rng.randint(3, 9))  # stopped filing
        last_paid = _payday(rng, today, months_unpaid)
    else:
        assert p.stopped_year is not None
        streak, last_paid = 0, date(p.stopped_year, rng.randint(1, 6), rng.randint(1, 15))
    identity = {"enterprise_name": p.name, "uscc": p.uscc}
    ratings = _ratings(p, rng, today)
    return {
        "tax_credit_rating": ratings,
        "tax_a_grade_taxpayers": [r for r in ratings if r["tax_credit_grade"] == "A"],
        "abnormal_taxpayer_status": [
            identity | {"is_abnormal_taxpayer": p.has("abnormal_taxpayer")}
        ],
        "tax_arrears": [
            identity
            | {"in_arrears": owed > 0, "arrears_amount": str(money(owed)), "tax_types": types}
        ],
        "tax_payments": [
            identity
            | {
                "vat_payable_12m": str(money(vat_payable)),
                "vat_paid_12m": str(money(vat_payable - vat_unpaid)),
                "cit_payable_12m": str(money(cit_payable)),
                "cit_paid_12m": str(money(cit_payable - cit_unpaid)),
                "consecutive_normal_months": streak,
                "last_normal_payment_date": last_paid.isoformat(),
            }
        ],
    }


def _social_insurance(p: Profile, rng: random.Random, today: date) -> Records:
    coverage = rng.uniform(0.6, 1.0) if p.size == "micro" else rng.uniform(0.8, 1.0)
    insured = max(1, round(p.staff_now * coverage))
    monthly = money(insured * p.wage * EMPLOYER_PENSION_RATE)
    latest_due = add_months(date(today.year, today.month, 1), -1)
    owed_months = 0
    if p.has("si_arrears") and p.operating:
        owed_months = rng.randint(1, 5)
    elif p.stopped_year is not None:  # owed since it stopped operating
        owed_months = months_between(date(p.stopped_year, rng.randint(3, 9), 1), latest_due)
    identity = {"enterprise_name": p.name, "uscc": p.uscc}
    detail = None
    if owed_months:
        first = add_months(latest_due, 1 - owed_months)
        detail = (
            f"欠缴企业职工基本养老保险费{owed_months}个月（{month_label(first)}至{month_label(latest_due)}），"
            f"单位欠缴金额{money_str(monthly * owed_months)}元"
        )
    return {
        "social_insurance_contributions": [
            identity
            | {
                "insured_headcount_band": _band(insured, HEADCOUNT_BANDS, "1000人及以上"),
                "employer_contribution_band": _band(monthly, CONTRIBUTION_BANDS, "100万元及以上"),
                "last_normal_payment_month": month_label(add_months(latest_due, -owed_months)),
            }
        ],
        "social_insurance_arrears": [
            identity | {"in_arrears": owed_months > 0, "arrears_detail": detail}
        ],
    }


def _housing_fund(p: Profile, rng: random.Random, today: date) -> list[Record]:
    if not p.operating or rng.random() >= {"micro": 0.25, "small": 0.6, "medium": 0.95}[p.size]:
        return []
    contributors = max(1, round(p.staff_now * rng.uniform(0.5, 0.95)))
    rate = Decimal(str(rng.choice((0.05, 0.08, 0.10, 0.12))))
    months = min(12, max(1, months_between(p.established, today)))
    lag = rng.randint(1, min(4, months)) if p.has("si_arrears") else 0
    paid_months = months - lag
    streak = rng.randint(0, paid_months) if lag else paid_months
    return [
        {
            "enterprise_name": p.name,
            "uscc": p.uscc,
            "avg_monthly_contributors_12m": contributors,
            "total_contributions_12m": money_str(contributors * p.wage * rate * 2 * paid_months),
            "consecutive_normal_months": streak,
            "last_normal_payment_date": _payday(rng, today, lag).isoformat(),
        }
    ]


def build(p: Profile, rng: random.Random, ctx: Context) -> Records:
    return (
        _tax(p, rng, ctx.today)
        | _social_insurance(p, rng, ctx.today)
        | {"housing_fund": _housing_fund(p, rng, ctx.today)}
    )
