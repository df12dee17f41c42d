"""A correction and an answer racing for the same objection: one wins, the other sees it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from gateway.subject_rights import objections, repository
from tests.subject_rights.conftest import Rights


def _answer_during_a_correction(
    rights: Rights,
    penalty_id: str,
    monkeypatch: pytest.MonkeyPatch,
    answer: Callable[[str], Any],
) -> Any:
    """File an objection, start a correction of its record and hold it once it has taken the
    objection; meanwhile ``answer(objection_id)``, which must wait for the correction; return
    the answer's response."""
    objection_id = rights.object(penalty_id).json()["id"]
    entered, release = threading.Event(), threading.Event()
    real = repository.active_objections_on

    def gated(*args: Any, **kwargs: Any) -> Sequence[Any]:
        rows = real(*args, **kwargs)  # the objection is locked from here on
        entered.set()
        assert release.wait(10)
        return rows

    monkeypatch.setattr(repository, "active_objections_on", gated)
    with ThreadPoolExecutor(2) as pool:
        correction = pool.submit(rights.penalty, fine_amount="500")
        assert entered.wait(10)
        answered = pool.submit(answer, objection_id)
        threading.Event().wait(0.5)
        assert not answered.done()  # the answer waits for the correction in flight
        release.set()
        assert correction.result(10) == penalty_id
        response = answered.result(10)
    objection = rights.enterprise.get(f"/v1/objections/{objection_id}").json()
    assert objection["state"] == "corrected"
    ends = [e["type"] for e in rights.log_of("objection.") if e["type"] != "objection.filed"]
    assert ends == ["objection.corrected"]
    return response


def test_a_reject_waits_for_a_correction_that_already_took_the_objection(
    rights: Rights, penalty_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    response = _answer_during_a_correction(
        rights,
        penalty_id,
        monkeypatch,
        lambda objection: rights.ndrc.post(
            f"/v1/objections/{objection}/reject", json={"reason": "无误"}
        ),
    )
    assert response.status_code == 409


def test_a_correction_after_an_acknowledged_reject_leaves_it_rejected(
    rights: Rights, penalty_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    objection_id = rights.object(penalty_id).json()["id"]
    entered, release = threading.Event(), threading.Event()
    real = objections.transition

    def gated(*args: Any, **kwargs: Any) -> None:
        entered.set()  # the objection is locked, the answer not yet recorded
        assert release.wait(10)
        real(*args, **kwargs)

    monkeypatch.setattr(objections, "transition", gated)
    with ThreadPoolExecutor(2) as pool:
        reject = pool.submit(
            rights.ndrc.post, f"/v1/objections/{objection_id}/reject", json={"reason": "无误"}
        )
        assert entered.wait(10)
        correction = pool.submit(rights.penalty, fine_amount="500")
        threading.Event().wait(0.5)
        assert not correction.done()
        release.set()
        assert reject.result(10).status_code == 200
        assert correction.result(10) == penalty_id
    objection = rights.enterprise.get(f"/v1/objections/{objection_id}").json()
    assert objection["state"] == "rejected"
    ends = [e["type"] for e in rights.log_of("objection.") if e["type"] != "objection.filed"]
    assert ends == ["objection.rejected"]


def test_a_withdrawal_waits_for_a_correction_that_already_took_the_objection(
    rights: Rights, penalty_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    response = _answer_during_a_correction(
        rights,
        penalty_id,
        monkeypatch,
        lambda objection: rights.enterprise.post(f"/v1/me/objections/{objection}/withdraw"),
    )
    assert response.status_code == 409
    assert response.json()["state"] == "corrected"
