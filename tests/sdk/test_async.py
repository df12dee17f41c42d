"""The async SDK against the ASGI app through httpx's ASGITransport."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI

from gateway.authorizations.models import AuthorizationState
from gateway.sdk import AsyncCredgate, Conflict, InvalidRequest
from tests.support.actors import Actor
from tests.support.world import ENTERPRISE, World

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def sdk(actor: Actor, app: FastAPI, clock: Callable[[], float]) -> AsyncCredgate:
    return AsyncCredgate(
        "http://testserver",
        actor.id,
        private_key=actor.key,
        clock=clock,
        transport=httpx.ASGITransport(app=app),
    )


async def test_async_grant_report_verify_revoke(
    world: World, app: FastAPI, app_clock: Callable[[], float]
) -> None:
    async with (
        sdk(world.enterprise, app, app_clock) as enterprise,
        sdk(world.bank, app, app_clock) as bank,
    ):
        granted = await enterprise.grant(
            world.bank.id,
            "loan_underwriting",
            datasets=["tax_payments"],
            modes=["report", "verify"],
            authorization_id="authz-async-0001",
        )
        assert granted.id == "authz-async-0001"
        report = await bank.report(ENTERPRISE, "loan_underwriting")
        assert report.authorizations_used == [granted.id]
        answer = await bank.verify(
            ENTERPRISE,
            "loan_underwriting",
            [{"predicate": "consecutive_normal_tax_months_at_least", "args": {"months": 12}}],
        )
        assert answer.results[0].holds is True
        revoked = await enterprise.revoke(granted.id)
        assert revoked.state is AuthorizationState.revoked
        assert [a.state for a in await enterprise.authorizations()] == [revoked.state]
        page = await enterprise.access_log(limit=5)
        assert page.entries and page.subject == ENTERPRISE
        with pytest.raises(InvalidRequest) as invalid:
            await bank.verify(ENTERPRISE, "loan_underwriting", [{"predicate": "no_such_predicate"}])
        assert invalid.value.status == 422


async def test_async_a_grant_id_reused_for_other_content_is_a_conflict(
    world: World, app: FastAPI, app_clock: Callable[[], float]
) -> None:
    async with sdk(world.enterprise, app, app_clock) as enterprise:
        tax, same_id = ["tax_payments"], "authz-a-1234"
        await enterprise.grant(
            world.bank.id, "loan_underwriting", datasets=tax, authorization_id=same_id
        )
        with pytest.raises(Conflict) as conflict:
            await enterprise.grant(
                world.bank.id,
                "loan_underwriting",
                datasets=tax,
                authorization_id=same_id,
                use_limit=3,
            )
    assert conflict.value.status == 409 and conflict.value.code == "conflict"


async def test_async_batch_verification_and_budget(
    world: World, app: FastAPI, app_clock: Callable[[], float]
) -> None:
    world.grant(modes=["verify"], datasets=["tax_payments"])
    async with sdk(world.bank, app, app_clock) as bank:
        vat = {"predicate": "vat_paid_last_year_at_least", "args": {"amount": "1000"}}
        screened = await bank.verify_many([ENTERPRISE], "loan_underwriting", [vat])
        assert [(i.enterprise, i.status) for i in screened.items] == [(ENTERPRISE, 200)]
        budget = await bank.verification_budget()
        assert [(u.predicate, u.thresholds_asked) for u in budget.used] == [
            ("vat_paid_last_year_at_least", 1)
        ]
