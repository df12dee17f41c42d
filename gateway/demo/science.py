"""Research and development (市科技局): high-tech status and research support received."""

from __future__ import annotations

import random

from gateway.demo.context import Context, Record, Records
from gateway.demo.profiles import Profile

_RESEARCH_INDUSTRIES = ("pharma", "software", "machinery", "steel")


def _support(p: Profile, rng: random.Random, ctx: Context) -> list[str]:
    def year() -> int:
        return rng.randint(max(p.established.year, ctx.today.year - 5), ctx.today.year)

    items = [
        f"实验室建设：{year()}年认定为本溪市重点实验室",
        f"政府资金支持：{year()}年获本溪市科技计划项目资助{rng.choice((10, 20, 30, 50))}万元",
        "参与标准制定：参与制定团体标准1项",
        f"人才认证：{rng.randint(1, 3)}人入选本溪市高层次人才",
    ]
    return rng.sample(items, rng.randint(1, 3))


def _record(p: Profile, rng: random.Random, ctx: Context) -> Record | None:
    high_tech = p.has("high_tech")
    supported = high_tech or (
        p.operating and p.industry.key in _RESEARCH_INDUSTRIES and rng.random() < 0.2
    )
    if not supported:
        return None
    items = _support(p, rng, ctx) if not high_tech or rng.random() < 0.8 else []
    return {
        "enterprise_name": p.name,
        "uscc": p.uscc,
        "is_high_tech": high_tech,
        "research_support": "；".join(items) or None,
    }


def build(p: Profile, rng: random.Random, ctx: Context) -> Records:
    record = _record(p, rng, ctx)
    return {"research_development": [record] if record else []}
