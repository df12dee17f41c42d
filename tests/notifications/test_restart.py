"""Done-when of issue 11 item 7: a gateway killed with SIGKILL while notifications are still
undelivered delivers every one of them, after a restart, to every receiver id, and the
receiver, deduping on ``webhook-id``, sees each exactly once.

The gateway runs as a real process (uvicorn) on the test's database; the receiver is an HTTP
server in this test. Notifications come from two places: requests (revocations, announced to
the institution) and straight writes to the outbox (what any feature's request does)."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from gateway import uscc
from gateway.client import CredgateClient, sign_authorization
from gateway.clock import SystemClock
from gateway.db import make_engine, unit_of_work
from gateway.migrate import upgrade
from gateway.notifications.models import DeliveryState, Notification, NotificationDelivery
from gateway.notifications.outbox import delivery_id
from gateway.notifications.signature import verify
from gateway.principals import service as principals
from gateway.principals.keys import PrivateKey, generate_private_key, public_pem
from gateway.principals.models import InstitutionKind, KeyAlgorithm, Role
from tests.notifications.factories import put
from tests.notifications.receiver import Receiver, running_receiver

ROOT = Path(__file__).resolve().parents[2]
RECEIVER_IDS = ("desk-a", "desk-b")
OUTBOX_WRITES = 20
REVOCATIONS = 3

pytestmark = pytest.mark.slow  # two gateway processes: about 5 s per backend


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _gateway(url: str, data_dir: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = _free_port()
    env = {
        **os.environ,
        "CREDGATE_DATABASE_URL": url,
        "CREDGATE_DATA_DIR": str(data_dir),
        "CREDGATE_ENVIRONMENT": "test",
        "CREDGATE_WEBHOOK_WORKER_INTERVAL_SECONDS": "0.05",
        "CREDGATE_WEBHOOK_BACKOFF_BASE_SECONDS": "0.1",
        "CREDGATE_WEBHOOK_BACKOFF_CAP_SECONDS": "0.3",
        "CREDGATE_WEBHOOK_MAX_ATTEMPTS": "1000",
        "CREDGATE_WEBHOOK_TIMEOUT_SECONDS": "1",
        "CREDGATE_WEBHOOK_LEASE_SECONDS": "1.5",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "gateway.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stderr.read() if process.stderr else b""
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the gateway did not start"
            time.sleep(0.05)
        yield process, base
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(15)


def _kill(process: subprocess.Popen[bytes]) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)
    assert process.returncode == -signal.SIGKILL


def _register(url: str, principal_id: str, role: Role) -> PrivateKey:
    key = generate_private_key(KeyAlgorithm.EdDSA)
    engine = make_engine(url)
    kind = InstitutionKind.bank if role is Role.institution else None
    now = SystemClock().now()
    with unit_of_work(engine) as session:
        principals.register(session, principal_id, role, f"test {principal_id}", now, kind)
        principals.add_key(session, principal_id, public_pem(key.public_key()), now)
    engine.dispose()
    return key


def _wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _revoke_a_fresh_grant(enterprise: CredgateClient, key: PrivateKey, bank: str) -> None:
    now = int(time.time())
    token = sign_authorization(
        enterprise.principal_id,
        key,
        institution=bank,
        purpose="loan_underwriting",
        datasets=["housing_fund"],
        not_before=now,
        expires_at=now + 86400,
    )
    granted = enterprise.post("/v1/authorizations", json={"token": token})
    assert granted.status_code == 201, granted.text
    revoked = enterprise.post(f"/v1/authorizations/{granted.json()['id']}/revoke")
    assert revoked.status_code == 200, revoked.text


def test_killed_with_undelivered_notifications_it_delivers_all_exactly_once_after_restart(
    database_url: str, tmp_path: Path
) -> None:
    upgrade(database_url)
    bank_id, enterprise_id = "bank-restart-1", uscc.generate(random.Random(11))
    bank_key = _register(database_url, bank_id, Role.institution)
    enterprise_key = _register(database_url, enterprise_id, Role.enterprise)
    engine = make_engine(database_url)
    receiver: Receiver
    with running_receiver() as receiver:
        receiver.failing = True
        with _gateway(database_url, tmp_path) as (first, base):
            with CredgateClient(base, bank_id, private_key=bank_key) as bank:
                for receiver_id in RECEIVER_IDS:
                    body = {"url": receiver.url, "receiver_id": receiver_id}
                    assert bank.post("/v1/me/webhooks", json=body).status_code == 201
                public_key = bank.get("/v1/notifications/key").json()["public_key"]
            with CredgateClient(base, enterprise_id, private_key=enterprise_key) as enterprise:
                for _ in range(REVOCATIONS):
                    _revoke_a_fresh_grant(enterprise, enterprise_key, bank_id)
            put_at = SystemClock().now()
            put(engine, bank_id, OUTBOX_WRITES // 2, put_at)
            # Every delivery is tried and refused at least once: all are pending.
            _wait_for(lambda: receiver.refused >= 10, 30, "refused attempts")
            receiver.failing = False
            receiver.hold_after = 5  # then take deliveries in but never answer them
            put(engine, bank_id, OUTBOX_WRITES - OUTBOX_WRITES // 2, put_at)
            _wait_for(lambda: len(receiver.received) > 5, 30, "first deliveries")
            _kill(first)  # with deliveries pending, and some received but not acknowledged
        receiver.hold_after = None
        receiver.release.set()
        expected = _expected_ids(engine, bank_id)
        assert len(expected) == (OUTBOX_WRITES + REVOCATIONS) * len(RECEIVER_IDS)
        assert set(receiver.delivery_ids) < expected
        unrecorded = _not_delivered(engine)  # in the database, at the kill

        with _gateway(database_url, tmp_path):
            _wait_for(lambda: set(receiver.delivery_ids) >= expected, 60, "every delivery")
            _wait_for(lambda: _all_delivered(engine), 10, "the outcomes to be recorded")

    received = receiver.received
    ids = [r.headers["webhook-id"] for r in received]
    assert set(ids) == expected  # none lost, none foreign
    for item in received:  # every delivery is signed by the published key
        verify(public_key, item.headers, item.body, SystemClock().now())
    # What the receiver took in but the killed process had not recorded as delivered (its
    # batch in flight, held by the receiver) is sent again with the same id, which the
    # receiver dedupes; nothing recorded as delivered is sent twice.
    repeated = {i for i in ids if ids.count(i) > 1}
    assert repeated and repeated <= unrecorded
    with Session(engine) as session:
        kinds = session.exec(
            select(Notification.kind).where(col(Notification.recipient) == bank_id)
        ).all()
    assert sorted(kinds).count("authorization.revoked") == REVOCATIONS
    engine.dispose()


def _expected_ids(engine: Engine, owner: str) -> set[str]:
    with Session(engine) as session:
        ids = session.exec(
            select(Notification.id).where(col(Notification.recipient) == owner)
        ).all()
    return {delivery_id(i, owner, r) for i in ids if i is not None for r in RECEIVER_IDS}


def _not_delivered(engine: Engine) -> set[str]:
    with Session(engine) as session:
        return set(
            session.exec(
                select(NotificationDelivery.id).where(
                    col(NotificationDelivery.state) != DeliveryState.delivered
                )
            ).all()
        )


def _all_delivered(engine: Engine) -> bool:
    with Session(engine) as session:
        states = set(session.exec(select(NotificationDelivery.state)).all())
    return states == {DeliveryState.delivered}
