"""The push worker as it runs in a serving process: started by the app's lifespan when a
receiver URL is set, POSTing each batch over HTTP until the province acknowledges it, backing
off after a failure (by the gateway's clock) and sending the same batch again."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from gateway.bootstrap import Services
from gateway.db import unit_of_work
from gateway.exchange.models import FeedReceiver
from gateway.settings import Environment, Settings
from ledger.verify import parse_verifier_keys
from tests.exchange.consumer import Consumer, _empty
from tests.support.actors import Actor
from tests.support.world import World

PROVINCE = "prov-liaoning"


@dataclass
class ProvinceEndpoint:
    """The province's intake: records every answer POSTed, refuses the first ``refuse`` with
    a 503, acknowledges the others' cursors."""

    url: str = ""
    refuse: int = 0
    answers: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def received(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.answers)


@pytest.fixture
def province_endpoint() -> Iterator[ProvinceEndpoint]:
    endpoint = ProvinceEndpoint(refuse=1)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            answer = json.loads(self.rfile.read(int(self.headers["content-length"])))
            with endpoint.lock:
                endpoint.answers.append(answer)
                refused = endpoint.refuse > 0
                endpoint.refuse -= refused
            body = b"" if refused else json.dumps({"acknowledged": answer["batch"]["cursor"]})
            self.send_response(503 if refused else 200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body.encode() if isinstance(body, str) else body)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    endpoint.url = f"http://127.0.0.1:{server.server_address[1]}/feed"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield endpoint
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def settings(database_url: str, tmp_path: Path, province_endpoint: ProvinceEndpoint) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path,
        environment=Environment.test,
        ledger_checkpoint_interval_seconds=0.05,
        exchange_push_url=province_endpoint.url,
        exchange_push_receiver=PROVINCE,
        exchange_push_interval_seconds=0.05,
    )


def _receiver_state(services: Services) -> FeedReceiver | None:
    with unit_of_work(services.engine) as session:
        return session.get(FeedReceiver, PROVINCE)


def _until(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the push worker did not get there in time"
        time.sleep(0.05)


def test_the_serving_process_pushes_the_feed_until_the_province_acknowledges_it(
    world: World,
    province: Actor,
    services: Services,
    verifier_key: str,
    province_endpoint: ProvinceEndpoint,
) -> None:
    # the first POST is refused: the worker backs off by the gateway's clock, which stands still
    _until(lambda: (s := _receiver_state(services)) is not None and s.attempts == 1)
    state = _receiver_state(services)
    assert state is not None and state.acknowledged == 0 and "503" in (state.last_error or "")
    time.sleep(0.3)  # several rounds of the worker: none may send before the backoff ends
    assert len(province_endpoint.received()) == 1

    services.clock.advance(timedelta(seconds=3))  # past the backoff: the same batch again
    _until(lambda: (s := _receiver_state(services)) is not None and s.acknowledged >= 1)
    answers = province_endpoint.received()
    assert answers[1]["batch"]["cursor"] == answers[0]["batch"]["cursor"] == 1

    # more data: the worker sends it on its own, in order, each batch signed
    penalty = dict(world.records["administrative_penalties"], fine_amount="9000")
    pushed = world.sources["src-ndrc"].post(
        "/v1/datasets/administrative_penalties/batches",
        json={"batch_id": "update-worker", "records": [{"fields": penalty}]},
    )
    assert pushed.status_code == 200, pushed.text
    _until(lambda: (s := _receiver_state(services)) is not None and s.acknowledged >= 2)

    consumer = Consumer(parse_verifier_keys([verifier_key]))
    for answer in province_endpoint.received()[1:]:  # the refused one was sent again
        consumer.apply(answer)
    state = _receiver_state(services)
    assert state is not None and consumer.cursor == state.acknowledged and state.attempts == 0
    fines = [
        f["fine_amount"] for (d, _), f in consumer.held.items() if d == "administrative_penalties"
    ]
    assert fines == ["9000.00"]  # the update reached the province
    digests = province.get("/v1/exchange/feed/digests").json()["datasets"]
    assert {d: consumer.digests().get(d, _empty()) for d in digests} == digests
