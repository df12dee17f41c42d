"""Creating POSTs of the financing half take an ``Idempotency-Key``: a retry after a lost reply
publishes, pushes or asks nothing new and gets the first reply; the key reused for another
request is a 409 naming it."""

from __future__ import annotations

from typing import Any

from gateway.idempotency import request_digest
from tests.financing.conftest import ENTERPRISE, Financing
from tests.support.actors import Actor


def _types(fin: Financing, prefix: str) -> list[str]:
    return [e["type"] for _, e in fin.ledger() if e.get("type", "").startswith(prefix)]


def _twice(actor: Actor, path: str, body: dict[str, Any], key: str) -> tuple[Any, Any]:
    headers = {"Idempotency-Key": key}
    return actor.post(path, json=body, headers=headers), actor.post(
        path, json=body, headers=headers
    )


def test_a_product_published_twice_under_one_key_is_published_once(fin: Financing) -> None:
    fin.product()  # one without a key
    sent = {
        "name_zh": "科技贷",
        "kind": "credit_loan",
        "amount_min": 100_000,
        "amount_max": 1_000_000,
        "term_min_months": 6,
        "term_max_months": 36,
        "rate_min_pct": "3.45",
        "rate_max_pct": "5.20",
        "industries": ["C"],
        "eligibility": [],
    }
    first, again = _twice(fin.bank, "/v1/products", sent, "product-1")
    assert (first.status_code, again.status_code) == (201, 201), first.text
    assert again.json() == first.json()
    mine = [p["id"] for p in fin.bank.get("/v1/products").json()]
    assert mine.count(first.json()["id"]) == 1 and len(mine) == 2
    assert _types(fin, "financing.product.") == ["financing.product.published"] * 2

    other = fin.bank.post(
        "/v1/products",
        json={**sent, "name_zh": "另一产品"},
        headers={"Idempotency-Key": "product-1"},
    )
    assert other.status_code == 409 and "Idempotency-Key" in other.json()["detail"]
    # keys are per caller: another bank may use the same one
    assert (
        fin.bank2.post(
            "/v1/products", json=sent, headers={"Idempotency-Key": "product-1"}
        ).status_code
        == 201
    )


def test_a_demand_published_twice_under_one_key_is_pushed_once(fin: Financing) -> None:
    fin.product()
    body = {
        "amount": 1_000_000,
        "term_months": 12,
        "purpose_zh": "采购原材料",
        "collateral": ["none"],
        "valid_until": fin.demand()["valid_until"],
    }
    first, again = _twice(fin.enterprise, "/v1/me/financing-demands", body, "demand-1")
    assert (first.status_code, again.status_code) == (201, 201), first.text
    assert again.json() == first.json()
    demands = [d["id"] for d in fin.enterprise.get("/v1/me/financing-demands").json()]
    assert demands.count(first.json()["id"]) == 1 and len(demands) == 2
    published = [e for _, e in fin.ledger() if e.get("type") == "financing.demand.published"]
    assert len(published) == 2  # the first demand, and this one once
    assert published[1]["pushed_to"] == [fin.bank.id]  # pushed to the matching bank once
    bad = fin.enterprise.post(
        "/v1/me/financing-demands",
        json={**body, "amount": 2_000_000},
        headers={"Idempotency-Key": "demand-1"},
    )
    assert bad.status_code == 409


def test_an_authorization_request_sent_twice_under_one_key_reaches_the_inbox_once(
    fin: Financing,
) -> None:
    body = {
        "enterprise": ENTERPRISE,
        "purpose": "loan_underwriting",
        "datasets": ["tax_payments"],
        "modes": ["verify"],
        "valid_days": 90,
    }
    first, again = _twice(fin.bank, "/v1/authorization-requests", body, "ask-1")
    assert (first.status_code, again.status_code) == (201, 201), first.text
    assert again.json() == first.json()
    inbox = fin.enterprise.get("/v1/me/authorization-requests").json()
    assert [r["id"] for r in inbox] == [first.json()["id"]]
    assert _types(fin, "authorization_request.") == ["authorization_request.created"]
    bad = fin.bank.post(
        "/v1/authorization-requests",
        json={**body, "valid_days": 30},
        headers={"Idempotency-Key": "ask-1"},
    )
    assert bad.status_code == 409
    assert (
        fin.bank.post(
            "/v1/authorization-requests", json=body, headers={"Idempotency-Key": "x" * 129}
        ).status_code
        == 422
    )


def test_a_body_with_an_integer_beyond_json_floats_is_refused_not_crashed_on(
    fin: Financing,
) -> None:
    """RFC 8785 cannot hold integers beyond 2**53; such a body under a key is a 422 naming
    the field, not a 500 while digesting it (found by the contract test)."""
    body = {
        "enterprise": ENTERPRISE,
        "purpose": "loan_underwriting",
        "datasets": ["tax_payments"],
        "modes": ["verify"],
        "valid_days": 10662842078392687263744,
    }
    refused = fin.bank.post(
        "/v1/authorization-requests", json=body, headers={"Idempotency-Key": "huge-1"}
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"].endswith(
        "valid_days"
    )
    too_many = {**body, "valid_days": 30, "use_limit": 2**31}
    refused = fin.bank.post("/v1/authorization-requests", json=too_many)
    assert refused.status_code == 422 and "use_limit" in refused.json()["errors"][0]["field"]


def test_the_request_digest_holds_any_json_integer() -> None:
    small = request_digest("POST", "/v1/x", {"n": 1})
    huge = request_digest("POST", "/v1/x", {"n": 2**80, "a": [1]})
    assert huge == request_digest("POST", "/v1/x", {"a": [1], "n": 2**80})  # key order free
    assert huge != request_digest("POST", "/v1/x", {"n": 2**80 + 1, "a": [1]}) != small
