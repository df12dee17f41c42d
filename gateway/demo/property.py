"""Real estate registered to the enterprise, and mortgages on it (市自然资源局)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from gateway.demo.context import Context, Record, Records
from gateway.demo.parties import DISTRICTS, LENDERS, real_estate_office, registry_city
from gateway.demo.profiles import Profile
from gateway.demo.values import add_years, between

_TERM_YEARS = {"工业": 50, "仓储": 50, "商业": 40, "办公": 50, "住宅": 70, "其他": 50}
_AREA_SQM = {
    "工业": (2_000, 60_000),
    "仓储": (1_000, 20_000),
    "商业": (80, 3_000),
    "办公": (60, 1_500),
    "其他": (1_000, 30_000),
}


def _count(p: Profile, rng: random.Random) -> int:
    chance = {"micro": 0.1, "small": 0.45, "medium": 0.9}[p.size]
    if p.industry.heavy and p.size != "micro":
        chance += 0.2
    if not p.operating:
        chance = 0.3
    if rng.random() >= chance:
        return 0
    return rng.randint(1, 3) if p.size == "medium" else (2 if rng.random() < 0.2 else 1)


def _unit_no(rng: random.Random, division: str) -> str:
    # 28 characters: division, cadastral zone and sub-zone, parcel (GB + 5), building and unit.
    zone = f"{rng.randint(1, 20):03d}{rng.randint(1, 30):03d}"
    building = f"{rng.randint(1, 20):04d}{rng.randint(1, 99):04d}"
    return f"{division}{zone}GB{rng.randint(1, 99_999):05d}F{building}"


def _property(p: Profile, rng: random.Random, ctx: Context, first: bool) -> Record:
    usage = p.industry.land_use
    registered = between(rng, p.established + timedelta(days=60), ctx.today - timedelta(days=30))
    granted = registered - timedelta(days=rng.randint(0, 3 * 365))
    city = registry_city(p.division)
    district, _, roads = DISTRICTS[p.division]
    low, high = _AREA_SQM[usage]
    return {
        "uscc": p.uscc,
        "holder_name": p.name,
        "holder_id_no": p.uscc,
        "certificate_no": f"辽({registered.year}){city}不动产权第{ctx.serial(city + '权'):07d}号",
        "unit_no": _unit_no(rng, p.division),
        "usage": usage,
        "location": p.address if first else f"{district}{rng.choice(roads)}{rng.randint(1, 399)}号",
        "area_sqm": f"{rng.uniform(low, high):.2f}",
        "use_term_end": (add_years(granted, _TERM_YEARS[usage]) - timedelta(days=1)).isoformat(),
        "registration_body": real_estate_office(p.division),
        "registered_at": registered.isoformat(),
    }


def _mortgage(p: Profile, rng: random.Random, ctx: Context, estate: Record) -> Record | None:
    chance = {"micro": 0.3, "small": 0.55, "medium": 0.55}[p.size]
    if p.has("strained") or p.has("zombie"):
        chance = 0.85
    if rng.random() >= chance:
        return None
    title_registered = date.fromisoformat(estate["registered_at"])
    registered = between(rng, title_registered + timedelta(days=7), ctx.today - timedelta(days=1))
    lender = rng.choice(LENDERS)
    city = registry_city(p.division)
    buildings = estate["usage"] != "其他" and rng.random() < 0.85
    return {
        "uscc": p.uscc,
        "mortgagee": lender.name,
        "mortgagee_id_no": lender.uscc,
        "certificate_no": f"辽({registered.year}){city}不动产证明第{ctx.serial(city):07d}号",
        "unit_no": estate["unit_no"],
        "right_type": "国有建设用地使用权/房屋（构筑物）所有权"
        if buildings
        else "国有建设用地使用权",
        "mortgagor": p.name,
        "registered_at": registered.isoformat(),
    }


def build(p: Profile, rng: random.Random, ctx: Context) -> Records:
    estates = [_property(p, rng, ctx, first=n == 0) for n in range(_count(p, rng))]
    mortgages = (_mortgage(p, rng, ctx, estate) for estate in estates)
    return {
        "real_estate": estates,
        "real_estate_mortgages": [m for m in mortgages if m is not None],
    }
