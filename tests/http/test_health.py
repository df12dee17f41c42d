"""Liveness and readiness: /readyz (and /healthz) say what this process cannot do."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway.bootstrap import Services
from tests.access.test_fail_closed import FailingEngine
from tests.support.world import World, build_world

READINESS = ["/readyz", "/healthz"]


@pytest.fixture
def world(make_actor: Callable[..., Any], services: Services, http: TestClient) -> World:
    return build_world(make_actor, services)


def _ready_within(http: TestClient, seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        response = http.get("/readyz")
        if response.status_code == 200 or time.monotonic() > deadline:
            return response
        time.sleep(0.02)


def test_a_working_process_is_live_and_ready(http: TestClient) -> None:
    assert http.get("/livez").json() == {"status": "ok", "reasons": []}
    for path in READINESS:
        response = http.get(path)
        assert response.status_code == 200 and response.json()["status"] == "ok"


def test_a_ledger_that_cannot_write_makes_the_process_unready_until_it_can(
    world: World, services: Services, http: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    @contextmanager
    def full_disk() -> Iterator[Any]:
        raise OSError(28, "No space left on device")
        yield

    assert services.ledger is not None
    world.grant()
    monkeypatch.setattr(services.ledger._store, "sequencing", full_disk)
    assert world.report().status_code == 503
    for path in READINESS:
        response = http.get(path)
        assert response.status_code == 503, response.text
        body = response.json()
        assert body["status"] == "failing"
        assert [r for r in body["reasons"] if r.startswith("ledger:")] == [
            "ledger: the ledger could not commit: OSError: [Errno 28] No space left on device"
        ]
    assert http.get("/livez").status_code == 200  # alive: restarting would not help
    monkeypatch.undo()
    # the checkpoint the failed batch left due is retried every interval: ready once it lands
    assert _ready_within(http, 5).status_code == 200


def test_a_policy_engine_that_cannot_decide_makes_the_process_unready(
    services: Services, http: TestClient
) -> None:
    real = services.policy_engine
    services.policy_engine = FailingEngine()
    try:
        response = http.get("/readyz")
    finally:
        services.policy_engine = real
    assert response.status_code == 503
    assert response.json()["reasons"] == ["policy engine: policy_engine_unavailable"]
    assert http.get("/readyz").status_code == 200


def test_a_closed_ledger_makes_the_process_unready(services: Services, http: TestClient) -> None:
    assert services.ledger is not None
    services.ledger.close()
    response = http.get("/readyz")
    assert response.status_code == 503
    assert "ledger: the ledger sequencer is not running" in response.json()["reasons"]
