"""The bisection budget: how many distinct thresholds one institution may test per predicate,
enterprise and day. Repeating a threshold already asked costs nothing.

Read what was asked today once (:func:`asked_today`), judge it in memory (:func:`over_budget`)
and record only the new thresholds (:func:`spend`), all in the request's write transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, insert
from sqlalchemy import select as sa_select
from sqlmodel import Session

from gateway.prepared import Prepared
from gateway.verification.models import ThresholdProbe

# The platform's day is Benxi's calendar day.
PLATFORM_ZONE = ZoneInfo("Asia/Shanghai")


_probe = ThresholdProbe.__table__  # type: ignore[attr-defined]
_ASKED = Prepared(
    sa_select(_probe.c.predicate, _probe.c.threshold).where(
        _probe.c.institution == bindparam("institution"),
        _probe.c.enterprise == bindparam("enterprise"),
        _probe.c.day == bindparam("day"),
        _probe.c.predicate.in_(bindparam("predicates", expanding=True)),
    )
)
_SPEND = Prepared(insert(_probe))
# Every parameter set carries every probe column; the delete ignores first_asked_at.


def platform_day(now: datetime) -> date:
    return now.astimezone(PLATFORM_ZONE).date()


def asked_today(
    session: Session, institution: str, enterprise: str, predicates: Iterable[str], now: datetime
) -> dict[str, set[str]]:
    """predicate -> the thresholds ``institution`` already asked about ``enterprise`` today."""
    wanted = sorted(set(predicates))
    asked: dict[str, set[str]] = {p: set() for p in wanted}
    if not wanted:
        return asked
    rows = _ASKED.rows(
        session,
        {
            "institution": institution,
            "enterprise": enterprise,
            "day": platform_day(now),
            "predicates": wanted,
        },
    )
    for predicate, threshold in rows:
        asked[predicate].add(threshold)
    return asked


def used_today(session: Session, institution: str, now: datetime) -> list[tuple[str, str, int]]:
    """(enterprise, predicate, distinct thresholds asked) of ``institution`` today, in order."""
    rows = session.execute(
        sa_select(_probe.c.enterprise, _probe.c.predicate, func.count())
        .where(_probe.c.institution == institution, _probe.c.day == platform_day(now))
        .group_by(_probe.c.enterprise, _probe.c.predicate)
        .order_by(_probe.c.enterprise, _probe.c.predicate)
    ).all()
    return [(enterprise, predicate, count) for enterprise, predicate, count in rows]


def over_budget(
    asked: Mapping[str, set[str]], wanted: Mapping[str, set[str]], budget: int
) -> list[str]:
    """The predicates whose new thresholds would exceed the day's budget."""
    return sorted(p for p, new in wanted.items() if len(asked.get(p, set()) | new) > budget)


def spend(
    session: Session,
    institution: str,
    enterprise: str,
    asked: Mapping[str, set[str]],
    wanted: Mapping[str, set[str]],
    now: datetime,
) -> None:
    """Record the thresholds in ``wanted`` not yet in ``asked``."""
    _SPEND.run_many(session, _new_probes(institution, enterprise, asked, wanted, now))


def _new_probes(
    institution: str,
    enterprise: str,
    asked: Mapping[str, set[str]],
    wanted: Mapping[str, set[str]],
    now: datetime,
) -> list[dict[str, object]]:
    day = platform_day(now)
    return [
        {
            "institution": institution,
            "enterprise": enterprise,
            "predicate": predicate,
            "day": day,
            "threshold": threshold,
            "first_asked_at": now,
        }
        for predicate, thresholds in sorted(wanted.items())
        for threshold in sorted(thresholds - asked.get(predicate, set()))
    ]
