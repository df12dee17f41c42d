"""The bisection budget: how many distinct thresholds one institution may test per predicate,
enterprise and day. Repeating a threshold already asked costs nothing."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from gateway.verification.models import ThresholdProbe

# The platform's day is Benxi's calendar day.
PLATFORM_ZONE = ZoneInfo("Asia/Shanghai")


def platform_day(now: datetime) -> date:
    return now.astimezone(PLATFORM_ZONE).date()


def _asked(
    session: Session, institution: str, enterprise: str, predicate: str, day: date
) -> set[str]:
    rows = session.exec(
        select(ThresholdProbe.threshold).where(
            ThresholdProbe.institution == institution,
            ThresholdProbe.enterprise == enterprise,
            ThresholdProbe.predicate == predicate,
            ThresholdProbe.day == day,
        )
    )
    return set(rows)


def over_budget(
    session: Session,
    institution: str,
    enterprise: str,
    thresholds: dict[str, set[str]],
    budget: int,
    now: datetime,
) -> list[str]:
    """The predicates whose new thresholds would exceed the day's budget."""
    day = platform_day(now)
    exceeded = []
    for predicate, wanted in sorted(thresholds.items()):
        asked = _asked(session, institution, enterprise, predicate, day)
        if len(asked | wanted) > budget:
            exceeded.append(predicate)
    return exceeded


def spend(
    session: Session,
    institution: str,
    enterprise: str,
    thresholds: dict[str, set[str]],
    now: datetime,
) -> None:
    day = platform_day(now)
    for predicate, wanted in thresholds.items():
        for threshold in sorted(wanted - _asked(session, institution, enterprise, predicate, day)):
            session.add(
                ThresholdProbe(
                    institution=institution,
                    enterprise=enterprise,
                    predicate=predicate,
                    day=day,
                    threshold=threshold,
                    first_asked_at=now,
                )
            )
