from __future__ import annotations

from tests.financing.conftest import Financing


def test_published_product_is_listed_filtered_and_in_the_ledger(fin: Financing) -> None:
    product = fin.product()
    fin.product(fin.bank2, kind="mortgage", amount_min=5_000_000, amount_max=20_000_000)
    assert product["rate_min_pct"] == "3.45" and product["state"] == "active"
    listed = fin.enterprise.get("/v1/products", params={"amount": 1_000_000}).json()
    assert [p["id"] for p in listed] == [product["id"]]
    assert [
        p["id"] for p in fin.bank3.get("/v1/products", params={"kind": "tax_based"}).json()
    ] == [product["id"]]
    by_industry = fin.bank.get("/v1/products", params={"industry": "H6210"}).json()
    assert product["id"] not in [p["id"] for p in by_industry]
    entries = [p for s, p in fin.ledger() if p.get("type") == "financing.product.published"]
    assert len(entries) == 2 and product["id"] in {e["product_id"] for e in entries}
    assert all(
        s is None for s, p in fin.ledger() if p.get("type", "").startswith("financing.product")
    )


def test_update_and_withdraw_are_recorded_and_only_by_the_owner(fin: Financing) -> None:
    product = fin.product()
    url = f"/v1/products/{product['id']}"
    assert (
        fin.bank2.http.patch(
            url, json={"amount_max": 2_000_000}, headers=fin.bank2.headers()
        ).status_code
        == 404
    )
    changed = fin.bank.http.patch(url, json={"amount_max": 2_000_000}, headers=fin.bank.headers())
    assert changed.status_code == 200, changed.text
    assert changed.json()["amount_max"] == 2_000_000 and changed.json()["version"] == 2
    withdrawn = fin.bank.post(f"{url}/withdraw")
    assert withdrawn.json()["state"] == "withdrawn"
    assert fin.enterprise.get("/v1/products").json() == []
    kinds = [p["type"] for _, p in fin.ledger() if p.get("product_id") == product["id"]]
    assert kinds == [
        "financing.product.published",
        "financing.product.updated",
        "financing.product.withdrawn",
    ]
    again = fin.bank.http.patch(url, json={"name_zh": "新"}, headers=fin.bank.headers())
    assert again.status_code == 409


def _refused(fin: Financing, field: str, **overrides: object) -> None:
    before = len(fin.ledger())
    body = {
        "name_zh": "信用贷",
        "kind": "credit_loan",
        "amount_min": 100_000,
        "amount_max": 1_000_000,
        "term_min_months": 6,
        "term_max_months": 12,
        "rate_min_pct": "3.00",
        "rate_max_pct": "4.00",
        **overrides,
    }
    response = fin.bank.post("/v1/products", json=body)
    assert response.status_code == 422, response.text
    assert field in response.text
    assert len(fin.ledger()) == before
    assert fin.bank.get("/v1/products").json() == []


def test_bad_products_are_refused_naming_the_field(fin: Financing) -> None:
    _refused(
        fin, "eligibility[0].predicate", eligibility=[{"predicate": "lucky_number", "args": {}}]
    )
    _refused(
        fin,
        "eligibility[1].args.grades",
        eligibility=[
            {"predicate": "no_tax_arrears", "args": {}},
            {"predicate": "tax_credit_grade_in", "args": {"grades": ["Z"]}},
        ],
    )
    _refused(
        fin,
        "eligibility[0].predicate",
        eligibility=[
            {"predicate": "legal_representative_id_is", "args": {"id_no": "210502198001011236"}}
        ],
    )
    _refused(fin, "amount_max", amount_min=2_000_000, amount_max=1_000_000)
    _refused(fin, "term_min_months", term_min_months=0)
    _refused(fin, "industries[0]", industries=["C99999"])
    _refused(fin, "regions[0]", regions=["BX"])


def test_enterprises_cannot_publish_products(fin: Financing) -> None:
    assert fin.enterprise.post("/v1/products", json={}).status_code in (403, 422)
