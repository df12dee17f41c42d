"""Parse the sharing list's table out of the plan's PDF-extracted text.

The table is tab-separated. Two quirks of the extraction are handled here: cells wrapped in the PDF
carry stray spaces ("纳税信 息"), and the two real-estate rows carry a sub-kind column, which
pushes the responsible unit into the sharing-method cell ("…共享至省平台 市自然资源局").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

PLAN = Path(__file__).resolve().parents[2] / "docs/source/benxi-credit-sharing-plan-2022.txt"
TABLE_TITLE = "本溪市信用信息共享清单（第一批）"
_OPEN, _CLOSE = "(（", ")）"


@dataclass(frozen=True, slots=True)
class ListRow:
    kind: str  # 信息种类, with "/sub-kind" where the row has one
    ordinal: int  # 1-based among the rows of the same kind
    items: tuple[str, ...]  # 共享内容, one entry per item
    method: str  # 共享方式
    unit: str  # 责任单位
    frequency: str  # 更新频次

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.ordinal)


def normalise(text: str) -> str:
    """Drop the whitespace the PDF extraction put inside wrapped cells."""
    return re.sub(r"\s+", "", text)


def split_items(content: str) -> tuple[str, ...]:
    """Split 共享内容 on "、", but not inside brackets, and strip the closing "。"."""
    items: list[str] = []
    depth = 0
    current = ""
    for ch in normalise(content):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
        if ch == "、" and depth == 0:
            items.append(current)
            current = ""
        else:
            current += ch
    items.append(current)
    return tuple(item.removesuffix("。") for item in items if item.removesuffix("。"))


def parse_rows(text: str) -> list[ListRow]:
    table = text[text.index(TABLE_TITLE) + len(TABLE_TITLE) :]
    rows: list[ListRow] = []
    seen: dict[str, int] = {}
    kind = ""
    for line in table.splitlines():
        cells = line.split("\t")
        if len(cells) < 6 or cells[0] == "序号":
            continue
        if len(cells) != 6:
            raise ValueError(f"unexpected row layout: {line!r}")
        if "、" in cells[3]:  # a sub-kind column; the unit trails the method cell
            _, main, sub, content, method_and_unit, frequency = cells
            method, unit = method_and_unit.rsplit(maxsplit=1)
            row_kind = f"{normalise(main)}/{normalise(sub)}"
        else:
            _, main, content, method, unit, frequency = cells
            if normalise(main):
                kind = normalise(main)
            row_kind = kind
        seen[row_kind] = seen.get(row_kind, 0) + 1
        rows.append(
            ListRow(
                kind=row_kind,
                ordinal=seen[row_kind],
                items=split_items(content),
                method=normalise(method),
                unit=normalise(unit),
                frequency=normalise(frequency),
            )
        )
    return rows


def load_rows() -> list[ListRow]:
    return parse_rows(PLAN.read_text(encoding="utf-8"))
