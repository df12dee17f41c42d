"""The delivery worker: a background thread per serving process that POSTs pending deliveries.

All of its state is in the database (``notification_delivery``): a delivery is claimed under a
lease (on PostgreSQL with ``SELECT … FOR UPDATE SKIP LOCKED``, so replicas never claim the
same row at once; on SQLite under the write lock, one serving process), sent, and its outcome
recorded: delivered on a 2xx answer; otherwise retried after an exponential backoff with
jitter (``next_attempt_at``) until ``webhook_max_attempts``, then ``dead``. A process killed
mid-delivery leaves its claims leased; they become due again when the lease ends (at once on
SQLite, whose next serving process frees them on start). A delivery sent but not recorded is
sent again with the same ``webhook-id``, which receivers dedupe on. Requests never wait for
any of this: they only write the outbox.
"""

from __future__ import annotations

import json
import logging
import os
import random
import secrets
import socket
import threading
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI

from gateway.db import unit_of_work
from gateway.notifications import reminders, repository, signature
from gateway.notifications.keys import signing_key
from gateway.notifications.models import DeliveryState, Notification, NotificationDelivery
from gateway.notifications.service import target_rules
from gateway.notifications.targets import TargetRefused, TargetRules, check_resolved
from gateway.services import Services

log = logging.getLogger(__name__)

SWEEP_EVERY_SECONDS = 60.0
_LIVE_WORKERS: set[str] = set()  # workers running in this process
_LIVE_LOCK = threading.Lock()


def backoff(attempts: int, base: float, cap: float, rng: random.Random) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt: ``base`` doubled per failure,
    at most ``cap``, then a random point in its upper half (jitter spreads retries of many
    deliveries that failed together, e.g. a receiver that was down)."""
    ceiling = min(cap, base * 2.0 ** (attempts - 1))
    return float(ceiling / 2 + rng.uniform(0, ceiling / 2))


def body_of(notification: Notification) -> bytes:
    """The JSON a delivery carries (Standard Webhooks' ``type``, ``timestamp``, ``data``)."""
    document = {
        "type": notification.kind,
        "timestamp": notification.created_at.isoformat(),
        "data": {
            "notification_id": notification.id,
            "recipient": notification.recipient,
            "subject": notification.subject,
            "payload": notification.payload,
        },
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True, slots=True)
class Outcome:
    status: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def attempt(
    client: httpx.Client,
    key: Ed25519PrivateKey,
    rules: TargetRules,
    delivery: NotificationDelivery,
    notification: Notification,
    now: datetime,
) -> Outcome:
    """POST one delivery, signed; never raises."""
    try:
        check_resolved(delivery.url, rules)
    except TargetRefused as exc:
        return Outcome(None, f"target refused: {exc}")
    body = body_of(notification)
    headers = signature.headers(key, delivery.id, int(now.timestamp()), body)
    headers["content-type"] = "application/json"
    try:
        response = client.post(delivery.url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return Outcome(None, f"{type(exc).__name__}: {exc}")
    if 200 <= response.status_code < 300:
        return Outcome(response.status_code, None)
    return Outcome(response.status_code, f"answered {response.status_code}")


class DeliveryWorker:
    """Claims, sends and records deliveries for one process (see the module's docstring)."""

    def __init__(self, services: Services, rng: random.Random | None = None) -> None:
        self.services = services
        self.settings = services.settings
        self.id = f"{socket.gethostname()[:32]}:{os.getpid()}:{secrets.token_hex(4)}"
        self.rules = target_rules(self.settings)
        self.rng = rng or random.Random()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- one round, callable directly (tests) -------------------------------------------

    def resume(self) -> None:
        """On SQLite (one serving process) free the claims of workers that are gone: a
        restart after a crash resumes their deliveries at once instead of after the lease."""
        if self.services.engine.dialect.name != "sqlite":
            return
        with _LIVE_LOCK:
            live = _LIVE_WORKERS | {self.id}
        with unit_of_work(self.services.engine) as session:
            if not repository.leases_held_except(session, live):
                return
        with unit_of_work(self.services.engine, write=True) as session:
            repository.release_leases_except(session, live)

    def sweep(self) -> None:
        """Announce what time alone brought about (grants expired, deadlines near)."""
        warning = timedelta(hours=self.settings.notification_deadline_warning_hours)
        with unit_of_work(self.services.engine) as session:
            if not reminders.anything_due(session, self.services.clock.now(), warning):
                return
        with unit_of_work(self.services.engine, write=True) as session:
            reminders.announce(session, self.services.clock.now(), warning)

    def deliver_due(self, client: httpx.Client, pool: ThreadPoolExecutor) -> int:
        """Claim up to ``webhook_concurrency`` due deliveries, send them, record the outcomes;
        returns how many were claimed."""
        engine, clock, settings = self.services.engine, self.services.clock, self.settings
        with unit_of_work(engine) as session:
            if not repository.any_due(session, clock.now()):
                return 0
        with unit_of_work(engine, write=True) as session:
            now = clock.now()
            lease_until = now + timedelta(seconds=settings.webhook_lease_seconds)
            claimed = repository.claim_due(
                session, now, settings.webhook_concurrency, self.id, lease_until
            )
        if not claimed:
            return 0
        key = signing_key(settings.effective_notification_key_path)
        outcomes = list(
            pool.map(
                lambda pair: attempt(client, key, self.rules, pair[0], pair[1], clock.now()),
                claimed,
            )
        )
        with unit_of_work(engine, write=True) as session:
            now = clock.now()
            for (delivery, _), outcome in zip(claimed, outcomes, strict=True):
                current = repository.leased(session, delivery.id, self.id)
                if current is not None:
                    self._settle(current, outcome, now)
                    session.add(current)
        return len(claimed)

    def _settle(self, delivery: NotificationDelivery, outcome: Outcome, now: datetime) -> None:
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.last_status = outcome.status
        delivery.last_error = None if outcome.error is None else outcome.error[:300]
        delivery.lease_until = None
        delivery.leased_by = None
        if outcome.delivered:
            delivery.state = DeliveryState.delivered
            delivery.delivered_at = now
        elif delivery.attempts >= self.settings.webhook_max_attempts:
            delivery.state = DeliveryState.dead
        else:
            wait = backoff(
                delivery.attempts,
                self.settings.webhook_backoff_base_seconds,
                self.settings.webhook_backoff_cap_seconds,
                self.rng,
            )
            delivery.next_attempt_at = now + timedelta(seconds=wait)

    # -- the thread -----------------------------------------------------------------------

    def start(self) -> None:
        with _LIVE_LOCK:
            _LIVE_WORKERS.add(self.id)
        self._thread = threading.Thread(target=self._run, name="webhook-delivery", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self.settings.webhook_timeout_seconds + 10)
        with _LIVE_LOCK:
            _LIVE_WORKERS.discard(self.id)

    def _run(self) -> None:
        settings = self.settings
        timeout = httpx.Timeout(settings.webhook_timeout_seconds)
        next_sweep = 0.0
        resumed = False
        with (
            httpx.Client(timeout=timeout, follow_redirects=False) as client,
            ThreadPoolExecutor(settings.webhook_concurrency, "webhook-post") as pool,
        ):
            while not self._stop.is_set():
                claimed = 0
                try:
                    if not resumed:
                        self.resume()
                        resumed = True
                    if time.monotonic() >= next_sweep:
                        self.sweep()
                        next_sweep = time.monotonic() + SWEEP_EVERY_SECONDS
                    claimed = self.deliver_due(client, pool)
                except Exception:  # the database may be briefly away: try again next round
                    log.exception("webhook delivery round failed")
                if claimed < settings.webhook_concurrency:
                    self._stop.wait(settings.webhook_worker_interval_seconds)


@asynccontextmanager
async def delivering_webhooks(app: FastAPI) -> AsyncIterator[None]:
    """While ``app`` runs (and ``webhook_worker`` is on), deliver its database's webhooks."""
    services: Services = app.state.services
    if not services.settings.webhook_worker:
        yield
        return
    worker = DeliveryWorker(services)
    worker.start()
    try:
        yield
    finally:
        worker.stop()
