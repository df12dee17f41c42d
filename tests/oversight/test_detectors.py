"""The anomaly detectors on hand-made events: each fires at its threshold and not below."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from gateway.access_index import AccessEvent
from gateway.authorizations.models import Authorization
from gateway.oversight import detectors
from gateway.oversight.detectors import Evidence, Kind, Severity
from gateway.policy.data import OddHoursParams, load_policy_data
from tests.oversight.factories import BANK, ENTERPRISES, authorization, event, verify_event

PARAMS = load_policy_data().oversight
ZONE = PARAMS.zone
# 10:00 in Benxi (UTC+8) on a Friday.
MORNING = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


def evidence(
    events: Sequence[AccessEvent],
    history: Sequence[datetime] | None = None,
    grants: Sequence[Authorization] = (),
) -> Evidence:
    times = sorted(e.at for e in events) if history is None else sorted(history)
    return Evidence(
        institution=BANK,
        since=MORNING - timedelta(days=1),
        until=MORNING + timedelta(days=2),
        events=sorted(events, key=lambda e: (e.at, e.ledger_index)),
        history=times,
        authorizations={g.id: g for g in grants},
    )


def local(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 27, hour, minute, tzinfo=ZONE).astimezone(UTC)


def kinds(found: Sequence[detectors.Anomaly]) -> list[Kind]:
    return [a.kind for a in found]


def test_the_policy_data_sets_the_thresholds() -> None:
    assert PARAMS.timezone == "Asia/Shanghai"
    assert (PARAMS.odd_hours.from_hour, PARAMS.odd_hours.to_hour) == (22, 6)
    assert PARAMS.burst.multiplier == 5.0 and PARAMS.burst.min_events == 20
    assert PARAMS.unauthorized_breadth.max_enterprises_per_day == 20
    assert PARAMS.probing.min_refusals_per_day == 5
    assert PARAMS.bisection.min_distinct_thresholds == 4


# Odd hours.


@pytest.mark.parametrize(
    ("hour", "minute", "odd"),
    [(21, 59, False), (22, 0, True), (23, 30, True), (0, 0, True), (5, 59, True), (6, 0, False)],
)
def test_odd_hours_are_local_hours(hour: int, minute: int, odd: bool) -> None:
    found = detectors.odd_hours(evidence([event(local(hour, minute))]), PARAMS.odd_hours, ZONE)
    assert bool(found) is odd
    if odd:
        assert found[0].severity is Severity.low
        assert found[0].detail["local_times"] == [f"{hour:02d}:{minute:02d}"]


def test_an_odd_hours_window_need_not_wrap_midnight() -> None:
    lunch = OddHoursParams(from_hour=12, to_hour=14, min_events=2)
    events = [event(local(12, 5)), event(local(13, 59)), event(local(14, 0))]
    [found] = detectors.odd_hours(evidence(events), lunch, ZONE)
    assert found.detail["count"] == 2
    assert list(found.ledger_indexes) == sorted(e.ledger_index for e in events[:2])
    assert detectors.odd_hours(evidence(events[:1]), lunch, ZONE) == []


def test_odd_hours_group_by_local_day() -> None:
    late = [event(local(23)), event(local(23) + timedelta(hours=2))]  # 23:00 and 01:00 next day
    days = [a.detail["day"] for a in detectors.odd_hours(evidence(late), PARAMS.odd_hours, ZONE)]
    assert days == ["2026-11-27", "2026-11-28"]


# Bursts.


def test_a_burst_without_history_needs_min_events() -> None:
    burst = [event(MORNING + timedelta(minutes=i)) for i in range(20)]
    [found] = detectors.bursts(evidence(burst), PARAMS.burst)
    assert found.kind is Kind.burst and found.detail["count"] == 20
    assert found.detail["baseline_per_window"] == 0
    assert detectors.bursts(evidence(burst[:19]), PARAMS.burst) == []


def test_a_burst_is_measured_against_the_institutions_own_baseline() -> None:
    burst = [event(MORNING + timedelta(minutes=i)) for i in range(30)]
    # 28 days at 6 an hour before the window: baseline 6, five times that is 30.
    busy = [MORNING - timedelta(minutes=10 * (i + 1)) for i in range(28 * 24 * 6)]
    assert detectors.bursts(evidence(burst, busy + [e.at for e in burst]), PARAMS.burst) == []
    quieter = busy[::2]  # baseline 3: thirty is far above it
    [found] = detectors.bursts(evidence(burst, quieter + [e.at for e in burst]), PARAMS.burst)
    assert found.detail["baseline_per_window"] == 3.0


def test_history_older_than_the_baseline_does_not_count() -> None:
    burst = [event(MORNING + timedelta(minutes=i)) for i in range(30)]
    ancient = [MORNING - timedelta(days=29, minutes=i) for i in range(10_000)]
    assert len(detectors.bursts(evidence(burst, ancient), PARAMS.burst)) == 1


# Many enterprises without authorizations.


def test_many_enterprises_without_authorization_in_a_day() -> None:
    touched = [event(MORNING, subject=ENTERPRISES[i]) for i in range(21)]
    [found] = detectors.unauthorized_breadth(evidence(touched), PARAMS.unauthorized_breadth, ZONE)
    assert len(found.detail["enterprises"]) == 21
    assert (
        detectors.unauthorized_breadth(evidence(touched[:20]), PARAMS.unauthorized_breadth, ZONE)
        == []
    )


def test_accesses_under_an_authorization_or_on_two_days_do_not_count() -> None:
    touched = [event(MORNING, subject=ENTERPRISES[i]) for i in range(20)]
    granted = event(MORNING, subject=ENTERPRISES[20], authorizations=["grant-0001"])
    # a refusal uses no authorization, even about an enterprise that granted one
    refused = event(MORNING, subject=ENTERPRISES[20], allowed=False, reason="x")
    next_day = event(MORNING + timedelta(days=1), subject=ENTERPRISES[21])
    found = detectors.unauthorized_breadth(
        evidence([*touched, granted, refused, next_day]), PARAMS.unauthorized_breadth, ZONE
    )
    assert found == []


# Repeated refusals.


def test_repeated_refusals_are_probing() -> None:
    denied = [
        event(MORNING, subject=ENTERPRISES[i], allowed=False, reason="unknown_purpose")
        for i in range(3)
    ]
    refused = [
        verify_event(MORNING, "vat_paid_last_year_at_least", "1000", permitted=False),
        verify_event(MORNING, "vat_paid_last_year_at_least", "2000", permitted=False),
    ]
    [found] = detectors.probing(evidence([*denied, *refused]), PARAMS.probing, ZONE)
    assert found.detail["by_reason"] == {"no_authorization": 2, "unknown_purpose": 3}
    assert found.detail["enterprises"] == 3
    assert detectors.probing(evidence([*denied, *refused[:1]]), PARAMS.probing, ZONE) == []


# Bisection.


def test_many_distinct_thresholds_for_one_predicate_and_enterprise() -> None:
    asks = [
        verify_event(MORNING, "vat_paid_last_year_at_least", amount)
        for amount in ("1000000", "2000000", "1500000", "1500000", "1250000")
    ]
    [found] = detectors.bisection(evidence(asks), PARAMS.bisection)
    assert (found.severity, found.subject) == (Severity.medium, ENTERPRISES[0])
    assert found.detail["distinct_thresholds"] == 4 and found.detail["budget_hits"] == 0
    assert detectors.bisection(evidence(asks[:4]), PARAMS.bisection) == []  # 3 distinct


def test_thresholds_about_different_enterprises_are_not_a_bisection() -> None:
    asks = [
        verify_event(MORNING, "vat_paid_last_year_at_least", str(1000 * i), subject=ENTERPRISES[i])
        for i in range(5)
    ]
    assert detectors.bisection(evidence(asks), PARAMS.bisection) == []


def test_a_budget_refusal_without_thresholds_is_a_bisection_signal_too() -> None:
    guesses = [
        verify_event(MORNING, "legal_representative_id_is", None),
        verify_event(MORNING, "legal_representative_id_is", None, budget_exceeded=True),
    ]
    [found] = detectors.bisection(evidence(guesses), PARAMS.bisection)
    assert found.detail == {
        "predicate": "legal_representative_id_is", "distinct_thresholds": 0, "budget_hits": 1,
    }  # fmt: skip
    assert found.ledger_indexes == (guesses[1].ledger_index,)
    assert detectors.bisection(evidence(guesses[:1]), PARAMS.bisection) == []


def test_a_budget_refusal_is_a_bisection_signal() -> None:
    asks = [verify_event(MORNING, "debt_ratio_at_most", "0.5", budget_exceeded=True)]
    [found] = detectors.bisection(evidence(asks), PARAMS.bisection)
    assert found.severity is Severity.high and found.detail["budget_hits"] == 1


# Use of an authorization that had ended.


def test_use_after_revocation_is_ordered_by_the_ledger() -> None:
    grant = authorization(MORNING, revoked_at=MORNING, revoke_ledger_index=500)
    before = event(MORNING, ledger_index=499, authorizations=[grant.id])
    after = event(MORNING, ledger_index=501, authorizations=[grant.id])
    [found] = detectors.authorization_misuse(evidence([before, after], grants=[grant]))
    assert found.kind is Kind.use_after_authorization_ended
    assert found.ledger_indexes == (501,) and found.detail["reason"] == "revoked"
    assert found.severity is Severity.high


def test_use_after_revocation_without_a_ledger_index_goes_by_time() -> None:
    grant = authorization(MORNING, revoked_at=MORNING, revoke_ledger_index=None)
    same_moment = event(MORNING, authorizations=[grant.id])
    later = event(MORNING + timedelta(seconds=1), authorizations=[grant.id])
    found = detectors.authorization_misuse(evidence([same_moment, later], grants=[grant]))
    assert [a.ledger_indexes for a in found] == [(later.ledger_index,)]


def test_use_at_or_after_expiry_is_flagged() -> None:
    grant = authorization(MORNING - timedelta(days=30))  # expires at MORNING
    [found] = detectors.authorization_misuse(
        evidence([event(MORNING, authorizations=[grant.id])], grants=[grant])
    )
    assert (found.kind, found.detail["reason"]) == (
        Kind.use_after_authorization_ended,
        "expired",
    )
    fine = event(MORNING - timedelta(seconds=1), authorizations=[grant.id])
    assert detectors.authorization_misuse(evidence([fine], grants=[grant])) == []


@pytest.mark.parametrize(
    ("grant_overrides", "event_overrides", "reason"),
    [
        ({"id": "other"}, {}, "unknown_authorization"),
        ({"institution": "bank-other"}, {}, "other_party"),
        ({"enterprise": ENTERPRISES[1]}, {}, "other_party"),
        ({"purpose": "post_loan_monitoring"}, {}, "other_purpose"),
        ({"grant_ledger_index": 10_000_000}, {}, "used_before_granted"),
        ({"not_before": MORNING + timedelta(hours=1)}, {}, "not_yet_valid"),
    ],
)
def test_an_authorization_that_never_applied_is_a_mismatch(
    grant_overrides: dict[str, object], event_overrides: dict[str, object], reason: str
) -> None:
    grant = authorization(MORNING - timedelta(days=1), **grant_overrides)
    used = event(MORNING, authorizations=["grant-0001"], **event_overrides)
    [found] = detectors.authorization_misuse(evidence([used], grants=[grant]))
    assert (found.kind, found.detail["reason"]) == (Kind.authorization_mismatch, reason)


def test_detect_runs_every_detector_oldest_first() -> None:
    grant = authorization(MORNING - timedelta(days=40))  # long expired
    events = [
        event(MORNING + timedelta(hours=1), authorizations=[grant.id]),
        event(local(23)),
    ]
    found = detectors.detect(evidence(events, grants=[grant]), PARAMS)
    assert kinds(found) == [Kind.use_after_authorization_ended, Kind.odd_hours]
    assert detectors.detect(evidence([event(MORNING)]), PARAMS) == []
