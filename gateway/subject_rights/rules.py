"""Which records may be repaired, and how long adverse records are shown to institutions.

The numbers come from policy data (``penalty_publication``); this module only knows which
dataset carries a publication window and which field dates it. Windows run on Benxi's calendar
days: a penalty decided on 2025-03-02 with a three-year maximum is shown until the end of
2028-03-01 and hidden from 2028-03-02 00:00 (UTC+8).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from gateway.policy.data import PenaltyPublicationParams

PLATFORM_ZONE = ZoneInfo("Asia/Shanghai")

# Datasets an enterprise may apply to repair: administrative penalties and list entries
# (abnormal operations, serious violations, the serious-dishonesty list).
REPAIRABLE = frozenset(
    {
        "administrative_penalties",
        "abnormal_operations",
        "serious_violations",
        "serious_dishonesty_list",
    }
)

# Datasets shown for a bounded window, and the field that dates each record.
WINDOWED: Mapping[str, str] = {"administrative_penalties": "decision_date"}
# The field in which the deciding authority sets the record's own last day of publication
# (公示截止期); publication ends at the earlier of that day's end and the policy's maximum.
PUBLISHED_UNTIL: Mapping[str, str] = {"administrative_penalties": "publication_deadline"}


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clamped to the month's last day (08-31 + 6 = 02-28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=PLATFORM_ZONE).astimezone(UTC)


def _dated(
    dataset: str, fields: Mapping[str, Any], which: Mapping[str, str] = WINDOWED
) -> date | None:
    name = which.get(dataset)
    value = fields.get(name) if name is not None else None
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def minimum_display_until(
    dataset: str, fields: Mapping[str, Any], publication: PenaltyPublicationParams
) -> datetime | None:
    """The moment before which the record must stay shown even if repaired (None: no floor)."""
    day = _dated(dataset, fields)
    return None if day is None else _start_of(add_months(day, publication.min_months))


def display_ends(
    dataset: str, fields: Mapping[str, Any], publication: PenaltyPublicationParams
) -> datetime | None:
    """The moment institutions stop seeing the record: the end of the policy's maximum
    window, or of the record's own last day of publication (公示截止期) if that is earlier."""
    day = _dated(dataset, fields)
    if day is None:
        return None
    ends = _start_of(add_months(day, 12 * publication.max_years))
    last_day = _dated(dataset, fields, PUBLISHED_UNTIL)
    if last_day is not None:
        ends = min(ends, _start_of(last_day + timedelta(days=1)))
    return ends


def within_window(
    dataset: str, fields: Mapping[str, Any], now: datetime, publication: PenaltyPublicationParams
) -> bool:
    end = display_ends(dataset, fields, publication)
    return end is None or now < end


def repair_takes_effect(
    dataset: str,
    fields: Mapping[str, Any],
    approved_at: datetime,
    publication: PenaltyPublicationParams,
) -> datetime:
    """An approved repair ends display at once, but never before the minimum window."""
    floor = minimum_display_until(dataset, fields, publication)
    return approved_at if floor is None or approved_at >= floor else floor
