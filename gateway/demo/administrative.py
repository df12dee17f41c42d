"""Administrative licences, penalties and coercive measures (双公示 and 行政强制)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from gateway.demo.context import Context, Record, Records
from gateway.demo.parties import AUTHORITIES, Authority
from gateway.demo.profiles import Profile
from gateway.demo.values import add_years, between, money, money_str


@dataclass(frozen=True, slots=True)
class LicenceKind:
    authority: str  # key of AUTHORITIES
    name: str
    category: str
    years: int | None  # None: no expiry
    content: str


@dataclass(frozen=True, slots=True)
class ViolationKind:
    authority: str
    violation_type: str
    facts: str
    basis: str
    fine: tuple[int, int]  # the statutory range used, CNY
    confiscates: bool = False
    suspends: str | None = None  # licence suspended along with the fine


LICENCES = {
    "pollutant": LicenceKind(
        "environment", "排污许可证", "普通", 5, "许可排放污染物：颗粒物、二氧化硫、氮氧化物"
    ),
    "water_abstraction": LicenceKind(
        "water", "取水许可证", "普通", 5, "取水水源：地表水；取水用途：工业用水"
    ),
    "mining": LicenceKind("mining", "采矿许可证", "特许", 10, "开采矿种：铁矿；开采方式：露天开采"),
    "mine_safety": LicenceKind(
        "province_safety", "安全生产许可证", "普通", 3, "许可范围：金属非金属矿山露天开采"
    ),
    "drug_production": LicenceKind(
        "drugs", "药品生产许可证", "普通", 5, "生产范围：片剂、硬胶囊剂、颗粒剂"
    ),
    "industrial_product": LicenceKind(
        "province_market", "全国工业产品生产许可证", "普通", 5, "产品名称：水泥"
    ),
    "food_production": LicenceKind(
        "market", "食品生产许可证", "普通", 5, "食品类别：酒类；方便食品"
    ),
    "food_trade": LicenceKind(
        "market", "食品经营许可证", "普通", 5, "经营项目：预包装食品销售；热食类食品制售"
    ),
    "public_health": LicenceKind("health", "公共场所卫生许可证", "普通", 4, "许可项目：住宿"),
    "travel_agency": LicenceKind(
        "province_tourism", "旅行社业务经营许可证", "普通", None, "经营范围：境内旅游业务"
    ),
    "road_transport": LicenceKind(
        "transport", "道路运输经营许可证", "普通", 4, "经营范围：道路普通货物运输"
    ),
    "construction": LicenceKind(
        "housing", "建筑业企业资质证书", "认可", 5, "资质类别及等级：建筑工程施工总承包三级"
    ),
    "construction_safety": LicenceKind(
        "province_housing", "安全生产许可证", "普通", 3, "许可范围：建筑施工"
    ),
}

VIOLATIONS = {
    "air": ViolationKind(
        "environment",
        "大气污染防治违法",
        "经现场监测，该单位排放的颗粒物浓度超过国家规定的排放标准",
        "《中华人民共和国大气污染防治法》第九十九条第（二）项",
        (100_000, 1_000_000),
    ),
    "water_pollution": ViolationKind(
        "environment",
        "水污染防治违法",
        "经监测，该单位污水总排口化学需氧量浓度超过国家规定的排放标准",
        "《中华人民共和国水污染防治法》第八十三条第（二）项",
        (100_000, 1_000_000),
    ),
    "dust": ViolationKind(
        "environment",
        "大气污染防治违法",
        "该单位露天堆放易产生扬尘的物料，未采取有效覆盖措施",
        "《中华人民共和国大气污染防治法》第一百一十七条第（一）项",
        (10_000, 100_000),
    ),
    "safety": ViolationKind(
        "emergency",
        "安全生产违法",
        "该单位未按照规定对从业人员进行安全生产教育和培训",
        "《中华人民共和国安全生产法》第九十七条第（三）项",
        (10_000, 100_000),
    ),
    "fire": ViolationKind(
        "fire",
        "消防安全违法",
        "该单位消防设施、器材未保持完好有效",
        "《中华人民共和国消防法》第六十条第一款第（一）项",
        (5_000, 50_000),
    ),
    "food_safety": ViolationKind(
        "market",
        "食品安全违法",
        "该单位经营超过保质期的食品",
        "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项",
        (50_000, 100_000),
        True,
    ),
    "drug_quality": ViolationKind(
        "drugs",
        "药品管理违法",
        "该单位未遵守药品生产质量管理规范组织生产",
        "《中华人民共和国药品管理法》第一百二十六条",
        (100_000, 500_000),
    ),
    "price": ViolationKind(
        "market",
        "价格违法",
        "该单位销售商品未按照规定明码标价",
        "《中华人民共和国价格法》第四十二条",
        (1_000, 5_000),
    ),
    "overload": ViolationKind(
        "transport",
        "道路运输违法",
        "该单位车辆超限运输，车货总质量超过规定限值",
        "《公路安全保护条例》第六十四条",
        (5_000, 30_000),
        False,
        "暂扣道路运输证",
    ),
    "tourism": ViolationKind(
        "culture",
        "旅游市场违法",
        "该单位组织旅游活动未与旅游者签订书面旅游合同",
        "《中华人民共和国旅游法》第一百条",
        (30_000, 300_000),
    ),
    "tax_filing": ViolationKind(
        "tax",
        "税收征管违法",
        "该单位未按照规定期限办理纳税申报和报送纳税资料",
        "《中华人民共和国税收征收管理法》第六十二条",
        (200, 2_000),
    ),
}


def _party(p: Profile, on: date) -> Record:
    rep = p.legal_rep_at(on)
    return {
        "enterprise_name": p.name,
        "uscc": p.uscc,
        "legal_rep_name": rep.name,
        "legal_rep_id_type": "身份证",
        "legal_rep_id_no": rep.id_no,
    }


def _issuer(authority: Authority) -> Record:
    return {
        "authority_name": authority.name,
        "authority_uscc": authority.uscc,
        "data_provider": authority.name,
    }


def _doc_no(ctx: Context, authority: Authority, kind: str, year: int) -> str:
    return f"{authority.abbr}{kind}〔{year}〕{ctx.serial(f'{authority.abbr}{kind}{year}')}号"


def _licence(p: Profile, ctx: Context, kind: LicenceKind, decided: date) -> Record:
    authority = AUTHORITIES[kind.authority]
    valid_until = add_years(decided, kind.years) - timedelta(days=1) if kind.years else None
    in_force = valid_until is None or valid_until >= ctx.today
    return (
        _party(p, decided)
        | {
            "counterparty_category": "法人及非法人组织",
            "decision_doc_name": "准予行政许可决定书",
            "decision_doc_no": _doc_no(ctx, authority, "许", decided.year),
            "licence_category": kind.category,
            "licence_name": kind.name,
            "decision_doc": (
                f"{p.name}：你单位申请的{kind.name}，经审查，符合法定条件、标准，"
                "根据《中华人民共和国行政许可法》第三十八条第一款的规定，决定准予行政许可。"
            ),
            "licence_content": kind.content,
            "decision_date": decided.isoformat(),
            "valid_until": valid_until.isoformat() if valid_until else None,
            "licence_status": "有效" if in_force else "无效",
        }
        | _issuer(authority)
    )


def _licences(p: Profile, rng: random.Random, ctx: Context) -> list[Record]:
    records = []
    start = max(p.established + timedelta(days=30), add_years(ctx.today, -7))
    for key in p.industry.licences:
        if rng.random() >= 0.85:
            continue
        kind = LICENCES[key]
        decided = between(rng, start, ctx.today - timedelta(days=10))
        records.append(_licence(p, ctx, kind, decided))
        # An operating enterprise renews a licence before it lapses.
        while kind.years and p.operating and add_years(decided, kind.years) <= ctx.today:
            expiry = add_years(decided, kind.years)
            decided = between(rng, expiry - timedelta(days=60), expiry - timedelta(days=1))
            records.append(_licence(p, ctx, kind, decided))
    return records


def _fine(rng: random.Random, kind: ViolationKind) -> int:
    low, high = kind.fine
    step = 100 if high <= 10_000 else 1_000
    return rng.randint(low // step, high // step) * step


def _penalty(
    p: Profile, rng: random.Random, ctx: Context, kind: ViolationKind, decided: date
) -> Record:
    authority = AUTHORITIES[kind.authority]
    fine = _fine(rng, kind)
    confiscated = money(rng.uniform(200, 20_000)) if kind.confiscates else money(0)
    content = f"罚款人民币{fine}元"
    if confiscated:
        content += f"，没收违法所得人民币{confiscated}元"
    suspended = None
    if kind.suspends:
        suspended = f"{kind.suspends}（辽交运管本字{rng.randint(210500000000, 210599999999)}号）"
        content += f"，{kind.suspends}"
    return (
        _party(p, decided)
        | {
            "counterparty_category": "法人及非法人组织",
            "decision_doc_name": "行政处罚决定书",
            "decision_doc_no": _doc_no(ctx, authority, "罚", decided.year),
            "violation_facts": kind.facts,
            "violation_type": kind.violation_type,
            "penalty_basis": kind.basis,
            "penalty_content": content,
            "fine_amount": money_str(fine),
            "confiscated_amount": str(confiscated),
            "licence_suspended_or_revoked": suspended,
            "decision_date": decided.isoformat(),
            "valid_until": add_years(decided, 1).isoformat(),
            "publication_deadline": add_years(decided, 3 if fine >= 100_000 else 1).isoformat(),
        }
        | _issuer(authority)
    )


def _penalties(p: Profile, rng: random.Random, ctx: Context) -> list[Record]:
    kinds: list[str] = []
    if p.has("penalised"):
        kinds += [rng.choice(p.industry.violations) for _ in range(rng.randint(1, 3))]
    if p.has("zombie") or (p.has("strained") and rng.random() < 0.4):
        kinds.append("tax_filing")
    start = max(p.established + timedelta(days=60), add_years(ctx.today, -4))
    end = ctx.today - timedelta(days=5)
    if p.stopped_year is not None:
        start, end = date(p.stopped_year, 7, 1), date(p.stopped_year + 1, 6, 30)
    return [_penalty(p, rng, ctx, VIOLATIONS[k], between(rng, start, end)) for k in kinds]


def _coercion(p: Profile, rng: random.Random, ctx: Context) -> list[Record]:
    if not p.has("coerced"):
        return []
    executed = between(rng, add_years(ctx.today, -1), ctx.today - timedelta(days=2))
    if p.has("tax_arrears") or p.has("zombie"):
        authority, doc_name, method = AUTHORITIES["tax"], "税收强制执行决定书", "冻结存款、汇款"
        reason = "欠缴税款，经责令限期缴纳，逾期仍未缴纳"
        basis = "《中华人民共和国税收征收管理法》第四十条"
    elif "air" in p.industry.violations or "water_pollution" in p.industry.violations:
        authority, doc_name, method = (
            AUTHORITIES["environment"],
            "查封（扣押）决定书",
            "查封场所、设施或者财物",
        )
        reason = "违法排放污染物，造成或者可能造成严重污染"
        basis = "《中华人民共和国环境保护法》第二十五条"
    else:
        authority, doc_name, method = AUTHORITIES["market"], "加处罚款决定书", "加处罚款或者滞纳金"
        reason = "到期不缴纳罚款"
        basis = "《中华人民共和国行政处罚法》第七十二条第一款第（一）项"
    return [
        _party(p, executed)
        | {
            "decision_doc_name": doc_name,
            "decision_doc_no": _doc_no(ctx, authority, "强", executed.year),
            "enforcement_reason": reason,
            "enforcement_basis": basis,
            "enforcement_method": method,
            "executed_on": executed.isoformat(),
        }
        | _issuer(authority)
    ]


def build(p: Profile, rng: random.Random, ctx: Context) -> Records:
    return {
        "administrative_licences": _licences(p, rng, ctx),
        "administrative_penalties": _penalties(p, rng, ctx),
        "administrative_coercion": _coercion(p, rng, ctx),
    }
