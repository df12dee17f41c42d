"""Red and black lists: honours (荣誉表彰) and the serious-dishonesty lists (严重失信主体名单)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from gateway.demo.context import Context, Record, Records
from gateway.demo.parties import AUTHORITIES
from gateway.demo.profiles import Profile
from gateway.demo.values import add_years, between


@dataclass(frozen=True, slots=True)
class Honour:
    name: str
    level: str
    authority: str  # key of AUTHORITIES
    years: int | None
    for_manufacturers: bool = False
    for_high_tech: bool = False


HONOURS = (
    Honour("本溪市守合同重信用企业", "市级", "market", 2),
    Honour("本溪市劳动关系和谐企业", "市级", "hrss", 3),
    Honour("辽宁省专精特新中小企业", "省级", "province_industry", 3, for_manufacturers=True),
    Honour("专精特新“小巨人”企业", "国家级", "miit", 3, for_manufacturers=True, for_high_tech=True),
    Honour("本溪市科技型中小企业", "市级", "science", None, for_high_tech=True),
)


def _eligible(p: Profile, honour: Honour) -> bool:
    manufacturer = p.industry_class[0].startswith("C")
    return (manufacturer or not honour.for_manufacturers) and (
        p.has("high_tech") or not honour.for_high_tech
    )


def _honours(p: Profile, rng: random.Random, ctx: Context) -> list[Record]:
    if not p.has("honoured"):
        return []
    options = [h for h in HONOURS if _eligible(p, h)]
    records = []
    for honour in rng.sample(options, min(len(options), rng.randint(1, 2))):
        authority = AUTHORITIES[honour.authority]
        start = max(p.established + timedelta(days=365), add_years(ctx.today, -4))
        awarded = between(rng, start, ctx.today - timedelta(days=10))
        serial = ctx.serial(f"{authority.abbr}发{awarded.year}")
        records.append(
            {
                "enterprise_name": p.name,
                "uscc": p.uscc,
                "honour_name": honour.name,
                "honour_level": honour.level,
                "awarding_body": authority.name,
                "document_no": f"{authority.abbr}发〔{awarded.year}〕{serial}号",
                "award_date": awarded.isoformat(),
                "valid_until": (
                    (add_years(awarded, honour.years) - timedelta(days=1)).isoformat()
                    if honour.years
                    else None
                ),
            }
        )
    return records


def _dishonesty(p: Profile, rng: random.Random, ctx: Context) -> list[Record]:
    if not p.has("dishonest"):
        return []
    start = max(p.established + timedelta(days=180), add_years(ctx.today, -3))
    listed = between(rng, start, ctx.today - timedelta(days=10))
    if p.has("zombie") and p.has("tax_arrears"):
        authority = AUTHORITIES["tax"]
        list_name, reason = (
            "重大税收违法失信主体",
            "欠缴税款，采取转移或者隐匿财产的手段，妨碍税务机关追缴欠缴的税款",
        )
        doc = f"{authority.abbr}稽罚〔{listed.year}〕{ctx.serial('tax-list' + str(listed.year))}号"
    elif p.industry.key == "construction":
        authority = AUTHORITIES["hrss"]
        list_name, reason = (
            "拖欠农民工工资失信联合惩戒对象",
            "拖欠农民工工资数额较大，经责令限期支付逾期未支付",
        )
        doc = f"{authority.abbr}失信〔{listed.year}〕{ctx.serial('wage-list' + str(listed.year))}号"
    else:
        authority = AUTHORITIES["pingshan_court" if p.division == "210502" else "city_court"]
        list_name, reason = "失信被执行人", "有履行能力而拒不履行生效法律文书确定义务"
        doc = f"({listed.year}){authority.abbr}执{ctx.serial(authority.abbr + str(listed.year))}号"
    return [
        {
            "enterprise_name": p.name,
            "uscc": p.uscc,
            "list_name": list_name,
            "listing_reason": reason,
            "deciding_authority": authority.name,
            "document_no": doc,
            "listed_date": listed.isoformat(),
        }
    ]


# Evaluation grades by how the enterprise fares: sound ones high, dishonest or zombie ones low.
_GOOD_GRADES = ("AAA", "AA", "A", "A", "BBB")
_POOR_GRADES = ("BB", "B", "C")


def _evaluations(p: Profile, rng: random.Random, ctx: Context) -> list[Record]:
    """SME credit evaluation results (beyond the 2022 list): about two in three enterprises
    have a provincial one, some also a national one."""
    start = max(p.established + timedelta(days=365), add_years(ctx.today, -2))
    end = ctx.today - timedelta(days=5)
    if rng.random() > 0.65 or start > end:
        return []
    poor = p.has("dishonest") or p.has("zombie") or p.has("tax_arrears")
    records = []
    levels = [("省级", "辽宁省中小企业融资综合信用服务平台")]
    if rng.random() < 0.3:
        levels.append(("国家级", "全国中小企业融资综合信用服务平台"))
    for level, body in levels:
        records.append(
            {
                "enterprise_name": p.name,
                "uscc": p.uscc,
                "evaluation_level": level,
                "evaluating_body": body,
                "credit_grade": rng.choice(_POOR_GRADES if poor else _GOOD_GRADES),
                "evaluation_date": between(rng, start, end).isoformat(),
            }
        )
    return records


def build(p: Profile, rng: random.Random, ctx: Context) -> Records:
    return {
        "honours": _honours(p, rng, ctx),
        "serious_dishonesty_list": _dishonesty(p, rng, ctx),
        "sme_credit_evaluations": _evaluations(p, rng, ctx),
    }
