from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from gateway.app import create_app
from gateway.bootstrap import Services
from gateway.principals.models import Role
from tests.support.world import World


def samples(http: TestClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(found: dict[Any, float], name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def test_requests_are_counted_by_route_template_not_raw_path(
    http: TestClient, make_actor: Any
) -> None:
    operator = make_actor(Role.operator)
    for principal in ("nobody-1", "nobody-2", "nobody-3"):
        assert operator.get(f"/v1/principals/{principal}").status_code == 404
    assert http.get("/v1/no/such/thing").status_code == 404

    found = samples(http)
    route = "/v1/principals/{principal_id}"
    assert (
        value(found, "credgate_http_requests_total", method="GET", route=route, status="404") == 3
    )
    assert not any("nobody" in str(labels) for _, labels in found)
    assert (
        value(
            found, "credgate_http_requests_total", method="GET", route="<unmatched>", status="404"
        )
        == 1
    )
    assert (
        value(found, "credgate_http_request_duration_seconds_count", method="GET", route=route) == 3
    )


def test_decisions_ledger_batches_and_size_are_exported(http: TestClient, world: World) -> None:
    before = samples(http)
    assert world.report().status_code == 200
    assert world.report(purpose="marketing").status_code == 403

    found = samples(http)
    decision = "credgate_policy_decisions_total"
    assert value(found, decision, outcome="allow", reason="ok", engine="embedded") == 1
    assert value(found, decision, outcome="deny", reason="unknown_purpose", engine="embedded") == 1
    batches = "credgate_ledger_batch_entries_count"
    assert value(found, batches) > value(before, batches)
    assert value(found, "credgate_ledger_batch_entries_sum") >= 2
    commits = "credgate_ledger_commit_duration_seconds_count"
    assert value(found, commits, result="committed") > value(before, commits, result="committed")
    assert value(found, "credgate_ledger_entries") >= value(before, "credgate_ledger_entries") + 2
    assert any(name == "process_cpu_seconds_total" for name, _ in found)


def test_sqlite_wal_flushes_are_timed(
    http: TestClient, make_actor: Any, services: Services
) -> None:
    operator = make_actor(Role.operator)
    make_actor(Role.institution)  # a write through the main database
    operator.get("/v1/principals")
    found = samples(http)
    flushes = value(found, "credgate_sqlite_wal_flush_duration_seconds_count")
    if services.engine.dialect.name == "sqlite":
        assert flushes >= 1
    else:
        assert flushes == 0


def test_metrics_can_be_turned_off(services: Services) -> None:
    services.settings.metrics_enabled = False
    with TestClient(create_app(services)) as client:
        assert client.get("/metrics").status_code == 404
        assert client.get("/healthz").headers["x-request-id"]
