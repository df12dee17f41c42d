"""A ledger or policy failure denies; nothing is disclosed."""

from __future__ import annotations

import errno
from typing import Any

import pytest

import gateway.db
from gateway.bootstrap import Services
from gateway.policy.decision import Decision
from gateway.policy.inputs import coerce_input
from tests.support.world import ENTERPRISE, VAT_PAID, World


class BrokenLedger:
    """A ledger whose disk is full: appends fail, and so do queued entries when awaited."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def append(self, payload: dict[str, Any], subject: str | None = None) -> Any:
        raise OSError("disk full")

    def enqueue(self, payload: dict[str, Any], subject: str | None = None) -> Any:
        return self

    def wait(self) -> Any:
        raise OSError("disk full")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


class FailingEngine:
    revision = "test"

    def decide(self, policy_input: Any) -> Decision:
        return Decision.deny(
            coerce_input(policy_input), "policy_engine_unavailable", revision="test"
        )


def test_ledger_failure_is_503_and_discloses_nothing(world: World, services: Services) -> None:
    world.grant()
    real = services.ledger
    services.ledger = BrokenLedger(real)
    try:
        response = world.report()
    finally:
        services.ledger = real
    assert response.status_code == 503
    assert "ledger" in response.json()["detail"]
    assert world.records["business_licence"]["legal_representative"] not in response.text
    # the use was not counted: the transaction rolled back with the failed request
    assert world.enterprise.get("/v1/authorizations").json()[0]["uses"] == 0


def test_grant_is_not_stored_when_the_ledger_fails(world: World, services: Services) -> None:
    real = services.ledger
    services.ledger = BrokenLedger(real)
    try:
        now = int(world.bank.clock.now().timestamp())
        from gateway.client import sign_authorization

        token = sign_authorization(
            world.enterprise.id,
            world.enterprise.key,
            institution=world.bank.id,
            purpose="loan_underwriting",
            datasets=["housing_fund"],
            not_before=now,
            expires_at=now + 600,
        )
        response = world.enterprise.post("/v1/authorizations", json={"token": token})
    finally:
        services.ledger = real
    assert response.status_code == 503
    assert world.enterprise.get("/v1/authorizations").json() == []


def test_policy_engine_failure_denies_with_503_and_is_logged(
    world: World, services: Services
) -> None:
    world.grant()
    real = services.policy_engine
    services.policy_engine = FailingEngine()
    try:
        response = world.report()
    finally:
        services.policy_engine = real
    assert response.status_code == 503
    assert response.json()["reason"] == "policy_engine_unavailable"
    assert world.records["business_licence"]["legal_representative"] not in response.text
    entry = world.enterprise.get("/v1/me/access-log").json()["entries"][0]["entry"]["payload"]
    assert entry["decision"] == {
        **entry["decision"],
        "allow": False,
        "reason": "policy_engine_unavailable",
    }


def test_a_verification_the_ledger_fails_costs_no_use_and_no_budget(
    world: World, services: Services
) -> None:
    world.grant(modes=["verify"], datasets=["tax_payments"], use_limit=5)
    url = f"/v1/enterprises/{ENTERPRISE}/verifications"

    def ask(amount: str) -> Any:
        check = {"predicate": "vat_paid_last_year_at_least", "args": {"amount": amount}}
        return world.bank.post(url, json={"purpose": "loan_underwriting", "checks": [check]})

    real = services.ledger
    services.ledger = BrokenLedger(real)
    try:
        failed = [ask(amount) for amount in ("1", "2", "3")]
    finally:
        services.ledger = real
    assert [r.status_code for r in failed] == [503, 503, 503]
    assert all("ledger" in r.json()["detail"] for r in failed)
    assert VAT_PAID not in "".join(r.text for r in failed)
    assert world.enterprise.get("/v1/authorizations").json()[0]["uses"] == 0
    # the three thresholds the failed requests tried were given back to the daily budget
    budget = services.policy_data.verification.bisection_budget_per_day
    answered = [ask(str(10 + n)).status_code for n in range(budget)]
    assert answered == [200] * budget
    assert ask("99").status_code == 429
    assert world.enterprise.get("/v1/authorizations").json()[0]["uses"] == budget


def test_a_commit_that_cannot_reach_the_disk_is_503_and_discloses_nothing(
    world: World, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    if services.engine.dialect.name != "sqlite":
        pytest.skip("the WAL flush after commit is SQLite's")
    world.grant(modes=["verify"], datasets=["tax_payments"])
    assert world.bank.http.get("/healthz").json() == {"status": "ok", "reasons": []}

    def failing_fsync(fd: int) -> None:
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(gateway.db.os, "fsync", failing_fsync)
    check = {"predicate": "vat_paid_last_year_at_least", "args": {"amount": "1"}}
    response = world.bank.post(
        f"/v1/enterprises/{ENTERPRISE}/verifications",
        json={"purpose": "loan_underwriting", "checks": [check]},
    )
    assert response.status_code == 503
    assert response.json()["error"] == "not_durable"
    assert VAT_PAID not in response.text and "holds" not in response.text
    # the failure is final, and the health check says so: a load balancer stops sending here
    health = world.bank.http.get("/healthz")
    assert health.status_code == 503
    assert any("flushing" in reason for reason in health.json()["reasons"])
