"""Decision latency of the embedded engine (regopy), uncached and cached.

    .venv/bin/python benchmarks/policy_bench.py [--iterations 500]

Inputs: a report over every (dataset, class) group of the shipped catalog (as a full report
asks) with three authorizations, a report over 25 groups with one authorization, and a verify
request with three predicates. "uncached" evaluates every decision (calling thread, and through
the worker pool that enforces the timeout, as ``build_engine`` configures it); "cached" repeats
the request with ``now_ns`` moving forward, as repeated requests do, and so measures a cache hit.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from gateway.catalog.loader import load_catalog
from gateway.policy.cache import CachedEngine
from gateway.policy.embedded import EmbeddedEngine
from gateway.policy.engine import PolicyEngine
from gateway.policy.inputs import (
    AuthorizationGrant,
    Caller,
    PolicyInput,
    Predicate,
    Resource,
    build_policy_input,
)
from gateway.policy.source import PolicyFiles

NOW = datetime(2025, 11, 24, 16, tzinfo=UTC)
SUBJECT = "91210502MA0XXXXXXX"
BANK = Caller(id="bank-001", role="institution", kind="bank", status="active")


def _grants(groups: list[tuple[str, str]], count: int) -> list[AuthorizationGrant]:
    authorized = [d for d, c in groups if c in ("authorized", "verify_only")]
    return [
        AuthorizationGrant(
            id=f"auth-{i}",
            institution=BANK.id,
            enterprise=SUBJECT,
            purpose="loan_underwriting",
            datasets=tuple(authorized[i::count]),
            modes=("report", "verify"),
            not_before_ns=NOW - timedelta(days=10),
            expires_at_ns=NOW + timedelta(days=170),
            state="active",
            uses_left=None if i else 5,
        )
        for i in range(count)
    ]


def _input(
    action: str,
    resources: list[tuple[str, str]] | None = None,
    predicates: list[Predicate] | None = None,
    grants: list[AuthorizationGrant] | None = None,
) -> PolicyInput:
    return build_policy_input(
        now=NOW,
        caller=BANK,
        action=action,
        purpose="loan_underwriting",
        subject=SUBJECT,
        resources=resources or [],
        predicates=predicates or [],
        authorizations=grants or [],
    )


def inputs() -> dict[str, PolicyInput]:
    catalog = load_catalog()
    groups = sorted({(d.id, f.disclosure.value) for d in catalog.datasets for f in d.fields})
    reads = [Resource(dataset=d, disclosure_class=c) for d, c in groups if c != "public"]
    predicates = [
        Predicate(name=f"predicate_{i}", reads=tuple(reads[i * 2 : i * 2 + 2])) for i in range(3)
    ]
    return {
        f"report, {len(groups)} groups, 3 authorizations": _input(
            "report", resources=groups, grants=_grants(groups, 3)
        ),
        "report, 25 groups, 1 authorization": _input(
            "report", resources=groups[:25], grants=_grants(groups[:25], 1)
        ),
        "verify, 3 predicates, 1 authorization": _input(
            "verify", predicates=predicates, grants=_grants(groups, 1)
        ),
    }


def measure(call: Callable[[int], object], iterations: int) -> tuple[float, float]:
    for i in range(20):  # warm up: per-thread compilation, caches
        call(i)
    samples = []
    for i in range(iterations):
        start = time.perf_counter()
        call(i)
        samples.append(time.perf_counter() - start)
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[98] * 1000


def decide_moving(engine: PolicyEngine, policy_input: PolicyInput) -> Callable[[int], object]:
    def call(i: int) -> object:
        moved = policy_input.model_copy(update={"now_ns": policy_input.now_ns + i * 1_000_000})
        decision = engine.decide(moved)
        assert not decision.failed_closed, decision.reason
        return decision

    return call


def reparse(policy_input: PolicyInput) -> Callable[[int], object]:
    document = policy_input.to_dict()
    return lambda _: PolicyInput.parse(document).canonical_json()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=500)
    iterations = parser.parse_args().iterations
    files = PolicyFiles.load()
    inline = EmbeddedEngine(files, timeout_seconds=None)
    pooled = EmbeddedEngine(files, timeout_seconds=1.5)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"policy revision {files.revision[:12]}, {iterations} decisions each, wall-clock ms")
    print(f"{os.cpu_count()} CPUs, load average {load} (other work inflates p99)\n")
    print(f"{'input':42} {'bytes':>6} {'engine':28} {'p50':>7} {'p99':>7}")
    try:
        for name, policy_input in inputs().items():
            size = len(policy_input.canonical_json())
            runs = {
                "embedded, uncached": decide_moving(inline, policy_input),
                "embedded, uncached, pool": decide_moving(pooled, policy_input),
                "embedded, cached (hit)": decide_moving(CachedEngine(inline), policy_input),
                "input parse + canonical JSON": reparse(policy_input),
            }
            for label, call in runs.items():
                p50, p99 = measure(call, iterations)
                print(f"{name:42} {size:6d} {label:28} {p50:7.3f} {p99:7.3f}")
    finally:
        pooled.close()


if __name__ == "__main__":
    main()
