"""Synthetic natural persons: Chinese names and resident ID numbers (GB 11643-1999)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from gateway.uscc import BENXI_DIVISIONS

# Common surnames, weighted by repetition, plus Manchu-origin surnames frequent in Benxi's two
# autonomous counties.
_SURNAMES = (
    "王王王李李李张张张刘刘陈陈杨杨赵赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
    "肖田董袁潘于于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜姜崔钟谭陆汪范金石廖贾夏付方白邹孟熊秦"
    "邱江尹薛闫段雷侯龙史陶贺顾毛郝龚邵万钱武戴孔汤关关佟那富"
)
_GIVEN_MALE = (
    "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发"
    "成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友"
    "裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌栋维启克伦翔旭鹏泽晨辰士以建家致树"
    "炎德行时泰盛雄琛钧冠策腾楠榕风航弘"
)
_GIVEN_FEMALE = (
    "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹"
    "霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶"
    "怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希"
    "宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"
)

# Other Liaoning divisions, for people born outside Benxi.
_LIAONING_DIVISIONS = ("210102", "210202", "210302", "210402", "210602", "210702", "211002")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_char(first17: str) -> str:
    """The GB 11643 check character (ISO 7064 MOD 11-2) over the first 17 digits."""
    total = sum(int(ch) * w for ch, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def is_valid_resident_id(code: object) -> bool:
    if not isinstance(code, str) or len(code) != 18 or not code[:17].isdigit():
        return False
    try:
        date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        return False
    return code[17] == id_check_char(code[:17])


def resident_id(rng: random.Random, born: date, male: bool, region: str) -> str:
    order = rng.randrange(0, 500) * 2 + (1 if male else 0)  # odd for men, even for women
    first17 = f"{region}{born:%Y%m%d}{order:03d}"
    return first17 + id_check_char(first17)


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    id_no: str
    male: bool


def person_name(rng: random.Random, male: bool) -> str:
    given = _GIVEN_MALE if male else _GIVEN_FEMALE
    length = 1 if rng.random() < 0.3 else 2
    return rng.choice(_SURNAMES) + "".join(rng.choice(given) for _ in range(length))


def make_person(rng: random.Random, today: date, min_age: int = 28, max_age: int = 62) -> Person:
    male = rng.random() < 0.72  # owners and managers in the registry skew male
    born = date(today.year - rng.randint(min_age, max_age), rng.randint(1, 12), rng.randint(1, 28))
    local = rng.random() < 0.85
    region = rng.choice(BENXI_DIVISIONS if local else _LIAONING_DIVISIONS)
    return Person(person_name(rng, male), resident_id(rng, born, male, region), male)
