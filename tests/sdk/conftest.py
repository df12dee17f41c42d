from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gateway.clock import SettableClock
from tests.support.actors import Actor
from tests.support.world import World, build_world


@pytest.fixture
def world(make_actor: Callable[..., Actor], services: Any, http: Any) -> World:
    return build_world(make_actor, services)


@pytest.fixture
def app_clock(clock: SettableClock) -> Callable[[], float]:
    """Tokens signed at the app's (settable) time."""
    return lambda: clock.now().timestamp()
