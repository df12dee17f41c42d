"""Live interface calls carry the enterprise's authorization to the source (经企业授权)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from gateway import uscc
from gateway.access.live_sources import HttpLiveSources
from gateway.catalog import load_catalog
from gateway.client import sign_authorization
from gateway.principals.keys import generate_private_key
from gateway.sources.simulator import (
    GrantCheck,
    create_simulator_app,
    registered_keys,
    run_simulator_in_thread,
)
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


@dataclass(frozen=True)
class Bureau:
    """A simulated tax bureau: its URL, and the gateway's client of it."""

    url: str
    sources: HttpLiveSources


@pytest.fixture
def tax_bureau(world: World, services: Any) -> Iterator[Bureau]:
    # The bureau checks grants with the keys enterprises registered, on the test's clock.
    check = GrantCheck(
        registered_keys(services.engine), now=lambda: world.bank.clock.now().timestamp()
    )
    app = create_simulator_app(
        {"tax_credit_rating": [RATING]},
        authorized_datasets={"tax_credit_rating"},
        grant_check=check,
    )
    base, stop = run_simulator_in_thread(app)
    sources = HttpLiveSources({}, base, timeout=2.0)
    yield Bureau(base, sources)
    sources.close()
    stop()


def test_the_authorized_interface_answers_only_under_the_enterprises_grant(
    world: World, tax_bureau: Bureau
) -> None:
    dataset = load_catalog().dataset("tax_credit_rating")
    assert dataset is not None
    refused = tax_bureau.sources.fetch(dataset, ENTERPRISE)
    assert refused.records == [] and refused.error == "the source answered HTTP 403"
    grant: dict[str, Any] = world.grant(datasets=["tax_credit_rating"])
    answered = tax_bureau.sources.fetch(dataset, ENTERPRISE, grant=grant["token"])
    assert answered.error is None and answered.records[0]["tax_credit_grade"] == "A"
    assert tax_bureau.sources.fetch(dataset, ENTERPRISE, for_subject=True).records
    other = uscc.generate(random.Random(99))
    assert (
        tax_bureau.sources.fetch(dataset, other, grant=grant["token"]).error
        == "the source answered HTTP 403"
    )


def test_end_to_end_report_through_the_simulated_tax_bureau(
    world: World, tax_bureau: Bureau, services: Any
) -> None:
    services.live_sources = tax_bureau.sources
    world.grant(datasets=["tax_credit_rating"])
    report = world.report().json()
    assert disclosed(report)["tax_credit_rating"] >= {"tax_credit_grade"}


def _forged(world: World, **changes: Any) -> str:
    now = int(world.bank.clock.now().timestamp())
    claims: dict[str, Any] = {
        "institution": world.bank.id,
        "purpose": "loan_underwriting",
        "datasets": ["tax_credit_rating"],
        "not_before": now,
        "expires_at": now + 600,
    }
    key = changes.pop("key", world.enterprise.key)
    claims.update(changes)
    return sign_authorization(ENTERPRISE, key, **claims)


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"key": generate_private_key()}, "not signed by this enterprise"),
        ({"datasets": ["tax_payments"]}, "does not cover tax_credit_rating"),
        ({"audience": "elsewhere"}, "not valid"),
    ],
)
def test_the_authorized_interface_checks_the_grant_as_a_source_would(
    world: World, tax_bureau: Bureau, changes: dict[str, Any], why: str
) -> None:
    dataset = load_catalog().dataset("tax_credit_rating")
    assert dataset is not None
    good = tax_bureau.sources.fetch(dataset, ENTERPRISE, grant=_forged(world))
    assert good.error is None and good.records
    refused = tax_bureau.sources.fetch(dataset, ENTERPRISE, grant=_forged(world, **changes))
    assert refused.records == [] and refused.error == "the source answered HTTP 403"
    direct = httpx.get(
        f"{tax_bureau.url}/live/tax_credit_rating/{ENTERPRISE}",
        headers={"Credgate-Authorization": _forged(world, **changes)},
    )
    assert direct.status_code == 403 and why in direct.json()["detail"]


def test_the_authorized_interface_refuses_a_grant_out_of_force(
    world: World, tax_bureau: Bureau
) -> None:
    dataset = load_catalog().dataset("tax_credit_rating")
    assert dataset is not None
    now = int(world.bank.clock.now().timestamp())
    expired = _forged(world, not_before=now - 7200, expires_at=now - 3600)
    assert tax_bureau.sources.fetch(dataset, ENTERPRISE, grant=expired).error == (
        "the source answered HTTP 403"
    )
