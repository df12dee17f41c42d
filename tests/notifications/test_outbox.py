"""Writing the outbox in a batch (a writer's access decisions): ids in the order given, one
delivery per notification to each webhook that wants its kind, the same ids as one by one."""

from __future__ import annotations

from sqlmodel import Session, col, select

from gateway.clock import SettableClock
from gateway.db import unit_of_work
from gateway.notifications.models import (
    DeliveryState,
    Notification,
    NotificationDelivery,
    WebhookSubscription,
)
from gateway.notifications.outbox import Draft, delivery_id, notify_many
from gateway.services import Services


def test_a_batch_keeps_its_order_and_makes_the_deliveries_each_webhook_wants(
    services: Services, clock: SettableClock
) -> None:
    now = clock.now()
    with unit_of_work(services.engine, write=True) as session:
        for receiver, kinds in (
            ("all", []),
            ("access", ["access.*"]),
            ("grants", ["authorization.*"]),
        ):
            session.add(
                WebhookSubscription(
                    owner="ent-a", receiver_id=receiver, url=f"http://127.0.0.1:9/{receiver}",
                    kinds=kinds, created_at=now,
                )
            )  # fmt: skip
    drafts = [
        Draft("ent-a", "access.logged", {"n": 0}, now, "ent-a"),
        Draft("ent-b", "access.logged", {"n": 1}, now, "ent-b"),
        Draft("ent-a", "authorization.revoked", {"n": 2}, now),
        Draft("ent-b", "access.logged", {"n": 3}, now, "ent-b"),
    ]
    with unit_of_work(services.engine, write=True) as session:
        notify_many(session, drafts)

    with Session(services.engine) as session:
        rows = session.exec(select(Notification).order_by(col(Notification.id))).all()
        deliveries = session.exec(select(NotificationDelivery)).all()
    assert [(n.recipient, n.payload["n"]) for n in rows] == [
        ("ent-a", 0),
        ("ent-b", 1),
        ("ent-a", 2),
        ("ent-b", 3),
    ]
    first, _, revoked, _ = rows
    assert rows[0].subject == "ent-a" and rows[2].subject is None
    expected = {
        (first.id, "all"),
        (first.id, "access"),
        (revoked.id, "all"),
        (revoked.id, "grants"),
    }
    assert {(d.notification_id, d.receiver_id) for d in deliveries} == expected
    for d in deliveries:
        assert d.id == delivery_id(d.notification_id, "ent-a", d.receiver_id)
        assert (d.state, d.attempts, d.owner) == (DeliveryState.pending, 0, "ent-a")
        assert d.url.endswith(d.receiver_id) and d.next_attempt_at == now


def test_a_batch_nobody_subscribed_to_is_written_without_deliveries(
    services: Services, clock: SettableClock
) -> None:
    with unit_of_work(services.engine, write=True) as session:
        notify_many(
            session, [Draft(f"ent-{n}", "access.logged", {}, clock.now()) for n in range(3)]
        )
        notify_many(session, [])
    with Session(services.engine) as session:
        assert len(session.exec(select(Notification)).all()) == 3
        assert session.exec(select(NotificationDelivery)).all() == []
