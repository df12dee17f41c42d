"""An enterprise's ownership and registration history: shareholders and registered changes."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from gateway import uscc as uscc_codes
from gateway.demo.parties import BRANDS, DISTRICTS
from gateway.demo.people import Person, make_person
from gateway.demo.values import between, money, wan

if TYPE_CHECKING:
    from gateway.demo.profiles import Profile

_PARENT_WORDS = ("投资", "实业", "集团", "控股")


@dataclass(frozen=True, slots=True)
class Shareholder:
    name: str
    kind: str  # shareholders.shareholder_type
    code: str | None  # USCC, for organisations
    person: Person | None
    subscribed: Decimal
    paid_in: Decimal
    method: str


@dataclass(frozen=True, slots=True)
class Change:
    item: str  # registration_changes.change_item
    before: str
    after: str
    on: date


def _holders(
    rng: random.Random, p: Profile, today: date
) -> list[tuple[str, str, str | None, Person | None]]:
    persons = {"micro": 1 if rng.random() < 0.6 else 2, "small": rng.randint(1, 3)}.get(
        p.size, rng.randint(1, 4)
    )
    corporate = {"micro": 0.0, "small": 0.2}.get(p.size, 0.5) > rng.random()
    holders: list[tuple[str, str, str | None, Person | None]] = []
    if corporate:
        name = f"本溪{rng.choice(BRANDS)}{rng.choice(_PARENT_WORDS)}有限公司"
        holders.append((name, "企业法人", uscc_codes.generate(rng), None))
    holders.append((p.rep.name, "自然人股东", None, p.rep))
    for _ in range(persons - 1):
        other = make_person(rng, today)
        holders.append((other.name, "自然人股东", None, other))
    unique = {h[0]: h for h in holders}  # two people with the same name: keep one
    return list(unique.values())


def make_shareholders(rng: random.Random, p: Profile, today: date) -> tuple[list[Shareholder], str]:
    """Shareholders whose subscriptions add up to the registered capital, and the legal form."""
    holders = _holders(rng, p, today)
    weights = sorted((rng.uniform(0.2, 1.0) for _ in holders), reverse=True)
    total = sum(weights)
    amounts = [
        (p.registered_capital * Decimal(str(w / total)) / 100).quantize(Decimal(1)) * 100
        for w in weights[1:]
    ]
    amounts.insert(0, p.registered_capital - sum(amounts, Decimal(0)))
    paid_share = rng.choice((Decimal(0), Decimal("0.2"), Decimal("0.5"), Decimal(1), Decimal(1)))
    shareholders = [
        Shareholder(
            name=name,
            kind=kind,
            code=code,
            person=person,
            subscribed=amount,
            paid_in=money(amount * paid_share),
            method="实物" if code is not None and rng.random() < 0.2 else "货币",
        )
        for (name, kind, code, person), amount in zip(holders, amounts, strict=True)
    ]
    return shareholders, _legal_form(rng, p, shareholders)


def _legal_form(rng: random.Random, p: Profile, shareholders: list[Shareholder]) -> str:
    if p.size == "medium" and len(shareholders) >= 2 and rng.random() < 0.25:
        return "股份有限公司（非上市、自然人投资或控股）"
    if len(shareholders) == 1:
        return "有限责任公司（自然人独资）"
    if shareholders[0].code is not None:
        return "其他有限责任公司"  # a company holds the largest share
    return "有限责任公司（自然人投资或控股）"


def make_history(
    rng: random.Random, p: Profile, today: date, used_names: set[str]
) -> tuple[list[Change], Person | None]:
    """Registered changes since founding, and the former legal representative if one changed."""
    start = p.established + timedelta(days=180)
    # Nothing is registered once an enterprise stops operating.
    end = today if p.stopped_year is None else date(p.stopped_year, 12, 31)
    if start >= end:
        return [], None
    changes: list[Change] = []
    former: Person | None = None
    if rng.random() < 0.15:
        former = make_person(rng, today)
        changes.append(Change("法定代表人变更", former.name, p.rep.name, between(rng, start, end)))
    if rng.random() < 0.05:
        old = p.name.replace(next(b for b in BRANDS if b in p.name), rng.choice(BRANDS), 1)
        if old not in used_names:
            used_names.add(old)
            changes.append(Change("名称变更", old, p.name, between(rng, start, end)))
    if rng.random() < 0.15:
        district, _, roads = DISTRICTS[p.division]
        old_address = f"{district}{rng.choice(roads)}{rng.randint(1, 399)}号"
        if old_address != p.address:
            changes.append(Change("住所变更", old_address, p.address, between(rng, start, end)))
    if rng.random() < 0.12:
        old_capital = (
            p.registered_capital * Decimal(str(rng.uniform(0.2, 0.8))) / 10_000
        ).quantize(Decimal(1)) * 10_000
        if 0 < old_capital < p.registered_capital:
            changes.append(
                Change(
                    "注册资本变更",
                    wan(old_capital),
                    wan(p.registered_capital),
                    between(rng, start, end),
                )
            )
    if rng.random() < 0.2 and "；" in p.industry.scope:
        before = p.industry.scope.split("；")[0]
        changes.append(Change("经营范围变更", before, p.industry.scope, between(rng, start, end)))
    if rng.random() < 0.1:
        after = "、".join(s.name for s in p.shareholders)
        before = "、".join([make_person(rng, today).name] + [s.name for s in p.shareholders[1:]])
        changes.append(Change("投资人（股权）变更", before, after, between(rng, start, end)))
    return sorted(changes, key=lambda c: (c.on, c.item)), former
