"""Reconciliation gives a source figures it can recompute from its own copy."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from gateway.catalog import load_catalog
from gateway.clock import SettableClock
from gateway.ingestion.service import record_identity
from gateway.ingestion.validation import validate_record
from gateway.principals.models import Role
from gateway.records.digest import record_digest, set_digest
from tests.ingestion.test_batches import ACME, BETA, licence, push
from tests.support.actors import Actor


@pytest.fixture
def regulator(make_actor: Callable[..., Actor]) -> Actor:
    return make_actor(Role.source, "src-market-regulator")


def source_side_digest(records: list[dict[str, Any]]) -> str:
    """What a source computes from its own records, using only the documented recipe."""
    dataset = load_catalog().dataset("business_licence")
    assert dataset is not None
    digests = []
    for record in records:
        clean, problems = validate_record(dataset, record["fields"])
        assert not problems
        digests.append(record_digest(dataset.id, record_identity(dataset, clean, None), clean))
    return set_digest(digests)


def test_digest_matches_the_sources_own_and_ignores_order(regulator: Actor) -> None:
    records = [licence(ACME), licence(BETA, registered_capital="123.4")]
    push(regulator, "business_licence", "r1", records)
    report = regulator.get("/v1/datasets/business_licence/reconciliation").json()
    assert report["current_records"] == 2 and report["enterprises"] == 2
    assert report["digest"] == source_side_digest(records)
    assert report["digest"] == source_side_digest(list(reversed(records)))
    assert report["batches"][0]["batch_id"] == "r1"
    assert report["batches"][0]["current_records"] == 2


def test_digest_follows_updates_and_counts_per_batch(regulator: Actor) -> None:
    push(regulator, "business_licence", "r1", [licence(ACME), licence(BETA)])
    push(regulator, "business_licence", "r2", [licence(BETA, registered_capital="1")])
    report = regulator.get("/v1/datasets/business_licence/reconciliation").json()
    assert report["digest"] == source_side_digest(
        [licence(ACME), licence(BETA, registered_capital="1")]
    )
    per_batch = {b["batch_id"]: b["current_records"] for b in report["batches"]}
    assert per_batch == {"r1": 1, "r2": 1}


def test_record_digests_listing_lets_a_source_find_the_difference(regulator: Actor) -> None:
    push(regulator, "business_licence", "r1", [licence(ACME), licence(BETA)])
    report = regulator.get(
        "/v1/datasets/business_licence/reconciliation", params={"records": True}
    ).json()
    listed = dict(report["record_digests"])
    assert set(listed) == {ACME, BETA}
    assert report["next_after"] is None


def test_only_the_source_or_an_operator_reconciles(make_actor: Callable[..., Actor]) -> None:
    assert (
        make_actor(Role.source, "src-water")
        .get("/v1/datasets/business_licence/reconciliation")
        .status_code
        == 403
    )
    assert (
        make_actor(Role.operator).get("/v1/datasets/business_licence/reconciliation").status_code
        == 200
    )


def test_overdue_monthly_dataset_is_flagged(
    make_actor: Callable[..., Actor], clock: SettableClock
) -> None:
    housing = make_actor(Role.source, "src-housing-fund")
    fields = {
        "enterprise_name": "本溪市测试钢铁有限公司",
        "uscc": ACME,
        "avg_monthly_contributors_12m": 12,
    }
    status = housing.get("/v1/datasets/housing_fund/status").json()
    assert status["overdue"] is True and status["last_update"] is None
    assert push(housing, "housing_fund", "h1", [{"fields": fields}]).status_code == 200
    assert housing.get("/v1/datasets/housing_fund/status").json()["overdue"] is False
    clock.advance(timedelta(days=30))
    assert housing.get("/v1/datasets/housing_fund/status").json()["overdue"] is False
    clock.advance(timedelta(days=10))
    status = housing.get("/v1/datasets/housing_fund/status").json()
    assert status["overdue"] is True
    listing = {s["dataset"]: s for s in housing.get("/v1/datasets").json()}
    assert listing["housing_fund"]["overdue"] is True
    assert (
        listing["tax_payments"]["stored"] is False and listing["tax_payments"]["overdue"] is False
    )
