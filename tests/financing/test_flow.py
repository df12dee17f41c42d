"""The whole financing flow over HTTP: product, demand, push, pick-up, consent, decision,
disbursement; with rejection, expiry, withdrawal and an overdue pick-up on the side."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import text

from gateway.portal.i18n import messages
from tests.financing.conftest import ENTERPRISE, Financing, sign_claims
from tests.support.actors import Actor

TYP = "credgate-authorization+jwt"


def _ask(fin: Financing, bank: Actor, **overrides: Any) -> Any:
    body: dict[str, Any] = {
        "enterprise": ENTERPRISE,
        "purpose": "loan_underwriting",
        "datasets": ["tax_payments", "tax_credit_rating"],
        "modes": ["verify"],
        "valid_days": 90,
    }
    body.update(overrides)
    return bank.post("/v1/authorization-requests", json=body)


def _notifications(fin: Financing, recipient: str) -> list[str]:
    with fin.services.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT kind FROM notification WHERE recipient = :r ORDER BY id"), {"r": recipient}
        ).all()
    return [r[0] for r in rows]


def _assert_the_portal_names_every_entry(fin: Financing) -> None:
    """The portal's access log shows each entry of the enterprise's chain by name, never as a
    raw type (``financing.demand.picked_up``), in both languages."""
    for lang in ("zh", "en"):
        names = messages(lang)
        unnamed = {p["type"] for s, p in fin.ledger() if s == ENTERPRISE} - {
            key.removeprefix("event.") for key in names if key.startswith("event.")
        }
        assert not unnamed, (lang, unnamed)


def test_from_product_to_disbursement(fin: Financing) -> None:
    product = fin.product()
    fin.product(fin.bank2, industries=["H"])  # restaurants only: the pharma demand misses it
    demand = fin.demand()
    assert [p["institution"] for p in demand["pushes"]] == [fin.bank.id]
    assert demand["pushes"][0]["products"] == [product["id"]]
    assert _notifications(fin, fin.bank.id) == ["demand.pushed"]

    # institutions see only what was pushed to them
    assert [d["demand_id"] for d in fin.bank.get("/v1/financing-demands/pushed").json()] == [
        demand["id"]
    ]
    for other in (fin.bank2, fin.bank3):
        assert other.get("/v1/financing-demands/pushed").json() == []
        assert other.get(f"/v1/financing-demands/{demand['id']}").status_code == 404
        assert other.post(f"/v1/financing-demands/{demand['id']}/pick-up").status_code == 404

    # asking before picking up is refused; a foreign institution's demand is not found
    assert _ask(fin, fin.bank, demand_id=demand["id"]).status_code == 409
    foreign = _ask(fin, fin.bank2, demand_id=demand["id"])
    assert foreign.status_code == 404 and "demand_id" in foreign.text

    picked = fin.bank.post(f"/v1/financing-demands/{demand['id']}/pick-up")
    assert picked.status_code == 200 and picked.json()["push"]["state"] == "picked_up"

    asked = _ask(fin, fin.bank, demand_id=demand["id"])
    assert asked.status_code == 201, asked.text
    request = asked.json()
    inbox = fin.enterprise.get("/v1/me/authorization-requests", params={"state": "pending"}).json()
    assert [r["id"] for r in inbox] == [request["id"]]

    prepared = fin.enterprise.get(f"/v1/me/authorization-requests/{request['id']}/claims").json()
    claims = prepared["claims"]
    assert prepared["header"] == {"typ": TYP}
    assert claims["datasets"] == ["tax_credit_rating", "tax_payments"]

    # signing more than asked is refused, naming the claim; nothing is granted
    wider = {**claims, "datasets": [*claims["datasets"], "housing_fund"]}
    refused = fin.enterprise.post(
        f"/v1/me/authorization-requests/{request['id']}/approve",
        json={"token": sign_claims(fin.enterprise, wider, TYP)},
    )
    assert refused.status_code == 422 and "claims.datasets" in refused.text
    longer = {**claims, "exp": claims["exp"] + 86400}
    refused = fin.enterprise.post(
        f"/v1/me/authorization-requests/{request['id']}/approve",
        json={"token": sign_claims(fin.enterprise, longer, TYP)},
    )
    assert refused.status_code == 422 and "claims.exp" in refused.text
    assert fin.enterprise.get("/v1/authorizations").json() == []

    approved = fin.enterprise.post(
        f"/v1/me/authorization-requests/{request['id']}/approve",
        json={"token": sign_claims(fin.enterprise, claims, TYP)},
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "approved"
    grant = fin.bank.get(f"/v1/authorizations/{request['grant_id']}").json()
    for name in ("institution", "purpose", "datasets", "classes", "modes", "enterprise"):
        assert grant[name] == request[name]
    assert grant["not_before"][:19] == request["not_before"][:19]
    assert grant["expires_at"][:19] == request["expires_at"][:19]
    assert "authorization_request.approved" in _notifications(fin, fin.bank.id)
    listed = fin.enterprise.get("/v1/me/grants").json()
    assert listed[0]["request_id"] == request["id"] and listed[0]["last_used_at"] is None

    # the grant is used: the enterprise sees the last use
    verified = fin.bank.post(
        f"/v1/enterprises/{ENTERPRISE}/verifications",
        json={
            "purpose": "loan_underwriting",
            "checks": [{"predicate": "tax_credit_grade_in", "args": {"grades": ["A"]}}],
        },
    )
    assert verified.status_code == 200, verified.text
    assert fin.enterprise.get("/v1/me/grants").json()[0]["last_used_at"] is not None

    bad = fin.bank.post(
        f"/v1/financing-demands/{demand['id']}/decision", json={"outcome": "approved"}
    )
    assert bad.status_code == 422 and "amount" in bad.text
    decided = fin.bank.post(
        f"/v1/financing-demands/{demand['id']}/decision",
        json={"outcome": "approved", "amount": 800_000, "rate_pct": "4.10"},
    )
    assert decided.status_code == 200, decided.text
    too_much = fin.bank.post(
        f"/v1/financing-demands/{demand['id']}/disbursement", json={"amount": 900_000}
    )
    assert too_much.status_code == 422
    paid = fin.bank.post(
        f"/v1/financing-demands/{demand['id']}/disbursement", json={"amount": 800_000}
    )
    assert paid.status_code == 200 and paid.json()["push"]["state"] == "disbursed"

    seen = fin.enterprise.get(f"/v1/me/financing-demands/{demand['id']}").json()
    assert [e["kind"] for e in seen["history"]] == [
        "published",
        "picked_up",
        "authorization_requested",
        "authorization_approved",
        "credit_approved",
        "disbursed",
    ]
    chain = [p["type"] for s, p in fin.ledger() if s == ENTERPRISE]
    assert "authorization.granted" in chain
    assert chain.count("authorization_request.approved") == 1
    assert all(s == ENTERPRISE for s, p in fin.ledger() if p.get("demand_id") == demand["id"])

    stats = fin.operator.get("/v1/stats/financing", params={"by": "institution"}).json()
    row = next(r for r in stats["rows"] if r["group"] == fin.bank.id)
    assert (row["pushes"], row["picked_up"], row["approvals"], row["amount_disbursed"]) == (
        1,
        1,
        1,
        800_000,
    )
    csv = fin.operator.get("/v1/stats/financing", params={"by": "month", "format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("month,demands,pushes")
    assert fin.bank.get("/v1/stats/financing").status_code == 403
    fin.enterprise.get("/v1/me/product-matches")  # its own pre-check, in its chain too
    _assert_the_portal_names_every_entry(fin)


def test_rejection_and_expiry_of_requests(fin: Financing) -> None:
    rejected = _ask(fin, fin.bank).json()
    answer = fin.enterprise.post(
        f"/v1/me/authorization-requests/{rejected['id']}/reject", json={"reason": "范围过大"}
    )
    assert answer.status_code == 200 and answer.json()["state"] == "rejected"
    assert "authorization_request.rejected" in _notifications(fin, fin.bank.id)

    expiring = _ask(fin, fin.bank, respond_within_days=1).json()
    claims = fin.enterprise.get(f"/v1/me/authorization-requests/{expiring['id']}/claims").json()
    fin.enterprise.clock.advance(timedelta(days=2))
    states = {
        r["id"]: r["state"] for r in fin.enterprise.get("/v1/me/authorization-requests").json()
    }
    assert states == {rejected["id"]: "rejected", expiring["id"]: "expired"}
    late = fin.enterprise.post(
        f"/v1/me/authorization-requests/{expiring['id']}/approve",
        json={"token": sign_claims(fin.enterprise, claims["claims"], TYP)},
    )
    assert late.status_code == 409
    chain = [p["type"] for s, p in fin.ledger() if s == ENTERPRISE]
    assert chain == [
        "authorization_request.created",
        "authorization_request.rejected",
        "authorization_request.created",
        "authorization_request.expired",
    ]
    assert fin.enterprise.get("/v1/authorizations").json() == []
    _assert_the_portal_names_every_entry(fin)


def test_withdrawal_and_overdue_pickup(fin: Financing) -> None:
    fin.product()
    withdrawn = fin.demand()
    out = fin.enterprise.post(f"/v1/me/financing-demands/{withdrawn['id']}/withdraw")
    assert out.status_code == 200 and out.json()["state"] == "withdrawn"
    assert fin.bank.post(f"/v1/financing-demands/{withdrawn['id']}/pick-up").status_code == 409
    assert "demand.withdrawn" in _notifications(fin, fin.bank.id)

    waiting = fin.demand(amount=500_000)
    due = waiting["pushes"][0]["pickup_due"]
    # pushed on a Friday: three working days later is Wednesday
    assert due.startswith("2026-12-02")
    assert fin.assessor.get("/v1/financing-demands/overdue").json() == []
    fin.bank.clock.advance(timedelta(days=6))
    overdue = fin.assessor.get("/v1/financing-demands/overdue").json()
    assert [(o["demand_id"], o["institution"]) for o in overdue] == [(waiting["id"], fin.bank.id)]
    assert fin.operator.get("/v1/financing-demands/overdue").status_code == 200
    assert fin.bank.get("/v1/financing-demands/overdue").status_code == 403
    late = fin.bank.post(f"/v1/financing-demands/{waiting['id']}/pick-up")
    assert late.status_code == 200
    seen = fin.enterprise.get(f"/v1/me/financing-demands/{waiting['id']}").json()
    assert seen["history"][-1]["detail"] == {"late": True}
    _assert_the_portal_names_every_entry(fin)


def test_named_targets_and_bad_demands(fin: Financing) -> None:
    fin.product()
    directed = fin.demand(target_institutions=[fin.bank3.id])
    assert [p["institution"] for p in directed["pushes"]] == [fin.bank3.id]
    assert fin.bank.get("/v1/financing-demands/pushed").json() == []
    before = len(fin.ledger())
    for field, overrides in (
        ("term_months", {"term_months": 0}),
        ("amount", {"amount": -5}),
        ("target_institutions[0]", {"target_institutions": ["bank-nowhere"]}),
        ("target_products[0]", {"target_products": ["prd-nothing"]}),
        ("valid_until", {"valid_until": "2020-01-01T00:00:00+00:00"}),
    ):
        body = {
            "amount": 1_000_000,
            "term_months": 12,
            "purpose_zh": "流动资金",
            "valid_until": "2026-12-20T00:00:00+00:00",
            **overrides,
        }
        response = fin.enterprise.post("/v1/me/financing-demands", json=body)
        assert response.status_code == 422, (field, response.text)
        assert field in response.text
    assert len(fin.ledger()) == before
    assert len(fin.enterprise.get("/v1/me/financing-demands").json()) == 1
    other = fin.other.get(f"/v1/me/financing-demands/{directed['id']}")
    assert other.status_code == 404
