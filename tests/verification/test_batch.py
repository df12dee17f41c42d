"""Batch verification: several enterprises in one request, each decided, budgeted, logged and
answered on its own; one token spent."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlmodel import Session, select

from gateway import uscc
from gateway.access_index import AccessEvent
from gateway.bootstrap import Services
from gateway.client import sign_authorization
from gateway.principals.models import Role
from tests.access.test_revocation_race import GatedEngine
from tests.support.world import ENTERPRISE, World

SECOND = uscc.generate(random.Random(777))
NOT_HELD = uscc.generate(random.Random(778))


def _push_second(world: World) -> None:
    regulator = world.sources["src-market-regulator"]
    response = regulator.post(
        "/v1/datasets/business_licence/batches",
        json={
            "batch_id": "seed-second",
            "mode": "all_or_nothing",
            "records": [
                {
                    "fields": {
                        "enterprise_name": "本溪第二测试有限公司",
                        "uscc": SECOND,
                        "legal_representative": "王强",
                        "established_date": "2025-06-01",
                        "registration_status": "存续",
                        "registered_capital": "500000",
                    }
                }
            ],
        },
    )
    assert response.status_code == 200, response.text


def batch(world: World, enterprises: list[str], *checks: dict[str, Any]) -> Any:
    return world.bank.post(
        "/v1/verifications",
        json={"purpose": "loan_underwriting", "enterprises": enterprises, "checks": list(checks)},
    )


YEARS = {"predicate": "years_in_operation_at_least", "args": {"years": 2}}
VAT = {"predicate": "vat_paid_last_year_at_least", "args": {"amount": "1000000"}}


def test_each_enterprise_is_answered_on_its_own_with_its_own_ledger_entry(
    world: World, services: Services
) -> None:
    _push_second(world)
    world.grant(modes=["verify"], datasets=["tax_payments"])
    response = batch(world, [ENTERPRISE, SECOND, NOT_HELD, "91210500XXXXXXXXXX"], YEARS, VAT)
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [i["enterprise"] for i in items] == [ENTERPRISE, SECOND, NOT_HELD, "91210500XXXXXXXXXX"]
    assert [i["status"] for i in items] == [200, 200, 404, 422]
    first, second = items[0]["result"], items[1]["result"]
    assert [(r["holds"], r["permitted"]) for r in first["results"]] == [(True, True), (True, True)]
    # no grant from the second enterprise: its tax predicate is refused, the public one answers
    assert [(r["holds"], r["permitted"]) for r in second["results"]] == [
        (False, True),
        (None, False),
    ]
    assert first["ledger_index"] != second["ledger_index"]
    with Session(services.engine) as session:
        events = session.exec(select(AccessEvent).where(AccessEvent.action == "verify")).all()
    assert {(e.subject, e.ledger_index) for e in events} == {
        (ENTERPRISE, first["ledger_index"]),
        (SECOND, second["ledger_index"]),
    }
    # each enterprise sees its own entry in its own access log
    log = world.enterprise.get("/v1/me/access-log").json()["entries"]
    assert first["ledger_index"] in [e["index"] for e in log]
    assert second["ledger_index"] not in [e["index"] for e in log]


def test_a_batch_spends_its_token_once(world: World) -> None:
    token = world.bank.token()
    body = {"purpose": "loan_underwriting", "enterprises": [ENTERPRISE], "checks": [YEARS]}
    headers = {"Authorization": f"Bearer {token}"}
    assert world.bank.http.post("/v1/verifications", json=body, headers=headers).status_code == 200
    again = world.bank.http.post("/v1/verifications", json=body, headers=headers)
    assert again.status_code == 401 and "replayed" in again.text


def test_the_budget_is_counted_per_enterprise(world: World, services: Services) -> None:
    _push_second(world)
    budget = services.policy_data.verification.bisection_budget_per_day
    for n in range(budget):
        years = {"predicate": "years_in_operation_at_least", "args": {"years": n + 1}}
        response = batch(world, [ENTERPRISE, SECOND], years)
        assert [i["status"] for i in response.json()["items"]] == [200, 200]
    one_more = {"predicate": "years_in_operation_at_least", "args": {"years": 99}}
    items = batch(world, [ENTERPRISE, SECOND], one_more).json()["items"]
    assert [i["status"] for i in items] == [429, 429]
    assert all(i["detail"]["reason"] == "bisection_budget_exceeded" for i in items)
    assert all(isinstance(i["detail"]["ledger_index"], int) for i in items)


def test_bad_batches_are_422_naming_the_problem(world: World) -> None:
    twice = batch(world, [ENTERPRISE, ENTERPRISE], YEARS)
    assert twice.status_code == 422 and "at most once" in twice.text
    many = batch(world, [uscc.generate(random.Random(n)) for n in range(65)], YEARS)
    assert many.status_code == 422 and "enterprises" in many.text
    none = batch(world, [], YEARS)
    assert none.status_code == 422


def test_only_institutions_verify_in_batches(world: World) -> None:
    response = world.enterprise.post(
        "/v1/verifications",
        json={"purpose": "loan_underwriting", "enterprises": [ENTERPRISE], "checks": [YEARS]},
    )
    assert response.status_code == 403


def test_a_revoke_during_a_batch_re_decides_that_enterprise_only(
    world: World, services: Services, make_actor: Any
) -> None:
    _push_second(world)
    grant = world.grant(modes=["verify"], datasets=["tax_payments"])
    second = make_actor(Role.enterprise, SECOND)
    now = int(world.bank.clock.now().timestamp())
    token = sign_authorization(
        SECOND,
        second.key,
        institution=world.bank.id,
        purpose="loan_underwriting",
        datasets=["tax_payments"],
        modes=["verify"],
        not_before=now,
        expires_at=now + 86400,
    )
    assert second.post("/v1/authorizations", json={"token": token}).status_code == 201
    gated = GatedEngine(services.policy_engine)
    services.policy_engine = gated
    try:
        with ThreadPoolExecutor(1) as pool:
            answered = pool.submit(batch, world, [ENTERPRISE, SECOND], VAT)
            assert gated.entered.wait(10)
            revoked = world.enterprise.post(f"/v1/authorizations/{grant['id']}/revoke")
            assert revoked.status_code == 200
            gated.release.set()
            items = answered.result(10).json()["items"]
    finally:
        services.policy_engine = gated.real
    first, other = items[0]["result"], items[1]["result"]
    assert first["results"][0]["permitted"] is False  # decided again after the revoke
    assert first["authorizations_used"] == []
    assert first["ledger_index"] > revoked.json()["revoke_ledger_index"]
    assert other["results"][0]["permitted"] is True  # the other enterprise's grant still holds
