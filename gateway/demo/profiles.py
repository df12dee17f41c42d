"""The synthetic enterprises: who they are, how big, how old, and what has gone wrong.

A profile is the single truth every dataset's records are derived from, which is what keeps the
records consistent with each other (headcount with social-insurance bands, revenue with tax, the
legal representative of the day with administrative decisions).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from gateway import uscc as uscc_codes
from gateway.demo.history import Change, Shareholder, make_history, make_shareholders
from gateway.demo.industries import INDUSTRIES, Industry
from gateway.demo.parties import BRANDS, DISTRICTS, HIGH_TECH_ZONE
from gateway.demo.people import Person, make_person
from gateway.demo.values import add_years, between, money, round_to

SIZES = ("micro", "small", "medium")
_SIZE_WEIGHTS = {True: (30, 45, 25), False: (62, 31, 7)}  # by Industry.heavy
_DIVISION_WEIGHTS = (30, 22, 20, 6, 10, 12)  # Benxi's districts and counties, in DISTRICTS order

ADVERSE = (
    "zombie",
    "strained",
    "tax_arrears",
    "si_arrears",
    "utility_arrears",
    "unreachable",
    "abnormal_taxpayer",
    "penalised",
    "spot_fail",
    "dishonest",
    "coerced",
)


@dataclass
class Profile:
    index: int
    uscc: str
    division: str
    industry: Industry
    industry_class: tuple[str, str]
    size: str
    traits: set[str] = field(default_factory=set)
    name: str = ""
    established: date = date.min
    legal_rep: Person | None = None
    address: str = ""
    employees: int = 0  # while operating normally
    staff_now: int = 0
    wage: int = 0  # monthly, CNY
    revenue_base: Decimal = Decimal(0)  # a year's revenue while operating normally
    margin: float = 0.0
    leverage: float = 0.0
    growth: float = 0.0
    registered_capital: Decimal = Decimal(0)
    enterprise_type: str = ""
    shareholders: list[Shareholder] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    former_legal_rep: Person | None = None
    stopped_year: int | None = None  # zombies: the first year without an annual report

    def has(self, trait: str) -> bool:
        return trait in self.traits

    @property
    def operating(self) -> bool:
        return "zombie" not in self.traits

    @property
    def rep(self) -> Person:
        assert self.legal_rep is not None
        return self.legal_rep

    def change_of(self, item: str) -> Change | None:
        return next((c for c in self.changes if c.item == item), None)

    def legal_rep_at(self, day: date) -> Person:
        change = self.change_of("法定代表人变更")
        if change is not None and day < change.on and self.former_legal_rep is not None:
            return self.former_legal_rep
        return self.rep

    def name_at(self, day: date) -> str:
        change = self.change_of("名称变更")
        return change.before if change is not None and day < change.on else self.name

    def revenue_for_year(self, year: int, today: date) -> Decimal:
        """Revenue of a calendar year, scaled for growth and for the part-year of founding."""
        if self.stopped_year is not None and year >= self.stopped_year:
            return money(self.revenue_base * Decimal("0.02"))
        factor = Decimal(str((1 + self.growth) ** (year - today.year)))
        start = max(self.established, date(year, 1, 1))
        active = max(0, (date(year, 12, 31) - start).days + 1) / 365
        return money(self.revenue_base * factor * Decimal(str(min(1.0, active))))

    @property
    def revenue_12m(self) -> Decimal:
        if not self.operating:
            return money(self.revenue_base * Decimal("0.02"))
        return self.revenue_base

    @property
    def cit_rate(self) -> Decimal:
        if self.has("high_tech"):
            return Decimal("0.15")
        if self.employees <= 300 and self.revenue_base * Decimal(str(self.margin)) <= 3_000_000:
            return Decimal("0.05")  # 小型微利企业: 25% of profit taxed at 20%
        return Decimal("0.25")

    def summary(self) -> dict[str, Any]:
        return {
            "uscc": self.uscc,
            "name": self.name,
            "size": self.size,
            "industry": self.industry.key,
            "industry_class": " ".join(self.industry_class),
            "division": self.division,
            "established": self.established.isoformat(),
            "employees": self.staff_now,
            "revenue_12m": str(self.revenue_12m),
            "legal_representative": self.rep.name,
            "traits": sorted(self.traits),
        }


def skeleton(rng: random.Random, index: int, used_codes: set[str]) -> Profile:
    industry = rng.choices(INDUSTRIES, weights=[i.weight for i in INDUSTRIES])[0]
    size = rng.choices(SIZES, weights=_SIZE_WEIGHTS[industry.heavy])[0]
    division = rng.choices(list(DISTRICTS), weights=_DIVISION_WEIGHTS)[0]
    code = uscc_codes.generate(rng, division)
    while code in used_codes:
        code = uscc_codes.generate(rng, division)
    used_codes.add(code)
    return Profile(index, code, division, industry, rng.choice(industry.classes), size)


def _pick(
    rng: random.Random, pool: list[Profile], share: float, minimum: int, n: int
) -> list[Profile]:
    k = min(len(pool), max(minimum, round(share * n)))
    return sorted(rng.sample(pool, k), key=lambda p: p.index)


def assign_traits(rng: random.Random, profiles: list[Profile]) -> None:
    """Hand out adverse and favourable traits by quota, so every kind occurs in every demo."""
    n = len(profiles)

    def pool(*excluded: str) -> list[Profile]:
        return [p for p in profiles if not any(p.has(t) for t in excluded)]

    for j, p in enumerate(_pick(rng, profiles, 0.03, 2, n)):
        p.traits |= {"zombie", "abnormal_taxpayer", "si_arrears", "utility_arrears"}
        if j == 0 or rng.random() < 0.6:
            p.traits.add("tax_arrears")
    for p in _pick(rng, pool("zombie"), 0.01, 1, n):
        p.traits.add("rehabilitated")
    arrears = ("tax_arrears", "si_arrears", "utility_arrears")
    for j, p in enumerate(_pick(rng, pool("zombie", "rehabilitated"), 0.08, 3, n)):
        p.traits |= {"strained", arrears[j % 3]}
        p.traits |= {kind for kind in arrears if rng.random() < 0.4}
    for p in _pick(rng, pool("zombie"), 0.02, 1, n):
        p.traits.add("unreachable")
        if rng.random() < 0.5:
            p.traits.add("abnormal_taxpayer")
    for trait, share, minimum in (("penalised", 0.12, 3), ("spot_fail", 0.06, 2)):
        for p in _pick(rng, pool("zombie"), share, minimum, n):
            p.traits.add(trait)
    for p in _pick(rng, pool("zombie", "unreachable"), 0.06, 2, n):
        p.traits.add("pledged")
    troubled = [p for p in profiles if p.has("zombie") or p.has("strained")]
    for p in _pick(rng, troubled, 0.02, 2, n):
        p.traits.add("dishonest")
    enforced = [
        p for p in profiles if p.has("zombie") or p.has("tax_arrears") or p.has("penalised")
    ]
    for p in _pick(rng, enforced, 0.03, 2, n):
        p.traits.add("coerced")
    _assign_high_tech(rng, pool("zombie", "unreachable"))
    for p in _pick(rng, pool(*ADVERSE, "rehabilitated"), 0.06, 2, n):
        p.traits.add("honoured")


def _assign_high_tech(rng: random.Random, pool: list[Profile]) -> None:
    for p in pool:
        chance = p.industry.high_tech_chance * (0.3 if p.size == "micro" else 1.0)
        if rng.random() < chance:
            p.traits.add("high_tech")
    likely = sorted(pool, key=lambda p: (-p.industry.high_tech_chance, p.index))
    for p in likely[:2]:
        p.traits.add("high_tech")


def _established(rng: random.Random, p: Profile, today: date) -> date:
    if p.has("zombie"):
        assert p.stopped_year is not None
        latest = date(p.stopped_year - 2, 12, 31)
        return between(rng, add_years(latest, -12), latest)
    if p.has("rehabilitated"):
        return between(rng, add_years(today, -22), add_years(today, -10))
    low, high = {"micro": (0.3, 12), "small": (1, 20), "medium": (5, 30)}[p.size]
    if p.traits - {"high_tech"}:
        low = max(low, 2)  # listings, arrears, pledges and honours need a history
    years = math.exp(rng.uniform(math.log(low), math.log(high)))
    return today - timedelta(days=max(90, int(years * 365)))


def _employees(rng: random.Random, size: str) -> int:
    if size == "micro":
        return rng.randint(2, 9)
    low, high = (10, 99) if size == "small" else (100, 600)
    return int(math.exp(rng.uniform(math.log(low), math.log(high + 1))))


def _address(rng: random.Random, p: Profile) -> str:
    if p.industry.key == "pharma" and rng.random() < 0.6:
        zone, zone_roads = HIGH_TECH_ZONE
        return f"{zone}{rng.choice(zone_roads)}{rng.randint(1, 199)}号"
    district, _, roads = DISTRICTS[p.division]
    return f"{district}{rng.choice(roads)}{rng.randint(1, 399)}号"


def _name(rng: random.Random, p: Profile, used: set[str]) -> str:
    prefix: tuple[str, ...] = {
        "210521": ("本溪满族自治县", "本溪县"),
        "210522": ("桓仁满族自治县", "桓仁"),
    }.get(p.division, ("本溪市", "本溪"))
    if p.size == "medium" and rng.random() < 0.3:
        prefix = ("辽宁",)
    form = "股份有限公司" if p.enterprise_type.startswith("股份") else "有限公司"
    if form == "有限公司" and rng.random() < 0.15:
        form = "有限责任公司"
    while True:
        name = f"{rng.choice(prefix)}{rng.choice(BRANDS)}{rng.choice(p.industry.name_words)}{form}"
        if name not in used:
            used.add(name)
            return name


def settle(rng: random.Random, p: Profile, today: date, used_names: set[str]) -> None:
    """Fix everything else about ``p``, consistently with its traits."""
    if p.has("zombie"):
        p.stopped_year = today.year - rng.randint(5, 7)
    p.established = _established(rng, p, today)
    age = today.year - p.established.year
    p.legal_rep = make_person(rng, today, min_age=max(28, age + 23), max_age=max(62, age + 30))
    p.employees = _employees(rng, p.size)
    p.wage = int(p.industry.monthly_wage * rng.uniform(0.85, 1.2))
    revenue = p.employees * p.industry.revenue_per_employee * rng.lognormvariate(0, 0.35)
    p.revenue_base = money(max(revenue, 150_000))
    p.margin = rng.gauss(p.industry.margin, 0.04)
    p.leverage = rng.uniform(0.25, 0.7)
    p.growth = rng.gauss(0.04, 0.08)
    if p.has("strained"):
        p.margin, p.leverage, p.growth = rng.gauss(-0.02, 0.03), rng.uniform(0.75, 0.97), -0.08
    if p.has("zombie"):
        p.margin, p.leverage = -0.3, rng.uniform(0.95, 1.3)
    p.staff_now = p.employees if p.operating else rng.randint(1, 3)
    low, high = {"micro": (100_000, 2_000_000), "small": (1_000_000, 10_000_000)}.get(
        p.size, (10_000_000, 80_000_000)
    )
    p.registered_capital = round_to(math.exp(rng.uniform(math.log(low), math.log(high))), 10_000)
    p.address = _address(rng, p)
    p.shareholders, p.enterprise_type = make_shareholders(rng, p, today)
    p.name = _name(rng, p, used_names)
    p.changes, p.former_legal_rep = make_history(rng, p, today, used_names)
