"""Retries wait exponentially longer, capped, with jitter in the upper half."""

from __future__ import annotations

import random

from gateway.notifications.worker import backoff


def test_backoff_doubles_per_failure_within_its_jitter_band() -> None:
    rng = random.Random(7)
    for attempts, ceiling in [(1, 10), (2, 20), (3, 40), (4, 80), (8, 1280)]:
        waits = [backoff(attempts, 10, 3600, rng) for _ in range(200)]
        assert all(ceiling / 2 <= w <= ceiling for w in waits)
        assert max(waits) - min(waits) > ceiling / 4  # jittered, not a fixed schedule


def test_backoff_is_capped() -> None:
    rng = random.Random(1)
    assert all(1800 <= backoff(40, 10, 3600, rng) <= 3600 for _ in range(100))
