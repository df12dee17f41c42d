from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gateway.principals.models import Role
from tests.support.actors import Actor
from tests.support.world import World, build_world


@pytest.fixture
def world(make_actor: Callable[..., Actor], services: Any, http: Any) -> World:
    return build_world(make_actor, services)


@pytest.fixture
def council(make_actor: Callable[..., Actor]) -> Actor:
    return make_actor(Role.government, "gov-bx-finance")


@pytest.fixture
def verifier_key(services: Any) -> str:
    key: str = services.ledger.verifier_key()
    return key
