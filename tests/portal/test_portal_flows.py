"""The portal in a real browser (Debian's chromium) against a real gateway on both backends.

Each flow is what a person does with the keyboard and mouse; each ends by checking that no
private key left the browser: not in a request, not in a server log line, not in the database.
"""

from __future__ import annotations

import base64
import dataclasses
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from sqlalchemy import MetaData, select

from tests.portal.browser import sign_in, wait_loaded
from tests.portal.live import (
    LiveGateway,
    Principal,
    ask_authorization,
    publish_demand,
    publish_product,
)
from tests.support.world import ENTERPRISE


@pytest.fixture
def page(context: Any) -> Iterator[Any]:
    page = context.new_page()
    page.sent = []  # every request the page made: (url, headers, body)
    page.on("request", lambda r: page.sent.append((r.url, r.headers, r.post_data or "")))
    page.on("dialog", lambda dialog: dialog.accept())
    yield page


# ---------------------------------------------------------------- no key leaves the browser


def _secret_forms(principal: Principal) -> list[str]:
    """Every way a private key could be written down: its PEM body, its DER and raw scalar
    in hex, base64 and base64url."""
    key = principal.key
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    if isinstance(key, ed25519.Ed25519PrivateKey):
        raw = key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
    else:
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        raw = key.private_numbers().private_value.to_bytes(32, "big")
    forms = [principal.pem.splitlines()[1]]
    for blob in (der, raw):
        forms += [
            blob.hex(),
            base64.b64encode(blob).decode(),
            base64.urlsafe_b64encode(blob).decode().rstrip("="),
        ]
    return forms


def _database_text(gateway: LiveGateway) -> str:
    """Every row of every table, as text (bytes as hex and base64 as well)."""
    metadata = MetaData()
    metadata.reflect(gateway.services.engine)
    out: list[str] = []
    with gateway.services.engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        data = bytes(value)
                        out += [data.hex(), base64.b64encode(data).decode()]
                    else:
                        out.append(str(value))
    return "\n".join(out)


def assert_no_private_key_left(gateway: LiveGateway, page: Any, *principals: Principal) -> None:
    assert page.sent, "the page made no requests"
    database = _database_text(gateway)
    logs = "\n".join(gateway.logs.lines)
    assert logs, "the server logged nothing: the log check would prove nothing"
    for principal in principals:
        for secret in _secret_forms(principal):
            for url, headers, body in page.sent:
                assert secret not in url and secret not in body, url
                assert all(secret not in value for value in headers.values()), url
            assert secret not in logs
            assert secret not in database
    for _, headers, _ in page.sent:
        assert "cookie" not in {name.lower() for name in headers}


# ---------------------------------------------------------------- flows


def _text(page: Any, selector: str) -> str:
    text: str = page.inner_text(selector)
    return text


def _tab_to(page: Any, attribute: str, value: str) -> None:
    """Press Tab until the element with ``attribute=value`` has the focus (keyboard only)."""
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.getAttribute({attribute!r})") == value:
            return
    raise AssertionError(f"[{attribute}={value}] cannot be reached with the keyboard")


def test_enterprise_grants_sees_revokes_and_verifies_its_access_log(
    gateway: LiveGateway, page: Any
) -> None:
    enterprise, bank = gateway["enterprise"], gateway["bank"]
    sign_in(page, gateway.base_url, enterprise)
    wait_loaded(page, "#active")
    # the consent inbox (financing feature) answers: no request is pending yet
    wait_loaded(page, "#requests")
    assert page.is_visible("#requests-section")
    assert page.inner_text("#requests .empty")

    page.click("nav >> text=新建授权")
    page.fill("#institution", bank.id)
    page.select_option("#purpose", "loan_underwriting")
    page.check("input[name=datasets][value=annual_reports]")
    page.check("input[name=modes][value=verify]")
    page.click("#grant-form button[type=submit]")
    page.wait_for_selector("#grant-status.ok a")
    granted = re.search(r"(authz-[0-9a-f]{32})", _text(page, "#grant-status"))
    assert granted is not None
    grant_id = granted.group(1)
    # the grant is the enterprise's own signature, checked by the gateway like any client's
    stored = enterprise.call("GET", f"/v1/authorizations/{grant_id}").json()
    assert stored["state"] == "active" and stored["modes"] == ["report", "verify"]

    assert bank.call(
        "GET", f"/v1/enterprises/{ENTERPRISE}/report", params={"purpose": "loan_underwriting"}
    ).is_success
    page.click("nav >> text=授权管理")
    wait_loaded(page, "#active")
    row = page.locator("#active tr", has_text=bank.id)
    assert "贷款审批" in row.inner_text() and "企业年报" in row.inner_text()
    assert "—" not in row.locator("td").nth(6).inner_text()  # last use: the report just made

    _tab_to(page, "data-revoke", grant_id)
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#flash:has-text('{grant_id}')")
    wait_loaded(page, "#ended")
    assert "已撤销" in page.locator("#ended tr", has_text=bank.id).first.inner_text()
    assert enterprise.call("GET", f"/v1/authorizations/{grant_id}").json()["state"] == "revoked"

    page.click("nav >> text=访问记录")
    wait_loaded(page, "#log")
    page.click("#verify")
    page.wait_for_selector("#verify-result.ok")
    assert "校验通过" in _text(page, "#verify-result")
    proofs = page.locator(".proof")
    assert proofs.count() >= 3 and all(text == "通过" for text in proofs.all_inner_texts()), (
        proofs.all_inner_texts()
    )
    # a later check compares the new subject head with the one saved now
    assert bank.call(
        "GET", f"/v1/enterprises/{ENTERPRISE}/report", params={"purpose": "loan_underwriting"}
    ).is_success
    page.reload()
    wait_loaded(page, "#log")
    page.click("#verify")
    page.wait_for_selector("#verify-result.ok")
    assert "与上次保存的主体头" in _text(page, "#verify-result")

    # English on request, and kept as the preference
    with page.expect_navigation():  # the switch reloads the page in the other language
        page.click("#lang-switch")
    page.wait_for_selector("html[lang=en]")
    page.goto(f"{gateway.base_url}/portal/enterprise")
    page.wait_for_selector("html[lang=en]")
    wait_loaded(page, "#active")
    assert "Active grants" in _text(page, "main")

    assert_no_private_key_left(gateway, page, enterprise)


def test_a_tampered_proof_fails_verification_in_the_browser(
    gateway: LiveGateway, page: Any
) -> None:
    enterprise = gateway["enterprise"]
    sign_in(page, gateway.base_url, enterprise)

    def tamper(route: Any) -> None:
        response = route.fetch()
        page_json = response.json()
        first = page_json["entries"][0]
        first["inclusion_proof"][0] = base64.b64encode(b"\x00" * 32).decode()
        route.fulfill(response=response, json=page_json)

    page.route("**/v1/me/access-log*", tamper)
    page.goto(f"{gateway.base_url}/portal/enterprise/log")
    wait_loaded(page, "#log")
    page.click("#verify")
    page.wait_for_selector("#verify-result.error")
    assert "校验失败" in _text(page, "#verify-result")


def test_bank_runs_a_report_and_a_verification(gateway: LiveGateway, page: Any) -> None:
    bank = gateway["bank"]  # a P-256 key: the browser's ES256 path
    gateway["enterprise"].grant(bank.id, datasets=["annual_reports"], modes=["report", "verify"])
    sign_in(page, gateway.base_url, bank)
    wait_loaded(page, "#authorizations")
    assert ENTERPRISE in _text(page, "#authorizations")

    page.fill("#report-uscc", ENTERPRISE)
    page.select_option("#report-purpose", "loan_underwriting")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#result h2")
    result = _text(page, "#result")
    assert "本溪市示范药业有限公司" in result and "企业年报" in result
    assert "未披露" in result  # withheld fields are shown as withheld, with the reason
    assert "需要企业授权" in result or "仅可核验" in result
    assert "210502198001011236" not in result  # an identity number never leaves

    page.fill("#verify-uscc", ENTERPRISE)
    page.select_option("#verify-purpose", "loan_underwriting")
    page.select_option("#predicate-0", "annual_revenue_at_least")
    page.fill("#arg-0-amount", "1000000")
    page.click("#verify-form button[type=submit]")
    page.wait_for_selector("#result h2:has-text('是/否核验')")
    assert "是" in page.locator("#result tbody tr").first.inner_text()

    # an error reads as a sentence in the user's language, never as JSON
    page.fill("#report-uscc", "91210502000000000X")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#result .error")
    message = _text(page, "#result .error")
    assert "{" not in message and re.search(r"[\u4e00-\u9fff]", message)

    assert_no_private_key_left(gateway, page, bank)


def test_an_openssl_ec_private_key_signs_in_as_it_is(
    gateway: LiveGateway, page: Any, tmp_path: Any
) -> None:
    """A P-256 key in OpenSSL's traditional form (``BEGIN EC PRIVATE KEY``, SEC1), as
    ``openssl ecparam -genkey`` writes it, is taken without converting it first."""
    bank = gateway["bank"]
    assert isinstance(bank.key, ec.EllipticCurvePrivateKey)
    sec1 = tmp_path / "bank-sec1.pem"
    sec1.write_bytes(
        bank.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    assert sec1.read_text().startswith("-----BEGIN EC PRIVATE KEY-----")
    as_sec1 = dataclasses.replace(bank, key_file=sec1)
    sign_in(page, gateway.base_url, as_sec1)
    wait_loaded(page, "#authorizations")  # the bank's home, its requests signed with that key
    assert_no_private_key_left(gateway, page, as_sec1)


def test_assessor_suspends_an_institution(gateway: LiveGateway, page: Any) -> None:
    assessor, bank2 = gateway["assessor"], gateway["bank2"]
    sign_in(page, gateway.base_url, assessor)
    wait_loaded(page, "#institutions")
    page.click(f"button[data-institution='{bank2.id}']")
    page.wait_for_selector("#assessment-form")
    page.select_option("#outcome", "failed")
    page.fill("#finding", "未经授权批量查询")
    page.select_option("#severity", "high")
    page.click("#assessment-form button[type=submit]")
    page.wait_for_selector("#detail-status:has-text('已暂停')")
    assert "已暂停" in page.locator("#institutions tr", has_text=bank2.id).inner_text()
    listed = assessor.call("GET", f"/v1/audit/institutions/{bank2.id}").json()
    assert listed["standing"]["status"] == "suspended"
    assert_no_private_key_left(gateway, page, assessor)


# ---------------------------------------------------------------- the same way in


def _entries(enterprise: Principal, kind: str) -> list[dict[str, Any]]:
    page = enterprise.call("GET", "/v1/me/access-log?limit=500").json()
    return [e["entry"] for e in page["entries"] if e["entry"]["payload"]["type"] == kind]


def _shape(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry's keys and value types, recursively (values differ, the shape must not)."""
    if isinstance(entry, dict):
        return {key: _shape(value) for key, value in entry.items()}
    return {"type": type(entry).__name__}


def test_portal_grant_and_revoke_write_the_same_ledger_entries_as_the_api(
    gateway: LiveGateway, page: Any
) -> None:
    enterprise, bank2 = gateway["enterprise"], gateway["bank2"]
    by_api = enterprise.grant(bank2.id, datasets=["annual_reports"])
    assert enterprise.call("POST", f"/v1/authorizations/{by_api['id']}/revoke").is_success

    sign_in(page, gateway.base_url, enterprise)
    page.goto(f"{gateway.base_url}/portal/enterprise/grant")
    page.fill("#institution", bank2.id)
    page.check("input[name=datasets][value=annual_reports]")
    page.click("#grant-form button[type=submit]")
    page.wait_for_selector("#grant-status.ok a")
    by_portal = re.search(r"(authz-[0-9a-f]{32})", _text(page, "#grant-status"))
    assert by_portal is not None
    page.goto(f"{gateway.base_url}/portal/enterprise")
    wait_loaded(page, "#active")
    page.click(f"button[data-revoke='{by_portal.group(1)}']")
    page.wait_for_selector(f"#flash:has-text('{by_portal.group(1)}')")

    for kind in ("authorization.granted", "authorization.revoked"):
        entries = {
            e["payload"].get("authorization_id", e["payload"].get("id")): e
            for e in _entries(enterprise, kind)
        }
        portal, api = entries[by_portal.group(1)], entries[by_api["id"]]
        assert _shape(portal) == _shape(api), kind
        same = ("type", "enterprise", "institution", "purpose", "datasets", "classes", "modes")
        for name in same:
            assert portal["payload"].get(name) == api["payload"].get(name), (kind, name)


def test_enterprise_applies_for_repair_and_the_operator_approves_it(
    gateway: LiveGateway, page: Any, browser: Any
) -> None:
    enterprise, operator = gateway["enterprise"], gateway["operator"]
    sign_in(page, gateway.base_url, enterprise)
    page.goto(f"{gateway.base_url}/portal/enterprise/data")
    wait_loaded(page, "#report")
    penalty = page.locator("details.dataset", has_text="行政处罚信息")
    penalty.locator("button", has_text="申请信用修复").first.click()
    assert page.evaluate("document.activeElement.id") == "rep-reason"
    page.keyboard.type("已按期整改并履行处罚决定")
    page.click("#repair-form button[type=submit]")
    page.wait_for_selector("#rep-status.ok")
    repair_id = re.search(r"(rep-[0-9a-f]+)", _text(page, "#rep-status"))
    assert repair_id is not None

    desk = browser.new_context()
    try:
        operator_page = desk.new_page()
        sign_in(operator_page, gateway.base_url, operator)
        wait_loaded(operator_page, "#repairs")
        row = operator_page.locator("#repairs tr", has_text=repair_id.group(1))
        row.locator("button", has_text="批准").click()
        operator_page.wait_for_selector(f"#repairs:not(:has-text('{repair_id.group(1)}'))")
    finally:
        desk.close()
    repair = enterprise.call("GET", f"/v1/repairs/{repair_id.group(1)}").json()
    assert repair["state"] == "approved"
    assert_no_private_key_left(gateway, page, enterprise)


def test_enterprise_approves_and_rejects_institution_requests_in_the_portal(
    gateway: LiveGateway, page: Any
) -> None:
    enterprise, bank = gateway["enterprise"], gateway["bank"]

    def ask(note: str) -> dict[str, Any]:
        return ask_authorization(
            bank, enterprise.id, modes=["report", "verify"], use_limit=3, note_zh=note
        )

    approved, refused = ask("流动资金贷款"), ask("第二笔")
    sign_in(page, gateway.base_url, enterprise)
    wait_loaded(page, "#requests")
    assert page.locator("#requests tbody tr").count() == 2
    assert "流动资金贷款" in page.locator("#requests tr", has_text="流动资金贷款").inner_text()

    # approve: the page fetches the prepared claims, signs exactly them, posts the grant
    page.click(f"[data-approve='{approved['id']}']")
    page.wait_for_selector(f"#flash:has-text('{approved['grant_id']}')")
    wait_loaded(page, "#active")
    # the new grant is listed (other tests' grants may be there too: pick it by its id)
    row = page.locator("#active tr", has=page.locator(f"[data-revoke='{approved['grant_id']}']"))
    assert bank.id in row.inner_text() and "贷款审批" in row.inner_text()
    assert "企业年报" in row.inner_text() and "3" in row.inner_text()
    stored = enterprise.call("GET", f"/v1/authorizations/{approved['grant_id']}").json()
    assert stored["state"] == "active" and stored["use_limit"] == 3
    assert stored["modes"] == ["report", "verify"]
    answered = bank.call("GET", "/v1/authorization-requests").json()
    states = {r["id"]: r["state"] for r in answered}
    assert states[approved["id"]] == "approved"

    # reject with a reason
    page.fill(f"#reason-{refused['id']}", "暂不需要")
    page.click(f"#reason-{refused['id']} ~ button")
    page.wait_for_selector("#flash:has-text('已拒绝')")
    wait_loaded(page, "#requests")
    assert page.locator("#requests tbody tr").count() == 0
    states = {r["id"]: r["state"] for r in bank.call("GET", "/v1/authorization-requests").json()}
    assert states[refused["id"]] == "rejected"
    assert_no_private_key_left(gateway, page, enterprise, bank)


# ---------------------------------------------------------------- financing


def test_enterprise_sees_a_product_match_and_publishes_a_demand(
    gateway: LiveGateway, page: Any
) -> None:
    enterprise, bank = gateway["enterprise"], gateway["bank"]
    product = publish_product(bank, name_zh="本溪制造业流动资金贷")
    sign_in(page, gateway.base_url, enterprise)
    page.click("nav >> text=融资服务")
    wait_loaded(page, "#matches")
    match = page.locator("#matches tr", has_text=product["name_zh"]).inner_text()
    assert "符合条件" in match and "信用贷" in match and bank.id in match
    assert "10万–300万元" in match and "6–36 个月" in match and "3.45%–5.20%" in match
    # each criterion in words, with its result; no predicate id, no JSON
    assert "自成立日期起已满给定年数（2）" in match and "500万元" in match
    assert "years_in_operation_at_least" not in match and "{" not in match

    wait_loaded(page, "#demands")
    page.fill("#fin-amount", "800000")
    page.fill("#fin-term", "18")
    page.fill("#fin-purpose", "购置生产设备")
    page.check("input[name=collateral][value=equipment]")
    page.click("#demand-form button[type=submit]")
    page.wait_for_selector("#fin-status.ok")
    published = re.search(r"(dmd-[0-9a-f]+)", _text(page, "#fin-status"))
    assert published is not None
    demand_id = published.group(1)
    wait_loaded(page, "#demands")
    row = page.locator("#demands tr", has_text=demand_id).inner_text()
    assert "80万元" in row and "购置生产设备" in row and "设备抵押" in row
    assert bank.id in row and "待受理" in row and "对接中" in row

    stored = enterprise.call("GET", f"/v1/me/financing-demands/{demand_id}").json()
    assert (stored["amount"], stored["term_months"]) == (800_000, 18)
    assert stored["collateral"] == ["equipment", "none"] and stored["state"] == "open"
    assert stored["valid_until"] > stored["created_at"]
    assert {p["institution"]: p["state"] for p in stored["pushes"]}[bank.id] == "pushed"
    posts = [
        headers
        for url, headers, body in page.sent
        if url.endswith("/v1/me/financing-demands") and body
    ]
    assert len(posts) == 1 and posts[0].get("idempotency-key")

    # the history opens on demand; withdrawing ends it, here and in the API
    page.locator("#demands tr", has_text=demand_id).locator("details.history summary").click()
    page.wait_for_selector("#demands ol.history:has-text('发布融资需求')")
    page.click(f"[data-withdraw='{demand_id}']")
    page.wait_for_selector(f"#flash:has-text('{demand_id}')")
    assert "已撤回" in page.locator("#demands tr", has_text=demand_id).inner_text()
    withdrawn = enterprise.call("GET", f"/v1/me/financing-demands/{demand_id}").json()
    assert withdrawn["state"] == "withdrawn"

    page.goto(f"{gateway.base_url}/portal/enterprise/financing?lang=en")
    wait_loaded(page, "#matches")
    match = page.locator("#matches tr", has_text=product["name_zh"]).inner_text()
    assert "qualifies" in match and "credit loan" in match and "CNY 100,000–3,000,000" in match
    assert_no_private_key_left(gateway, page, enterprise)


def test_a_form_mistake_is_named_in_the_users_language(gateway: LiveGateway, page: Any) -> None:
    sign_in(page, gateway.base_url, gateway["enterprise"])
    page.goto(f"{gateway.base_url}/portal/enterprise/financing")
    wait_loaded(page, "#demands")
    page.fill("#fin-amount", "12.5")
    page.fill("#fin-purpose", "周转")
    page.click("#demand-form button[type=submit]")
    page.wait_for_selector("#fin-status.error")
    assert "请填写融资金额" in _text(page, "#fin-status")
    assert page.evaluate("document.activeElement.id") == "fin-amount"
    assert not [url for url, _, body in page.sent if url.endswith("/financing-demands") and body]


BUDGET = {
    "day": "2026-12-06",
    "budget_per_day": 8,
    "used": [
        {
            "enterprise": ENTERPRISE,
            "predicate": "annual_revenue_at_least",
            "thresholds_asked": 2,
            "remaining": 6,
        }
    ],
}


def test_bank_sees_its_products_and_picks_up_a_pushed_demand(
    gateway: LiveGateway, page: Any
) -> None:
    enterprise, bank = gateway["enterprise"], gateway["bank"]
    publish_product(
        bank,
        name_zh="设备更新贷",
        kind="mortgage",
        amount_min=200_000,
        amount_max=5_000_000,
        term_min_months=12,
        term_max_months=60,
        rate_min_pct="3.10",
        rate_max_pct="4.80",
    )
    demand = publish_demand(enterprise, amount=2_000_000, term_months=24, purpose_zh="更新生产线")
    push = next(p for p in demand["pushes"] if p["institution"] == bank.id)
    due = datetime.fromisoformat(push["pickup_due"]).astimezone(ZoneInfo("Asia/Shanghai"))

    # before the budget endpoint exists (404) its section stays hidden, without an error
    page.route("**/v1/me/verification-budget", lambda route: route.fulfill(status=404))
    sign_in(page, gateway.base_url, bank)
    wait_loaded(page, "#products")
    product = page.locator("#products tr", has_text="设备更新贷").inner_text()
    assert "抵押贷" in product and "20万–500万元" in product and "12–60 个月" in product
    assert "3.10%–4.80%" in product and "在售" in product
    page.wait_for_selector("#budget:not([aria-busy])", state="attached")
    assert page.is_hidden("#budget-section") and page.locator(".error").count() == 0

    wait_loaded(page, "#demands")
    row = page.locator("#demands tr", has=page.locator(f"[data-pickup='{demand['id']}']"))
    text = row.inner_text()
    assert enterprise.id in text and "200万元" in text and "24 个月" in text
    assert "更新生产线" in text and "待受理" in text and due.strftime("%Y/%m/%d %H:%M") in text
    page.click(f"[data-pickup='{demand['id']}']")
    page.wait_for_selector(f"#flash:has-text('{demand['id']}')")
    wait_loaded(page, "#demands")
    row = page.locator("#demands tr", has_text="更新生产线")
    assert "已受理" in row.inner_text() and row.locator("[data-pickup]").count() == 0

    seen = bank.call("GET", f"/v1/financing-demands/{demand['id']}").json()
    assert seen["push"]["state"] == "picked_up" and seen["push"]["picked_up_at"]
    mine = enterprise.call("GET", f"/v1/me/financing-demands/{demand['id']}").json()
    assert {p["institution"]: p["state"] for p in mine["pushes"]}[bank.id] == "picked_up"

    # once the gateway answers the budget, the page shows it
    page.unroute("**/v1/me/verification-budget")
    page.route("**/v1/me/verification-budget", lambda route: route.fulfill(json=BUDGET))
    page.reload()
    wait_loaded(page, "#budget")
    assert "每天最多测试 8 个不同门槛" in _text(page, "#budget")
    cells = page.locator("#budget tbody tr td").all_inner_texts()
    assert cells == [ENTERPRISE, "最近一期企业年报的营业总收入不低于给定金额。", "2", "6"]
    assert_no_private_key_left(gateway, page, bank)


def test_bank_sees_the_authorization_requests_it_sent(gateway: LiveGateway, page: Any) -> None:
    enterprise, bank = gateway["enterprise"], gateway["bank"]
    ask_authorization(bank, enterprise.id, note_zh="授信前调查")
    sign_in(page, gateway.base_url, bank)
    wait_loaded(page, "#sent")
    row = page.locator("#sent tr", has_text="授信前调查").inner_text()
    assert enterprise.id in row and "贷款审批" in row and "企业年报" in row
    assert "待企业答复" in row
