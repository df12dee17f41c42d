"""Anomaly detectors over one institution's access events: pure functions, no I/O.

Each detector reads the events of the audited period (and, for bursts, the times of the
institution's earlier events) and returns ``Anomaly`` values naming the ledger entries they
rest on, so an assessor can cite them and anyone can check them against the ledger. The
thresholds are policy data (``data.credgate.params.oversight``); days are local calendar days
of the platform's time zone.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from gateway.access_index import AccessEvent
from gateway.authorizations.models import Authorization
from gateway.policy.data import (
    BisectionParams,
    BreadthParams,
    BurstParams,
    OddHoursParams,
    OversightParams,
    ProbingParams,
)

QUERY_ACTIONS = frozenset({"report", "verify"})
BUDGET_REASON = "bisection_budget_exceeded"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Severity(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


class Kind(StrEnum):
    odd_hours = "odd_hours"
    burst = "burst"
    unauthorized_breadth = "unauthorized_breadth"
    probing = "probing"
    bisection = "bisection"
    use_after_authorization_ended = "use_after_authorization_ended"
    authorization_mismatch = "authorization_mismatch"


@dataclass(frozen=True, slots=True)
class Anomaly:
    kind: Kind
    institution: str
    severity: Severity
    first_at: datetime
    last_at: datetime
    summary: str
    ledger_indexes: tuple[int, ...]
    subject: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the detectors look at for one institution."""

    institution: str
    since: datetime
    until: datetime
    # The institution's events in [since, until), oldest first.
    events: Sequence[AccessEvent]
    # Times of its events in [since - burst.baseline_days, until), sorted.
    history: Sequence[datetime]
    # The authorizations its events name, by id.
    authorizations: Mapping[str, Authorization]


def _anomaly(
    kind: Kind,
    institution: str,
    severity: Severity,
    events: Sequence[AccessEvent],
    summary: str,
    subject: str | None = None,
    **detail: Any,
) -> Anomaly:
    return Anomaly(
        kind=kind,
        institution=institution,
        severity=severity,
        first_at=min(e.at for e in events),
        last_at=max(e.at for e in events),
        summary=summary,
        ledger_indexes=tuple(sorted({e.ledger_index for e in events})),
        subject=subject,
        detail=detail,
    )


def by_local_day(events: Iterable[AccessEvent], zone: ZoneInfo) -> dict[date, list[AccessEvent]]:
    days: dict[date, list[AccessEvent]] = defaultdict(list)
    for event in events:
        days[event.at.astimezone(zone).date()].append(event)
    return dict(sorted(days.items()))


def is_odd_hour(hour: int, params: OddHoursParams) -> bool:
    if params.from_hour > params.to_hour:  # the window wraps past midnight
        return hour >= params.from_hour or hour < params.to_hour
    return params.from_hour <= hour < params.to_hour


def odd_hours(evidence: Evidence, params: OddHoursParams, zone: ZoneInfo) -> list[Anomaly]:
    found = []
    for day, events in by_local_day(evidence.events, zone).items():
        odd = [e for e in events if is_odd_hour(e.at.astimezone(zone).hour, params)]
        if len(odd) >= params.min_events:
            hours = sorted({e.at.astimezone(zone).strftime("%H:%M") for e in odd})
            found.append(
                _anomaly(
                    Kind.odd_hours,
                    evidence.institution,
                    Severity.low,
                    odd,
                    f"{len(odd)} access(es) at odd local hours on {day.isoformat()}",
                    day=day.isoformat(),
                    count=len(odd),
                    local_times=hours,
                )
            )
    return found


def _window_start(moment: datetime, width: timedelta) -> datetime:
    return _EPOCH + ((moment - _EPOCH) // width) * width


def bursts(evidence: Evidence, params: BurstParams) -> list[Anomaly]:
    """Windows whose count is at least ``min_events`` and above ``multiplier`` times the
    institution's own average per window over the ``baseline_days`` before the window."""
    width = timedelta(minutes=params.window_minutes)
    history = sorted(evidence.history)
    windows_in_baseline = params.baseline_days * 1440 / params.window_minutes
    windows: dict[datetime, list[AccessEvent]] = defaultdict(list)
    for event in evidence.events:
        windows[_window_start(event.at, width)].append(event)
    found = []
    for start, events in sorted(windows.items()):
        if len(events) < params.min_events:
            continue
        lo = bisect_left(history, start - timedelta(days=params.baseline_days))
        hi = bisect_left(history, start)
        baseline = (hi - lo) / windows_in_baseline
        if len(events) > params.multiplier * baseline:
            found.append(
                _anomaly(
                    Kind.burst,
                    evidence.institution,
                    Severity.medium,
                    events,
                    f"{len(events)} accesses in {params.window_minutes} minutes from "
                    f"{start.isoformat()}; its own baseline is {baseline:.2f} per window",
                    window_start=start.isoformat(),
                    window_minutes=params.window_minutes,
                    count=len(events),
                    baseline_per_window=round(baseline, 4),
                )
            )
    return found


def unauthorized(events: Sequence[AccessEvent]) -> list[AccessEvent]:
    """Queries about enterprises none of whose queries in ``events`` used an authorization
    (a refusal uses none even when the institution holds one: that is not what counts)."""
    queries = [e for e in events if e.action in QUERY_ACTIONS]
    granted = {e.subject for e in queries if e.authorizations}
    return [e for e in queries if e.subject not in granted]


def unauthorized_breadth(
    evidence: Evidence, params: BreadthParams, zone: ZoneInfo
) -> list[Anomaly]:
    found = []
    for day, events in by_local_day(evidence.events, zone).items():
        bare = unauthorized(events)
        subjects = sorted({e.subject for e in bare})
        if len(subjects) > params.max_enterprises_per_day:
            found.append(
                _anomaly(
                    Kind.unauthorized_breadth,
                    evidence.institution,
                    Severity.medium,
                    bare,
                    f"{len(subjects)} enterprises accessed without an authorization on "
                    f"{day.isoformat()}",
                    day=day.isoformat(),
                    enterprises=subjects,
                )
            )
    return found


def _refusals(event: AccessEvent) -> list[str]:
    if not event.allowed:
        return [event.reason]
    if event.action != "verify":
        return []
    return [
        str(check.get("reason"))
        for check in event.detail.get("checks", [])
        if check.get("permitted") is False
    ]


def probing(evidence: Evidence, params: ProbingParams, zone: ZoneInfo) -> list[Anomaly]:
    """Repeated refusals in a day: denied requests and refused checks alike."""
    found = []
    for day, events in by_local_day(evidence.events, zone).items():
        reasons: Counter[str] = Counter()
        refused = []
        for event in events:
            these = _refusals(event)
            if these:
                reasons.update(these)
                refused.append(event)
        total = sum(reasons.values())
        if total >= params.min_refusals_per_day:
            found.append(
                _anomaly(
                    Kind.probing,
                    evidence.institution,
                    Severity.medium,
                    refused,
                    f"{total} refusals on {day.isoformat()} "
                    f"across {len({e.subject for e in refused})} enterprise(s)",
                    day=day.isoformat(),
                    refusals=total,
                    by_reason=dict(sorted(reasons.items())),
                    enterprises=len({e.subject for e in refused}),
                )
            )
    return found


@dataclass
class _Probes:
    thresholds: set[str] = field(default_factory=set)
    budget_hits: int = 0
    events: list[AccessEvent] = field(default_factory=list)


def bisection(evidence: Evidence, params: BisectionParams) -> list[Anomaly]:
    """Many distinct thresholds asked of one predicate about one enterprise, or refusals for
    the bisection budget. A budget refusal counts for the predicates the event names as over
    budget; the budget also covers predicates without a threshold, such as guesses of an ID
    number, whose arguments the event does not hold."""
    groups: dict[tuple[str, str], _Probes] = defaultdict(_Probes)
    for event in evidence.events:
        if event.action != "verify":
            continue
        refused = event.reason == BUDGET_REASON or bool(event.detail.get("budget_exceeded"))
        over = set(event.detail.get("over_budget") or [])
        checks = event.detail.get("checks", [])
        for predicate in sorted({str(c["predicate"]) for c in checks}):
            # events name the predicates that ran over; older ones count for every predicate
            hit = refused and (not over or predicate in over)
            asked = {
                str(c["threshold"])
                for c in checks
                if c["predicate"] == predicate and c.get("threshold") is not None
            }
            if not asked and not hit:
                continue
            probes = groups[(event.subject, predicate)]
            probes.thresholds |= asked
            probes.budget_hits += hit
            probes.events.append(event)
    found = []
    for (subject, predicate), probes in sorted(groups.items()):
        many = len(probes.thresholds) >= params.min_distinct_thresholds
        hits = probes.budget_hits >= params.min_budget_hits
        if not (many or hits):
            continue
        found.append(
            _anomaly(
                Kind.bisection,
                evidence.institution,
                Severity.high if hits else Severity.medium,
                probes.events,
                f"{len(probes.thresholds)} distinct thresholds of {predicate} about {subject}"
                + (f", {probes.budget_hits} budget refusal(s)" if probes.budget_hits else ""),
                subject=subject,
                predicate=predicate,
                distinct_thresholds=len(probes.thresholds),
                budget_hits=probes.budget_hits,
            )
        )
    return found


def _misuse(event: AccessEvent, grant: Authorization | None) -> tuple[Kind, str] | None:
    """Why ``event`` should not have used ``grant``, if it should not have."""
    mismatch = Kind.authorization_mismatch
    if grant is None:
        return mismatch, "unknown_authorization"
    if grant.institution != event.caller or grant.enterprise != event.subject:
        return mismatch, "other_party"
    if grant.purpose != event.purpose:
        return mismatch, "other_purpose"
    if grant.grant_ledger_index is not None and grant.grant_ledger_index > event.ledger_index:
        return mismatch, "used_before_granted"
    if grant.revoked_at is not None:
        # The ledger orders a use and a revocation as the lock did: a request that decided
        # before the revoke committed is earlier in the log even if its clock read later.
        after = (
            event.ledger_index > grant.revoke_ledger_index
            if grant.revoke_ledger_index is not None
            else event.at > grant.revoked_at
        )
        if after:
            return Kind.use_after_authorization_ended, "revoked"
    if event.at >= grant.expires_at:
        return Kind.use_after_authorization_ended, "expired"
    if event.at < grant.not_before:
        return mismatch, "not_yet_valid"
    return None


def authorization_misuse(evidence: Evidence) -> list[Anomaly]:
    """Uses of an authorization that had ended (or never applied): should never happen, so a
    strong sign of a bug or of tampering with the database."""
    found = []
    for event in evidence.events:
        for authorization_id in event.authorizations:
            problem = _misuse(event, evidence.authorizations.get(authorization_id))
            if problem is None:
                continue
            kind, reason = problem
            found.append(
                _anomaly(
                    kind,
                    evidence.institution,
                    Severity.high,
                    [event],
                    f"{event.action} of {event.subject} used authorization "
                    f"{authorization_id}: {reason}",
                    subject=event.subject,
                    authorization=authorization_id,
                    reason=reason,
                )
            )
    return found


def detect(evidence: Evidence, params: OversightParams) -> list[Anomaly]:
    """Every detector's findings, oldest first."""
    zone = params.zone
    found = [
        *odd_hours(evidence, params.odd_hours, zone),
        *bursts(evidence, params.burst),
        *unauthorized_breadth(evidence, params.unauthorized_breadth, zone),
        *probing(evidence, params.probing, zone),
        *bisection(evidence, params.bisection),
        *authorization_misuse(evidence),
    ]
    return sorted(found, key=lambda a: (a.first_at, a.kind.value, a.ledger_indexes))
