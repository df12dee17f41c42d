"""Objections through HTTP: filing, the source's answers, corrections by ingestion, deadlines,
and the `disputed` mark every report shows while an objection stands."""

from __future__ import annotations

from datetime import timedelta

from gateway.bootstrap import Services
from gateway.policy.data import ObjectionParams
from tests.subject_rights.conftest import PENALTIES, Rights

EVIDENCE = [{"name": "缴款凭证.pdf", "sha256": "AB" * 32, "description": "罚款缴纳凭证"}]


def test_filing_opens_an_objection_addressed_to_the_supplying_source(
    rights: Rights, penalty_id: str
) -> None:
    response = rights.object(penalty_id, field="fine_amount", evidence=EVIDENCE)
    assert response.status_code == 201, response.text
    objection = response.json()
    assert objection["state"] == "open" and objection["overdue"] is False
    assert (objection["source_id"], objection["record_version"]) == ("src-ndrc", 1)
    assert objection["evidence"][0]["sha256"] == "ab" * 32
    assert objection["deadline"] == "2026-12-17T09:00:00Z"  # 20 days, from policy data
    mine = rights.enterprise.get("/v1/me/objections").json()
    assert [o["id"] for o in mine] == [objection["id"]]
    assert [o["id"] for o in rights.ndrc.get("/v1/objections").json()] == [objection["id"]]
    assert [o["id"] for o in rights.operator.get("/v1/objections").json()] == [objection["id"]]
    assert rights.regulator.get("/v1/objections").json() == []  # not its record
    assert rights.ndrc.get(f"/v1/objections/{objection['id']}").status_code == 200
    assert rights.regulator.get(f"/v1/objections/{objection['id']}").status_code == 404


def test_an_objection_marks_the_record_disputed_for_every_reader_until_rejected(
    rights: Rights, penalty_id: str
) -> None:
    assert rights.shown(PENALTIES)[penalty_id]["disputed"] is False
    objection = rights.object(penalty_id).json()
    for reader in (rights.bank, rights.insurer, rights.enterprise):
        assert rights.shown(PENALTIES, reader)[penalty_id]["disputed"] is True
    licence = rights.shown("business_licence")
    assert not any(r["disputed"] for r in licence.values())  # only the objected record
    rights.ndrc.post(f"/v1/objections/{objection['id']}/review")
    assert rights.shown(PENALTIES, rights.insurer)[penalty_id]["disputed"] is True
    response = rights.ndrc.post(
        f"/v1/objections/{objection['id']}/reject", json={"reason": "处罚决定书载明金额无误"}
    )
    assert response.status_code == 200, response.text
    assert (response.json()["state"], response.json()["resolution"]) == (
        "rejected",
        "处罚决定书载明金额无误",
    )
    for reader in (rights.bank, rights.insurer, rights.enterprise):
        assert rights.shown(PENALTIES, reader)[penalty_id]["disputed"] is False


def test_the_reply_deadline_is_policy_data(
    rights: Rights, penalty_id: str, services: Services
) -> None:
    services.policy_data = services.policy_data.model_copy(
        update={"objection": ObjectionParams(reply_deadline_days=5)}
    )
    objection = rights.object(penalty_id).json()
    assert objection["deadline"] == "2026-12-02T09:00:00Z"
    rights.enterprise.clock.advance(timedelta(days=5, seconds=1))
    assert rights.enterprise.get(f"/v1/objections/{objection['id']}").json()["overdue"] is True


def test_review_then_reject(rights: Rights, penalty_id: str) -> None:
    objection_id = rights.object(penalty_id).json()["id"]
    reviewed = rights.ndrc.post(f"/v1/objections/{objection_id}/review")
    assert reviewed.status_code == 200 and reviewed.json()["state"] == "under_review"
    again = rights.ndrc.post(f"/v1/objections/{objection_id}/review")
    assert again.status_code == 200 and len(again.json()["history"]) == 2  # nothing new
    rejected = rights.ndrc.post(f"/v1/objections/{objection_id}/reject", json={"reason": "无误"})
    assert rejected.json()["state"] == "rejected"
    assert [h["state"] for h in rejected.json()["history"]] == ["open", "under_review", "rejected"]
    late = rights.ndrc.post(f"/v1/objections/{objection_id}/reject", json={"reason": "无误"})
    assert late.status_code == 409
    assert rights.ndrc.post(f"/v1/objections/{objection_id}/review").status_code == 409


def test_a_corrected_record_from_the_source_resolves_the_objection(
    rights: Rights, penalty_id: str
) -> None:
    objection_id = rights.object(penalty_id).json()["id"]
    rights.ndrc.post(f"/v1/objections/{objection_id}/review")
    assert rights.penalty(fine_amount="500") == penalty_id  # same decision: a new version
    objection = rights.enterprise.get(f"/v1/objections/{objection_id}").json()
    assert (objection["state"], objection["corrected_version"]) == ("corrected", 2)
    assert objection["history"][-1]["by"] == "src-ndrc"
    record = rights.shown(PENALTIES)[penalty_id]
    assert (record["version"], record["fields"]["fine_amount"], record["disputed"]) == (
        2,
        "500.00",
        False,
    )
    response = rights.ndrc.post(f"/v1/objections/{objection_id}/reject", json={"reason": "x"})
    assert response.status_code == 409


def test_a_field_objection_stays_open_through_updates_of_other_fields(
    rights: Rights, penalty_id: str
) -> None:
    objection_id = rights.object(penalty_id, field="fine_amount").json()["id"]
    rights.penalty(violation_type="价格违法")
    objection = rights.enterprise.get(f"/v1/objections/{objection_id}").json()
    assert objection["state"] == "open"
    record = rights.shown(PENALTIES)[penalty_id]
    assert (record["version"], record["disputed"]) == (2, True)
    rights.penalty(violation_type="价格违法", fine_amount="500")
    objection = rights.enterprise.get(f"/v1/objections/{objection_id}").json()
    assert (objection["state"], objection["corrected_version"]) == ("corrected", 3)


def test_a_retraction_by_the_source_resolves_the_objection(rights: Rights, penalty_id: str) -> None:
    objection_id = rights.object(penalty_id).json()["id"]
    rights.push(rights.ndrc, PENALTIES, {"record_id": penalty_id}, retract=True)
    objection = rights.enterprise.get(f"/v1/objections/{objection_id}").json()
    assert (objection["state"], objection["corrected_version"]) == ("corrected", None)
    assert rights.log_of("objection.corrected")[0]["how"] == "retracted"


def test_an_unchanged_resend_resolves_nothing(rights: Rights, penalty_id: str) -> None:
    objection_id = rights.object(penalty_id).json()["id"]
    rights.penalty()  # the same content again: outcome "unchanged", no new version
    assert rights.enterprise.get(f"/v1/objections/{objection_id}").json()["state"] == "open"


def test_overdue_once_the_deadline_passes_unanswered(rights: Rights, penalty_id: str) -> None:
    open_id = rights.object(penalty_id, field="fine_amount").json()["id"]
    reviewed_id = rights.object(penalty_id, field="decision_date").json()["id"]
    answered_id = rights.object(penalty_id).json()["id"]
    rights.ndrc.post(f"/v1/objections/{reviewed_id}/review")
    rights.ndrc.post(f"/v1/objections/{answered_id}/reject", json={"reason": "无误"})

    rights.enterprise.clock.advance(timedelta(days=20))  # exactly at the deadline: not late
    assert not any(o["overdue"] for o in rights.enterprise.get("/v1/me/objections").json())
    assert rights.ndrc.get("/v1/objections", params={"overdue": "true"}).json() == []

    rights.enterprise.clock.advance(timedelta(seconds=1))
    overdue = {o["id"]: o["overdue"] for o in rights.enterprise.get("/v1/me/objections").json()}
    assert overdue == {open_id: True, reviewed_id: True, answered_id: False}
    late = rights.ndrc.get("/v1/objections", params={"overdue": "true"}).json()
    assert {o["id"] for o in late} == {open_id, reviewed_id}
    on_time = rights.operator.get("/v1/objections", params={"overdue": "false"}).json()
    assert [o["id"] for o in on_time] == [answered_id]
    assert rights.shown(PENALTIES)[penalty_id]["disputed"] is True  # late, still disputed

    rights.penalty(fine_amount="500", decision_date="2025-03-12")  # a late answer still counts
    states = {
        o["id"]: (o["state"], o["overdue"])
        for o in rights.enterprise.get("/v1/me/objections").json()
    }
    assert states[open_id] == ("corrected", False) and states[reviewed_id] == ("corrected", False)


def test_lists_filter_by_state(rights: Rights, penalty_id: str) -> None:
    first = rights.object(penalty_id, field="fine_amount").json()["id"]
    second = rights.object(penalty_id).json()["id"]
    rights.ndrc.post(f"/v1/objections/{second}/review")
    by_state = rights.ndrc.get("/v1/objections", params={"state": "under_review"}).json()
    assert [o["id"] for o in by_state] == [second]
    mine = rights.enterprise.get("/v1/me/objections", params={"state": ["open"]}).json()
    assert [o["id"] for o in mine] == [first]


def test_one_standing_objection_per_record_and_field(rights: Rights, penalty_id: str) -> None:
    first = rights.object(penalty_id, field="fine_amount").json()
    duplicate = rights.object(penalty_id, field="fine_amount")
    assert duplicate.status_code == 409
    assert duplicate.json()["objection_id"] == first["id"]
    assert rights.object(penalty_id).status_code == 201  # the record as a whole is another
    rights.ndrc.post(f"/v1/objections/{first['id']}/reject", json={"reason": "无误"})
    assert rights.object(penalty_id, field="fine_amount").status_code == 201  # may object again


def test_what_cannot_be_objected_to(rights: Rights, penalty_id: str, make_actor: object) -> None:
    from gateway.principals.models import Role

    problems = {
        "unknown dataset": rights.object(penalty_id, dataset="horoscopes"),
        "live dataset": rights.object("live:tax_payments:0", dataset="tax_payments"),
        "unknown field": rights.object(penalty_id, field="shoe_size"),
        "bad evidence": rights.object(penalty_id, evidence=[{"name": "x", "sha256": "00"}]),
        "empty reason": rights.object(penalty_id, reason=""),
    }
    for name, response in problems.items():
        assert response.status_code == 422, name
    assert rights.object("no-such-record").status_code == 404
    other = make_actor(Role.enterprise)  # type: ignore[operator]
    response = other.post(
        "/v1/me/objections",
        json={"dataset": PENALTIES, "record_id": penalty_id, "reason": "不是我的"},
    )
    assert response.status_code == 404  # someone else's record looks like no record
    body = {"dataset": PENALTIES, "record_id": penalty_id, "reason": "银行代为申诉"}
    assert rights.bank.post("/v1/me/objections", json=body).status_code == 403


def test_only_the_supplying_source_answers(rights: Rights, penalty_id: str) -> None:
    objection_id = rights.object(penalty_id).json()["id"]
    assert rights.regulator.post(f"/v1/objections/{objection_id}/review").status_code == 404
    assert rights.operator.post(f"/v1/objections/{objection_id}/review").status_code == 403
    assert rights.enterprise.post(f"/v1/objections/{objection_id}/review").status_code == 403
    assert rights.bank.get("/v1/objections").status_code == 403
    assert rights.bank.get(f"/v1/objections/{objection_id}").status_code == 404
    assert rights.enterprise.get("/v1/objections").status_code == 403


def test_every_state_change_is_in_the_enterprise_log_and_verifies(
    rights: Rights, penalty_id: str
) -> None:
    rejected = rights.object(penalty_id, field="fine_amount", evidence=EVIDENCE).json()["id"]
    corrected = rights.object(penalty_id).json()["id"]
    rights.ndrc.post(f"/v1/objections/{rejected}/review")
    rights.ndrc.post(f"/v1/objections/{rejected}/reject", json={"reason": "罚款5000元无误"})
    rights.penalty(fine_amount="4000")
    entries = rights.log_of("objection.")  # verified: signature, inclusion, subject chain
    assert [(e["type"], e["objection_id"]) for e in entries] == [
        ("objection.filed", rejected),
        ("objection.filed", corrected),
        ("objection.under_review", rejected),
        ("objection.rejected", rejected),
        ("objection.corrected", corrected),
    ]
    assert entries[0]["evidence_sha256"] == ["ab" * 32]
    assert {e["by"] for e in entries[2:4]} == {"src-ndrc"}
    assert entries[4]["corrected_version"] == 2 and entries[4]["how"] == "replaced"
    history = rights.enterprise.get(f"/v1/objections/{rejected}").json()["history"]
    indices = {e["ledger_index"] for e in history}
    page = rights.enterprise.get("/v1/me/access-log", params={"limit": 500}).json()
    assert indices <= {item["index"] for item in page["entries"]}
    text = str(entries)
    for value in ("5000", "4000", "金额有误", "罚款5000元无误", "缴款凭证", "李娜"):
        assert value not in text  # names and ids, never values or free text


def test_filing_again_under_the_same_idempotency_key_replays_the_first_reply(
    rights: Rights, penalty_id: str
) -> None:
    key = {"Idempotency-Key": "file-1"}
    first = rights.object(penalty_id, evidence=EVIDENCE, headers=key)
    again = rights.object(penalty_id, evidence=EVIDENCE, headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    mine = rights.enterprise.get("/v1/me/objections").json()
    assert [o["id"] for o in mine] == [first.json()["id"]]
    assert len(rights.log_of("objection.filed")) == 1


def test_an_idempotency_key_reused_for_another_objection_is_a_conflict(
    rights: Rights, penalty_id: str
) -> None:
    key = {"Idempotency-Key": "file-2"}
    first = rights.object(penalty_id, field="fine_amount", headers=key)
    assert first.status_code == 201, first.text
    other = rights.object(penalty_id, headers=key)  # would be filed without the key
    assert other.status_code == 409, other.text
    assert "Idempotency-Key" in other.json()["detail"]
    mine = rights.enterprise.get("/v1/me/objections").json()
    assert [o["id"] for o in mine] == [first.json()["id"]]
    assert rights.object(penalty_id, headers={"Idempotency-Key": "file-3"}).status_code == 201
