"""After a revoke is acknowledged, nothing is served under it, even a request in flight."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from gateway import deps
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


def test_revoke_waits_for_a_request_that_already_decided_under_the_grant(
    world: World, services: Services
) -> None:
    grant = world.grant()
    gated = GatedEngine(services.policy_engine)
    services.policy_engine = gated
    with ThreadPoolExecutor(2) as pool:
        report = pool.submit(world.report)
        assert gated.entered.wait(10)
        revoke = pool.submit(world.enterprise.post, f"/v1/authorizations/{grant['id']}/revoke")
        threading.Event().wait(0.5)
        assert not revoke.done()  # the revoke is not acknowledged while the request is deciding
        gated.release.set()
        report_response, revoke_response = report.result(10), revoke.result(10)
    services.policy_engine = gated.real
    assert report_response.status_code == 200 and "housing_fund" in disclosed(
        report_response.json()
    )
    assert revoke_response.status_code == 200
    # the ledger shows the access before the revocation
    assert report_response.json()["ledger_index"] < revoke_response.json()["revoke_ledger_index"]
    assert "housing_fund" not in disclosed(world.report().json())


def test_request_in_flight_but_undecided_when_revoke_is_acknowledged_gets_nothing(
    world: World, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    grant = world.grant()
    entered, release = threading.Event(), threading.Event()
    real_lock = deps.lock_for_write

    def gated_lock(session: Any) -> None:
        entered.set()
        assert release.wait(10)
        real_lock(session)

    # The report's transaction takes the write lock first, then authenticates and decides.
    monkeypatch.setattr(deps, "lock_for_write", gated_lock)
    with ThreadPoolExecutor(1) as pool:
        report = pool.submit(world.report)
        assert entered.wait(10)  # received and inside the handler, not yet decided
        revoke_response = world.enterprise.post(f"/v1/authorizations/{grant['id']}/revoke")
        assert revoke_response.status_code == 200  # acknowledged
        release.set()
        report_response = report.result(10)
    assert report_response.status_code == 200
    assert "housing_fund" not in disclosed(report_response.json())
    assert report_response.json()["authorizations_used"] == []
    assert report_response.json()["ledger_index"] > revoke_response.json()["revoke_ledger_index"]


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


class SlowLedger:
    """Queues entries at once but holds their flush until released: a slow disk."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.waiting = threading.Event()
        self.release = threading.Event()

    def enqueue(self, payload: dict[str, Any], subject: str | None = None) -> Any:
        pending = self.real.enqueue(payload, subject=subject)
        if payload.get("type") != "access.verify":
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


def test_a_revoke_during_a_verifications_ledger_flush_is_ordered_after_it(
    world: World, services: Services
) -> None:
    if services.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL keeps the grant's row lock until the entry is durable")
    grant = world.grant(modes=["verify"], datasets=["tax_payments"])
    slow = SlowLedger(services.ledger)
    services.ledger = slow
    check = {"predicate": "vat_paid_last_year_at_least", "args": {"amount": "1"}}
    try:
        with ThreadPoolExecutor(1) as pool:
            verification = pool.submit(
                world.bank.post,
                f"/v1/enterprises/{world.enterprise.id}/verifications",
                json={"purpose": "loan_underwriting", "checks": [check]},
            )
            assert slow.waiting.wait(10)  # decided, entry queued, write lock let go
            revoke = world.enterprise.post(f"/v1/authorizations/{grant['id']}/revoke")
            assert revoke.status_code == 200  # not held up by the flush
            slow.release.set()
            answered = verification.result(10)
    finally:
        services.ledger = slow.real
    assert answered.status_code == 200
    assert answered.json()["results"][0]["permitted"] is True
    # the ledger has the verification (decided first) before the revocation
    assert answered.json()["ledger_index"] < revoke.json()["revoke_ledger_index"]
