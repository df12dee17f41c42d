"""Backflow (总对总): the province's records go through ingestion, stored once, both provenances."""

from __future__ import annotations

from typing import Any

from gateway.catalog.loader import load_catalog
from gateway.ingestion.service import record_identity
from gateway.ingestion.validation import validate_record
from gateway.records.digest import record_digest, set_digest
from tests.support.actors import Actor
from tests.support.world import World

PENALTIES = "administrative_penalties"


def _push(province: Actor, batch_id: str, records: list[dict[str, Any]]) -> Any:
    return province.post(
        f"/v1/exchange/backflow/{PENALTIES}/batches",
        json={"batch_id": batch_id, "records": [{"fields": r} for r in records]},
    )


def _digest_of(records: list[dict[str, Any]]) -> str:
    """What a source computes from its own copy (the reconciliation digest)."""
    dataset = load_catalog().dataset(PENALTIES)
    assert dataset is not None
    digests = []
    for fields in records:
        clean, problems = validate_record(dataset, fields)
        assert not problems
        record_id = record_identity(dataset, clean, None)
        digests.append(record_digest(PENALTIES, record_id, clean))
    return set_digest(digests)


def test_same_record_from_province_and_city_is_stored_once_with_both_provenances(
    world: World, province: Actor, make_actor: Any
) -> None:
    city = world.records[PENALTIES]
    own = dict(city, decision_doc_no="辽市监罚〔2025〕3号", fine_amount="800")
    response = _push(province, "prov-1", [city, own])
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["unchanged"], result["accepted"]) == (1, 1)
    shared_id = result["records"][0]["record_id"]

    operator = make_actor("operator", "op-recon")
    recon = operator.get(f"/v1/datasets/{PENALTIES}/reconciliation").json()
    assert recon["current_records"] == 2  # the shared record is stored once

    shown = world.enterprise.get(f"/v1/exchange/provenance/{PENALTIES}/records/{shared_id}")
    assert shown.json()["provenance"] == ["prov-liaoning", "src-ndrc"]

    by_source = operator.get(f"/v1/exchange/provenance/{PENALTIES}/reconciliation").json()
    sources = {s["source_id"]: s for s in by_source["sources"]}
    assert sources["src-ndrc"]["current_records"] == 1
    assert sources["src-ndrc"]["digest"] == _digest_of([city])
    assert sources["prov-liaoning"]["current_records"] == 2
    assert sources["prov-liaoning"]["digest"] == _digest_of([city, own])
    assert by_source["digest"] == recon["digest"]

    # the province sees its own figures only
    mine = province.get(f"/v1/exchange/provenance/{PENALTIES}/reconciliation").json()
    assert [s["source_id"] for s in mine["sources"]] == ["prov-liaoning"]


def test_provenance_is_shown_on_report_records(world: World, province: Actor) -> None:
    assert _push(province, "prov-2", [world.records[PENALTIES]]).status_code == 200
    council_report = world.enterprise.post("/v1/me/credit-reports", json={"purpose": "bidding"})
    sections = council_report.json()["document"]["sections"]
    penalties = next(s for s in sections if s["section"] == "penalties")["datasets"][0]
    assert penalties["records"][0]["provenance"] == ["prov-liaoning", "src-ndrc"]


def test_province_may_push_back_only_the_datasets_marked_for_backflow(
    world: World, province: Actor
) -> None:
    response = province.post(
        "/v1/exchange/backflow/business_licence/batches",
        json={"batch_id": "prov-3", "records": [{"fields": world.records["business_licence"]}]},
    )
    assert response.status_code == 403


def test_a_replayed_province_batch_changes_nothing(world: World, province: Actor) -> None:
    first = _push(province, "prov-4", [world.records[PENALTIES]])
    again = _push(province, "prov-4", [world.records[PENALTIES]])
    assert again.headers["Idempotent-Replay"] == "true"
    assert again.json() == first.json()
