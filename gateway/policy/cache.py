"""An LRU decision cache that wraps any ``PolicyEngine`` and stays exact although time moves.

``now_ns`` changes with every request, so keying on the whole input would never hit. The key
is therefore ``(revision, canonical input without now_ns)`` and each entry remembers the time
window in which its decision holds. The policy reads ``now_ns`` only to compare it with the
authorizations' ``not_before_ns`` (``<=``) and ``expires_at_ns`` (``<``); between two
consecutive such boundaries every comparison, and so the decision, is constant. An entry
decided at ``now`` is valid for ``[largest boundary <= now, smallest boundary > now)`` and is
re-decided outside it. Everything else that changes a decision (a revocation, a used-up
``uses_left``, a suspension) changes the input and so the key.

If the policy ever compares ``now_ns`` with anything else, ``time_window`` must learn about it
(``tests/policy/test_cache.py`` checks the window against the engine over the corpus).

Denials that stand in for a failed engine are never cached: the next request asks again.
``max_age_seconds`` bounds how long any entry is trusted, for an OPA server whose bundle is
replaced underneath a running gateway.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gateway.policy.decision import Decision
from gateway.policy.engine import PolicyEngine
from gateway.policy.inputs import PolicyInput, coerce_input

_NEVER = 2**63


def time_window(policy_input: PolicyInput) -> tuple[int, int]:
    """``[lo, hi)`` around ``now_ns`` in which the decision for this input cannot change."""
    now = policy_input.now_ns
    lo, hi = 0, _NEVER
    for grant in policy_input.authorizations:
        for boundary in (grant.not_before_ns, grant.expires_at_ns):
            if boundary <= now:
                lo = max(lo, boundary)
            else:
                hi = min(hi, boundary)
    return lo, hi


@dataclass(frozen=True)
class _Entry:
    decision: Decision
    lo: int
    hi: int
    stored_at: float


@dataclass(frozen=True)
class CacheStats:
    hits: int
    misses: int
    size: int


class CachedEngine:
    """``PolicyEngine`` that answers repeated questions from memory."""

    def __init__(
        self, engine: PolicyEngine, *, maxsize: int = 4096, max_age_seconds: float = 300.0
    ) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be positive")
        self._engine = engine
        self._maxsize = maxsize
        self._max_age = max_age_seconds
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0

    @property
    def revision(self) -> str:
        return self._engine.revision

    @property
    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(self._hits, self._misses, len(self._entries))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def decide(self, policy_input: PolicyInput | Mapping[str, Any]) -> Decision:
        policy_input = coerce_input(policy_input)
        revision = self._engine.revision
        key = (revision, policy_input.canonical_json(include_now=False))
        now = policy_input.now_ns
        with self._lock:
            entry = self._entries.get(key)
            if (
                entry is not None
                and entry.lo <= now < entry.hi
                and time.monotonic() - entry.stored_at < self._max_age
            ):
                self._entries.move_to_end(key)
                self._hits += 1
                return entry.decision
            self._misses += 1
        decision = self._engine.decide(policy_input)
        if decision.failed_closed or decision.revision != revision:
            return decision
        lo, hi = time_window(policy_input)
        with self._lock:
            self._entries[key] = _Entry(decision, lo, hi, time.monotonic())
            self._entries.move_to_end(key)
            while len(self._entries) > self._maxsize:
                self._entries.popitem(last=False)
        return decision
