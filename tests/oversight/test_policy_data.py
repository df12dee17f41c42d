"""The oversight, assessment and retention sections of the policy data are validated."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gateway.policy.data import load_policy_data, parse_policy_data
from gateway.policy.errors import PolicyLoadError
from gateway.policy.source import default_policy_dir


def _data() -> dict[str, Any]:
    document: dict[str, Any] = json.loads((default_policy_dir() / "data.json").read_text())
    return document


def test_the_sections_and_their_values() -> None:
    data = load_policy_data()
    assert data.oversight.zone.key == "Asia/Shanghai"
    assert (data.assessment.first_due_days, data.assessment.max_interval_days) == (180, 366)
    assert data.assessment.grace_days == 0
    assert data.retention.access_records_years == 5


@pytest.mark.parametrize(
    "breakage",
    [
        lambda p: p["oversight"].update(timezone="Mars/Olympus_Mons"),
        lambda p: p["oversight"]["odd_hours"].update(from_hour=24),
        lambda p: p["oversight"]["burst"].update(multiplier=1),
        lambda p: p["oversight"]["burst"].update(window_minutes=0),
        lambda p: p["oversight"]["bisection"].update(min_distinct_thresholds=1),
        lambda p: p["oversight"]["probing"].update(min_refusals_per_day="5"),
        lambda p: p["assessment"].update(grace_days=-1),
        lambda p: p["assessment"].pop("first_due_days"),
        lambda p: p["retention"].update(access_records_years=0),
        lambda p: p["retention"].update(forever=True),
        lambda p: p.pop("retention"),
    ],
    ids=[
        "zone",
        "hour",
        "multiplier",
        "window",
        "bisection",
        "string",
        "grace",
        "missing-due",
        "zero-years",
        "unknown-key",
        "no-retention",
    ],
)
def test_invalid_sections_are_refused(breakage: Any) -> None:
    data = _data()
    breakage(data["credgate"]["params"])
    with pytest.raises(PolicyLoadError):
        parse_policy_data(data)


def test_an_integer_multiplier_is_accepted() -> None:
    data = _data()
    data["credgate"]["params"]["oversight"]["burst"]["multiplier"] = 4
    assert parse_policy_data(data).oversight.burst.multiplier == 4.0
