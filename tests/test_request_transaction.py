"""A request's transaction is committed before its response leaves the server.

FastAPI runs the exit code of a dependency with ``yield`` after the response has been sent
unless the dependency is function-scoped: a revoke would be acknowledged before it is
committed (and lost in a crash just after). The TestClient waits for the whole application,
so this needs a real server.
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import Session

from gateway import deps
from gateway.sources.simulator import run_simulator_in_thread
from tests.support.world import build_world


class SlowCommit(Session):
    """Commits late, and says when; the test says when the answer arrived."""

    order: ClassVar[list[str]] = []

    def commit(self) -> None:
        threading.Event().wait(0.3)
        super().commit()
        SlowCommit.order.append("committed")


def test_a_revoke_is_committed_before_it_is_acknowledged(
    app: FastAPI, make_actor: Any, services: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = build_world(make_actor, services)
    grant = world.grant()
    base, stop = run_simulator_in_thread(app)
    try:
        SlowCommit.order = []
        monkeypatch.setattr(deps, "Session", SlowCommit)
        url = f"{base}/v1/authorizations/{grant['id']}/revoke"
        headers = {"Authorization": f"Bearer {world.enterprise.token()}"}
        response = httpx.post(url, headers=headers, timeout=10)
        SlowCommit.order.append("answered")
    finally:
        stop()
    assert response.status_code == 200, response.text
    assert SlowCommit.order == ["committed", "answered"]
