"""After a revoke is acknowledged, nothing is served under it, even a request in flight."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from gateway import hot_path
from gateway.bootstrap import Services
from tests.support.world import World, disclosed


class GatedEngine:
    """Holds a decision until released, to freeze a request mid-flight."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.revision = real.revision
        self.entered = threading.Event()
        self.release = threading.Event()

    def decide(self, policy_input: Any) -> Any:
        self.entered.set()
        assert self.release.wait(10)
        return self.real.decide(policy_input)


def test_a_revoke_acknowledged_while_a_request_decides_makes_it_decide_again(
    world: World, services: Services
) -> None:
    grant = world.grant()
    gated = GatedEngine(services.policy_engine)
    services.policy_engine = gated
    try:
        with ThreadPoolExecutor(1) as pool:
            report = pool.submit(world.report)
            assert gated.entered.wait(10)  # deciding under the grant, outside any lock
            revoke_response = world.enterprise.post(f"/v1/authorizations/{grant['id']}/revoke")
            assert revoke_response.status_code == 200  # acknowledged without waiting for it
            gated.entered.clear()
            gated.release.set()
            report_response = report.result(10)
    finally:
        services.policy_engine = gated.real
    assert gated.entered.is_set()  # its write section saw the revoke: it decided again
    assert report_response.status_code == 200
    assert "housing_fund" not in disclosed(report_response.json())
    assert report_response.json()["authorizations_used"] == []
    assert report_response.json()["ledger_index"] > revoke_response.json()["revoke_ledger_index"]
    # the grant was never counted as used
    assert world.enterprise.get("/v1/authorizations").json()[0]["uses"] == 0


class HeldLedger:
    """Queues entries at once but holds the wait for one of ``held`` type until released."""

    def __init__(self, real: Any, held: str) -> None:
        self.real = real
        self.held = held
        self.waiting = threading.Event()
        self.release = threading.Event()

    def enqueue(self, payload: dict[str, Any], subject: str | None = None) -> Any:
        pending = self.real.enqueue(payload, subject=subject)
        if payload.get("type") != self.held:
            return pending
        outer = self

        class Held:
            def wait(self) -> Any:
                outer.waiting.set()
                assert outer.release.wait(10)
                return pending.wait()

        return Held()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def test_a_revoke_waits_for_a_request_in_its_write_section(
    world: World, services: Services
) -> None:
    grant = world.grant()
    held = HeldLedger(services.ledger, "access.report")
    services.ledger = held
    try:
        with ThreadPoolExecutor(2) as pool:
            report = pool.submit(world.report)
            assert held.waiting.wait(10)  # re-checked, use counted, entry queued
            revoke = pool.submit(world.enterprise.post, f"/v1/authorizations/{grant['id']}/revoke")
            threading.Event().wait(0.3)
            assert not revoke.done()  # not acknowledged while the write section holds the grant
            held.release.set()
            report_response, revoke_response = report.result(10), revoke.result(10)
    finally:
        services.ledger = held.real
    assert report_response.status_code == 200
    assert "housing_fund" in disclosed(report_response.json())
    assert revoke_response.status_code == 200
    # the ledger shows the access before the revocation
    assert report_response.json()["ledger_index"] < revoke_response.json()["revoke_ledger_index"]
    assert "housing_fund" not in disclosed(world.report().json())


def test_request_in_flight_but_undecided_when_revoke_is_acknowledged_gets_nothing(
    world: World, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    grant = world.grant()
    entered, release = threading.Event(), threading.Event()
    real_verify = hot_path.verify_token

    def gated_verify(*args: Any) -> Any:
        entered.set()
        assert release.wait(10)
        return real_verify(*args)

    monkeypatch.setattr(hot_path, "verify_token", gated_verify)
    with ThreadPoolExecutor(1) as pool:
        report = pool.submit(world.report)
        assert entered.wait(10)  # received and inside the handler, not yet decided
        monkeypatch.setattr(hot_path, "verify_token", real_verify)
        revoke_response = world.enterprise.post(f"/v1/authorizations/{grant['id']}/revoke")
        assert revoke_response.status_code == 200  # acknowledged
        release.set()
        report_response = report.result(10)
    assert report_response.status_code == 200
    assert "housing_fund" not in disclosed(report_response.json())
    assert report_response.json()["authorizations_used"] == []
    assert report_response.json()["ledger_index"] > revoke_response.json()["revoke_ledger_index"]


def test_a_grant_used_up_while_two_requests_decide_discloses_once(
    world: World, services: Services
) -> None:
    world.grant(use_limit=1)
    gated = GatedEngine(services.policy_engine)
    services.policy_engine = gated
    try:
        with ThreadPoolExecutor(2) as pool:
            first = pool.submit(world.report)
            assert gated.entered.wait(10)
            second = pool.submit(world.report)
            threading.Event().wait(0.2)  # both decide under the one remaining use
            gated.release.set()
            responses = [first.result(10), second.result(10)]
    finally:
        services.policy_engine = gated.real
    assert [r.status_code for r in responses] == [200, 200]
    assert sorted("housing_fund" in disclosed(r.json()) for r in responses) == [False, True]
    assert world.enterprise.get("/v1/authorizations").json()[0]["uses"] == 1


def test_two_concurrent_revokes_make_one_revocation_entry(world: World, services: Services) -> None:
    grant = world.grant()
    with ThreadPoolExecutor(2) as pool:
        responses = list(
            pool.map(
                lambda _: world.enterprise.post(f"/v1/authorizations/{grant['id']}/revoke"),
                range(2),
            )
        )
    assert [r.status_code for r in responses] == [200, 200]
    indices = {r.json()["revoke_ledger_index"] for r in responses}
    assert len(indices) == 1
    log = world.enterprise.get("/v1/me/access-log", params={"limit": 50}).json()["entries"]
    assert [e["entry"]["payload"]["type"] for e in log].count("authorization.revoked") == 1


def test_a_revoke_during_a_verifications_ledger_flush_is_ordered_after_it(
    world: World, services: Services
) -> None:
    grant = world.grant(modes=["verify"], datasets=["tax_payments"])
    slow = HeldLedger(services.ledger, "access.verify")
    services.ledger = slow
    check = {"predicate": "vat_paid_last_year_at_least", "args": {"amount": "1"}}
    try:
        with ThreadPoolExecutor(2) as pool:
            verification = pool.submit(
                world.bank.post,
                f"/v1/enterprises/{world.enterprise.id}/verifications",
                json={"purpose": "loan_underwriting", "checks": [check]},
            )
            assert slow.waiting.wait(10)  # decided, use counted, entry queued
            revoking = pool.submit(
                world.enterprise.post, f"/v1/authorizations/{grant['id']}/revoke"
            )
            threading.Event().wait(0.3)
            assert not revoking.done()  # the batch holds the grant until its entry is durable
            slow.release.set()
            answered, revoke = verification.result(10), revoking.result(10)
    finally:
        services.ledger = slow.real
    assert answered.status_code == 200
    assert answered.json()["results"][0]["permitted"] is True
    # the ledger has the verification (decided first) before the revocation
    assert answered.json()["ledger_index"] < revoke.json()["revoke_ledger_index"]
