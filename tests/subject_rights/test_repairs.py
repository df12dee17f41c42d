"""Credit repair through HTTP: apply, approve, reject; what institutions stop seeing, when
(publication windows from policy data), and what the enterprise keeps seeing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.subject_rights.conftest import PENALTIES, Rights

ABNORMAL = "abnormal_operations"


def approve(rights: Rights, repair_id: str) -> dict[str, Any]:
    response = rights.operator.post(f"/v1/repairs/{repair_id}/approve", json={"note": "材料齐全"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_an_approved_repair_hides_the_penalty_from_institutions_only(
    rights: Rights, penalty_id: str
) -> None:
    response = rights.apply(penalty_id)
    assert response.status_code == 201, response.text
    repair = response.json()
    assert (repair["state"], repair["record_version"]) == ("pending", 1)
    assert penalty_id in rights.shown(PENALTIES)  # pending changes nothing

    approved = approve(rights, repair["id"])
    assert (approved["state"], approved["decided_by"]) == ("approved", "operator-benxi")
    assert approved["effective_at"] == "2026-11-27T09:00:00Z"  # past the minimum: at once
    assert rights.shown(PENALTIES) == {}
    assert rights.shown(PENALTIES, rights.insurer) == {}
    mine = rights.shown(PENALTIES, rights.enterprise)[penalty_id]
    assert (mine["repaired"], mine["fields"]["fine_amount"]) == (True, "5000.00")
    bank_entries = [e for e in rights.log_of("access.report") if e["caller"] == rights.bank.id]
    assert PENALTIES in bank_entries[0]["disclosed"]
    assert PENALTIES not in bank_entries[-1]["disclosed"]  # the ledger shows what left, no more


def test_a_penalty_younger_than_the_minimum_stays_even_if_repaired(
    rights: Rights, penalty_id: str
) -> None:
    young = rights.penalty(decision_doc_no="本市监罚〔2026〕88号", decision_date="2026-11-01")
    repair = approve(rights, rights.apply(young).json()["id"])
    # 2026-11-01 + 3 months = 2027-02-01, 00:00 in Benxi
    assert repair["effective_at"] == "2027-01-31T16:00:00Z"
    shown = rights.shown(PENALTIES)
    assert shown[young]["repaired"] is True  # shown, and the bank learns it is repaired
    assert shown[penalty_id]["repaired"] is False
    rights.bank.clock.set(datetime(2027, 1, 31, 15, 59, 59, tzinfo=UTC))
    assert young in rights.shown(PENALTIES)
    rights.bank.clock.set(datetime(2027, 1, 31, 16, 0, tzinfo=UTC))
    assert young not in rights.shown(PENALTIES)
    assert rights.shown(PENALTIES, rights.enterprise)[young]["repaired"] is True


def test_a_penalty_past_the_maximum_window_leaves_institution_reports(
    rights: Rights, penalty_id: str
) -> None:
    expired = rights.penalty(decision_doc_no="本市监罚〔2023〕5号", decision_date="2023-11-27")
    last_day = rights.penalty(decision_doc_no="本市监罚〔2023〕6号", decision_date="2023-11-28")
    shown = rights.shown(PENALTIES)
    assert expired not in shown  # three years ended at 2026-11-27 00:00 in Benxi
    assert last_day in shown and penalty_id in shown
    assert expired in rights.shown(PENALTIES, rights.enterprise)  # the subject sees everything
    rights.bank.clock.advance(timedelta(hours=7))  # 2026-11-28 00:00 in Benxi
    assert last_day not in rights.shown(PENALTIES, rights.insurer)
    assert penalty_id in rights.shown(PENALTIES, rights.insurer)


def test_a_rejected_repair_changes_nothing_and_may_be_renewed(
    rights: Rights, penalty_id: str
) -> None:
    first = rights.apply(penalty_id).json()
    assert rights.apply(penalty_id).status_code == 409  # one pending at a time
    response = rights.operator.post(
        f"/v1/repairs/{first['id']}/reject", json={"reason": "未提交整改报告"}
    )
    assert response.status_code == 200, response.text
    rejected = response.json()
    assert (rejected["state"], rejected["decision_reason"]) == ("rejected", "未提交整改报告")
    assert rejected["effective_at"] is None
    assert rights.shown(PENALTIES)[penalty_id]["repaired"] is False
    second = rights.apply(penalty_id)
    assert second.status_code == 201
    approve(rights, second.json()["id"])
    duplicate = rights.apply(penalty_id)
    assert duplicate.status_code == 409
    assert duplicate.json()["repair_id"] == second.json()["id"]


def test_a_repaired_list_entry_leaves_institution_reports_at_once(rights: Rights) -> None:
    rights.push(
        rights.regulator,
        ABNORMAL,
        {
            "is_listed": True,
            "listing_reason": "未依照规定报送年度报告",
            "listed_date": "2026-10-01",
        },
    )
    [entry] = rights.shown(ABNORMAL)
    repair = approve(rights, rights.apply(entry, dataset=ABNORMAL).json()["id"])
    assert repair["effective_at"] == "2026-11-27T09:00:00Z"  # lists have no minimum window
    assert rights.shown(ABNORMAL) == {}
    assert rights.shown(ABNORMAL, rights.enterprise)[entry]["repaired"] is True


def test_only_adverse_records_of_the_applicant_can_be_repaired(
    rights: Rights, penalty_id: str, make_actor: object
) -> None:
    from gateway.principals.models import Role

    [licence] = rights.shown("business_licence", rights.enterprise)
    assert rights.apply(licence, dataset="business_licence").status_code == 422
    assert rights.apply(penalty_id, dataset="tax_payments").status_code == 422
    assert rights.apply("no-such-record").status_code == 404
    other = make_actor(Role.enterprise)  # type: ignore[operator]
    body = {"dataset": PENALTIES, "record_id": penalty_id, "reason": "替人申请"}
    assert other.post("/v1/me/repairs", json=body).status_code == 404


def test_only_operators_decide(rights: Rights, penalty_id: str, make_actor: object) -> None:
    from gateway.principals.models import Role

    repair_id = rights.apply(penalty_id).json()["id"]
    for actor in (rights.ndrc, rights.enterprise, rights.bank):
        assert actor.post(f"/v1/repairs/{repair_id}/approve").status_code == 403
        assert actor.get("/v1/repairs").status_code == 403
    assert [r["id"] for r in rights.operator.get("/v1/repairs").json()] == [repair_id]
    pending = rights.operator.get("/v1/repairs", params={"state": "pending"}).json()
    assert [r["id"] for r in pending] == [repair_id]
    assert [r["id"] for r in rights.enterprise.get("/v1/me/repairs").json()] == [repair_id]
    assert rights.enterprise.get(f"/v1/repairs/{repair_id}").status_code == 200
    other = make_actor(Role.enterprise)  # type: ignore[operator]
    assert other.get(f"/v1/repairs/{repair_id}").status_code == 404
    assert other.get("/v1/me/repairs").json() == []
    assert rights.operator.post(f"/v1/repairs/{repair_id}/approve").status_code == 200  # no note
    assert rights.operator.post(f"/v1/repairs/{repair_id}/approve").status_code == 409
    reject = rights.operator.post(f"/v1/repairs/{repair_id}/reject", json={"reason": "迟了"})
    assert reject.status_code == 409
    assert rights.operator.post("/v1/repairs/rep-0000/approve").status_code == 404


def test_every_repair_state_change_is_in_the_enterprise_log_and_verifies(
    rights: Rights, penalty_id: str
) -> None:
    evidence = [{"name": "整改报告.pdf", "sha256": "cd" * 32}]
    rejected = rights.apply(penalty_id, evidence=evidence).json()["id"]
    rights.operator.post(f"/v1/repairs/{rejected}/reject", json={"reason": "罚款5000元未缴清"})
    approved = rights.apply(penalty_id).json()["id"]
    approve(rights, approved)
    entries = rights.log_of("repair.")  # verified: signature, inclusion, subject chain
    assert [(e["type"], e["repair_id"]) for e in entries] == [
        ("repair.applied", rejected),
        ("repair.rejected", rejected),
        ("repair.applied", approved),
        ("repair.approved", approved),
    ]
    assert entries[0]["evidence_sha256"] == ["cd" * 32]
    assert entries[3]["effective_at"] == "2026-11-27T09:00:00+00:00"
    assert {entries[1]["by"], entries[3]["by"]} == {"operator-benxi"}
    text = str(entries)
    for value in ("5000", "已整改完毕", "罚款5000元未缴清", "材料齐全", "整改报告", "李娜"):
        assert value not in text


def test_applying_again_under_the_same_idempotency_key_replays_the_first_reply(
    rights: Rights, penalty_id: str
) -> None:
    key = {"Idempotency-Key": "repair-1"}
    first = rights.apply(penalty_id, headers=key)
    again = rights.apply(penalty_id, headers=key)  # a retry after a lost reply
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert [r["id"] for r in rights.enterprise.get("/v1/me/repairs").json()] == [first.json()["id"]]
    assert len(rights.log_of("repair.applied")) == 1

    other = rights.apply(penalty_id, headers=key, reason="另一份申请")  # another request
    assert other.status_code == 409 and "Idempotency-Key" in other.json()["detail"]
    without_key = rights.apply(penalty_id)
    assert without_key.status_code == 409  # one pending repair per record, as before
