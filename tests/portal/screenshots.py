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
from tests.portal.live import LiveGateway, live_gateway
from tests.support.world import ENTERPRISE

# page path, what to wait for, who looks at it
PAGES = (
    ("login", "/portal", "#login-form", None),
    ("enterprise-home", "/portal/enterprise", "#active", "enterprise"),
    ("enterprise-grant", "/portal/enterprise/grant", "#grant-form", "enterprise"),
    ("enterprise-data", "/portal/enterprise/data", "#report", "enterprise"),
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
    gateway["bank2"].call(
        "POST",
        "/v1/authorization-requests",
        json={
            "enterprise": enterprise.id,
            "purpose": "loan_underwriting",
            "datasets": ["annual_reports"],
            "modes": ["report"],
            "valid_days": 30,
            "note_zh": "流动资金贷款申请",
        },
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
        if name == "institution":
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
