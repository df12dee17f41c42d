"""Prometheus metrics: one registry per app, filled by the request middleware, the policy
engine wrapper and the ledger's and database's observer hooks; served at ``GET /metrics``.

Labels stay bounded: requests are labelled by route *template* (``/v1/principals/{id}``,
never the raw path), unmatched paths share one label, and decision reasons come from the
policy's own vocabulary (``[a-z][a-z0-9_]{0,63}``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response

from gateway.policy.decision import Decision
from gateway.policy.engine import PolicyEngine
from gateway.policy.inputs import PolicyInput

UNMATCHED_ROUTE = "<unmatched>"

# Request latencies on this gateway run from ~1 ms (a cached catalog) to seconds (a live
# source timing out); disk flushes from tens of microseconds (page cache) to ~100 ms.
REQUEST_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
DISK_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)


class _LedgerSize(Collector):
    """The ledger's entry count, read when scraped (one indexed read, only on a scrape)."""

    def __init__(self, ledger: Callable[[], Any]) -> None:
        self._ledger = ledger

    def collect(self) -> list[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "credgate_ledger_entries", "Entries sequenced into the ledger (read at scrape time)"
        )
        ledger = self._ledger()
        if ledger is not None:
            try:
                family.add_metric([], ledger.size())
            except Exception:  # a failing ledger must not fail the scrape; up shows it
                return [family]
        return [family]

    def describe(self) -> list[GaugeMetricFamily]:
        return [GaugeMetricFamily("credgate_ledger_entries", "")]


class Metrics:
    """The gateway's metrics in a registry of their own (several apps per test process)."""

    def __init__(self, ledger: Callable[[], Any] = lambda: None) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "credgate_http_requests",
            "HTTP requests answered, by method, route template and status",
            ["method", "route", "status"],
            registry=r,
        )
        self.request_seconds = Histogram(
            "credgate_http_request_duration_seconds",
            "Time from request to the end of the response body, by method and route template",
            ["method", "route"],
            buckets=REQUEST_BUCKETS,
            registry=r,
        )
        self.in_flight = Gauge(
            "credgate_http_requests_in_flight", "Requests being answered now", registry=r
        )
        self.decisions = Counter(
            "credgate_policy_decisions",
            "Policy decisions by outcome (allow, deny, failed_closed), reason and engine",
            ["outcome", "reason", "engine"],
            registry=r,
        )
        self.ledger_batch_entries = Histogram(
            "credgate_ledger_batch_entries",
            "Entries per group-committed ledger batch",
            buckets=BATCH_BUCKETS,
            registry=r,
        )
        self.ledger_commit_seconds = Histogram(
            "credgate_ledger_commit_duration_seconds",
            "Duration of a ledger batch's locked write transaction up to its durable commit",
            ["result"],
            buckets=DISK_BUCKETS,
            registry=r,
        )
        self.wal_flush_seconds = Histogram(
            "credgate_sqlite_wal_flush_duration_seconds",
            "Duration of one group fsync of the main SQLite database's write-ahead log",
            buckets=DISK_BUCKETS,
            registry=r,
        )
        r.register(_LedgerSize(ledger))
        # what the default registry would have had
        ProcessCollector(registry=r)
        PlatformCollector(registry=r)
        GCCollector(registry=r)

    def observe_ledger_batch(self, entries: int, seconds: float, committed: bool) -> None:
        """The ledger sequencer's ``BatchObserver``."""
        self.ledger_batch_entries.observe(entries)
        self.ledger_commit_seconds.labels("committed" if committed else "failed").observe(seconds)

    def observe_wal_flush(self, seconds: float) -> None:
        """``WalSync.on_flush``."""
        self.wal_flush_seconds.observe(seconds)

    def observe_decision(self, decision: Decision, engine: str) -> None:
        outcome = (
            "failed_closed" if decision.failed_closed else "allow" if decision.allow else "deny"
        )
        self.decisions.labels(outcome, decision.reason, engine).inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class ObservedEngine:
    """A ``PolicyEngine`` that counts the decisions of the engine it wraps."""

    def __init__(self, inner: PolicyEngine, metrics: Metrics, engine: str) -> None:
        self.inner = inner
        self._metrics = metrics
        self._engine = engine

    @property
    def revision(self) -> str:
        return self.inner.revision

    def decide(self, policy_input: PolicyInput | Mapping[str, Any]) -> Decision:
        decision = self.inner.decide(policy_input)
        self._metrics.observe_decision(decision, self._engine)
        return decision


def metrics_endpoint(metrics: Metrics) -> Callable[[Request], Response]:
    def serve_metrics(_: Request) -> Response:
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return serve_metrics
