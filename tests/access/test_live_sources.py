"""Live interface calls carry the enterprise's authorization to the source (经企业授权)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest

from gateway import uscc
from gateway.access.live_sources import HttpLiveSources
from gateway.catalog import load_catalog
from gateway.sources.simulator import create_simulator_app, run_simulator_in_thread
from tests.support.world import ENTERPRISE, NAME, World, disclosed

RATING = {"enterprise_name": NAME, "uscc": ENTERPRISE, "rating_year": 2025, "tax_credit_grade": "A"}


def test_reports_forward_the_grant_relied_on(world: World) -> None:
    grant = world.grant(datasets=["tax_payments"])
    world.report()
    assert world.live.grants == [("tax_payments", grant["token"], False)]


def test_the_self_view_asks_as_the_subject(world: World) -> None:
    world.enterprise.get("/v1/me/report")
    assert ("tax_payments", None, True) in world.live.grants


def test_verifications_forward_the_verify_grant(world: World) -> None:
    grant = world.grant(modes=["verify"], datasets=["tax_payments"])
    world.bank.post(
        f"/v1/enterprises/{ENTERPRISE}/verifications",
        json={
            "purpose": "loan_underwriting",
            "checks": [{"predicate": "vat_paid_last_year_at_least", "args": {"amount": "1"}}],
        },
    )
    assert world.live.grants == [("tax_payments", grant["token"], False)]


@pytest.fixture
def tax_bureau() -> Iterator[HttpLiveSources]:
    app = create_simulator_app(
        {"tax_credit_rating": [RATING]}, authorized_datasets={"tax_credit_rating"}
    )
    base, stop = run_simulator_in_thread(app)
    sources = HttpLiveSources({}, base, timeout=2.0)
    yield sources
    sources.close()
    stop()


def test_the_authorized_interface_answers_only_under_the_enterprises_grant(
    world: World, tax_bureau: HttpLiveSources
) -> None:
    dataset = load_catalog().dataset("tax_credit_rating")
    assert dataset is not None
    refused = tax_bureau.fetch(dataset, ENTERPRISE)
    assert refused.records == [] and refused.error == "the source answered HTTP 403"
    grant: dict[str, Any] = world.grant(datasets=["tax_credit_rating"])
    answered = tax_bureau.fetch(dataset, ENTERPRISE, grant=grant["token"])
    assert answered.error is None and answered.records[0]["tax_credit_grade"] == "A"
    assert tax_bureau.fetch(dataset, ENTERPRISE, for_subject=True).records
    other = uscc.generate(random.Random(99))
    assert (
        tax_bureau.fetch(dataset, other, grant=grant["token"]).error
        == "the source answered HTTP 403"
    )


def test_end_to_end_report_through_the_simulated_tax_bureau(
    world: World, tax_bureau: HttpLiveSources, services: Any
) -> None:
    services.live_sources = tax_bureau
    world.grant(datasets=["tax_credit_rating"])
    report = world.report().json()
    assert disclosed(report)["tax_credit_rating"] >= {"tax_credit_grade"}
