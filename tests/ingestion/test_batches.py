"""Sources push batches: validated per record, versioned, idempotent, atomic."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from gateway import uscc
from gateway.bootstrap import Services
from gateway.principals.models import Role
from gateway.records.models import Batch, DatasetRecord, Enterprise
from tests.support.actors import Actor

RNG = random.Random(2022)
ACME = uscc.generate(RNG)
BETA = uscc.generate(RNG)


def licence(code: str = ACME, **changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "enterprise_name": "本溪市测试钢铁有限公司",
        "uscc": code,
        "legal_representative": "王伟",
        "established_date": "2012-03-15",
        "registration_status": "存续",
        "registered_capital": "5000000",
    }
    fields.update(changes)
    return {"fields": fields}


def penalty(doc_no: str, code: str = ACME, **changes: Any) -> dict[str, Any]:
    fields = {
        "enterprise_name": "本溪市测试钢铁有限公司",
        "uscc": code,
        "decision_doc_no": doc_no,
        "decision_date": "2024-05-01",
        "fine_amount": "20000.00",
        "legal_rep_id_no": "210502198001011234",
    }
    fields.update(changes)
    return {"fields": fields}


@pytest.fixture
def regulator(make_actor: Callable[..., Actor]) -> Actor:
    return make_actor(Role.source, "src-market-regulator")


def push(
    actor: Actor, dataset: str, batch_id: str, records: list[dict[str, Any]], **extra: Any
) -> Any:
    return actor.post(
        f"/v1/datasets/{dataset}/batches", json={"batch_id": batch_id, "records": records, **extra}
    )


def current(services: Services, dataset: str) -> list[DatasetRecord]:
    with Session(services.engine) as session:
        return list(
            session.exec(
                select(DatasetRecord).where(
                    DatasetRecord.dataset == dataset, col(DatasetRecord.superseded_at).is_(None)
                )
            )
        )


def test_valid_batch_is_stored(regulator: Actor, services: Services) -> None:
    response = push(regulator, "business_licence", "b1", [licence(ACME), licence(BETA)])
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (2, 0)
    assert response.headers["Idempotent-Replay"] == "false"
    stored = {r.uscc: r for r in current(services, "business_licence")}
    assert set(stored) == {ACME, BETA}
    assert stored[ACME].fields["registered_capital"] == "5000000.00"  # canonical money
    assert stored[ACME].record_id == ACME
    with Session(services.engine) as session:
        assert session.get(Enterprise, ACME).name == "本溪市测试钢铁有限公司"  # type: ignore[union-attr]


def test_invalid_records_are_rejected_with_field_level_reasons(
    regulator: Actor, services: Services
) -> None:
    bad_capital = licence(BETA, registered_capital="lots")
    bad_code = licence(ACME[:-1] + ("0" if ACME[-1] != "0" else "1"))
    unknown_field = licence(ACME, favourite_colour="blue")
    response = push(
        regulator, "business_licence", "b2", [bad_capital, bad_code, unknown_field, licence(ACME)]
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (1, 3)
    errors = {r["index"]: r["errors"] for r in body["records"] if r["outcome"] == "rejected"}
    assert errors[0] == [{"field": "registered_capital", "problem": "'lots' is not a number"}]
    assert errors[1][0]["field"] == "uscc" and "check character" in errors[1][0]["problem"]
    assert errors[2] == [
        {"field": "favourite_colour", "problem": "not a field of dataset business_licence"}
    ]
    assert [r.uscc for r in current(services, "business_licence")] == [ACME]


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"established_date": "2012-13-01"}, "established_date", "not a date"),
        ({"registration_status": "活着"}, "registration_status", "not one of"),
        ({"registered_capital": "10.001"}, "registered_capital", "2 decimal places"),
        ({"legal_representative": ""}, "legal_representative", "is required"),
        ({"registered_capital": True}, "registered_capital", "not a boolean"),
    ],
)
def test_each_type_is_checked(
    regulator: Actor, changes: dict[str, Any], field: str, fragment: str
) -> None:
    body = push(regulator, "business_licence", "b-types", [licence(ACME, **changes)]).json()
    [record] = body["records"]
    assert record["outcome"] == "rejected"
    assert record["errors"][0]["field"] == field and fragment in record["errors"][0]["problem"]


def test_replayed_batch_changes_nothing_and_answers_the_same(
    regulator: Actor, services: Services
) -> None:
    first = push(
        regulator, "business_licence", "b3", [licence(ACME), licence(BETA, registered_capital="x")]
    )
    second = push(
        regulator, "business_licence", "b3", [licence(ACME), licence(BETA, registered_capital="x")]
    )
    assert second.status_code == 200
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replay"] == "true"
    assert len(current(services, "business_licence")) == 1
    with Session(services.engine) as session:
        assert len(list(session.exec(select(Batch)))) == 1


def test_batch_id_reused_for_other_content_is_409(regulator: Actor) -> None:
    assert push(regulator, "business_licence", "b4", [licence(ACME)]).status_code == 200
    response = push(regulator, "business_licence", "b4", [licence(BETA)])
    assert response.status_code == 409
    assert "different content" in response.json()["detail"]


def test_update_supersedes_without_destroying(
    regulator: Actor, services: Services, clock: Any
) -> None:
    push(regulator, "business_licence", "v1", [licence(ACME)])
    clock.advance(timedelta(days=1))
    body = push(
        regulator, "business_licence", "v2", [licence(ACME, registered_capital="8000000")]
    ).json()
    assert body["records"][0]["outcome"] == "superseded" and body["records"][0]["version"] == 2
    body = push(
        regulator, "business_licence", "v3", [licence(ACME, registered_capital="8000000")]
    ).json()
    assert body["records"][0]["outcome"] == "unchanged"
    with Session(services.engine) as session:
        history = list(session.exec(select(DatasetRecord).order_by(col(DatasetRecord.version))))
    assert [h.version for h in history] == [1, 2]
    assert history[0].superseded_at is not None and history[0].end_reason == "replaced"
    assert history[0].fields["registered_capital"] == "5000000.00"
    assert history[1].superseded_at is None


def test_multi_row_datasets_keep_one_row_per_record(
    make_actor: Callable[..., Actor], services: Services
) -> None:
    ndrc = make_actor(Role.source, "src-ndrc")
    body = push(
        ndrc,
        "administrative_penalties",
        "p1",
        [penalty("本环罚〔2024〕1号"), penalty("本环罚〔2024〕2号")],
    ).json()
    assert body["accepted"] == 2
    ids = {r["record_id"] for r in body["records"]}
    assert len(ids) == 2 and all(i.startswith(ACME + ":") for i in ids)
    again = push(
        ndrc, "administrative_penalties", "p2", [penalty("本环罚〔2024〕2号", fine_amount="30000")]
    ).json()
    assert again["records"][0]["outcome"] == "superseded"
    assert again["records"][0]["record_id"] in ids
    assert len(current(services, "administrative_penalties")) == 2


def test_source_may_retract_a_record(make_actor: Callable[..., Actor], services: Services) -> None:
    ndrc = make_actor(Role.source, "src-ndrc")
    body = push(ndrc, "administrative_penalties", "p1", [penalty("本环罚〔2024〕9号")]).json()
    record_id = body["records"][0]["record_id"]
    body = push(
        ndrc, "administrative_penalties", "p2", [{"record_id": record_id, "retract": True}]
    ).json()
    assert body["records"][0]["outcome"] == "retracted"
    assert current(services, "administrative_penalties") == []
    body = push(
        ndrc, "administrative_penalties", "p3", [{"record_id": record_id, "retract": True}]
    ).json()
    assert body["records"][0]["outcome"] == "rejected"


def test_duplicate_record_in_one_batch_is_rejected(regulator: Actor) -> None:
    body = push(
        regulator, "business_licence", "dup", [licence(ACME), licence(ACME, registered_capital="1")]
    ).json()
    assert [r["outcome"] for r in body["records"]] == ["created", "rejected"]
    assert "twice" in body["records"][1]["errors"][0]["problem"]


def test_all_or_nothing_batch_with_a_bad_record_stores_nothing(
    regulator: Actor, services: Services
) -> None:
    response = push(
        regulator,
        "business_licence",
        "aon",
        [licence(ACME), licence(BETA, established_date="x")],
        mode="all_or_nothing",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["index"] == 1
    assert current(services, "business_licence") == []
    # the batch id was not consumed: the corrected batch goes through under it
    fixed = push(
        regulator, "business_licence", "aon", [licence(ACME), licence(BETA)], mode="all_or_nothing"
    )
    assert fixed.json()["accepted"] == 2


def test_a_batch_that_fails_midway_leaves_nothing_half_written(
    regulator: Actor, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gateway.records import repository

    calls = {"n": 0}
    real = repository.upsert_enterprises

    def failing(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        real(*args, **kwargs)
        raise RuntimeError("disk gone")

    monkeypatch.setattr(repository, "upsert_enterprises", failing)
    with pytest.raises(RuntimeError):
        push(regulator, "business_licence", "mid", [licence(ACME), licence(BETA)])
    assert calls["n"] == 1
    assert current(services, "business_licence") == []
    with Session(services.engine) as session:
        assert list(session.exec(select(Batch))) == []
        assert list(session.exec(select(Enterprise))) == []


def test_only_the_datasets_source_may_push(make_actor: Callable[..., Actor]) -> None:
    water = make_actor(Role.source, "src-water")
    response = push(water, "business_licence", "x", [licence(ACME)])
    assert response.status_code == 403
    bank = make_actor(Role.institution)
    assert push(bank, "business_licence", "x", [licence(ACME)]).status_code == 403


def test_operators_key_in_back_office_datasets_only(make_actor: Callable[..., Actor]) -> None:
    operator = make_actor(Role.operator)
    assert push(operator, "administrative_penalties", "o1", [penalty("本罚1")]).status_code == 200
    assert push(operator, "business_licence", "o2", [licence(ACME)]).status_code == 403


def test_live_datasets_are_not_stored(make_actor: Callable[..., Actor]) -> None:
    tax = make_actor(Role.source, "src-tax-bureau")
    response = push(tax, "tax_payments", "t1", [{"fields": {"uscc": ACME}}])
    assert response.status_code == 409
    assert "served live" in response.json()["detail"]


def test_unknown_dataset_is_404(regulator: Actor) -> None:
    assert push(regulator, "horoscopes", "x", [licence(ACME)]).status_code == 404


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"batch_id": "has space", "records": [{"fields": {}}]}, "body.batch_id"),
        ({"batch_id": "ok", "records": []}, "body.records"),
        ({"records": [{"fields": {}}]}, "body.batch_id"),
        ({"batch_id": "ok", "records": [{"fields": {}, "colour": 1}]}, "body.records.0.colour"),
    ],
)
def test_malformed_batches_are_422_naming_the_part(
    regulator: Actor, body: dict[str, Any], location: str
) -> None:
    response = regulator.post("/v1/datasets/business_licence/batches", json=body)
    assert response.status_code == 422
    assert location in [p["field"] for p in response.json()["errors"]]
