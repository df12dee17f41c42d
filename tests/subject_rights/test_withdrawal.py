"""The enterprise withdraws its own objection: from `open` or `under_review`, once, in the
ledger; the record stops being disputed and may be objected to again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from gateway.principals.models import Role
from tests.subject_rights.conftest import PENALTIES, Rights
from tests.support.actors import Actor


def withdraw(rights: Rights, objection_id: str, **headers: str) -> Any:
    return rights.enterprise.post(f"/v1/me/objections/{objection_id}/withdraw", headers=headers)


def test_the_enterprise_withdraws_an_open_objection(rights: Rights, penalty_id: str) -> None:
    objection_id = rights.object(penalty_id).json()["id"]
    response = withdraw(rights, objection_id)
    assert response.status_code == 200, response.text
    objection = response.json()
    assert (objection["state"], objection["overdue"]) == ("withdrawn", False)
    assert [(h["state"], h["by"]) for h in objection["history"]] == [
        ("open", rights.enterprise.id),
        ("withdrawn", rights.enterprise.id),
    ]
    [entry] = rights.log_of("objection.withdrawn")  # verified against a signed checkpoint
    assert (entry["objection_id"], entry["by"], entry["source"]) == (
        objection_id,
        rights.enterprise.id,
        "src-ndrc",
    )
    page = rights.enterprise.get("/v1/me/access-log", params={"limit": 500}).json()
    logged = {item["index"] for item in page["entries"]}
    assert objection["history"][-1]["ledger_index"] in logged
    stored = rights.ndrc.get(f"/v1/objections/{objection_id}").json()
    assert stored["state"] == "withdrawn"


def test_an_objection_under_review_can_be_withdrawn_and_is_no_longer_answerable(
    rights: Rights, penalty_id: str
) -> None:
    withdrawn_id = rights.object(penalty_id).json()["id"]
    standing_id = rights.object(penalty_id, field="fine_amount").json()["id"]
    rights.ndrc.post(f"/v1/objections/{withdrawn_id}/review")
    response = withdraw(rights, withdrawn_id)
    assert response.status_code == 200, response.text
    assert [h["state"] for h in response.json()["history"]] == [
        "open",
        "under_review",
        "withdrawn",
    ]
    review = rights.ndrc.post(f"/v1/objections/{withdrawn_id}/review")
    reject = rights.ndrc.post(f"/v1/objections/{withdrawn_id}/reject", json={"reason": "无误"})
    assert (review.status_code, reject.status_code) == (409, 409)
    assert "withdrawn" in reject.json()["detail"]

    rights.ndrc.clock.advance(timedelta(days=21))
    late = rights.ndrc.get("/v1/objections", params={"overdue": "true"}).json()
    assert [o["id"] for o in late] == [standing_id]
    assert rights.ndrc.get(f"/v1/objections/{withdrawn_id}").json()["overdue"] is False

    rights.penalty(fine_amount="500")  # a correction settles the standing one only
    states = {o["id"]: o["state"] for o in rights.enterprise.get("/v1/me/objections").json()}
    assert states == {withdrawn_id: "withdrawn", standing_id: "corrected"}


def test_withdrawing_twice_returns_the_same_objection_and_logs_once(
    rights: Rights, penalty_id: str
) -> None:
    objection_id = rights.object(penalty_id).json()["id"]
    first = withdraw(rights, objection_id)
    second = withdraw(rights, objection_id)
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json()["history"] == first.json()["history"]
    assert len(second.json()["history"]) == 2
    assert len(rights.log_of("objection.withdrawn")) == 1


def test_a_resolved_objection_cannot_be_withdrawn(rights: Rights, penalty_id: str) -> None:
    rejected_id = rights.object(penalty_id, field="fine_amount").json()["id"]
    corrected_id = rights.object(penalty_id).json()["id"]
    rights.ndrc.post(f"/v1/objections/{rejected_id}/reject", json={"reason": "无误"})
    rights.penalty(violation_type="价格违法")  # corrects the record-level one only

    for objection_id, state in ((rejected_id, "rejected"), (corrected_id, "corrected")):
        response = withdraw(rights, objection_id)
        assert response.status_code == 409, response.text
        assert state in response.json()["detail"]
        assert (response.json()["objection_id"], response.json()["state"]) == (objection_id, state)
        assert rights.enterprise.get(f"/v1/objections/{objection_id}").json()["state"] == state
    assert rights.log_of("objection.withdrawn") == []


def test_only_the_filing_enterprise_withdraws(
    rights: Rights, penalty_id: str, make_actor: Callable[..., Actor]
) -> None:
    objection_id = rights.object(penalty_id).json()["id"]
    url = f"/v1/me/objections/{objection_id}/withdraw"
    stranger = make_actor(Role.enterprise)
    assert stranger.post(url).status_code == 404  # someone else's looks like no objection
    assert withdraw(rights, "obj-0000000000000000").status_code == 404
    for caller in (rights.bank, rights.ndrc, rights.operator):
        assert caller.post(url).status_code == 403, caller.id
    assert rights.enterprise.get(f"/v1/objections/{objection_id}").json()["state"] == "open"
    assert rights.log_of("objection.withdrawn") == []


def test_after_withdrawal_the_record_is_undisputed_and_may_be_objected_to_again(
    rights: Rights, penalty_id: str
) -> None:
    first_id = rights.object(penalty_id, field="fine_amount").json()["id"]
    assert rights.shown(PENALTIES)[penalty_id]["disputed"] is True
    assert rights.object(penalty_id, field="fine_amount").status_code == 409
    withdraw(rights, first_id)
    for reader in (rights.bank, rights.insurer, rights.enterprise):
        assert rights.shown(PENALTIES, reader)[penalty_id]["disputed"] is False
    again = rights.object(penalty_id, field="fine_amount")
    assert again.status_code == 201, again.text
    assert again.json()["id"] != first_id
    assert rights.shown(PENALTIES)[penalty_id]["disputed"] is True


def test_withdraw_replays_its_reply_under_an_idempotency_key(
    rights: Rights, penalty_id: str
) -> None:
    first_id = rights.object(penalty_id, field="fine_amount").json()["id"]
    second_id = rights.object(penalty_id).json()["id"]
    first = withdraw(rights, first_id, **{"Idempotency-Key": "w-1"})
    again = withdraw(rights, first_id, **{"Idempotency-Key": "w-1"})
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json()
    other = withdraw(rights, second_id, **{"Idempotency-Key": "w-1"})  # another request
    assert other.status_code == 409, other.text
    assert rights.enterprise.get(f"/v1/objections/{second_id}").json()["state"] == "open"
    assert len(rights.log_of("objection.withdrawn")) == 1
