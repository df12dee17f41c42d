"""Notifications written straight into the outbox, as a feature's request would."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from gateway.db import unit_of_work
from gateway.notifications import notify


def put(
    engine: Engine, recipient: str, count: int, at: datetime, kind: str = "test.ping"
) -> list[int]:
    ids = []
    with unit_of_work(engine, write=True) as session:
        for n in range(count):
            ids.append(notify(session, recipient=recipient, kind=kind, payload={"n": n}, at=at))
    return ids
