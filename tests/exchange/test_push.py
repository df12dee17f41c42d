"""The push worker: delivers batches in order, backs off on failure, resumes from the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from gateway.bootstrap import Services
from gateway.db import unit_of_work
from gateway.deps import request_context
from gateway.exchange.models import FeedReceiver
from gateway.exchange.push import push_once
from ledger.verify import parse_verifier_keys
from tests.exchange.consumer import Consumer, _empty
from tests.support.actors import Actor
from tests.support.world import World


@dataclass
class FlakyReceiver:
    consumer: Consumer
    failures: int = 0
    seen: list[int] = field(default_factory=list)

    def deliver(self, answer: dict[str, Any]) -> int:
        self.seen.append(answer["batch"]["cursor"])
        if self.failures:
            self.failures -= 1
            raise ConnectionError("the province did not answer")
        if answer["batch"]["cursor"] > self.consumer.cursor:  # a resend is a no-op
            self.consumer.apply(answer)
        return self.consumer.cursor


def _step(services: Services, receiver: FlakyReceiver) -> Any:
    return push_once(
        services.engine,
        lambda session, caller: request_context(services, session, caller),
        "prov-liaoning",
        receiver,
        services.clock.now,
    )


def _state(services: Services) -> FeedReceiver:
    with unit_of_work(services.engine) as session:
        row = session.get(FeedReceiver, "prov-liaoning")
        assert row is not None
        return row


def test_push_retries_with_backoff_and_resumes_after_a_restart(
    world: World, province: Actor, services: Services, verifier_key: str
) -> None:
    receiver = FlakyReceiver(Consumer(parse_verifier_keys([verifier_key])), failures=2)
    assert _step(services, receiver).state == "failed"
    state = _state(services)
    assert state.attempts == 1 and state.last_error and state.next_attempt_at is not None
    assert _step(services, receiver).state == "waiting"  # not before the backoff ends
    services.clock.advance(timedelta(seconds=3))
    assert _step(services, receiver).state == "failed"
    services.clock.advance(timedelta(seconds=5))
    assert _step(services, receiver).state == "sent"
    assert receiver.seen == [1, 1, 1]  # the same batch until acknowledged
    assert _state(services).acknowledged == 1 and _state(services).attempts == 0

    # more data; a new worker (as after a restart) starts from the acknowledged cursor
    penalty = dict(world.records["administrative_penalties"], fine_amount="9000")
    assert (
        world.sources["src-ndrc"]
        .post(
            "/v1/datasets/administrative_penalties/batches",
            json={"batch_id": "update-push", "records": [{"fields": penalty}]},
        )
        .status_code
        == 200
    )
    restarted = FlakyReceiver(receiver.consumer)
    while _step(services, restarted).state == "sent":
        pass
    assert restarted.seen == [2]
    digests = province.get("/v1/exchange/feed/digests").json()["datasets"]
    for dataset, expected in digests.items():
        assert receiver.consumer.digests().get(dataset, _empty()) == expected
