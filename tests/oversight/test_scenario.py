"""The scripted scenario: a bank bisects thresholds and probes enterprises it holds no
authorization for; the assessor sees it flagged, fails it, and the bank is suspended to public
data. Every step is in the right enterprise's access log, and every log verifies offline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from gateway.bootstrap import Services
from gateway.principals.models import Role
from ledger.verify import parse_verifier_keys, verify_subject_page
from tests.oversight.conftest import add_enterprises
from tests.oversight.test_export import check_export
from tests.support.actors import Actor
from tests.support.world import ENTERPRISE, World, disclosed

VAT = "vat_paid_last_year_at_least"


def ask_vat(bank: Actor, subject: str, amount: str) -> Any:
    return bank.post(
        f"/v1/enterprises/{subject}/verifications",
        json={
            "purpose": "loan_underwriting",
            "checks": [{"predicate": VAT, "args": {"amount": amount}}],
        },
    )


def ledger_index(response: Any) -> int:
    body = response.json()
    index = body.get("ledger_index")  # an answer's, or a refusal's (a problem member)
    assert isinstance(index, int), body
    return index


def verified_log(enterprise: Actor, key: str) -> list[tuple[int, dict[str, Any]]]:
    page = enterprise.get("/v1/me/access-log", params={"limit": 500}).json()
    report = verify_subject_page(page, parse_verifier_keys([key]), subject=enterprise.id)
    return [(e.index, e.entry["payload"]) for e in report.entries if e.entry is not None]


def test_a_probing_bank_is_flagged_failed_and_suspended(
    world: World,
    assessor: Actor,
    services: Services,
    http: TestClient,
    make_actor: Callable[..., Actor],
) -> None:
    bank, clock = world.bank, world.bank.clock
    key = http.get("/v1/ledger/key").text.strip()
    others = [
        make_actor(Role.enterprise, code) for code in add_enterprises(services, http, clock, 6)
    ]
    expected: dict[str, list[tuple[int, str, bool | None]]] = {e.id: [] for e in others}
    expected[ENTERPRISE] = []

    # 1. The enterprise lets the bank ask yes/no questions about its tax payments.
    grant = world.grant(modes=["verify"], datasets=["tax_payments"])
    expected[ENTERPRISE].append((grant["grant_ledger_index"], "authorization.granted", None))

    # 2. The bank bisects the VAT figure: three thresholds, then the budget stops it ...
    for amount, holds in (("1000000", True), ("2000000", False), ("1500000", False)):
        response = ask_vat(bank, ENTERPRISE, amount)
        assert response.json()["results"][0]["holds"] is holds
        expected[ENTERPRISE].append((ledger_index(response), "access.verify", True))
    refused = ask_vat(bank, ENTERPRISE, "1250000")
    assert refused.status_code == 429
    expected[ENTERPRISE].append((ledger_index(refused), "access.verify", False))
    # ... so it carries on the next day.
    clock.advance(timedelta(days=1))
    for amount in ("1250000", "1125000"):
        response = ask_vat(bank, ENTERPRISE, amount)
        expected[ENTERPRISE].append((ledger_index(response), "access.verify", True))

    # 3. It probes six enterprises that never authorized it, checks and reports alike.
    for other in others:
        check = ask_vat(bank, other.id, "500000")
        assert check.json()["results"][0]["reason"] == "no_authorization"
        expected[other.id].append((ledger_index(check), "access.verify", True))
        denied = bank.get(f"/v1/enterprises/{other.id}/report", params={"purpose": "marketing"})
        assert denied.status_code == 403
        expected[other.id].append((ledger_index(denied), "access.report", False))

    # 4. The assessor sees it flagged.
    found = assessor.get("/v1/audit/anomalies", params={"institution": bank.id}).json()
    by_kind = {a["kind"]: a for a in found["anomalies"]}
    assert {"bisection", "probing"} <= set(by_kind)
    bisection = by_kind["bisection"]
    assert (bisection["subject"], bisection["severity"]) == (ENTERPRISE, "high")
    assert bisection["detail"]["distinct_thresholds"] == 5  # 1250000 asked on both days
    assert by_kind["probing"]["detail"]["by_reason"] == {
        "no_authorization": 6, "unknown_purpose": 6,
    }  # fmt: skip
    profile = assessor.get(f"/v1/audit/institutions/{bank.id}").json()
    assert profile["activity"]["threshold_limit_hits"] == 1
    assert profile["activity"]["enterprises_without_authorization"] == 6
    assert profile["standing"]["status"] == "active"

    # 5. It exports the evidence, checks it independently, and fails the bank.
    exported = assessor.get(f"/v1/audit/institutions/{bank.id}/export").json()
    assert len(check_export(exported, key)) == 18  # 4 + 2 questions, 6 checks, 6 reports
    today = clock.now().date()
    failed = assessor.post(
        f"/v1/audit/institutions/{bank.id}/assessments",
        json={
            "outcome": "failed",
            "next_due": (today + timedelta(days=60)).isoformat(),
            "findings": [
                {
                    "severity": "high",
                    "code": "bisection",
                    "description": "bisected an enterprise's VAT across two days",
                    "evidence": bisection["ledger_indexes"],
                },
                {
                    "severity": "high",
                    "code": "probing",
                    "description": "queried six enterprises without authorization",
                    "evidence": by_kind["probing"]["ledger_indexes"],
                },
            ],
        },
    )
    assert failed.status_code == 201, failed.text
    standing = assessor.get(f"/v1/audit/institutions/{bank.id}").json()["standing"]
    assert (standing["status"], standing["reason"]) == ("suspended", "assessment_failed")

    # 6. Suspended, the bank sees public data only, and its questions go unanswered.
    clock.advance(timedelta(hours=1))
    report = world.report()
    assert report.status_code == 200
    seen = disclosed(report.json())
    assert seen["annual_reports"] == {"enterprise_name", "uscc", "report_year"}  # public only
    assert "housing_fund" not in seen and "tax_payments" not in seen
    assert {w["reason"] for w in report.json()["withheld"]} == {"suspended"}
    expected[ENTERPRISE].append((ledger_index(report), "access.report", True))
    check = ask_vat(bank, ENTERPRISE, "1000000")
    assert check.json()["results"][0] == {
        "predicate": VAT, "holds": None, "permitted": False, "reason": "suspended",
    }  # fmt: skip
    expected[ENTERPRISE].append((ledger_index(check), "access.verify", True))

    # 7. Every step is in the right enterprise's log, and every log verifies offline.
    for enterprise in [world.enterprise, *others]:
        log = verified_log(enterprise, key)
        seen = [(i, p["type"], p.get("decision", {}).get("allow")) for i, p in log]
        assert seen == expected[enterprise.id], enterprise.id
        assert all(p.get("caller", bank.id) == bank.id for _, p in log)

    # 8. The assessment is in the bank's own chain, after the export that backs it.
    page = assessor.get(f"/v1/audit/institutions/{bank.id}/ledger").json()
    chain = verify_subject_page(page, parse_verifier_keys([key]), subject=f"institution:{bank.id}")
    kinds = [
        (e.entry["payload"]["type"], e.entry["payload"].get("status_after"))
        for e in chain.entries
        if e.entry
    ]
    assert kinds == [("oversight.export", None), ("oversight.assessment", "suspended")]
    assert chain.entries[-1].index == failed.json()["ledger_index"]
