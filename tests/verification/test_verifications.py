"""Yes/no answers under policy: no values leave, the question is logged, bisection is bounded."""

from __future__ import annotations

import base64
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from gateway.access_index import AccessEvent
from gateway.bootstrap import Services
from gateway.db import unit_of_work
from gateway.principals import service as principals
from gateway.principals.models import PrincipalStatus
from gateway.verification import endpoints as verification_endpoints
from gateway.verification.hashing import keyed_hash, load_or_create_key
from tests.support.world import ENTERPRISE, LEGAL_REP_ID, VAT_PAID, World


def verify(world: World, *checks: dict[str, Any], purpose: str = "loan_underwriting") -> Any:
    return world.bank.post(
        f"/v1/enterprises/{ENTERPRISE}/verifications",
        json={"purpose": purpose, "checks": list(checks)},
    )


def vat(amount: str) -> dict[str, Any]:
    return {"predicate": "vat_paid_last_year_at_least", "args": {"amount": amount}}


def results(response: Any) -> list[tuple[bool | None, bool, str]]:
    assert response.status_code == 200, response.text
    return [(r["holds"], r["permitted"], r["reason"]) for r in response.json()["results"]]


def test_verifiers_are_listed_with_their_arguments(world: World) -> None:
    listing = world.bank.http.get("/v1/verifiers").json()
    names = {p["name"] for p in listing}
    assert {
        "vat_paid_last_year_at_least",
        "legal_representative_id_is",
        "debt_ratio_at_most",
    } <= names
    vat_spec = next(p for p in listing if p["name"] == "vat_paid_last_year_at_least")
    assert [a["name"] for a in vat_spec["arguments"]] == ["amount"]


def test_vat_threshold_under_a_verify_grant_answers_without_the_value(world: World) -> None:
    world.grant(modes=["verify"], datasets=["tax_payments"])
    response = verify(world, vat("1000000"), vat("2000000"))
    assert results(response) == [(True, True, "ok"), (False, True, "below_threshold")]
    assert VAT_PAID not in response.text and "1234567" not in response.text


def test_without_a_grant_authorized_predicates_are_refused(world: World) -> None:
    response = verify(
        world, vat("1000000"), {"predicate": "years_in_operation_at_least", "args": {"years": 5}}
    )
    assert results(response) == [(None, False, "no_authorization"), (True, True, "ok")]
    assert world.live.calls == []  # nothing read for a refused check


def test_a_report_mode_grant_does_not_allow_verification(world: World) -> None:
    world.grant(modes=["report"], datasets=["tax_payments"])
    assert results(verify(world, vat("1000000")))[0] == (None, False, "no_authorization")


def test_verify_only_data_needs_a_verify_grant_and_never_leaves(world: World) -> None:
    check = {"predicate": "legal_representative_id_is", "args": {"id_no": LEGAL_REP_ID}}
    assert results(verify(world, check))[0] == (None, False, "no_authorization")
    world.grant(modes=["verify"], classes=["verify_only"], datasets=[])
    response = verify(
        world,
        check,
        {"predicate": "legal_representative_id_is", "args": {"id_no": "210502199001011234"}},
    )
    assert results(response) == [(True, True, "ok"), (False, True, "mismatch")]


def test_a_suspended_institution_gets_public_predicates_only(
    world: World, services: Services
) -> None:
    world.grant(modes=["verify"], datasets=["tax_payments"])
    with unit_of_work(services.engine) as session:
        principals.set_status(session, world.bank.id, PrincipalStatus.suspended)
    response = verify(world, vat("1"), {"predicate": "licence_in_force", "args": {}})
    assert results(response) == [(None, False, "suspended"), (True, True, "ok")]


def test_missing_data_is_null(world: World) -> None:
    world.grant(modes=["verify"], datasets=["housing_fund", "social_insurance_arrears"])
    response = verify(world, {"predicate": "no_social_insurance_arrears", "args": {}})
    assert results(response)[0][0] is None and results(response)[0][1] is True


@pytest.mark.parametrize(
    ("check", "field"),
    [
        ({"predicate": "no_such_thing", "args": {}}, "checks[0].predicate"),
        ({"predicate": "vat_paid_last_year_at_least", "args": {}}, "checks[0].args.amount"),
        (
            {"predicate": "vat_paid_last_year_at_least", "args": {"amount": "lots"}},
            "checks[0].args.amount",
        ),
        (
            {"predicate": "vat_paid_last_year_at_least", "args": {"amount": "1", "x": 1}},
            "checks[0].args.x",
        ),
        ({"predicate": "debt_ratio_at_most", "args": {"ratio": "1.5"}}, "checks[0].args.ratio"),
    ],
)
def test_bad_arguments_are_422_naming_the_argument(
    world: World, check: dict[str, Any], field: str
) -> None:
    response = verify(world, check)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field


def test_unknown_purpose_is_denied_and_logged(world: World) -> None:
    response = verify(world, vat("1"), purpose="marketing")
    assert response.status_code == 403
    page = world.enterprise.get("/v1/me/access-log").json()
    assert page["entries"][0]["entry"]["payload"]["decision"]["reason"] == "unknown_purpose"


def test_the_question_is_logged_with_personal_arguments_hashed(
    world: World, services: Services
) -> None:
    world.grant(modes=["verify"], classes=["verify_only"], datasets=["tax_payments"])
    response = verify(
        world,
        vat("1000000"),
        {"predicate": "legal_representative_id_is", "args": {"id_no": LEGAL_REP_ID}},
    )
    index = response.json()["ledger_index"]
    page = world.enterprise.get("/v1/me/access-log").json()
    item = next(e for e in page["entries"] if e["index"] == index)
    leaf = base64.b64decode(item["leaf"]).decode()
    assert LEGAL_REP_ID not in leaf and VAT_PAID not in leaf
    checks = json.loads(leaf)["payload"]["checks"]
    assert checks[0] == {
        "predicate": "vat_paid_last_year_at_least",
        "args": {"amount": "1000000.00"},
        "holds": True,
        "permitted": True,
        "reason": "ok",
    }
    key = load_or_create_key(services.settings.effective_argument_hash_key_path)
    assert checks[1]["args"]["id_no"] == {"hmac_sha256": keyed_hash(key, LEGAL_REP_ID)}


def test_a_bank_bisecting_a_vat_threshold_is_stopped_after_the_budget(
    world: World, services: Services
) -> None:
    world.grant(modes=["verify"], datasets=["tax_payments"])
    budget = services.policy_data.verification.bisection_budget_per_day
    low, high = 0, 4_000_000
    for _ in range(budget):
        middle = (low + high) // 2
        holds = results(verify(world, vat(str(middle))))[0][0]
        low, high = (middle, high) if holds else (low, middle)
    stopped = verify(world, vat(str((low + high) // 2)))
    assert stopped.status_code == 429, stopped.text
    assert stopped.json()["predicates"] == ["vat_paid_last_year_at_least"]
    assert results(verify(world, vat(str(low))))[0][1] is True  # asking again what it asked is free
    with Session(services.engine) as session:
        events = session.exec(
            select(AccessEvent).where(AccessEvent.reason == "bisection_budget_exceeded")
        ).all()
    assert len(events) == 1 and events[0].detail["budget_exceeded"] is True
    page = world.enterprise.get("/v1/me/access-log").json()
    assert any(
        e["entry"]["payload"]["decision"]["reason"] == "bisection_budget_exceeded"
        for e in page["entries"]
    )


def test_the_budget_renews_the_next_day(world: World) -> None:
    world.grant(modes=["verify"], datasets=["tax_payments"])
    for amount in ("1", "2", "3"):
        verify(world, vat(amount))
    assert verify(world, vat("4")).status_code == 429
    world.bank.clock.advance(__import__("datetime").timedelta(days=1))
    assert verify(world, vat("4")).status_code == 200


def test_id_number_guessing_is_budgeted_too(world: World) -> None:
    world.grant(modes=["verify"], classes=["verify_only"], datasets=[])
    guesses = [
        "210502199001011234",
        "210502199001011235",
        "210502199001011236",
        "210502199001011237",
    ]
    codes = [
        verify(world, {"predicate": "legal_representative_id_is", "args": {"id_no": g}}).status_code
        for g in guesses
    ]
    assert codes == [200, 200, 200, 429]


def test_processes_starting_together_agree_on_the_argument_hash_key(tmp_path: Path) -> None:
    path = tmp_path / "argument-hash.key"
    with ThreadPoolExecutor(16) as pool:
        keys = set(pool.map(lambda _: load_or_create_key(path), range(64)))
    assert len(keys) == 1 and len(next(iter(keys))) == 32
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in tmp_path.iterdir()] == ["argument-hash.key"]


def _verify_with(world: World, token: str, checks: list[dict[str, Any]]) -> Any:
    return world.bank.http.post(
        f"/v1/enterprises/{ENTERPRISE}/verifications",
        json={"purpose": "loan_underwriting", "checks": checks},
        headers={"Authorization": f"Bearer {token}"},
    )


def test_a_token_is_spent_by_a_verification_that_failed(world: World) -> None:
    token = world.bank.token()
    unknown = [{"predicate": "no_such_predicate", "args": {}}]
    assert _verify_with(world, token, unknown).status_code == 422
    # the request's work was rolled back, its token id was not: no second use
    replay = _verify_with(world, token, [vat("1")])
    assert replay.status_code == 401
    assert "replayed" in replay.json()["detail"]


def test_a_token_is_spent_by_a_verification_that_answered(world: World) -> None:
    token = world.bank.token()
    licence = [{"predicate": "licence_in_force", "args": {}}]
    assert _verify_with(world, token, licence).status_code == 200
    assert _verify_with(world, token, licence).status_code == 401


def test_a_caller_of_the_wrong_role_is_refused_and_its_token_spent(world: World) -> None:
    token = world.enterprise.token()
    licence = [{"predicate": "licence_in_force", "args": {}}]
    url = f"/v1/enterprises/{ENTERPRISE}/verifications"
    body = {"purpose": "loan_underwriting", "checks": licence}
    headers = {"Authorization": f"Bearer {token}"}
    first = world.enterprise.http.post(url, json=body, headers=headers)
    assert first.status_code == 403 and "institution" in first.json()["detail"]
    assert world.enterprise.http.post(url, json=body, headers=headers).status_code == 401


class Counting:
    """Wraps a function: counts calls in progress at once, holding each a moment first."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.inside = 0
        self.most = 0
        self.lock = threading.Lock()

    def __call__(self, *args: Any) -> Any:
        with self.lock:
            self.inside += 1
            self.most = max(self.most, self.inside)
        try:
            threading.Event().wait(0.1)
            return self.real(*args)
        finally:
            with self.lock:
                self.inside -= 1


@pytest.mark.parametrize("threads", [1, 3])
def test_verifications_run_on_at_most_the_hot_path_threads(
    world: World, services: Services, monkeypatch: pytest.MonkeyPatch, threads: int
) -> None:
    services.settings.hot_path_threads = threads  # read when the first request comes
    counting = Counting(verification_endpoints._decide)
    monkeypatch.setattr(verification_endpoints, "_decide", counting)
    licence = {"predicate": "licence_in_force", "args": {}}
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _: verify(world, licence).status_code, range(6)))
    assert answers == [200] * 6
    assert counting.most == threads


def test_an_institution_sees_its_own_budget_use_today(world: World, services: Services) -> None:
    per_day = services.policy_data.verification.bisection_budget_per_day
    world.grant(modes=["verify"], datasets=["tax_payments"])
    empty = world.bank.get("/v1/me/verification-budget")
    assert empty.status_code == 200, empty.text
    assert empty.json()["used"] == [] and empty.json()["budget_per_day"] == per_day

    for amount in ("100", "200", "100"):  # asking a threshold again costs nothing
        assert verify(world, vat(amount)).status_code == 200
    today = world.bank.get("/v1/me/verification-budget").json()
    assert today["used"] == [
        {
            "enterprise": ENTERPRISE,
            "predicate": "vat_paid_last_year_at_least",
            "thresholds_asked": 2,
            "remaining": per_day - 2,
        }
    ]
    assert today["day"] == "2026-11-27"  # Benxi's calendar day of the world's clock

    world.bank.clock.advance(__import__("datetime").timedelta(days=1))
    assert world.bank.get("/v1/me/verification-budget").json()["used"] == []  # a new day
    assert world.enterprise.get("/v1/me/verification-budget").status_code == 403
