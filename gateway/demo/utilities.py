"""Water (市水务局), electricity (国网本溪供电公司) and gas (港华燃气公司) accounts."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from gateway.demo.context import Context, Record, Records
from gateway.demo.profiles import Profile
from gateway.demo.values import add_months, between, money, month_label, months_between

WATER_PRICE = Decimal("5.30")  # CNY per tonne, non-residential, sewage charge included
GAS_PRICE = Decimal("3.68")  # CNY per m³, non-residential
_VALUE_GRADES = ((1_000_000, "A"), (200_000, "B"), (30_000, "C"), (3_000, "D"))


def _volumes(rng: random.Random, per_month: float, months: int) -> list[int]:
    """Consumption of the last ``months`` months (six at most), newest first."""
    return [max(1, round(per_month * rng.uniform(0.85, 1.15))) for _ in range(min(6, months))]


def _bill_detail(
    today: date, volumes: list[int], price: Decimal, unit: str, unpaid: int
) -> tuple[str, bool]:
    """The 缴纳…明细 text (newest month first) and whether anything is unpaid."""
    month = add_months(date(today.year, today.month, 1), -1)
    lines = []
    for n, volume in enumerate(volumes):
        due = money(volume * price)
        paid = Decimal("0.00") if n < unpaid else due
        label = month_label(add_months(month, -n))
        lines.append(f"{label} {unit}{volume}{_unit_name(unit)} 应缴{due}元 实缴{paid}元")
    return "；".join(lines), unpaid > 0


def _unit_name(unit: str) -> str:
    return "吨" if unit == "用水" else "立方米"


def _metered(
    p: Profile, rng: random.Random, ctx: Context, utility: str, per_employee: float, arrears: bool
) -> Record:
    per_month = max(3.0, p.staff_now * per_employee * rng.lognormvariate(0, 0.3))
    volumes = _volumes(rng, per_month, months_between(p.established, ctx.today))
    price, unit = (WATER_PRICE, "用水") if utility == "water" else (GAS_PRICE, "用气")
    detail, in_arrears = _bill_detail(
        ctx.today, volumes, price, unit, rng.randint(1, 2) if arrears else 0
    )
    return {
        "enterprise_name": p.name,
        "uscc": p.uscc,
        "account_name": p.name,
        "account_no": f"{'01' if utility == 'water' else '88'}{rng.randint(0, 10**8 - 1):08d}",
        "payment_detail": detail,
        "avg_volume_3m": round(sum(volumes[:3]) / len(volumes[:3])),
        "avg_volume_6m": round(sum(volumes) / len(volumes)),
        "in_arrears": in_arrears,
    }


def _usage_type(p: Profile) -> str:
    if p.industry.key == "herbs":
        return "农业生产用电"
    return "大工业用电" if p.industry.heavy and p.size != "micro" else "一般工商业用电"


def _risk_grade(p: Profile, in_arrears: bool) -> str:
    if in_arrears:
        return "高" if not p.operating else "较高"
    if p.has("strained") or p.has("unreachable"):
        return "中"
    return "较低" if p.has("penalised") else "低"


def _electricity(p: Profile, rng: random.Random, ctx: Context, arrears: bool) -> list[Record]:
    monthly = max(Decimal(80), p.revenue_12m * Decimal(str(p.industry.power_share)) / 12)
    shares = (
        [Decimal("0.85"), Decimal("0.15")]
        if p.size == "medium" and p.industry.heavy
        else [Decimal(1)]
    )
    trend = (Decimal("0.85"), Decimal("0.7")) if p.has("strained") else (Decimal(1), Decimal(1))
    opened_by = min(ctx.today, p.established + timedelta(days=180))
    accounts = []
    for n, share in enumerate(shares):
        avg_12m = money(monthly * share)
        in_arrears = arrears and n == 0
        accounts.append(
            {
                "enterprise_name": p.name,
                "uscc": p.uscc,
                "grid_account_no": f"05{rng.randint(0, 10**8 - 1):08d}",
                "account_opened": between(rng, p.established, opened_by).isoformat(),
                "usage_type": _usage_type(p),
                "province": "辽宁省",
                "city": "本溪市",
                "value_grade": next((g for limit, g in _VALUE_GRADES if avg_12m >= limit), "E"),
                "risk_grade": _risk_grade(p, in_arrears),
                "avg_amount_3m": str(
                    money(avg_12m * trend[1] * Decimal(str(rng.uniform(0.85, 1.15))))
                ),
                "avg_amount_6m": str(
                    money(avg_12m * trend[0] * Decimal(str(rng.uniform(0.9, 1.1))))
                ),
                "avg_amount_12m": str(avg_12m),
                "in_arrears": in_arrears,
            }
        )
    return accounts


def build(p: Profile, rng: random.Random, ctx: Context) -> Records:
    has_water = p.operating and rng.random() < 0.9
    has_gas = p.operating and p.industry.gas_per_employee > 0 and rng.random() < 0.7
    owing: set[str] = set()
    if p.has("utility_arrears"):
        available = (
            ["electricity"] + (["water"] if has_water else []) + (["gas"] if has_gas else [])
        )
        owing = (
            set(rng.sample(available, rng.randint(1, len(available))))
            if p.operating
            else {"electricity"}
        )
    return {
        "water_bills": (
            [_metered(p, rng, ctx, "water", p.industry.water_per_employee, "water" in owing)]
            if has_water
            else []
        ),
        "electricity_bills": _electricity(p, rng, ctx, "electricity" in owing),
        "gas_bills": [_metered(p, rng, ctx, "gas", p.industry.gas_per_employee, "gas" in owing)]
        if has_gas
        else [],
    }
