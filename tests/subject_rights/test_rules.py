"""Publication windows: dates on Benxi's calendar, numbers from policy data."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from gateway.policy.data import PenaltyPublicationParams, load_policy_data
from gateway.subject_rights import rules

PENALTIES = "administrative_penalties"
DEFAULT = load_policy_data().penalty_publication
LONGER = PenaltyPublicationParams(min_months=6, max_years=5)


def at(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 3, 2), 3, date(2025, 6, 2)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
    ],
)
def test_add_months_clamps_to_the_last_day(day: date, months: int, expected: date) -> None:
    assert rules.add_months(day, months) == expected


def test_the_default_numbers_are_the_policy_files() -> None:
    assert (DEFAULT.min_months, DEFAULT.max_years) == (3, 3)


def test_windows_follow_the_policy_numbers() -> None:
    fields = {"decision_date": "2025-03-02"}
    assert rules.display_ends(PENALTIES, fields, DEFAULT) == at(2028, 3, 1, 16)
    assert rules.display_ends(PENALTIES, fields, LONGER) == at(2030, 3, 1, 16)
    assert rules.minimum_display_until(PENALTIES, fields, LONGER) == at(2025, 9, 1, 16)
    assert rules.within_window(PENALTIES, fields, at(2029, 1, 1), LONGER)
    assert not rules.within_window(PENALTIES, fields, at(2029, 1, 1), DEFAULT)


def test_a_repair_takes_effect_at_approval_or_at_the_minimum_whichever_is_later() -> None:
    fields = {"decision_date": "2025-03-02"}
    early, late = at(2025, 4, 1), at(2025, 7, 1)
    assert rules.repair_takes_effect(PENALTIES, fields, early, DEFAULT) == at(2025, 6, 1, 16)
    assert rules.repair_takes_effect(PENALTIES, fields, late, DEFAULT) == late
    assert rules.repair_takes_effect(PENALTIES, fields, late, LONGER) == at(2025, 9, 1, 16)


def test_datasets_without_a_window_are_shown_until_repaired() -> None:
    listed = {"listed_date": "2010-01-01", "is_listed": True}
    assert rules.display_ends("abnormal_operations", listed, DEFAULT) is None
    assert rules.within_window("abnormal_operations", listed, at(2040, 1, 1), DEFAULT)
    approved = at(2026, 1, 1)
    assert rules.repair_takes_effect("abnormal_operations", listed, approved, DEFAULT) == approved


def test_the_policy_refuses_a_minimum_beyond_the_maximum() -> None:
    with pytest.raises(ValueError):
        PenaltyPublicationParams(min_months=48, max_years=3)


def test_the_records_own_publication_deadline_ends_the_window_when_earlier() -> None:
    # 公示截止期 2026-03-01: shown through that day in Benxi, hidden from 2026-03-02 00:00 +08
    fields = {"decision_date": "2025-03-02", "publication_deadline": "2026-03-01"}
    assert rules.display_ends(PENALTIES, fields, DEFAULT) == at(2026, 3, 1, 16)
    assert rules.within_window(PENALTIES, fields, at(2026, 3, 1, 15), DEFAULT)
    assert not rules.within_window(PENALTIES, fields, at(2026, 3, 1, 16), DEFAULT)


def test_a_publication_deadline_beyond_the_policy_maximum_does_not_extend_it() -> None:
    fields = {"decision_date": "2025-03-02", "publication_deadline": "2031-01-01"}
    assert rules.display_ends(PENALTIES, fields, DEFAULT) == at(2028, 3, 1, 16)


def test_an_unreadable_publication_deadline_leaves_the_policy_window() -> None:
    fields = {"decision_date": "2025-03-02", "publication_deadline": "soon"}
    assert rules.display_ends(PENALTIES, fields, DEFAULT) == at(2028, 3, 1, 16)
