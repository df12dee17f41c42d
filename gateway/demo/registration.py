"""Registration records (市市场监管局): licence, changes, shareholders, branches."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from gateway import uscc as uscc_codes
from gateway.demo.context import Context, Record, Records
from gateway.demo.parties import DISTRICTS, OTHER_CITIES, market_regulator
from gateway.demo.people import make_person
from gateway.demo.profiles import Profile
from gateway.demo.values import add_years, between, money_str

_RATIO = Decimal("0.0001")
_OTHER_ROADS = ("中山路", "人民路", "建设大街", "胜利路", "解放路")


def _licence(p: Profile, rng: random.Random, ctx: Context) -> Record:
    term_to = add_years(p.established, rng.choice((20, 30, 50))) if rng.random() < 0.3 else None
    if term_to is not None and term_to <= ctx.today:
        term_to = None  # renewed to open-ended
    status = "存续"
    if p.has("zombie") and rng.random() < 0.35:
        status = "吊销"
    return {
        "enterprise_name": p.name,
        "uscc": p.uscc,
        "legal_representative": p.rep.name,
        "established_date": p.established.isoformat(),
        "address": p.address,
        "registration_status": status,
        "registration_authority": market_regulator(p.division),
        "business_scope": p.industry.scope,
        "enterprise_type": p.enterprise_type,
        "registered_capital": money_str(p.registered_capital),
        "operating_term_from": p.established.isoformat(),
        "operating_term_to": term_to.isoformat() if term_to else None,
        "industry": " ".join(p.industry_class),
    }


def _changes(p: Profile) -> list[Record]:
    return [
        {
            "enterprise_name": p.name,
            "uscc": p.uscc,
            "change_item": c.item,
            "content_before": c.before,
            "content_after": c.after,
            "change_date": c.on.isoformat(),
        }
        for c in p.changes
    ]


def _shareholders(p: Profile) -> list[Record]:
    ratios = [(s.subscribed / p.registered_capital).quantize(_RATIO) for s in p.shareholders]
    ratios[0] = Decimal(1) - sum(ratios[1:], Decimal(0))  # the ratios add up to exactly 1
    return [
        {
            "uscc": p.uscc,
            "shareholder_name": s.name,
            "shareholder_uscc": s.code,
            "shareholder_type": s.kind,
            "share_ratio": format(ratio, "f"),
            "paid_in_amount": money_str(s.paid_in),
            "contribution_method": s.method,
            "subscribed_amount": money_str(s.subscribed),
        }
        for s, ratio in zip(p.shareholders, ratios, strict=True)
    ]


def _branch_address(rng: random.Random, division: str, place: str) -> str:
    if division in DISTRICTS:
        district, _, roads = DISTRICTS[division]
        return f"{district}{rng.choice(roads)}{rng.randint(1, 199)}号"
    return f"{place}市{rng.choice(_OTHER_ROADS)}{rng.randint(1, 199)}号"


def _branches(p: Profile, rng: random.Random, ctx: Context) -> list[Record]:
    chance = {"micro": 0.0, "small": 0.1, "medium": 0.4}[p.size]
    if not p.operating or rng.random() >= chance:
        return []
    places = [(d, short) for d, (_, short, _) in DISTRICTS.items() if d != p.division]
    places += list(OTHER_CITIES.items())
    branches = []
    for division, place in rng.sample(places, rng.randint(1, 3 if p.size == "medium" else 1)):
        local = division in DISTRICTS
        authority = market_regulator(division) if local else f"{place}市市场监督管理局"
        branches.append(
            {
                "enterprise_name": p.name,
                "uscc": p.uscc,
                "branch_name": f"{p.name}{place}分公司",
                "branch_uscc": uscc_codes.generate(rng, division),
                "branch_principal": make_person(rng, ctx.today).name,
                "branch_established_date": between(
                    rng, p.established + timedelta(days=90), ctx.today
                ).isoformat(),
                "branch_address": _branch_address(rng, division, place),
                "branch_status": "存续" if rng.random() < 0.9 else "注销",
                "branch_registration_authority": authority,
            }
        )
    return branches


def build(p: Profile, rng: random.Random, ctx: Context) -> Records:
    return {
        "business_licence": [_licence(p, rng, ctx)],
        "registration_changes": _changes(p),
        "shareholders": _shareholders(p),
        "branches": _branches(p, rng, ctx),
    }
