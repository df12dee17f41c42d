"""The notifications other features announce: the enterprise hears of every new entry in its
access log, the institution of a grant revoked or expired (each once)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from gateway.clock import SettableClock
from gateway.notifications.worker import DeliveryWorker
from gateway.services import Services
from tests.support.actors import Actor
from tests.support.world import World, build_world


@pytest.fixture
def world(make_actor: Callable[..., Actor], services: Services, http: Any) -> World:
    return build_world(make_actor, services)


def _kinds(actor: Actor) -> list[tuple[str, dict[str, Any]]]:
    found = actor.get("/v1/me/notifications").json()["notifications"]
    return [(n["kind"], n["payload"]) for n in found]


def test_the_enterprise_hears_of_each_access_to_its_data(world: World) -> None:
    world.grant()
    report = world.report()
    assert report.status_code == 200, report.text
    denied = world.report(purpose="marketing")
    heard = [p for kind, p in _kinds(world.enterprise) if kind == "access.logged"]
    assert [p["caller"] for p in heard] == [world.bank.id, world.bank.id]
    assert heard[0]["ledger_index"] == report.json()["ledger_index"]
    assert heard[0]["allowed"] is True and heard[1]["allowed"] is False
    assert denied.status_code >= 400
    assert _kinds(world.bank) == []  # the bank hears nothing of its own accesses


def test_the_institution_hears_of_a_revocation(world: World) -> None:
    grant = world.grant()
    response = world.enterprise.post(f"/v1/authorizations/{grant['id']}/revoke")
    assert response.status_code == 200, response.text
    world.enterprise.post(f"/v1/authorizations/{grant['id']}/revoke")  # again: no news
    revoked = [p for kind, p in _kinds(world.bank) if kind == "authorization.revoked"]
    assert [p["authorization_id"] for p in revoked] == [grant["id"]]


def test_the_institution_hears_once_that_a_grant_expired(
    world: World, services: Services, clock: SettableClock
) -> None:
    now = int(clock.now().timestamp())
    grant = world.grant(expires_at=now + 60)
    lasting = world.grant(expires_at=now + 86400)
    worker = DeliveryWorker(services)
    worker.sweep()
    assert _kinds(world.bank) == []
    clock.advance(timedelta(seconds=61))
    worker.sweep()
    worker.sweep()
    clock.advance(timedelta(seconds=600))
    worker.sweep()
    expired = [p for kind, p in _kinds(world.bank) if kind == "authorization.expired"]
    assert [p["authorization_id"] for p in expired] == [grant["id"]]
    assert lasting["id"] != grant["id"]
