"""The source that supplied an objected record hears of the objection, and once more when its
reply deadline is near."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from gateway.clock import SettableClock
from gateway.notifications.worker import DeliveryWorker
from gateway.services import Services
from tests.subject_rights.conftest import Rights


def _heard(rights: Rights) -> list[tuple[str, dict[str, Any]]]:
    found = rights.ndrc.get("/v1/me/notifications").json()["notifications"]
    return [(n["kind"], n["payload"]) for n in found]


def test_the_source_hears_of_an_objection_and_of_its_deadline_nearing(
    rights: Rights, penalty_id: str, services: Services, clock: SettableClock
) -> None:
    filed = rights.object(penalty_id)
    assert filed.status_code == 201, filed.text
    objection = filed.json()
    assert [(k, p["objection_id"]) for k, p in _heard(rights)] == [
        ("objection.filed", objection["id"])
    ]
    worker = DeliveryWorker(services)
    warning = timedelta(hours=services.settings.notification_deadline_warning_hours)
    deadline = clock.now() + timedelta(days=20)
    assert objection["deadline"].startswith(deadline.date().isoformat())
    clock.advance(deadline - warning - clock.now() - timedelta(minutes=1))
    worker.sweep()
    assert len(_heard(rights)) == 1  # not yet
    clock.advance(timedelta(minutes=2))
    worker.sweep()
    clock.advance(timedelta(hours=1))
    worker.sweep()
    near = [p for k, p in _heard(rights) if k == "objection.deadline_near"]
    assert [p["objection_id"] for p in near] == [objection["id"]]
