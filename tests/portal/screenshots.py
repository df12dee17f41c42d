"""``make screenshots``: each main page of the portal, desktop and phone width, as PNGs.

python -m tests.portal.screenshots var/screenshots
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from gateway.policy.factory import build_engine
from gateway.settings import Settings
from tests.portal.browser import sign_in, wait_loaded
from tests.portal.conftest import CHROMIUM, DESKTOP, PHONE
from tests.portal.live import (
    LiveGateway,
    ask_authorization,
    live_gateway,
    publish_demand,
    publish_product,
)
from tests.support.world import ENTERPRISE

# page path, what to wait for, who looks at it
PAGES = (
    ("login", "/portal", "#login-form", None),
    ("enterprise-home", "/portal/enterprise", "#active", "enterprise"),
    ("enterprise-grant", "/portal/enterprise/grant", "#grant-form", "enterprise"),
    ("enterprise-data", "/portal/enterprise/data", "#report", "enterprise"),
    ("enterprise-financing", "/portal/enterprise/financing", "#matches", "enterprise"),
    ("enterprise-log", "/portal/enterprise/log", "#log", "enterprise"),
    ("institution", "/portal/institution", "#authorizations", "bank"),
    ("assessor", "/portal/assessor", "#institutions", "assessor"),
    ("operator", "/portal/operator", "#datasets", "operator"),
)


def _activity(gateway: LiveGateway) -> None:
    """Something to show: grants, a report, a check, an objection, a repair application."""
    enterprise, bank = gateway["enterprise"], gateway["bank"]
    enterprise.grant(bank.id, datasets=["annual_reports", "administrative_penalties"])
    ended = enterprise.grant(gateway["bank2"].id, purpose="post_loan_monitoring")
    enterprise.call("POST", f"/v1/authorizations/{ended['id']}/revoke")
    bank.call(
        "GET", f"/v1/enterprises/{ENTERPRISE}/report", params={"purpose": "loan_underwriting"}
    )
    gateway["bank2"].call(
        "GET", f"/v1/enterprises/{ENTERPRISE}/report", params={"purpose": "loan_underwriting"}
    )
    report = enterprise.call("GET", "/v1/me/report").json()
    penalty = next(d for d in report["datasets"] if d["dataset"] == "administrative_penalties")
    record = penalty["records"][0]["record_id"]
    enterprise.call(
        "POST",
        "/v1/me/repairs",
        json={"dataset": "administrative_penalties", "record_id": record, "reason": "已整改完毕"},
    )
    # a pending authorization request in the enterprise's consent inbox
    ask_authorization(gateway["bank2"], enterprise.id, note_zh="流动资金贷款申请")


def _financing(gateway: LiveGateway) -> None:
    """Products (one the enterprise qualifies for, one it cannot show), two demands pushed to
    the bank, one picked up, and the bank's authorization request about it."""
    enterprise, bank, bank2 = gateway["enterprise"], gateway["bank"], gateway["bank2"]
    publish_product(bank)
    publish_product(
        bank,
        name_zh="税易贷",
        kind="tax_based",
        amount_min=50_000,
        amount_max=2_000_000,
        term_min_months=3,
        term_max_months=24,
        rate_min_pct="3.85",
        rate_max_pct="4.90",
        eligibility=[{"predicate": "tax_credit_grade_in", "args": {"grades": ["A", "B"]}}],
    )
    publish_product(
        bank2,
        name_zh="科技成果转化贷",
        kind="pledge",
        amount_min=500_000,
        amount_max=10_000_000,
        term_min_months=12,
        term_max_months=60,
        rate_min_pct="3.20",
        rate_max_pct="4.35",
        eligibility=[
            {"predicate": "national_high_tech_enterprise", "args": {}},
            {"predicate": "debt_ratio_at_most", "args": {"ratio": "0.7"}},
        ],
    )
    first = publish_demand(enterprise, purpose_zh="采购原材料，扩大原料药产能")
    publish_demand(
        enterprise,
        amount=300_000,
        term_months=6,
        purpose_zh="支付到期货款",
        collateral=["receivables"],
    )
    picked = bank.call("POST", f"/v1/financing-demands/{first['id']}/pick-up")
    assert picked.is_success, picked.text
    ask_authorization(
        bank,
        enterprise.id,
        datasets=["annual_reports", "tax_payments"],
        modes=["report", "verify"],
        demand_id=first["id"],
        note_zh="融资需求尽职调查",
    )


def main(out: Path) -> None:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as work,
        live_gateway("sqlite", Path(work), build_engine(Settings())) as gateway,
        sync_playwright() as playwright,
    ):
        _activity(gateway)
        _financing(gateway)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for who in ("enterprise", "bank", "assessor", "operator"):
            context = browser.new_context(viewport=DESKTOP)
            page = context.new_page()
            sign_in(page, gateway.base_url, gateway[who])
            for name, path, ready, owner in PAGES:
                if owner != who and not (owner is None and who == "enterprise"):
                    continue
                _shoot_one(page, gateway, out, name, path, ready)
            context.close()
        browser.close()
    print(f"screenshots in {out}")


def _shoot_one(
    page: Any, gateway: LiveGateway, out: Path, name: str, path: str, ready: str
) -> None:
    for lang in ("zh", "en"):
        page.goto(f"{gateway.base_url}{path}?lang={lang}")
        wait_loaded(page, ready)
        if name == "enterprise-home":
            wait_loaded(page, "#requests")
        if name == "enterprise-financing":
            wait_loaded(page, "#demands")
            page.click("details.history summary")
            page.wait_for_selector("ol.history")
        if name == "institution":
            for section in ("#demands", "#products", "#sent"):
                wait_loaded(page, section)
            # hidden where the gateway has no budget endpoint yet
            page.wait_for_selector("#budget:not([aria-busy])", state="attached")
            page.fill("#report-uscc", ENTERPRISE)
            page.click("#report-form button[type=submit]")
            page.wait_for_selector("#result h2")
        if name == "enterprise-log":
            page.click("#verify")
            page.wait_for_selector("#verify-result p")
        for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(viewport)
            page.screenshot(path=str(out / f"{name}-{lang}-{width}.png"), full_page=True)
        page.set_viewport_size(DESKTOP)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "var/screenshots"))
