"""Assessments through HTTP: failing suspends, passing reinstates, overdue suspends; each one
is a ledger entry in the institution's own chain."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from gateway.bootstrap import Services
from gateway.db import unit_of_work
from gateway.principals import service as principals
from gateway.principals.models import PrincipalStatus, Role
from ledger.verify import parse_verifier_keys, verify_subject_page
from tests.support.actors import Actor
from tests.support.world import World, disclosed

BENXI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 27)  # the clock fixture's day in Benxi (17:00 local)


def assess(
    assessor: Actor,
    institution: str,
    outcome: str,
    next_due: date,
    findings: list[dict[str, Any]] | None = None,
) -> Any:
    if findings is None and outcome != "passed":
        findings = [{"severity": "high", "description": "no access review since onboarding"}]
    return assessor.post(
        f"/v1/audit/institutions/{institution}/assessments",
        json={"outcome": outcome, "next_due": next_due.isoformat(), "findings": findings or []},
    )


def standing(assessor: Actor, institution: str) -> dict[str, Any]:
    body: dict[str, Any] = assessor.get(f"/v1/audit/institutions/{institution}").json()
    return body["standing"]


def sees_authorized_data(world: World) -> bool:
    report = world.report().json()
    return "housing_fund" in disclosed(report)


def local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=BENXI).astimezone(UTC)


def test_a_failed_assessment_suspends_and_a_passing_one_reinstates(
    world: World, assessor: Actor
) -> None:
    world.grant()
    assert sees_authorized_data(world)
    failed = assess(assessor, world.bank.id, "failed", TODAY + timedelta(days=30))
    assert failed.status_code == 201, failed.text
    assert failed.headers["Credgate-Institution-Status"] == "suspended"
    body = failed.json()
    assert (body["outcome"], body["assessor"], body["institution"]) == (
        "failed", assessor.id, world.bank.id,
    )  # fmt: skip
    assert body["findings"] == [
        {"severity": "high", "description": "no access review since onboarding", "evidence": []}
    ]
    now = standing(assessor, world.bank.id)
    assert (now["status"], now["stored_status"], now["reason"]) == (
        "suspended", "active", "assessment_failed",
    )  # fmt: skip
    assert now["latest_assessment"]["id"] == body["id"]
    report = world.report().json()
    assert "housing_fund" not in disclosed(report)
    assert {w["reason"] for w in report["withheld"] if w["dataset"] == "housing_fund"} == {
        "suspended"
    }
    assert "business_licence" in disclosed(report)  # public data still flows

    world.bank.clock.advance(timedelta(days=3))
    passed = assess(assessor, world.bank.id, "passed_with_findings", TODAY + timedelta(days=200))
    assert passed.headers["Credgate-Institution-Status"] == "active"
    assert standing(assessor, world.bank.id)["status"] == "active"
    assert sees_authorized_data(world)
    history = assessor.get(f"/v1/audit/institutions/{world.bank.id}").json()["assessments"]
    assert [a["outcome"] for a in history] == ["passed_with_findings", "failed"]


def test_an_overdue_assessment_suspends_from_the_next_local_day(
    world: World, assessor: Actor
) -> None:
    due = TODAY + timedelta(days=10)
    assert assess(assessor, world.bank.id, "passed", due).status_code == 201
    clock = world.bank.clock
    clock.set(local_midnight(due + timedelta(days=1)) - timedelta(seconds=1))
    world.grant()
    assert standing(assessor, world.bank.id)["status"] == "active"
    assert sees_authorized_data(world)
    clock.set(local_midnight(due + timedelta(days=1)))
    overdue = standing(assessor, world.bank.id)
    assert (overdue["status"], overdue["reason"], overdue["overdue"]) == (
        "suspended", "assessment_overdue", True,
    )  # fmt: skip
    assert overdue["next_due"] == due.isoformat()
    assert not sees_authorized_data(world)
    listed = assessor.get("/v1/audit/institutions").json()["institutions"]
    assert listed[0]["standing"]["reason"] == "assessment_overdue"
    # a new passing assessment reinstates it
    assert assess(assessor, world.bank.id, "passed", due + timedelta(days=100)).status_code == 201
    assert sees_authorized_data(world)


def test_a_never_assessed_institution_is_due_after_180_days(world: World, assessor: Actor) -> None:
    due = TODAY + timedelta(days=180)
    assert standing(assessor, world.bank.id)["next_due"] == due.isoformat()
    world.bank.clock.set(local_midnight(due + timedelta(days=1)))
    world.grant()
    assert standing(assessor, world.bank.id)["reason"] == "assessment_overdue"
    assert not sees_authorized_data(world)


def test_a_failed_assessment_stays_failed_after_its_next_due(world: World, assessor: Actor) -> None:
    due = TODAY + timedelta(days=5)
    assess(assessor, world.bank.id, "failed", due)
    world.bank.clock.set(local_midnight(due + timedelta(days=20)))
    assert standing(assessor, world.bank.id)["reason"] == "assessment_failed"


def test_an_operator_suspension_stays_whatever_the_assessment(
    world: World, assessor: Actor, services: Services
) -> None:
    with unit_of_work(services.engine) as session:
        principals.set_status(session, world.bank.id, PrincipalStatus.suspended)
    assess(assessor, world.bank.id, "passed", TODAY + timedelta(days=100))
    now = standing(assessor, world.bank.id)
    assert (now["status"], now["reason"]) == ("suspended", "suspended_by_operator")


@pytest.mark.parametrize(
    ("outcome", "next_due", "findings", "field"),
    [
        ("failed", TODAY + timedelta(days=30), [], "findings"),
        ("passed_with_findings", TODAY + timedelta(days=30), [], "findings"),
        (
            "passed",
            TODAY + timedelta(days=30),
            [{"severity": "low", "description": "x"}],
            "findings",
        ),
        ("passed", TODAY, None, "next_due"),
        ("passed", TODAY + timedelta(days=367), None, "next_due"),
    ],
    ids=["failed-no-findings", "findings-missing", "passed-with-findings", "due-today", "too-far"],
)
def test_invalid_assessments_are_422_and_change_nothing(
    world: World,
    assessor: Actor,
    outcome: str,
    next_due: date,
    findings: list[dict[str, Any]] | None,
    field: str,
) -> None:
    response = assess(assessor, world.bank.id, outcome, next_due, findings)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field
    assert assessor.get(f"/v1/audit/institutions/{world.bank.id}").json()["assessments"] == []


def test_malformed_bodies_are_422(world: World, assessor: Actor) -> None:
    url = f"/v1/audit/institutions/{world.bank.id}/assessments"
    for body in (
        {"outcome": "excellent", "next_due": "2027-01-01"},
        {"outcome": "passed", "next_due": "soon"},
        {
            "outcome": "failed",
            "next_due": "2027-01-01",
            "findings": [{"severity": "grave", "description": "x"}],
        },
        {
            "outcome": "failed",
            "next_due": "2027-01-01",
            "findings": [{"severity": "low", "description": "x", "evidence": [-1]}],
        },
        {"outcome": "passed", "next_due": "2027-01-01", "by": "me"},
    ):
        assert assessor.post(url, json=body).status_code == 422, body


def test_who_may_assess_whom(
    world: World, assessor: Actor, make_actor: Callable[..., Actor]
) -> None:
    due = TODAY + timedelta(days=30)
    assert assess(world.bank, world.bank.id, "passed", due).status_code == 403
    assert assess(world.enterprise, world.bank.id, "passed", due).status_code == 403
    assert assess(assessor, world.enterprise.id, "passed", due).status_code == 404
    assert assess(assessor, "bank-nowhere", "passed", due).status_code == 404
    operator = make_actor(Role.operator)
    assert assess(operator, world.bank.id, "passed", due).status_code == 201


def test_assessments_form_the_institutions_verifiable_ledger_chain(
    world: World, assessor: Actor
) -> None:
    world.report()
    first = assess(assessor, world.bank.id, "failed", TODAY + timedelta(days=30)).json()
    second = assess(assessor, world.bank.id, "passed", TODAY + timedelta(days=300)).json()
    page = assessor.get(f"/v1/audit/institutions/{world.bank.id}/ledger").json()
    key = world.bank.http.get("/v1/ledger/key").text.strip()
    verified = verify_subject_page(
        page, parse_verifier_keys([key]), subject=f"institution:{world.bank.id}"
    )
    payloads = [e.entry["payload"] for e in verified.entries if e.entry is not None]
    assert [e.index for e in verified.entries] == [first["ledger_index"], second["ledger_index"]]
    assert [(p["type"], p["outcome"], p["status_before"], p["status_after"]) for p in payloads] == [
        ("oversight.assessment", "failed", "active", "suspended"),
        ("oversight.assessment", "passed", "suspended", "active"),
    ]
    assert payloads[0]["assessor"] == assessor.id and payloads[0]["next_due"] == "2026-12-27"
    # assessments are not about an enterprise: its access log holds only the report
    log = world.enterprise.get("/v1/me/access-log").json()
    assert [e["entry"]["payload"]["type"] for e in log["entries"]] == ["access.report"]


def test_an_institutions_page_can_be_pinned_to_an_earlier_checkpoint(
    world: World, assessor: Actor, services: Services
) -> None:
    path = f"/v1/audit/institutions/{world.bank.id}/ledger"
    first = assess(assessor, world.bank.id, "failed", TODAY + timedelta(days=30)).json()
    services.ledger.wait_for_checkpoint(services.ledger.size(), 5)
    size = assessor.get(path).json()["tree_size"]
    assess(assessor, world.bank.id, "passed", TODAY + timedelta(days=300))
    services.ledger.wait_for_checkpoint(services.ledger.size(), 5)
    pinned = assessor.get(path, params={"size": size}).json()
    assert pinned["tree_size"] == size and pinned["head"]
    assert [e["index"] for e in pinned["entries"]] == [first["ledger_index"]]
    assert len(assessor.get(path).json()["entries"]) == 2
    assert assessor.get(path, params={"size": 0}).status_code == 422
