"""The decision cache: hits although now_ns moves, exact at authorization boundaries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from gateway.policy.cache import CachedEngine, time_window
from gateway.policy.decision import Decision
from gateway.policy.embedded import EmbeddedEngine
from gateway.policy.engine import PolicyEngine
from gateway.policy.inputs import PolicyInput, coerce_input
from tests.policy.corpus import CASES, Case
from tests.policy.factories import DAY_NS, NOW_NS, grant, report_input


class CountingEngine:
    """Wraps a real engine and counts the decisions it was really asked for."""

    def __init__(self, engine: PolicyEngine, revision: str | None = None) -> None:
        self.engine = engine
        self.calls = 0
        self.revision_override = revision

    @property
    def revision(self) -> str:
        return self.revision_override or self.engine.revision

    def decide(self, policy_input: PolicyInput | Mapping[str, Any]) -> Decision:
        self.calls += 1
        return self.engine.decide(policy_input)


def test_same_request_a_moment_later_is_a_hit(embedded_engine: EmbeddedEngine) -> None:
    counting = CountingEngine(embedded_engine)
    cached = CachedEngine(counting)

    first = cached.decide(report_input(now_ns=NOW_NS))
    later = cached.decide(report_input(now_ns=NOW_NS + 3 * 10**9))

    assert later == first
    assert counting.calls == 1
    assert cached.stats.hits == 1


def test_crossing_an_expiry_re_decides(embedded_engine: EmbeddedEngine) -> None:
    counting = CountingEngine(embedded_engine)
    cached = CachedEngine(counting)
    expiring = (grant(expires_at_ns=NOW_NS + 10),)

    before = cached.decide(report_input(now_ns=NOW_NS + 9, authorizations=expiring))
    at = cached.decide(report_input(now_ns=NOW_NS + 10, authorizations=expiring))

    assert before.discloses("tax_payments", "authorized")
    assert not at.discloses("tax_payments", "authorized")
    assert counting.calls == 2


def test_reaching_not_before_re_decides(embedded_engine: EmbeddedEngine) -> None:
    cached = CachedEngine(embedded_engine)
    future = (grant(not_before_ns=NOW_NS + 5, expires_at_ns=NOW_NS + DAY_NS),)

    assert not cached.decide(report_input(authorizations=future)).discloses(
        "tax_payments", "authorized"
    )
    assert cached.decide(report_input(now_ns=NOW_NS + 5, authorizations=future)).discloses(
        "tax_payments", "authorized"
    )


def test_any_other_change_is_another_key(embedded_engine: EmbeddedEngine) -> None:
    counting = CountingEngine(embedded_engine)
    cached = CachedEngine(counting)

    cached.decide(report_input())
    revoked = cached.decide(report_input(authorizations=(grant(state="revoked"),)))
    used_up = cached.decide(report_input(authorizations=(grant(uses_left=0),)))

    assert counting.calls == 3
    assert not revoked.discloses("tax_payments", "authorized")
    assert not used_up.discloses("tax_payments", "authorized")


def test_revision_is_part_of_the_key(embedded_engine: EmbeddedEngine) -> None:
    counting = CountingEngine(embedded_engine)
    cached = CachedEngine(counting)
    cached.decide(report_input())

    counting.revision_override = "another-policy"
    cached.decide(report_input())

    assert counting.calls == 2


def test_least_recently_used_entry_is_evicted(embedded_engine: EmbeddedEngine) -> None:
    counting = CountingEngine(embedded_engine)
    cached = CachedEngine(counting, maxsize=2)
    a, b, c = (report_input(purpose=p) for p in ("loan_underwriting", "credit_reporting", "x"))

    for policy_input in (a, b, a, c, a, b):
        cached.decide(policy_input)

    assert counting.calls == 4  # a, b, c, then b again (evicted by c); a stayed hot
    assert cached.stats.size == 2


def test_entries_expire_after_max_age(embedded_engine: EmbeddedEngine) -> None:
    counting = CountingEngine(embedded_engine)
    cached = CachedEngine(counting, max_age_seconds=0)

    cached.decide(report_input())
    cached.decide(report_input())

    assert counting.calls == 2


def test_time_window_lies_between_the_nearest_boundaries() -> None:
    grants = (
        grant(id="a", not_before_ns=NOW_NS - 100, expires_at_ns=NOW_NS + 50),
        grant(id="b", not_before_ns=NOW_NS - 10, expires_at_ns=NOW_NS + 500),
        grant(id="c", not_before_ns=NOW_NS + 20, expires_at_ns=NOW_NS + 900),
    )

    assert time_window(report_input(authorizations=grants)) == (NOW_NS - 10, NOW_NS + 20)
    assert time_window(report_input(authorizations=())) == (0, 2**63)
    exact = (grant(not_before_ns=NOW_NS, expires_at_ns=NOW_NS + 1),)
    assert time_window(report_input(authorizations=exact)) == (NOW_NS, NOW_NS + 1)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_decision_is_constant_across_its_cache_window(
    embedded_engine: EmbeddedEngine, case: Case
) -> None:
    """Guards the cache's one assumption: the policy reads now_ns only against the bounds."""
    policy_input = coerce_input(case.input)
    lo, hi = time_window(policy_input)
    expected = embedded_engine.decide(policy_input)

    for now in {lo, (lo + hi) // 2, hi - 1}:
        moved = policy_input.model_copy(update={"now_ns": now})
        assert embedded_engine.decide(moved).to_dict() == expected.to_dict(), now
