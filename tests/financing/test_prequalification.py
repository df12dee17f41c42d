from __future__ import annotations

from tests.financing.conftest import ENTERPRISE, Financing


def test_matches_say_per_criterion_pass_fail_or_no_data(fin: Financing) -> None:
    product = fin.product()
    response = fin.enterprise.get("/v1/me/product-matches")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["industry"] == "C2710"
    match = body["matches"][0]
    assert match["product"]["id"] == product["id"]
    results = {c["predicate"]: c["result"] for c in match["criteria"]}
    # grade A passes; licence since 2016 passes; tax arrears: no live interface for it here
    assert results == {
        "tax_credit_grade_in": "pass",
        "years_in_operation_at_least": "pass",
        "no_tax_arrears": "no_data",
    }
    assert (match["passed"], match["failed"], match["no_data"]) == (2, 0, 1)
    assert match["qualifies"] is False and match["industry_fits"] is True

    other = fin.other.get("/v1/me/product-matches").json()["matches"][0]
    assert other["industry_fits"] is False
    assert {c["predicate"]: c["result"] for c in other["criteria"]}["tax_credit_grade_in"] == "fail"


def test_prequalification_discloses_nothing_to_institutions(fin: Financing) -> None:
    fin.product()
    before = fin.ledger()
    fin.enterprise.get("/v1/me/product-matches")
    new = fin.ledger()[len(before) :]
    assert len(new) == 1
    subject, entry = new[0]
    assert subject == ENTERPRISE and entry["type"] == "financing.prequalification"
    assert set(entry["products"][0]) == {"product_id", "passed", "failed", "no_data"}
    assert "A" not in str(entry["products"])  # no grade, no value
    # every institution-visible view
    assert fin.bank.get("/v1/financing-demands/pushed").json() == []
    assert fin.bank.get("/v1/authorization-requests").json() == []
    assert fin.bank.get("/v1/authorizations").json() == []
    activity = fin.assessor.get("/v1/audit/institutions/bank-fin-001")
    assert ENTERPRISE not in activity.text
    assert fin.bank.get(f"/v1/financing-demands/{ENTERPRISE}").status_code == 404
    with fin.services.engine.connect() as conn:
        from sqlalchemy import text

        assert conn.execute(text("SELECT count(*) FROM access_event")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM threshold_probe")).scalar() == 0
        assert (
            conn.execute(
                text("SELECT count(*) FROM notification WHERE recipient LIKE 'bank%'")
            ).scalar()
            == 0
        )
    # the live source was asked on the enterprise's own behalf, not an institution's
    assert all(for_subject for _, _, for_subject in fin.live.grants)
