"""Assessors see each institution's activity and anomalies through HTTP."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway.bootstrap import Services
from gateway.principals.models import InstitutionKind, Role
from tests.oversight.conftest import add_enterprises, insert_events, iso
from tests.oversight.factories import event
from tests.support.actors import Actor
from tests.support.world import ENTERPRISE, World

VAT = "vat_paid_last_year_at_least"


def detail(assessor: Actor, institution: str, **params: Any) -> dict[str, Any]:
    response = assessor.get(f"/v1/audit/institutions/{institution}", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def anomalies(assessor: Actor, **params: Any) -> list[dict[str, Any]]:
    response = assessor.get("/v1/audit/anomalies", params=params)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["anomalies"]
    return found


def verify(world: World, amount: str, subject: str = ENTERPRISE) -> Any:
    return world.bank.post(
        f"/v1/enterprises/{subject}/verifications",
        json={
            "purpose": "loan_underwriting",
            "checks": [{"predicate": VAT, "args": {"amount": amount}}],
        },
    )


@pytest.mark.parametrize("path", ["/v1/audit/institutions", "/v1/audit/anomalies"])
def test_only_assessors_and_operators_audit(
    world: World, assessor: Actor, make_actor: Callable[..., Actor], path: str
) -> None:
    operator = make_actor(Role.operator)
    assert assessor.get(path).status_code == 200
    assert operator.get(path).status_code == 200
    assert world.bank.get(path).status_code == 403
    assert world.enterprise.get(path).status_code == 403
    assert world.bank.http.get(path).status_code == 401


def test_the_profile_counts_what_the_institution_did(world: World, assessor: Actor) -> None:
    grant = world.grant(modes=["report", "verify"])
    assert world.report().status_code == 200
    assert world.report().status_code == 200
    assert world.report(purpose="marketing").status_code == 403
    assert world.report(purpose="post_loan_monitoring").status_code == 200
    assert verify(world, "1000000").status_code == 200
    body = detail(assessor, world.bank.id)
    activity = body["activity"]
    assert activity["reports"] == {"allowed": 3, "denied": 1}
    assert activity["verifications"] == {"allowed": 1, "denied": 0}
    assert activity["purposes"] == {
        "loan_underwriting": 3, "marketing": 1, "post_loan_monitoring": 1,
    }  # fmt: skip
    assert activity["denials"] == {"unknown_purpose": 1}
    assert activity["enterprises_touched"] == 1
    # the post-loan report used none, but other queries about the enterprise did
    assert activity["enterprises_without_authorization"] == 0
    assert activity["threshold_limit_hits"] == 0
    assert activity["by_day"] == [
        {"day": "2026-11-27", "reports": 4, "verifications": 1, "denied": 1}
    ]
    assert body["authorizations"] == {"received": 1, "used": 1, "uses": 3}
    assert grant["id"]
    assert body["kind"] == "bank" and body["standing"]["status"] == "active"
    assert body["anomalies"] == [] and body["assessments"] == []


def test_since_and_until_bound_the_period(world: World, assessor: Actor) -> None:
    start = world.bank.clock.now()
    world.report()
    world.bank.clock.advance(timedelta(days=2))
    world.report()
    world.report(purpose="marketing")
    middle = start + timedelta(days=1)
    first = detail(assessor, world.bank.id, since=iso(start), until=iso(middle))
    second = detail(assessor, world.bank.id, since=iso(middle))
    assert first["activity"]["reports"] == {"allowed": 1, "denied": 0}
    assert second["activity"]["reports"] == {"allowed": 1, "denied": 1}
    assert second["period"]["until"].startswith("2026-11-29T09:00:00")
    default = detail(assessor, world.bank.id)  # the 30 days up to now
    assert default["activity"]["reports"] == {"allowed": 2, "denied": 1}


@pytest.mark.parametrize(
    "params",
    [
        {"since": "2026-11-01T00:00:00"},  # no UTC offset
        {"since": "2026-11-27T09:00:00+00:00", "until": "2026-11-27T09:00:00+00:00"},
        {"since": "2025-01-01T00:00:00+00:00", "until": "2026-11-27T00:00:00+00:00"},
    ],
    ids=["naive", "empty", "too-long"],
)
def test_a_bad_period_is_422(world: World, assessor: Actor, params: dict[str, str]) -> None:
    response = assessor.get(f"/v1/audit/institutions/{world.bank.id}", params=params)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_input"


def test_unknown_or_non_institution_ids_are_404(world: World, assessor: Actor) -> None:
    for who in ("bank-nowhere", world.enterprise.id, assessor.id):
        assert assessor.get(f"/v1/audit/institutions/{who}").status_code == 404
    assert assessor.get("/v1/audit/anomalies", params={"institution": "bank-x"}).status_code == 404


def test_the_list_shows_every_institution(
    world: World, assessor: Actor, make_actor: Callable[..., Actor]
) -> None:
    insurer = make_actor(Role.institution, "insurer-bx-001", kind=InstitutionKind.insurer)
    world.report()
    world.report(purpose="marketing")
    response = assessor.get("/v1/audit/institutions")
    assert response.status_code == 200
    listed = {i["id"]: i for i in response.json()["institutions"]}
    assert set(listed) == {world.bank.id, insurer.id}
    bank = listed[world.bank.id]
    assert (bank["reports"], bank["verifications"], bank["denied"]) == (2, 0, 1)
    assert listed[insurer.id]["reports"] == 0 and listed[insurer.id]["kind"] == "insurer"
    assert listed[insurer.id]["standing"]["next_due"] == "2027-05-26"  # 180 days after today


def test_threshold_limit_hits_and_bisection_are_seen(world: World, assessor: Actor) -> None:
    world.grant(modes=["verify"], datasets=["tax_payments"])
    for amount in ("1000000", "2000000", "1500000"):
        assert verify(world, amount).status_code == 200
    assert verify(world, "1250000").status_code == 429  # the daily budget is 3
    body = detail(assessor, world.bank.id)
    assert body["activity"]["threshold_limit_hits"] == 1
    assert body["activity"]["denials"] == {"bisection_budget_exceeded": 1}
    [found] = [a for a in body["anomalies"] if a["kind"] == "bisection"]
    assert found["severity"] == "high" and found["subject"] == ENTERPRISE
    assert found["detail"] == {
        "predicate": VAT, "distinct_thresholds": 4, "budget_hits": 1,
    }  # fmt: skip
    assert len(found["ledger_indexes"]) == 4


def test_probing_and_breadth_without_authorizations(
    world: World, assessor: Actor, services: Services, http: TestClient
) -> None:
    codes = add_enterprises(services, http, world.bank.clock, 21)
    for code in codes:
        response = world.bank.get(
            f"/v1/enterprises/{code}/report", params={"purpose": "loan_underwriting"}
        )
        assert response.status_code == 200
    for code in codes[:5]:
        assert verify(world, "100000", subject=code).json()["results"][0]["permitted"] is False
    found = {a["kind"]: a for a in anomalies(assessor, institution=world.bank.id)}
    # 26 accesses within the hour from a bank with no history is a burst, too
    assert set(found) == {"unauthorized_breadth", "probing", "burst"}
    assert len(found["unauthorized_breadth"]["detail"]["enterprises"]) == 21
    assert found["probing"]["detail"]["by_reason"] == {"no_authorization": 5}


def test_odd_hours_bursts_and_filters(world: World, assessor: Actor, services: Services) -> None:
    now = world.bank.clock.now()  # 17:00 in Benxi
    night = now + timedelta(hours=6)  # 23:00 local
    insert_events(services, [event(night, caller=world.bank.id, subject=ENTERPRISE)])
    insert_events(
        services,
        [
            event(now + timedelta(minutes=i), caller=world.bank.id, subject=ENTERPRISE)
            for i in range(25)
        ],
    )
    world.bank.clock.set(night + timedelta(hours=1))
    kinds = [a["kind"] for a in anomalies(assessor)]
    assert kinds == ["burst", "odd_hours"]
    assert [a["kind"] for a in anomalies(assessor, kind="odd_hours")] == ["odd_hours"]
    assert anomalies(assessor, until=iso(now)) == []
    assert assessor.get("/v1/audit/anomalies", params={"kind": "nonsense"}).status_code == 422


def test_use_after_revocation_is_flagged(world: World, assessor: Actor, services: Services) -> None:
    grant = world.grant()
    assert world.report().json()["authorizations_used"] == [grant["id"]]
    world.enterprise.post(f"/v1/authorizations/{grant['id']}/revoke")
    assert world.report().json()["authorizations_used"] == []
    assert anomalies(assessor) == []  # the real flow never uses an ended authorization
    [index] = insert_events(
        services,
        [
            event(
                world.bank.clock.now(),
                caller=world.bank.id,
                subject=ENTERPRISE,
                authorizations=[grant["id"]],
            )
        ],
    )
    [found] = anomalies(assessor)
    assert (found["kind"], found["severity"]) == ("use_after_authorization_ended", "high")
    assert found["ledger_indexes"] == [index] and found["detail"]["reason"] == "revoked"


def test_events_of_other_callers_are_not_institutions(world: World, assessor: Actor) -> None:
    world.enterprise.get("/v1/me/report")
    response = assessor.get("/v1/audit/institutions").json()
    assert all(i["reports"] == 0 for i in response["institutions"])
    assert anomalies(assessor) == []
