"""The feed's push worker: sends the next batch to the province until it acknowledges it.

State lives in the database (``exchange_feed_receiver``): the acknowledged cursor, the attempts
since the last success, when to try again and the last error. A batch is built and committed
before it is sent, so a worker killed at any point resumes with the same batch (the receiver
applies a cursor it already holds as a no-op). Backoff doubles per failure up to five minutes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, select

from gateway.context import RequestContext
from gateway.db import unit_of_work
from gateway.errors import NotFound
from gateway.exchange import feed
from gateway.exchange.models import FeedReceiver
from gateway.principals import repository as principals
from gateway.principals.models import Principal, Role

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(minutes=5)
PUSH_LIMIT = 500


class Receiver(Protocol):
    def deliver(self, answer: dict[str, Any]) -> int:
        """Hand over one feed answer; return the cursor the receiver acknowledges."""
        ...


class HttpReceiver:
    """POSTs each answer as JSON; the receiver answers ``{"acknowledged": <cursor>}``."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self._client = httpx.Client(timeout=timeout)
        self._url = url

    def deliver(self, answer: dict[str, Any]) -> int:
        response = self._client.post(self._url, json=answer)
        response.raise_for_status()
        acknowledged = response.json().get("acknowledged")
        if type(acknowledged) is not int:
            raise ValueError("the receiver's answer names no acknowledged cursor")
        return acknowledged

    def close(self) -> None:
        self._client.close()


ContextFactory = Callable[[Session, Principal], RequestContext]


@dataclass(frozen=True, slots=True)
class PushOutcome:
    state: str  # "sent", "idle", "waiting", "failed"
    cursor: int
    error: str | None = None


def _state(session: Session, receiver: str, now: datetime) -> FeedReceiver:
    row = session.exec(select(FeedReceiver).where(FeedReceiver.receiver == receiver)).first()
    return row or FeedReceiver(receiver=receiver, acknowledged=0, updated_at=now)


def push_once(
    engine: Engine,
    context: ContextFactory,
    receiver_id: str,
    receiver: Receiver,
    now: Callable[[], datetime],
) -> PushOutcome:
    """One step: build (or re-read) the next batch and deliver it; record the outcome."""
    with unit_of_work(engine, write=True) as session:
        province = principals.get(session, receiver_id)
        if province is None or province.role is not Role.province:
            raise NotFound(f"no province principal {receiver_id!r} to push for")
        state = _state(session, receiver_id, now())
        if state.next_attempt_at is not None and state.next_attempt_at > now():
            return PushOutcome("waiting", state.acknowledged)
        answer = feed.next_batch(context(session, province), state.acknowledged, PUSH_LIMIT)
    batch = answer.get("batch")
    if batch is None:
        return PushOutcome("idle", answer["after"])
    try:
        acknowledged = receiver.deliver(answer)
        if acknowledged != batch["cursor"]:
            raise ValueError(f"the receiver acknowledged {acknowledged}, not {batch['cursor']}")
    except Exception as exc:  # any failure: back off and send the same batch again
        error = f"{type(exc).__name__}: {exc}"[:500]
        _record(engine, receiver_id, now(), failure=error)
        log.warning("feed push to %s failed: %s", receiver_id, error)
        return PushOutcome("failed", answer["after"], error)
    _record(engine, receiver_id, now(), acknowledged=acknowledged)
    return PushOutcome("sent", acknowledged)


def _record(
    engine: Engine,
    receiver_id: str,
    now: datetime,
    acknowledged: int | None = None,
    failure: str | None = None,
) -> None:
    with unit_of_work(engine, write=True) as session:
        state = _state(session, receiver_id, now)
        if failure is None:
            state.acknowledged = max(state.acknowledged, acknowledged or 0)
            state.attempts, state.next_attempt_at, state.last_error = 0, None, None
        else:
            state.attempts += 1
            backoff = min(timedelta(seconds=2 ** min(state.attempts, 16)), MAX_BACKOFF)
            state.next_attempt_at, state.last_error = now + backoff, failure
        state.updated_at = now
        session.add(state)


class PushWorker:
    """A thread pushing every ``interval`` seconds (at once again after a batch was sent)."""

    def __init__(
        self,
        engine: Engine,
        context: ContextFactory,
        receiver_id: str,
        receiver: Receiver,
        now: Callable[[], datetime],
        interval: float,
    ) -> None:
        self._args = (engine, context, receiver_id, receiver, now)
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="feed-push", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(30)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                outcome = push_once(*self._args)
            except Exception:  # keep the worker alive; the next round tries again
                log.exception("feed push step failed")
                outcome = PushOutcome("failed", -1)
            if outcome.state != "sent":
                self._stop.wait(self._interval)
