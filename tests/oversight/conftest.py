from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway.access_index import AccessEvent
from gateway.bootstrap import Services
from gateway.clock import SettableClock
from gateway.db import unit_of_work
from gateway.principals import service as principals
from gateway.principals.keys import generate_private_key, public_pem
from gateway.principals.models import KeyAlgorithm, Role
from tests.oversight.factories import ENTERPRISES
from tests.support.actors import Actor
from tests.support.world import World, build_world


@pytest.fixture
def world(make_actor: Callable[..., Actor], services: Any, http: Any) -> World:
    return build_world(make_actor, services)


@pytest.fixture
def assessor(make_actor: Callable[..., Actor], world: World) -> Actor:
    return make_actor(Role.assessor, "assessor-pboc-benxi")


def second_key(
    services: Services, http: TestClient, clock: SettableClock, who: str, role: Role
) -> Actor:
    """Another key for a principal the world already registered (e.g. its regulator)."""
    key = generate_private_key(KeyAlgorithm.EdDSA)
    with unit_of_work(services.engine) as session:
        principals.add_key(session, who, public_pem(key.public_key()), clock.now())
    return Actor(who, role, key, KeyAlgorithm.EdDSA, http, clock, services.settings.audience)


def add_enterprises(
    services: Services, http: TestClient, clock: SettableClock, count: int
) -> list[str]:
    """``count`` more enterprises with a public business licence each."""
    regulator = second_key(services, http, clock, "src-market-regulator", Role.source)
    codes = ENTERPRISES[:count]
    response = regulator.post(
        "/v1/datasets/business_licence/batches",
        json={
            "batch_id": f"more-{count}",
            "mode": "all_or_nothing",
            "records": [
                {
                    "fields": {
                        "enterprise_name": f"本溪市测试{n}有限公司",
                        "uscc": code,
                        "legal_representative": "王强",
                        "established_date": "2019-04-01",
                        "registration_status": "存续",
                        "registered_capital": "1000000",
                    }
                }
                for n, code in enumerate(codes)
            ],
        },
    )
    assert response.status_code == 200, response.text
    return codes


def insert_events(services: Services, events: Sequence[AccessEvent]) -> list[int]:
    """Index hand-made events, each with a real ledger entry of the same facts."""
    for event in events:
        payload = {
            "type": f"access.{event.action}",
            "caller": event.caller,
            "caller_role": event.caller_role,
            "enterprise": event.subject,
            "purpose": event.purpose,
            "decision": {"allow": event.allowed, "reason": event.reason},
            "authorizations": list(event.authorizations),
        }
        event.ledger_index = services.ledger.append(payload, subject=event.subject).index
    with unit_of_work(services.engine) as session:
        session.add_all(events)
    return [e.ledger_index for e in events]


def iso(moment: datetime) -> str:
    return moment.isoformat()
