"""A credit report's PDF rendering (zh labels), from its signed document.

The PDF is a reading copy: what verifies is the JSON envelope, whose ledger index and digest
the PDF prints so that a reader can ask for it. reportlab's built-in CID font STSong-Light
(Adobe-GB1) renders Chinese without any font file.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

FONT = "STSong-Light"
TITLE_ZH = "企业信用报告"
PURPOSES_ZH = {
    "procurement": "政府采购",
    "bidding": "招标投标",
    "approval": "行政审批",
    "market_access": "市场准入",
    "qualification": "资质审核",
}

_registered = False


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


def _styles() -> dict[str, ParagraphStyle]:
    font = _font()
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=18, leading=24, spaceAfter=6),
        "h2": ParagraphStyle("h2", fontName=font, fontSize=13, leading=18, spaceBefore=8),
        "h3": ParagraphStyle("h3", fontName=font, fontSize=11, leading=15, spaceBefore=4),
        "body": ParagraphStyle("body", fontName=font, fontSize=9, leading=13),
    }


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def render(envelope: dict[str, Any]) -> bytes:
    """The PDF of ``envelope`` (its document, ledger index and digest)."""
    doc = envelope["document"]
    s = _styles()
    purpose = doc["purpose"]
    story: list[Any] = [
        _p(TITLE_ZH, s["title"]),
        _p(f"报告编号：{doc['report_id']}", s["body"]),
        _p(f"企业名称：{doc['enterprise']['name']}", s["body"]),
        _p(f"统一社会信用代码：{doc['enterprise']['uscc']}", s["body"]),
        _p(f"查询用途：{PURPOSES_ZH.get(purpose, purpose)}（{purpose}）", s["body"]),
        _p(f"查询机构：{doc['requested_by']['name']}（{doc['requested_by']['id']}）", s["body"]),
        _p(f"出具时间：{doc['issued_at']}", s["body"]),
        _p(f"账本索引：{envelope['ledger']['index']}", s["body"]),
        Spacer(1, 4 * mm),
    ]
    for section in doc["sections"]:
        story.append(_p(section["title_zh"], s["h2"]))
        if section["section"] == "credit_repairs":
            if not section["repairs"]:
                story.append(_p("无", s["body"]))
            for repair in section["repairs"]:
                story.append(
                    _p(
                        f"{repair['dataset']} / {repair['record_id']}：已修复，"
                        f"{repair['effective_at'] or ''} 起停止公示",
                        s["body"],
                    )
                )
            continue
        records = [r for d in section["datasets"] for r in d["records"]]
        if not records:
            story.append(_p("无记录", s["body"]))
        for dataset in section["datasets"]:
            for record in dataset["records"]:
                story.append(_p(dataset["name_zh"], s["h3"]))
                for field in record["fields"]:
                    story.append(_p(f"{field['label_zh']}：{field['value']}", s["body"]))
                story.append(_p(f"信息来源：{'、'.join(record['provenance'])}", s["body"]))
                if record["disputed"]:
                    story.append(_p("（异议处理中）", s["body"]))
    story += [
        Spacer(1, 4 * mm),
        _p(
            "核验说明：本报告的 JSON 版本由平台签名并记入账本，可用 "
            "credgate ledger verify --report 离线核验。",
            s["body"],
        ),
    ]
    out = io.BytesIO()
    SimpleDocTemplate(
        out, pagesize=A4, title=TITLE_ZH, leftMargin=18 * mm, rightMargin=18 * mm
    ).build(story)
    return out.getvalue()
