"""Counter queries: the represented party's policy, the operator and the paper in the log."""

from __future__ import annotations

import hashlib
from typing import Any

from gateway.principals.models import Role
from ledger.verify import parse_verifier_keys, verify_subject_page
from tests.support.actors import Actor
from tests.support.world import ENTERPRISE, World, disclosed

PAPER = hashlib.sha256(b"scan of the signed paper authorization").hexdigest()


def _ask(operator: Actor, represented: str, purpose: str = "loan_underwriting") -> Any:
    return operator.post(
        "/v1/counter/reports",
        json={
            "represented": represented,
            "enterprise": ENTERPRISE,
            "purpose": purpose,
            "paper_authorization": {"sha256": PAPER, "presented_by": "王强 (bank clerk)"},
        },
    )


def _log(world: World, key: str) -> list[dict[str, Any]]:
    page = world.enterprise.get("/v1/me/access-log").json()
    checked = verify_subject_page(page, parse_verifier_keys([key]), subject=ENTERPRISE)
    return [e.entry["payload"] for e in checked.entries if e.entry is not None]


def test_counter_query_applies_the_represented_institutions_policy(
    world: World, make_actor: Any
) -> None:
    operator = make_actor(Role.operator, "op-counter-1")
    response = _ask(operator, world.bank.id)
    assert response.status_code == 200, response.text
    at_counter = disclosed(response.json()["report"])
    direct = disclosed(world.report().json())
    assert at_counter == direct
    assert "housing_fund" not in at_counter  # no grant: the bank's own policy, not more
    world.grant()
    assert "housing_fund" in disclosed(_ask(operator, world.bank.id).json()["report"])


def test_counter_query_is_in_the_subjects_log_naming_operator_and_party(
    world: World, make_actor: Any, verifier_key: str
) -> None:
    operator = make_actor(Role.operator, "op-counter-2")
    body = _ask(operator, world.bank.id).json()
    entries = _log(world, verifier_key)
    counter = [e for e in entries if e["type"] == "counter.query"]
    assert len(counter) == 1
    assert counter[0]["operator"] == operator.id
    assert counter[0]["represented"] == world.bank.id
    assert counter[0]["paper_authorization"]["sha256"] == PAPER
    assert counter[0]["access_ledger_index"] == body["report"]["ledger_index"]
    access = next(e for e in entries if e["type"] == "access.report")
    assert access["caller"] == world.bank.id


def test_a_walk_in_enterprise_gets_its_own_report(world: World, make_actor: Any) -> None:
    operator = make_actor(Role.operator, "op-counter-3")
    response = _ask(operator, ENTERPRISE, purpose="self_view")
    assert response.status_code == 200, response.text
    assert "housing_fund" in disclosed(response.json()["report"])


def test_a_denied_counter_query_is_logged_too(
    world: World, make_actor: Any, verifier_key: str
) -> None:
    operator = make_actor(Role.operator, "op-counter-4")
    assert _ask(operator, world.bank.id, purpose="procurement").status_code == 403
    counter = [e for e in _log(world, verifier_key) if e["type"] == "counter.query"]
    assert counter and counter[0]["allowed"] is False


def test_only_operators_at_the_counter(world: World) -> None:
    assert _ask(world.bank, world.bank.id).status_code == 403
