"""The provincial feed: ordered, resumable, signed, logged, and only what may leave."""

from __future__ import annotations

import random
from typing import Any

from gateway import uscc
from gateway.catalog.loader import load_catalog
from ledger.verify import parse_verifier_keys
from tests.exchange.consumer import Consumer, _empty
from tests.support.actors import Actor
from tests.support.world import World


def _follow(province: Actor, consumer: Consumer, limit: int = 2) -> int:
    batches = 0
    while True:
        answer = province.get(
            "/v1/exchange/feed", params={"after": consumer.cursor, "limit": limit}
        )
        assert answer.status_code == 200, answer.text
        if not consumer.apply(answer.json()):
            return batches
        batches += 1


def _platform(province: Actor) -> dict[str, Any]:
    datasets: dict[str, Any] = province.get("/v1/exchange/feed/digests").json()["datasets"]
    return datasets


def _penalty(code: str, doc_no: str) -> dict[str, Any]:
    return {
        "enterprise_name": "本溪测试有限公司",
        "uscc": code,
        "decision_doc_no": doc_no,
        "decision_date": "2025-05-01",
        "fine_amount": "100",
        "legal_rep_id_no": "210502198001011236",
    }


def _more_penalties(world: World, n: int, batch_id: str) -> None:
    ndrc = world.sources["src-ndrc"]
    rng = random.Random(batch_id)
    records = [{"fields": _penalty(uscc.generate(rng), f"罚〔2025〕{i}号")} for i in range(n)]
    response = ndrc.post(
        "/v1/datasets/administrative_penalties/batches",
        json={"batch_id": batch_id, "records": records},
    )
    assert response.status_code == 200, response.text


def test_consumer_ends_with_the_platforms_digest_and_never_a_withheld_field(
    world: World, province: Actor, verifier_key: str
) -> None:
    _more_penalties(world, 5, "more-1")
    consumer = Consumer(parse_verifier_keys([verifier_key]))
    assert _follow(province, consumer) >= 3
    platform = _platform(province)
    assert set(platform) >= {"business_licence", "administrative_penalties"}
    assert "real_estate" not in platform  # every field of it is authorized: nothing leaves
    for dataset, expected in platform.items():
        assert consumer.digests().get(dataset, _empty()) == expected
    fed = {r["dataset"] for b in consumer.batches for r in b["records"]}
    assert "housing_fund" not in fed and "annual_reports" not in fed  # not pushed datasets
    withheld = {(w["dataset"], w["class"]) for w in consumer.batches[0]["withheld"]}
    assert ("administrative_penalties", "verify_only") in withheld


def test_changes_and_retractions_follow_incrementally(
    world: World, province: Actor, verifier_key: str
) -> None:
    consumer = Consumer(parse_verifier_keys([verifier_key]))
    _follow(province, consumer, limit=50)
    assert _follow(province, consumer) == 0  # nothing new: no batch, no cursor move
    ndrc = world.sources["src-ndrc"]
    penalty = dict(world.records["administrative_penalties"], fine_amount="6000")
    assert (
        ndrc.post(
            "/v1/datasets/administrative_penalties/batches",
            json={"batch_id": "update-1", "records": [{"fields": penalty}]},
        ).status_code
        == 200
    )
    assert _follow(province, consumer) == 1
    assert consumer.batches[-1]["records"][0]["fields"]["fine_amount"] == "6000.00"
    record_id = consumer.batches[-1]["records"][0]["record_id"]
    assert (
        ndrc.post(
            "/v1/datasets/administrative_penalties/batches",
            json={"batch_id": "retract-1", "records": [{"record_id": record_id, "retract": True}]},
        ).status_code
        == 200
    )
    assert _follow(province, consumer) == 1
    assert consumer.batches[-1]["records"][0]["op"] == "delete"
    for dataset, expected in _platform(province).items():
        assert consumer.digests().get(dataset, _empty()) == expected


def test_asking_again_answers_the_same_batch_and_every_batch_is_logged(
    world: World, province: Actor, services: Any
) -> None:
    first = province.get("/v1/exchange/feed", params={"after": 0, "limit": 1}).json()
    again = province.get("/v1/exchange/feed", params={"after": 0, "limit": 1}).json()
    assert first == again
    entry = services.ledger.entry(first["ledger_index"]).entry["payload"]
    assert entry["type"] == "exchange.feed_batch"
    assert entry["cursor"] == 1 and entry["batch_digest"] == first["batch"]["batch_digest"]


def test_unknown_cursor_and_other_callers_are_refused(world: World, province: Actor) -> None:
    assert province.get("/v1/exchange/feed", params={"after": 99}).status_code == 422
    assert world.bank.get("/v1/exchange/feed").status_code == 403


def test_every_dataset_the_list_shares_with_the_province_is_pushed() -> None:
    from gateway.policy.data import load_policy_data

    marked = {d.id for d in load_catalog().datasets if "共享至省平台" in d.sharing_method_zh}
    pushed = load_policy_data().purposes["provincial_sharing"].datasets or ()
    assert marked and marked <= set(pushed)
