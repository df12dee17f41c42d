"""Market-supervision records (市市场监管局): pledges, annual reports, listings, spot checks."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from gateway.demo.context import Context, Record, Records
from gateway.demo.parties import AUTHORITIES, LENDERS
from gateway.demo.people import make_person
from gateway.demo.profiles import Profile
from gateway.demo.values import add_years, between, money, money_str

UNFILED_REPORT = "未依照规定报送年度报告"
UNREACHABLE = "通过登记的住所或者经营场所无法联系"
THREE_YEARS_UNFIXED = "被列入经营异常名录届满3年仍未履行相关义务"
_REGULATOR = AUTHORITIES["market"].name


def abnormal_listing_date(p: Profile, rng: random.Random, today: date) -> date | None:
    """When the enterprise went on the abnormal-operations list, if it is on it."""
    if p.stopped_year is not None:
        return date(p.stopped_year + 1, 7, rng.randint(1, 15))  # the day after the filing deadline
    if p.has("unreachable"):
        return between(rng, max(p.established + timedelta(days=180), add_years(today, -2)), today)
    return None


def _annual_report(p: Profile, rng: random.Random, year: int, today: date) -> Record | None:
    filed = date(year + 1, rng.randint(1, 6), rng.randint(1, 28))
    revenue = p.revenue_for_year(year, today)
    if filed > today or revenue <= 0 or (p.stopped_year is not None and year >= p.stopped_year):
        return None
    margin = Decimal(str(p.margin + rng.gauss(0, 0.015)))
    profit = money(revenue * margin)
    income_tax = money(max(profit, Decimal(0)) * p.cit_rate)
    vat = money(revenue * Decimal(str(p.industry.vat_burden)))
    assets = money(revenue / Decimal(str(p.industry.asset_turnover * rng.uniform(0.85, 1.15))))
    liabilities = money(assets * Decimal(str(p.leverage * rng.uniform(0.95, 1.05))))
    growth = (1 + p.growth) ** (year - today.year)
    return {
        "enterprise_name": p.name,
        "uscc": p.uscc,
        "report_year": year,
        "total_assets": str(assets),
        "owners_equity": str(assets - liabilities),
        "total_revenue": str(revenue),
        "total_profit": str(profit),
        "net_profit": str(profit - income_tax),
        "total_tax": money_str(vat * Decimal("1.12") + income_tax + assets * Decimal("0.002")),
        "total_liabilities": str(liabilities),
        "has_external_guarantee": rng.random() < (0.2 if p.size == "medium" else 0.06),
        "employees": max(1, round(p.employees * growth)),
    }


def _annual_reports(p: Profile, rng: random.Random, today: date) -> list[Record]:
    years = range(max(p.established.year, today.year - 5), today.year)
    reports = (_annual_report(p, rng, year, today) for year in years)
    return [r for r in reports if r is not None]


def _abnormal(p: Profile, rng: random.Random, today: date) -> Record:
    listed = abnormal_listing_date(p, rng, today)
    reason = None
    if listed is not None:
        reason = UNFILED_REPORT if p.stopped_year is not None else UNREACHABLE
    return {
        "enterprise_name": p.name,
        "uscc": p.uscc,
        "is_listed": listed is not None,
        "listing_reason": reason,
        "listed_date": listed.isoformat() if listed else None,
    }


def _serious_violations(p: Profile, rng: random.Random, today: date) -> list[Record]:
    record: Record = {"enterprise_name": p.name, "uscc": p.uscc, "listed_by": _REGULATOR}
    if p.stopped_year is not None:
        abnormal_since = date(p.stopped_year + 1, 7, 15)
        listed = add_years(abnormal_since, 3) + timedelta(days=rng.randint(1, 30))
        if listed > today:
            return []
        record |= {"listing_reason": THREE_YEARS_UNFIXED, "listed_date": listed.isoformat()}
        return [record]
    if p.has("rehabilitated"):
        listed = between(rng, add_years(today, -6), add_years(today, -4))
        removed = between(rng, add_years(listed, 1), add_years(listed, 3))
        record |= {
            "listing_reason": THREE_YEARS_UNFIXED,
            "listed_date": listed.isoformat(),
            "removal_reason": "已履行相关义务，经申请信用修复移出",
            "removal_date": removed.isoformat(),
            "removed_by": _REGULATOR,
        }
        return [record]
    return []


def _pledges(p: Profile, rng: random.Random, ctx: Context) -> list[Record]:
    if not p.has("pledged"):
        return []
    count = rng.randint(1, 2)
    start = max(p.established + timedelta(days=90), add_years(ctx.today, -6))
    dates = sorted(between(rng, start, ctx.today - timedelta(days=3)) for _ in range(count))
    pledges = []
    for n, registered in enumerate(dates):
        holder = p.shareholders[0] if rng.random() < 0.5 else p.shareholders[-1]
        lender = rng.choice(LENDERS)
        pledgee, pledgee_id = lender.name, lender.uscc
        if rng.random() < 0.1:  # private lending against equity
            person = make_person(rng, ctx.today)
            pledgee, pledgee_id = person.name, person.id_no
        share = Decimal(str(rng.choice((0.3, 0.5, 0.8, 1.0))))
        pledges.append(
            {
                "enterprise_name": p.name,
                "uscc": p.uscc,
                "registration_no": f"{p.division}{registered.year}{ctx.serial('pledge'):07d}",
                "pledgor": holder.name,
                "pledgor_id_no": holder.person.id_no if holder.person else holder.code,
                "pledged_amount": money_str(holder.subscribed * share),
                "pledgee": pledgee,
                "pledgee_id_no": pledgee_id,
                "registration_date": registered.isoformat(),
                "publication_date": (registered + timedelta(days=rng.randint(1, 3))).isoformat(),
                "status": "有效" if n == count - 1 else "无效",  # an earlier pledge was released
            }
        )
    return pledges


def build(p: Profile, rng: random.Random, ctx: Context) -> Records:
    failed = rng.randint(1, 2) if p.has("spot_fail") else 0
    return {
        "equity_pledges": _pledges(p, rng, ctx),
        "annual_reports": _annual_reports(p, rng, ctx.today),
        "abnormal_operations": [_abnormal(p, rng, ctx.today)],
        "serious_violations": _serious_violations(p, rng, ctx.today),
        "spot_checks": [{"enterprise_name": p.name, "uscc": p.uscc, "failed_checks_3y": failed}],
    }
