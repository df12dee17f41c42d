"""Benxi's industry mix and what each industry implies for the synthetic records."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Industry:
    key: str
    weight: int  # share of Benxi's small enterprises, roughly
    classes: tuple[tuple[str, str], ...]  # GB/T 4754-2017 (code, name)
    name_words: tuple[str, ...]  # what goes before 有限公司 in a name
    scope: str  # 经营范围
    heavy: bool  # skews to larger firms, 大工业用电, industrial land
    revenue_per_employee: int  # CNY a year
    asset_turnover: float  # revenue / total assets
    vat_burden: float  # VAT payable / revenue
    margin: float  # typical profit margin
    power_share: float  # electricity bill / revenue
    water_per_employee: float  # tonnes a month
    gas_per_employee: float  # m³ a month; 0 = no gas account
    high_tech_chance: float
    monthly_wage: int  # CNY, the contribution base
    land_use: str  # real-estate 用途
    licences: tuple[str, ...]  # keys of administrative.LICENCES
    violations: tuple[str, ...]  # keys of administrative.VIOLATIONS


# fmt: off
INDUSTRIES: tuple[Industry, ...] = (
    Industry(
        "steel", 9, (("C3120", "炼钢"), ("C3130", "钢压延加工"), ("C3140", "铁合金冶炼")),
        ("钢铁", "特钢", "钢材", "金属材料"),
        "钢材冶炼、轧制、加工及销售；金属材料、冶金炉料销售",
        True, 1_200_000, 0.9, 0.030, 0.04, 0.070, 25, 6, 0.08, 6200, "工业",
        ("pollutant", "water_abstraction"), ("air", "safety", "dust"),
    ),
    Industry(
        "mining", 6, (("B0810", "铁矿采选"), ("B1011", "石灰石、石膏开采")),
        ("矿业", "铁矿", "矿产品"),
        "铁矿石开采、选矿；矿产品加工及销售",
        True, 900_000, 0.6, 0.035, 0.06, 0.060, 15, 0, 0.03, 5800, "工业",
        ("mining", "mine_safety"), ("safety", "dust"),
    ),
    Industry(
        "pharma", 9,
        (("C2720", "化学药品制剂制造"), ("C2740", "中成药生产"), ("C2761", "生物药品制造")),
        ("药业", "制药", "生物医药", "医药科技"),
        "药品生产、销售；医药技术研发、技术转让、技术咨询",
        True, 700_000, 0.7, 0.040, 0.10, 0.025, 8, 12, 0.35, 6500, "工业",
        ("drug_production", "pollutant"), ("drug_quality", "water_pollution", "fire"),
    ),
    Industry(
        "machinery", 8, (("C3311", "金属结构制造"), ("C3511", "矿山机械制造")),
        ("机械", "重型机械", "机电设备", "装备制造"),
        "机械设备制造、加工、维修及销售；金属结构件加工",
        True, 450_000, 0.9, 0.030, 0.05, 0.030, 4, 5, 0.15, 5600, "工业",
        ("pollutant",), ("safety", "fire"),
    ),
    Industry(
        "building_materials", 5, (("C3011", "水泥制造"), ("C3021", "水泥制品制造")),
        ("建材", "水泥", "新型建材"),
        "水泥及水泥制品生产、销售；建筑材料销售",
        True, 600_000, 0.8, 0.035, 0.04, 0.090, 6, 3, 0.03, 5200, "工业",
        ("pollutant", "industrial_product"), ("dust", "air"),
    ),
    Industry(
        "food", 7, (("C1515", "葡萄酒制造"), ("C1439", "其他方便食品制造")),
        ("冰酒", "酒业", "食品", "山珍食品"),
        "葡萄酒、果酒生产及销售；食品生产、销售",
        False, 400_000, 1.0, 0.030, 0.07, 0.020, 10, 8, 0.05, 4800, "工业",
        ("food_production",), ("food_safety", "fire"),
    ),
    Industry(
        "herbs", 3, (("A0170", "中药材种植"),),
        ("参业", "中药材", "林下经济"),
        "中药材种植、初加工及销售；林下经济作物种植",
        False, 200_000, 0.6, 0.002, 0.05, 0.010, 3, 0, 0.02, 4200, "其他",
        (), ("food_safety",),
    ),
    Industry(
        "logistics", 8, (("G5431", "普通货物道路运输"), ("G5821", "货物运输代理")),
        ("物流", "运输", "货运"),
        "道路普通货物运输；仓储服务（不含危险化学品）；货物运输代理",
        False, 400_000, 1.2, 0.025, 0.04, 0.005, 2, 0, 0.01, 4900, "仓储",
        ("road_transport",), ("overload", "fire"),
    ),
    Industry(
        "retail", 14, (("F5211", "百货零售"), ("F5212", "超级市场零售"), ("F5251", "西药零售")),
        ("商贸", "百货", "超市", "大药房"),
        "日用百货、预包装食品、药品零售",
        False, 600_000, 2.0, 0.015, 0.03, 0.012, 2, 0, 0.0, 4300, "商业",
        ("food_trade",), ("food_safety", "price"),
    ),
    Industry(
        "hospitality", 9, (("H6110", "旅游饭店"), ("H6210", "正餐服务")),
        ("酒店", "餐饮", "宾馆"),
        "住宿服务；餐饮服务；会议服务",
        False, 150_000, 0.5, 0.020, 0.06, 0.050, 12, 15, 0.0, 4000, "商业",
        ("food_trade", "public_health"), ("food_safety", "fire"),
    ),
    Industry(
        "tourism", 7, (("N7861", "名胜风景区管理"), ("L7271", "旅行社服务")),
        ("旅游", "文化旅游", "旅行社"),
        "旅游景区开发及管理；国内旅游业务；旅游商品销售",
        False, 180_000, 0.4, 0.020, 0.05, 0.030, 6, 2, 0.0, 4100, "商业",
        ("travel_agency",), ("tourism", "fire"),
    ),
    Industry(
        "construction", 8, (("E4790", "其他房屋建筑业"),),
        ("建筑工程", "建设工程", "建工"),
        "房屋建筑工程施工；市政公用工程施工；建筑装饰工程",
        False, 500_000, 1.0, 0.030, 0.04, 0.005, 3, 0, 0.02, 5500, "办公",
        ("construction", "construction_safety"), ("safety", "dust"),
    ),
    Industry(
        "software", 7, (("I6513", "应用软件开发"), ("I6531", "信息系统集成服务")),
        ("信息技术", "软件", "数字科技"),
        "软件开发；信息系统集成服务；信息技术咨询服务",
        False, 300_000, 1.0, 0.030, 0.08, 0.006, 1, 0, 0.40, 6800, "办公",
        (), ("tax_filing",),
    ),
)
# fmt: on


def industry(key: str) -> Industry:
    return next(i for i in INDUSTRIES if i.key == key)
