"""Public bodies, banks and places the synthetic records refer to.

Their USCCs are synthetic but stable: derived from the name, not from the demo seed, so the same
authority has the same code in every demo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

from gateway import uscc

DISTRICTS = {
    "210502": (
        "本溪市平山区",
        "平山",
        ("解放北路", "人民路", "站前街", "平山路", "胜利路", "永丰街"),
    ),
    "210503": (
        "本溪市溪湖区",
        "溪湖",
        ("河西路", "彩北路", "东风路", "溪湖路", "彩屯路", "桥北路"),
    ),
    "210504": (
        "本溪市明山区",
        "明山",
        ("明山路", "东明路", "地工路", "新明路", "高峪路", "北地路"),
    ),
    "210505": ("本溪市南芬区", "南芬", ("南芬路", "铁山街", "新兴路", "思山岭路")),
    "210521": ("本溪满族自治县", "本溪县", ("小市镇中央路", "小市镇兴业街", "草河口镇站前路")),
    "210522": ("桓仁满族自治县", "桓仁", ("桓仁镇向阳街", "桓仁镇东关街", "二棚甸子镇新街")),
}
# Place names and auspicious words that go into Benxi enterprise names.
_BRAND_WORDS = (
    "鑫源 华泰 鼎盛 恒通 宏达 金石 龙腾 太子河 关门山 溪城 枫叶 辽东 东方 瑞丰 "
    "永丰 德润 博远 兴隆 华溪 铁刹山 大石湖 老边沟 汤沟 观音阁 明珠 恒昌 天成 "
    "嘉禾 同泰 富源 聚鑫 国润 三江 北方 长青 山城 卧龙 桥头 草河 碱厂 连山关 "
    "高台子 歪头山 火连寨 田师傅 牛心台 五女山 浑江 雅河 华来 正阳 祥瑞 金鼎 隆盛 "
    "宏业 安泰 众诚 汇丰源 金桥 润通 海川"
)
BRANDS = tuple(_BRAND_WORDS.split())

HIGH_TECH_ZONE = ("本溪高新技术产业开发区", ("神农大街", "香槐路", "杏林路", "药都大道"))
OTHER_CITIES = {"210102": "沈阳", "210202": "大连", "210302": "鞍山", "210602": "丹东"}


def district_name(division: str) -> str:
    return DISTRICTS[division][0]


def market_regulator(division: str) -> str:
    return f"{district_name(division)}市场监督管理局"


def registry_city(division: str) -> str:
    """The place name in real-estate certificate numbers: 本溪市, 本溪县 or 桓仁县."""
    return {"210521": "本溪县", "210522": "桓仁县"}.get(division, "本溪市")


def real_estate_office(division: str) -> str:
    if division in ("210521", "210522"):
        return f"{district_name(division)}不动产登记中心"
    return "本溪市不动产登记中心"


@cache
def org_uscc(name: str, authority: str = "1", kind: str = "1", division: str = "210500") -> str:
    """A valid, name-derived USCC: authority 1 kind 1 is a government organ (机关)."""
    code = uscc.generate(random.Random(f"org:{name}"), division)
    first17 = authority + kind + code[2:17]
    return next(first17 + c for c in uscc.ALPHABET if uscc.is_valid(first17 + c))


@dataclass(frozen=True, slots=True)
class Authority:
    name: str
    abbr: str  # as in decision document numbers: 本环罚〔2024〕12号

    @property
    def uscc(self) -> str:
        return org_uscc(self.name)


AUTHORITIES = {
    "environment": Authority("本溪市生态环境局", "本环"),
    "emergency": Authority("本溪市应急管理局", "本应急"),
    "market": Authority("本溪市市场监督管理局", "本市监"),
    "tax": Authority("国家税务总局本溪市税务局", "本税"),
    "fire": Authority("本溪市消防救援支队", "本消"),
    "transport": Authority("本溪市交通运输局", "本交"),
    "culture": Authority("本溪市文化旅游和广播电视局", "本文旅"),
    "hrss": Authority("本溪市人力资源和社会保障局", "本人社"),
    "water": Authority("本溪市水务局", "本水"),
    "health": Authority("本溪市卫生健康委员会", "本卫"),
    "housing": Authority("本溪市住房和城乡建设局", "本住建"),
    "drugs": Authority("辽宁省药品监督管理局", "辽药监"),
    "mining": Authority("辽宁省自然资源厅", "辽自然资"),
    "province_safety": Authority("辽宁省应急管理厅", "辽应急"),
    "province_market": Authority("辽宁省市场监督管理局", "辽市监"),
    "province_tourism": Authority("辽宁省文化和旅游厅", "辽文旅"),
    "province_industry": Authority("辽宁省工业和信息化厅", "辽工信"),
    "province_housing": Authority("辽宁省住房和城乡建设厅", "辽建"),
    "miit": Authority("工业和信息化部", "工信部"),
    "science": Authority("本溪市科学技术局", "本科"),
    "city_court": Authority("本溪市中级人民法院", "辽05"),
    "pingshan_court": Authority("本溪市平山区人民法院", "辽0502"),
}


@dataclass(frozen=True, slots=True)
class Lender:
    name: str

    @property
    def uscc(self) -> str:
        # Bank branches register as enterprises (authority 9, kind 1).
        return org_uscc(self.name, authority="9", division="210502")


LENDERS = tuple(
    Lender(name)
    for name in (
        "中国工商银行股份有限公司本溪分行",
        "中国农业银行股份有限公司本溪分行",
        "中国银行股份有限公司本溪分行",
        "中国建设银行股份有限公司本溪分行",
        "交通银行股份有限公司本溪分行",
        "中国邮政储蓄银行股份有限公司本溪市分行",
        "盛京银行股份有限公司本溪分行",
        "本溪市融资担保有限责任公司",
    )
)
