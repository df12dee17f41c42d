"""A receiver follows the feed across a kill -9 of the real server process and ends with the
platform's digest for every pushed dataset."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway import uscc
from gateway.bootstrap import Services
from gateway.client import sign_token
from gateway.db import unit_of_work
from gateway.ledger_api.cli import init_signing_key
from gateway.principals import service as principals
from gateway.principals.keys import PrivateKey, generate_private_key, public_pem
from gateway.principals.models import KeyAlgorithm, Role
from ledger.keys import load_signing_key
from ledger.note import NoteSigner
from ledger.verify import parse_verifier_keys
from tests.exchange.consumer import Consumer, _empty

SERVE = "from gateway.cli import main; main()"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def _server(services: Services, data_dir: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = _free_port()
    env = {
        **os.environ,
        "CREDGATE_DATABASE_URL": services.settings.effective_database_url,
        "CREDGATE_DATA_DIR": str(data_dir),
        "CREDGATE_ENVIRONMENT": "test",
        "CREDGATE_LEDGER_CHECKPOINT_INTERVAL_SECONDS": "0.05",
    }
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise RuntimeError("the gateway did not start")
        time.sleep(0.05)
    try:
        yield process, url
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)


class _Caller:
    def __init__(self, services: Services, principal_id: str, role: Role) -> None:
        self.id = principal_id
        self.key: PrivateKey = generate_private_key(KeyAlgorithm.EdDSA)
        self.audience = services.settings.audience
        now = services.clock.now()
        with unit_of_work(services.engine) as session:
            principals.register(session, principal_id, role, f"test {principal_id}", now)
            principals.add_key(session, principal_id, public_pem(self.key.public_key()), now)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        token = sign_token(self.id, self.key, KeyAlgorithm.EdDSA, self.audience, now=time.time())
        headers = {"Authorization": f"Bearer {token}"}
        return httpx.request(method, url, headers=headers, timeout=30, **kwargs)


def _penalties(rng: random.Random, n: int, tag: str) -> list[dict[str, Any]]:
    return [
        {
            "fields": {
                "enterprise_name": f"本溪{tag}{i}有限公司",
                "uscc": uscc.generate(rng),
                "decision_doc_no": f"本罚〔2025〕{tag}{i}号",
                "decision_date": "2025-04-01",
                "fine_amount": str(100 + i),
                "legal_rep_id_no": "210502198001011236",
            }
        }
        for i in range(n)
    ]


def _push(ndrc: _Caller, url: str, batch_id: str, records: list[dict[str, Any]]) -> Any:
    response = ndrc.request(
        "POST",
        f"{url}/v1/datasets/administrative_penalties/batches",
        json={"batch_id": batch_id, "records": records},
    )
    assert response.status_code == 200, response.text
    return response.json()


def _follow(province: _Caller, url: str, consumer: Consumer, limit: int, most: int) -> int:
    done = 0
    while done < most:
        answer = province.request(
            "GET", f"{url}/v1/exchange/feed", params={"after": consumer.cursor, "limit": limit}
        )
        assert answer.status_code == 200, answer.text
        if not consumer.apply(answer.json()):
            break
        done += 1
    return done


@pytest.mark.slow
def test_receiver_follows_the_feed_across_a_kill_9(services: Services, tmp_path: Path) -> None:
    services.engine.dispose()
    ndrc = _Caller(services, "src-ndrc", Role.source)
    province = _Caller(services, "prov-liaoning", Role.province)
    rng = random.Random(15)
    data_dir = tmp_path / "served"
    data_dir.mkdir()
    # `credgate serve` refuses a ledger without its key: made as `credgate init` makes it
    init_signing_key(
        services.settings.model_copy(update={"data_dir": data_dir}).effective_ledger_key_path
    )
    with _server(services, data_dir) as (process, url):
        first = _push(ndrc, url, "b1", _penalties(rng, 30, "甲"))
        signer = NoteSigner(
            services.settings.ledger_origin,
            load_signing_key(
                services.settings.model_copy(
                    update={"data_dir": data_dir}
                ).effective_ledger_key_path
            ),
        )
        consumer = Consumer(parse_verifier_keys([signer.verifier_key]))
        assert _follow(province, url, consumer, limit=7, most=2) == 2
        # the third batch is built and answered, but the receiver loses the answer; then the
        # server is killed: after the restart the receiver asks again after the same cursor
        lost = province.request(
            "GET", f"{url}/v1/exchange/feed", params={"after": consumer.cursor, "limit": 7}
        ).json()
        assert lost["batch"]["cursor"] == 3
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    with _server(services, data_dir) as (_, url):
        again = province.request(
            "GET", f"{url}/v1/exchange/feed", params={"after": consumer.cursor, "limit": 7}
        ).json()
        assert again == lost  # the stored batch, byte for byte the same content and signature
        _push(ndrc, url, "b2", _penalties(rng, 5, "乙"))
        retract = [{"record_id": r["record_id"], "retract": True} for r in first["records"][:3]]
        _push(ndrc, url, "b3", retract)
        _follow(province, url, consumer, limit=7, most=100)
        platform = province.request("GET", f"{url}/v1/exchange/feed/digests").json()["datasets"]
    assert platform["administrative_penalties"]["records"] == 32
    for dataset, expected in platform.items():
        assert consumer.digests().get(dataset, _empty()) == expected
    cursors = [b["cursor"] for b in consumer.batches]
    assert cursors == list(range(1, len(cursors) + 1))
