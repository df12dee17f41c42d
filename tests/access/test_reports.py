"""Reports disclose per field exactly what the policy allows, and every access is logged."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, select

from gateway.access_index import AccessEvent
from gateway.bootstrap import Services
from gateway.db import unit_of_work
from gateway.principals import service as principals
from gateway.principals.models import PrincipalStatus
from tests.support.world import LEGAL_REP_ID, VAT_PAID, World, disclosed, later

PUBLIC_LICENCE = {
    "enterprise_name",
    "uscc",
    "legal_representative",
    "established_date",
    "registration_status",
    "registered_capital",
}


def withheld_reasons(report: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {(w["dataset"], w["field"]): w["reason"] for w in report["withheld"]}


def test_without_a_grant_only_public_and_institution_fields(world: World) -> None:
    response = world.report()
    assert response.status_code == 200, response.text
    report = response.json()
    seen = disclosed(report)
    assert seen["business_licence"] == PUBLIC_LICENCE
    assert seen["annual_reports"] == {"enterprise_name", "uscc", "report_year"}
    assert "legal_rep_id_no" not in seen["administrative_penalties"]
    assert "housing_fund" not in seen and "tax_payments" not in seen
    reasons = withheld_reasons(report)
    assert reasons[("annual_reports", "total_assets")] == "no_authorization"
    assert reasons[("housing_fund", "avg_monthly_contributors_12m")] == "no_authorization"
    assert reasons[("administrative_penalties", "legal_rep_id_no")] == "verify_only"
    assert world.live.calls == []  # nothing withheld is even fetched
    assert isinstance(report["ledger_index"], int)


def test_a_grant_discloses_the_granted_datasets_only(world: World) -> None:
    grant = world.grant()
    report = world.report().json()
    seen = disclosed(report)
    assert seen["housing_fund"] >= {"avg_monthly_contributors_12m"}
    assert seen["tax_payments"] >= {"vat_paid_12m"}
    tax = next(d for d in report["datasets"] if d["dataset"] == "tax_payments")
    assert tax["live"] is True and tax["records"][0]["fields"]["vat_paid_12m"] == VAT_PAID
    assert seen["annual_reports"] == {"enterprise_name", "uscc", "report_year"}  # not granted
    assert report["authorizations_used"] == [grant["id"]]


def test_a_revoke_takes_effect_at_once(world: World) -> None:
    grant = world.grant()
    assert "housing_fund" in disclosed(world.report().json())
    response = world.enterprise.post(f"/v1/authorizations/{grant['id']}/revoke")
    assert response.status_code == 200 and response.json()["state"] == "revoked"
    report = world.report().json()
    assert "housing_fund" not in disclosed(report) and "tax_payments" not in disclosed(report)


def test_an_expired_grant_discloses_nothing_more(world: World) -> None:
    now = int(world.bank.clock.now().timestamp())
    world.grant(expires_at=now + 3600)
    assert "housing_fund" in disclosed(world.report().json())
    later(world.bank, 1)
    assert "housing_fund" not in disclosed(world.report().json())


def test_use_limit_exhausts_the_grant(world: World) -> None:
    grant = world.grant(use_limit=2)
    assert "housing_fund" in disclosed(world.report().json())
    assert "housing_fund" in disclosed(world.report().json())
    assert "housing_fund" not in disclosed(world.report().json())
    state = world.enterprise.get(f"/v1/authorizations/{grant['id']}").json()
    assert (state["uses"], state["state"]) == (2, "exhausted")


def test_a_suspended_institution_sees_public_data_only(world: World, services: Services) -> None:
    world.grant()
    with unit_of_work(services.engine) as session:
        principals.set_status(session, world.bank.id, PrincipalStatus.suspended)
    report = world.report().json()
    seen = disclosed(report)
    assert "housing_fund" not in seen and "tax_payments" not in seen
    assert seen["business_licence"] == PUBLIC_LICENCE
    assert withheld_reasons(report)[("housing_fund", "avg_monthly_contributors_12m")] == "suspended"


def test_an_unknown_purpose_is_denied_and_logged(world: World, services: Services) -> None:
    response = world.report(purpose="marketing")
    assert response.status_code == 403
    assert response.json()["reason"] == "unknown_purpose"
    log = world.enterprise.get("/v1/me/access-log").json()
    assert log["entries"][0]["entry"]["payload"]["decision"]["allow"] is False
    with Session(services.engine) as session:
        [event] = session.exec(select(AccessEvent)).all()
    assert (event.caller, event.allowed, event.reason) == (world.bank.id, False, "unknown_purpose")
    assert event.ledger_index == response.json()["ledger_index"]


def test_a_grant_for_one_purpose_does_not_serve_another(world: World) -> None:
    world.grant(purpose="loan_underwriting")
    assert "housing_fund" not in disclosed(world.report(purpose="post_loan_monitoring").json())


def test_verify_only_fields_never_appear_even_under_a_grant(world: World) -> None:
    world.grant(classes=["verify_only", "authorized", "institution"], datasets=[])
    response = world.report()
    assert LEGAL_REP_ID not in response.text
    assert "legal_rep_id_no" not in disclosed(response.json())["administrative_penalties"]


def test_a_source_that_does_not_answer_is_named(world: World) -> None:
    world.grant()
    world.live.down.add("tax_payments")
    report = world.report().json()
    tax = next(d for d in report["datasets"] if d["dataset"] == "tax_payments")
    assert tax["records"] == [] and tax["source_unavailable"] == "the source did not answer in time"
    assert "housing_fund" in disclosed(report)


def test_only_institutions_ask_for_reports(world: World) -> None:
    assert world.report(actor=world.enterprise).status_code == 403


@pytest.mark.parametrize("code", ["91210502", "9121050200000000X0"])
def test_malformed_uscc_is_422(world: World, code: str) -> None:
    response = world.bank.get(
        f"/v1/enterprises/{code}/report", params={"purpose": "loan_underwriting"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "uscc"


def test_the_enterprise_sees_everything_it_holds_free(world: World) -> None:
    report = world.enterprise.get("/v1/me/report").json()
    seen = disclosed(report)
    assert "legal_rep_id_no" in seen["administrative_penalties"]
    assert "total_assets" in seen["annual_reports"]
    assert "vat_paid_12m" in seen["tax_payments"]
    assert report["withheld"] == []


def test_institutions_cannot_use_the_self_view(world: World) -> None:
    assert world.bank.get("/v1/me/report").status_code == 403
    assert world.bank.get("/v1/me/access-log").status_code == 403
