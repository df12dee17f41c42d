"""The delivery worker, driven round by round: signed deliveries, retries with backoff, dead
letters, cancelled subscriptions, and replicas that never claim the same delivery at once."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
from sqlmodel import Session, select

from gateway.clock import SettableClock
from gateway.db import unit_of_work
from gateway.notifications import repository
from gateway.notifications.models import DeliveryState, NotificationDelivery
from gateway.notifications.outbox import delivery_id
from gateway.notifications.signature import verify
from gateway.notifications.worker import DeliveryWorker
from gateway.principals.models import Role
from gateway.services import Services
from tests.notifications.factories import put
from tests.notifications.receiver import Receiver
from tests.support.actors import Actor


@pytest.fixture
def worker(services: Services) -> DeliveryWorker:
    return DeliveryWorker(services)


@pytest.fixture
def round_(worker: DeliveryWorker) -> Iterator[Callable[[], int]]:
    with httpx.Client(timeout=2) as client, ThreadPoolExecutor(4) as pool:
        yield lambda: worker.deliver_due(client, pool)


def _subscribe(actor: Actor, receiver: Receiver, receiver_id: str, **body: object) -> None:
    response = actor.post(
        "/v1/me/webhooks", json={"url": receiver.url, "receiver_id": receiver_id, **body}
    )
    assert response.status_code == 201, response.text


def _deliveries(services: Services) -> list[NotificationDelivery]:
    with Session(services.engine) as session:
        return list(session.exec(select(NotificationDelivery)).all())


def test_notifications_reach_the_webhook_signed_with_the_published_key(
    services: Services,
    make_actor: Callable[..., Actor],
    clock: SettableClock,
    receiver: Receiver,
    round_: Callable[[], int],
) -> None:
    bank = make_actor(Role.institution)
    _subscribe(bank, receiver, "desk", kinds=["demand.*"])
    [wanted] = put(services.engine, bank.id, 1, clock.now(), kind="demand.pushed")
    put(services.engine, bank.id, 1, clock.now(), kind="access.logged")  # not subscribed to
    assert round_() == 1
    assert round_() == 0
    [got] = receiver.received
    key = bank.http.get("/v1/notifications/key").json()["public_key"]
    assert verify(key, got.headers, got.body, clock.now()) == delivery_id(wanted, bank.id, "desk")
    document = json.loads(got.body)
    assert document["type"] == "demand.pushed"
    assert document["data"]["notification_id"] == wanted
    [delivery] = _deliveries(services)
    assert (delivery.state, delivery.attempts) == (DeliveryState.delivered, 1)


def test_a_failing_receiver_is_retried_with_backoff_then_given_up_visibly(
    services: Services,
    make_actor: Callable[..., Actor],
    clock: SettableClock,
    receiver: Receiver,
    round_: Callable[[], int],
) -> None:
    bank = make_actor(Role.institution)
    _subscribe(bank, receiver, "desk")
    put(services.engine, bank.id, 1, clock.now())
    receiver.failing = True
    assert round_() == 1
    [delivery] = _deliveries(services)
    assert delivery.state is DeliveryState.pending and delivery.last_status == 503
    assert clock.now() + timedelta(seconds=5) <= delivery.next_attempt_at
    assert delivery.next_attempt_at <= clock.now() + timedelta(seconds=10)
    assert round_() == 0  # not due yet
    clock.advance(timedelta(seconds=10))
    assert round_() == 1
    clock.advance(timedelta(seconds=20))
    assert round_() == 1  # the third and last attempt (webhook_max_attempts=3)
    clock.advance(timedelta(days=1))
    assert round_() == 0
    dead = bank.get("/v1/me/webhook-deliveries", params={"state": "dead"}).json()
    assert [(d["attempts"], d["last_status"]) for d in dead] == [(3, 503)]
    assert receiver.received == []


def test_a_receiver_that_recovers_gets_each_notification_once(
    services: Services,
    make_actor: Callable[..., Actor],
    clock: SettableClock,
    receiver: Receiver,
    round_: Callable[[], int],
) -> None:
    bank = make_actor(Role.institution)
    _subscribe(bank, receiver, "desk")
    ids = put(services.engine, bank.id, 5, clock.now())
    receiver.failing = True
    assert round_() == 5
    receiver.failing = False
    clock.advance(timedelta(seconds=10))
    while round_():
        pass
    assert sorted(receiver.delivery_ids) == sorted(delivery_id(i, bank.id, "desk") for i in ids)


def test_deleting_a_webhook_cancels_what_is_still_pending(
    services: Services,
    make_actor: Callable[..., Actor],
    clock: SettableClock,
    receiver: Receiver,
    round_: Callable[[], int],
) -> None:
    bank = make_actor(Role.institution)
    _subscribe(bank, receiver, "desk")
    put(services.engine, bank.id, 2, clock.now())
    bank.http.delete("/v1/me/webhooks/desk", headers=bank.headers())
    assert round_() == 0
    assert {d.state for d in _deliveries(services)} == {DeliveryState.cancelled}


def test_a_crashed_workers_claims_are_resumed(
    services: Services,
    make_actor: Callable[..., Actor],
    clock: SettableClock,
    receiver: Receiver,
    round_: Callable[[], int],
) -> None:
    bank = make_actor(Role.institution)
    _subscribe(bank, receiver, "desk")
    put(services.engine, bank.id, 2, clock.now())
    lease = clock.now() + timedelta(seconds=60)
    with unit_of_work(services.engine, write=True) as session:
        assert len(repository.claim_due(session, clock.now(), 10, "dead-worker", lease)) == 2
    assert round_() == 0  # leased to a worker that will never answer
    if services.engine.dialect.name == "sqlite":
        DeliveryWorker(services).resume()  # the one serving process frees them on start
    else:
        clock.advance(timedelta(seconds=61))  # replicas wait for the lease to end
    assert round_() == 2
    assert len(set(receiver.delivery_ids)) == 2


def test_replicas_never_claim_the_same_delivery(
    services: Services, make_actor: Callable[..., Actor], clock: SettableClock, receiver: Receiver
) -> None:
    if services.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one serving process; its claims take the write lock")
    bank = make_actor(Role.institution)
    _subscribe(bank, receiver, "desk")
    put(services.engine, bank.id, 6, clock.now())
    lease = clock.now() + timedelta(seconds=60)
    with Session(services.engine) as first, Session(services.engine) as second:
        mine = repository.claim_due(first, clock.now(), 4, "one", lease)
        first.flush()  # rows locked, lease not yet committed
        theirs = repository.claim_due(second, clock.now(), 4, "two", lease)
        mine_ids, their_ids = {d.id for d, _ in mine}, {d.id for d, _ in theirs}
        second.commit()
        first.commit()
    assert len(mine_ids) == 4 and len(their_ids) == 2
    assert not mine_ids & their_ids
