"""What an institution did in a period, summarised from its access events (pure)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from gateway.access_index import AccessEvent
from gateway.oversight.detectors import BUDGET_REASON, by_local_day, unauthorized
from gateway.oversight.schemas import ActivityOut, AuthorizationsOut, Counts, DayVolume


def _counts(events: Sequence[AccessEvent], action: str) -> Counts:
    mine = [e for e in events if e.action == action]
    allowed = sum(1 for e in mine if e.allowed)
    return Counts(allowed=allowed, denied=len(mine) - allowed)


def threshold_limit_hits(events: Sequence[AccessEvent]) -> int:
    return sum(
        1
        for e in events
        if e.action == "verify"
        and (e.reason == BUDGET_REASON or bool(e.detail.get("budget_exceeded")))
    )


def summarize(events: Sequence[AccessEvent], zone: ZoneInfo) -> ActivityOut:
    by_day = [
        DayVolume(
            day=day,
            reports=sum(1 for e in items if e.action == "report"),
            verifications=sum(1 for e in items if e.action == "verify"),
            denied=sum(1 for e in items if not e.allowed),
        )
        for day, items in by_local_day(events, zone).items()
    ]
    return ActivityOut(
        reports=_counts(events, "report"),
        verifications=_counts(events, "verify"),
        by_day=by_day,
        purposes=dict(sorted(Counter(e.purpose or "" for e in events).items())),
        denials=dict(sorted(Counter(e.reason for e in events if not e.allowed).items())),
        enterprises_touched=len({e.subject for e in events}),
        enterprises_without_authorization=len({e.subject for e in unauthorized(events)}),
        threshold_limit_hits=threshold_limit_hits(events),
    )


def authorization_use(events: Sequence[AccessEvent], received: int) -> AuthorizationsOut:
    return AuthorizationsOut(
        received=received,
        used=len({a for e in events for a in e.authorizations}),
        uses=sum(1 for e in events if e.authorizations),
    )
