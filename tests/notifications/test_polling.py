"""Polling the outbox and managing webhooks: every principal sees and manages only its own."""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlmodel import Session

from gateway.clock import SettableClock
from gateway.notifications import notify
from gateway.notifications.repository import notifications_after
from gateway.principals.models import Role
from gateway.services import Services
from tests.notifications.factories import put
from tests.support.actors import Actor


def test_each_principal_polls_only_its_own_notifications_in_id_order(
    services: Services, make_actor: Callable[..., Actor], clock: SettableClock
) -> None:
    bank = make_actor(Role.institution)
    enterprise = make_actor(Role.enterprise)
    bank_ids = put(services.engine, bank.id, 3, clock.now())
    enterprise_ids = put(services.engine, enterprise.id, 2, clock.now())
    bank_ids += put(services.engine, bank.id, 2, clock.now())

    page = bank.get("/v1/me/notifications", params={"limit": 3}).json()
    assert [n["id"] for n in page["notifications"]] == bank_ids[:3]
    assert page["next_after"] == bank_ids[2]
    rest = bank.get("/v1/me/notifications", params={"after": page["next_after"]}).json()
    assert [n["id"] for n in rest["notifications"]] == bank_ids[3:]
    empty = bank.get("/v1/me/notifications", params={"after": bank_ids[-1]}).json()
    assert empty == {"notifications": [], "next_after": bank_ids[-1]}

    mine = enterprise.get("/v1/me/notifications").json()["notifications"]
    assert [n["id"] for n in mine] == enterprise_ids
    assert mine[0]["kind"] == "test.ping" and mine[0]["payload"] == {"n": 0}


def test_the_page_size_is_bounded(make_actor: Callable[..., Actor]) -> None:
    bank = make_actor(Role.institution)
    assert bank.get("/v1/me/notifications", params={"limit": 501}).status_code == 422
    assert bank.get("/v1/me/notifications", params={"after": -1}).status_code == 422


def test_polling_needs_a_caller(http: object, make_actor: Callable[..., Actor]) -> None:
    bank = make_actor(Role.institution)
    assert bank.http.get("/v1/me/notifications").status_code == 401


def test_webhooks_are_registered_listed_and_deleted_per_principal(
    make_actor: Callable[..., Actor],
) -> None:
    bank = make_actor(Role.institution)
    other = make_actor(Role.institution)
    body = {"url": "http://127.0.0.1:9/hook", "receiver_id": "desk-1", "kinds": ["access.*"]}
    created = bank.post("/v1/me/webhooks", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["kinds"] == ["access.*"]
    assert bank.post("/v1/me/webhooks", json=body).status_code == 409
    assert other.post("/v1/me/webhooks", json=body).status_code == 201  # ids are per owner
    assert [w["receiver_id"] for w in bank.get("/v1/me/webhooks").json()] == ["desk-1"]
    gone = bank.http.delete("/v1/me/webhooks/desk-1", headers=bank.headers())
    assert gone.status_code == 204
    assert bank.get("/v1/me/webhooks").json() == []
    assert other.get("/v1/me/webhooks").json() != []
    again = bank.http.delete("/v1/me/webhooks/desk-1", headers=bank.headers())
    assert again.status_code == 404


def test_a_webhook_url_must_be_http(make_actor: Callable[..., Actor]) -> None:
    bank = make_actor(Role.institution)
    for url in ["ftp://example.com/", "http://u:p@example.com/", "not a url"]:
        response = bank.post("/v1/me/webhooks", json={"url": url, "receiver_id": "r"})
        assert response.status_code == 422, url
        assert "url" in response.text
    bad_kind = {"url": "http://127.0.0.1/", "receiver_id": "r", "kinds": ["DROP TABLE"]}
    assert bank.post("/v1/me/webhooks", json=bad_kind).status_code == 422


def test_the_signing_key_is_published(make_actor: Callable[..., Actor]) -> None:
    bank = make_actor(Role.institution)
    key = bank.http.get("/v1/notifications/key").json()
    assert key["public_key"].startswith("whpk_") and key["scheme"] == "v1a"
    assert key == bank.http.get("/v1/notifications/key").json()


def test_a_poller_never_skips_a_notification_committed_after_a_higher_id(
    services: Services, make_actor: Callable[..., Actor], clock: SettableClock
) -> None:
    """Two transactions notify the same bank; the one holding the lower id commits last. A
    poller paging by ``after`` between the two commits must still see both (on PostgreSQL a
    sequence hands out ids before commit order is known)."""
    bank = make_actor(Role.institution)
    slow = Session(services.engine)
    # the lower id is taken; this transaction stays open
    first_id = notify(slow, recipient=bank.id, kind="test.ping", payload={"n": 0}, at=clock.now())
    fast = threading.Thread(target=put, args=(services.engine, bank.id, 1, clock.now()))
    fast.start()
    fast.join(timeout=0.5)  # it waits for the slow transaction (SQLite: its write lock)

    seen: list[int] = []

    def poll() -> None:
        # the endpoint's query, in a read-only session (the HTTP route spends a token, a
        # write that SQLite's open write transaction here would hold up)
        with Session(services.engine) as reader:
            page = notifications_after(reader, bank.id, seen[-1] if seen else 0, limit=100)
            seen.extend(n.id for n in page if n.id is not None)

    poll()
    slow.commit()
    slow.close()
    fast.join(timeout=10)
    assert not fast.is_alive()
    poll()
    assert first_id in seen and len(seen) == 2 and seen == sorted(seen)
