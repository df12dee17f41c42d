"""A yes/no answer must not reveal what institutions may no longer see: repaired penalties and
penalties past their publication window."""

from __future__ import annotations

from typing import Any

from gateway.principals.models import Role
from tests.support.world import ENTERPRISE, NAME, World


def _penalties(
    world: World, make_actor: Any, *records: dict[str, Any], retract: str | None = None
) -> list[str]:
    ndrc = world.sources["src-ndrc"]
    items: list[dict[str, Any]] = [
        {"fields": {"enterprise_name": NAME, "uscc": ENTERPRISE, **r}} for r in records
    ]
    if retract:
        items.append({"record_id": retract, "retract": True})
    response = ndrc.post(
        "/v1/datasets/administrative_penalties/batches",
        json={"batch_id": f"p-{len(items)}-{retract}", "records": items},
    )
    assert response.status_code == 200, response.text
    return [r["record_id"] for r in response.json()["records"]]


def _no_penalty_since(world: World, since: str) -> Any:
    response = world.bank.post(
        f"/v1/enterprises/{ENTERPRISE}/verifications",
        json={
            "purpose": "loan_underwriting",
            "checks": [{"predicate": "no_administrative_penalty_since", "args": {"since": since}}],
        },
    )
    assert response.status_code == 200, response.text
    return response.json()["results"][0]["holds"]


def _seeded_penalty_id(world: World) -> str:
    report = world.enterprise.get("/v1/me/report").json()
    [dataset] = [d for d in report["datasets"] if d["dataset"] == "administrative_penalties"]
    return str(dataset["records"][0]["record_id"])


def test_a_penalty_past_its_publication_window_is_not_counted(
    world: World, make_actor: Any
) -> None:
    seeded = _seeded_penalty_id(world)
    _penalties(
        world,
        make_actor,
        {"decision_doc_no": "本罚〔2023〕1号", "decision_date": "2023-01-01"},
        retract=seeded,
    )
    assert _no_penalty_since(world, "2022-06-01") is True  # shown at most 3 years
    _penalties(
        world, make_actor, {"decision_doc_no": "本罚〔2024〕2号", "decision_date": "2024-06-01"}
    )
    assert _no_penalty_since(world, "2022-06-01") is False


def test_a_repaired_penalty_is_not_counted(world: World, make_actor: Any) -> None:
    seeded = _seeded_penalty_id(world)
    assert _no_penalty_since(world, "2024-01-01") is False
    applied = world.enterprise.post(
        "/v1/me/repairs",
        json={
            "dataset": "administrative_penalties",
            "record_id": seeded,
            "reason": "fine paid, rectified",
        },
    )
    assert applied.status_code == 201, applied.text
    operator = make_actor(Role.operator)
    approved = operator.post(f"/v1/repairs/{applied.json()['id']}/approve")
    assert approved.status_code == 200, approved.text
    assert _no_penalty_since(world, "2024-01-02") is True


def test_a_penalty_past_its_own_publication_deadline_is_not_counted(
    world: World, make_actor: Any
) -> None:
    seeded = _seeded_penalty_id(world)
    today = world.bank.clock.now().date()
    recent = today.fromordinal(today.toordinal() - 365).isoformat()
    yesterday = (today.fromordinal(today.toordinal() - 1)).isoformat()
    _penalties(
        world,
        make_actor,
        {
            "decision_doc_no": "本罚〔近〕1号",
            "decision_date": recent,
            "publication_deadline": yesterday,  # its authority ended publication yesterday
        },
        retract=seeded,
    )
    assert _no_penalty_since(world, "2000-01-01") is True
    mine = world.enterprise.get("/v1/me/report").json()  # the enterprise still sees its own
    [penalties] = [d for d in mine["datasets"] if d["dataset"] == "administrative_penalties"]
    assert [r["fields"]["decision_doc_no"] for r in penalties["records"]] == ["本罚〔近〕1号"]
    shown = world.report().json()  # institutions do not
    [seen] = [d for d in shown["datasets"] if d["dataset"] == "administrative_penalties"]
    assert seen["records"] == []
