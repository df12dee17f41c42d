"""Many threads deciding at once on one engine get exactly their own decisions."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import pytest

from gateway.policy.cache import CachedEngine
from gateway.policy.embedded import EmbeddedEngine
from gateway.policy.engine import PolicyEngine
from gateway.policy.opa import OpaEngine
from gateway.policy.source import PolicyFiles
from tests.policy.corpus import CASES
from tests.policy.opa_standin import OpaStandIn
from tests.policy.reference import normalise_decision

THREADS = 8
DECISIONS_PER_THREAD = 40


def _hammer(engine: PolicyEngine, seed: int) -> list[str]:
    """Decide a random stream of corpus cases; return the names of any decided wrongly."""
    rng = random.Random(seed)
    wrong = []
    for _ in range(DECISIONS_PER_THREAD):
        case = rng.choice(CASES)
        if engine.decide(case.input).to_dict() != normalise_decision(case.expected):
            wrong.append(case.name)
    return wrong


def _run_concurrently(engine: PolicyEngine) -> list[str]:
    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(lambda seed: _hammer(engine, seed), range(THREADS)))
    return [name for wrong in results for name in wrong]


@pytest.mark.parametrize("timeout", [10.0, None], ids=["worker-pool", "calling-threads"])
def test_embedded_engine_is_correct_under_concurrency(
    policy_files: PolicyFiles, timeout: float | None
) -> None:
    engine = EmbeddedEngine(policy_files, timeout_seconds=timeout, workers=4)
    try:
        assert _run_concurrently(engine) == []
    finally:
        engine.close()


def test_cached_embedded_engine_is_correct_under_concurrency(policy_files: PolicyFiles) -> None:
    engine = EmbeddedEngine(policy_files, timeout_seconds=10.0, workers=2)
    cached = CachedEngine(engine, maxsize=16)  # small: hits, misses and evictions interleave
    try:
        assert _run_concurrently(cached) == []
        assert cached.stats.hits > 0
    finally:
        engine.close()


def test_opa_engine_is_correct_under_concurrency(
    opa_engine: OpaEngine, standin: OpaStandIn
) -> None:
    assert _run_concurrently(opa_engine) == []
