"""Which report section each dataset belongs to, and the zh labels of the sections."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    title_zh: str
    datasets: tuple[str, ...]


SECTIONS: tuple[Section, ...] = (
    Section(
        "registration",
        "登记注册信息",
        ("business_licence", "registration_changes", "shareholders", "branches"),
    ),
    Section("licences", "行政许可信息", ("administrative_licences",)),
    Section("penalties", "行政处罚信息", ("administrative_penalties",)),
    Section("coercion", "行政强制信息", ("administrative_coercion",)),
    Section(
        "dishonesty_lists",
        "失信名单信息",
        ("serious_dishonesty_list", "serious_violations", "abnormal_operations"),
    ),
    Section("honours", "表彰荣誉信息", ("honours",)),
    Section("supervision", "监管检查信息", ("spot_checks",)),
)
REPAIRS_TITLE_ZH = "信用修复信息"
OTHER = Section("other", "其他信息", ())


def section_of(dataset: str) -> Section:
    return next((s for s in SECTIONS if dataset in s.datasets), OTHER)
