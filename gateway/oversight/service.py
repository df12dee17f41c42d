"""The assessors' views: per-institution activity, anomalies, standing, exports."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from gateway.access_index import AccessEvent
from gateway.context import RequestContext
from gateway.errors import InvalidInput
from gateway.oversight import activity, assessments, export, repository
from gateway.oversight.detectors import Anomaly, Evidence, Kind, detect
from gateway.oversight.models import Assessment
from gateway.oversight.schemas import (
    AnomaliesOut,
    AnomalyOut,
    AssessmentOut,
    InstitutionDetailOut,
    InstitutionListOut,
    InstitutionSummaryOut,
    PeriodOut,
    StandingOut,
)
from gateway.oversight.standing import Standing, standing_from
from gateway.pagination import Key, Window, in_memory
from gateway.principals.models import Principal

DEFAULT_PERIOD = timedelta(days=30)
MAX_PERIOD = timedelta(days=366)
# Periods are [since, until); the default until includes what happened at this very moment.
_JUST_AFTER = timedelta(microseconds=1)


def period(since: datetime | None, until: datetime | None, now: datetime) -> PeriodOut:
    """``[since, until)``, by default the 30 days up to and including now; at most 366 days."""
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise InvalidInput(
                f"{name} needs a UTC offset (e.g. 2026-11-01T00:00:00+08:00)",
                detail=[{"field": name, "problem": "no UTC offset"}],
            )
    end = until or now + _JUST_AFTER
    start = since or end - DEFAULT_PERIOD
    if start >= end:
        raise InvalidInput(
            "since must be before until", detail=[{"field": "since", "problem": "not before until"}]
        )
    if end - start > MAX_PERIOD:
        raise InvalidInput(
            f"a period spans at most {MAX_PERIOD.days} days",
            detail=[{"field": "since", "problem": "period too long"}],
        )
    return PeriodOut(since=start, until=end)


def assessment_out(assessment: Assessment) -> AssessmentOut:
    return AssessmentOut.model_validate(assessment, from_attributes=True)


def standing_out(principal: Principal, standing: Standing) -> StandingOut:
    return StandingOut(
        status=standing.status,
        stored_status=principal.status,
        reason=None if standing.reason is None else standing.reason.value,
        next_due=standing.next_due,
        overdue=standing.overdue,
        suspended_for_overdue_from=standing.overdue_from,
        latest_assessment=None if standing.latest is None else assessment_out(standing.latest),
    )


def anomaly_out(anomaly: Anomaly) -> AnomalyOut:
    return AnomalyOut(
        kind=anomaly.kind,
        institution=anomaly.institution,
        severity=anomaly.severity,
        first_at=anomaly.first_at,
        last_at=anomaly.last_at,
        subject=anomaly.subject,
        summary=anomaly.summary,
        detail=anomaly.detail,
        ledger_indexes=list(anomaly.ledger_indexes),
    )


def _standing(ctx: RequestContext, principal: Principal, latest: Assessment | None) -> Standing:
    return standing_from(
        principal, latest, ctx.now, ctx.policy_data.assessment, ctx.policy_data.oversight.zone
    )


def _anomalies_by_institution(
    ctx: RequestContext, window: PeriodOut, caller: str | None = None
) -> tuple[dict[str, list[AccessEvent]], dict[str, list[Anomaly]]]:
    """Events and anomalies in ``window``, by institution (one institution if ``caller``)."""
    session = ctx.session
    events = repository.events(session, window.since, window.until, caller)
    baseline_from = window.since - timedelta(days=ctx.policy_data.oversight.burst.baseline_days)
    history: dict[str, list[datetime]] = defaultdict(list)
    for who, at in repository.event_times(session, baseline_from, window.until, caller):
        history[who].append(at)
    grouped: dict[str, list[AccessEvent]] = defaultdict(list)
    for event in events:
        grouped[event.caller].append(event)
    grants = repository.authorizations_by_id(session, {a for e in events for a in e.authorizations})
    anomalies = {
        who: detect(
            Evidence(who, window.since, window.until, mine, history[who], grants),
            ctx.policy_data.oversight,
        )
        for who, mine in grouped.items()
    }
    return grouped, anomalies


def institutions(
    ctx: RequestContext, window: PeriodOut, page: Window = Window()
) -> InstitutionListOut:
    """By id, one page (``page``: its ``fetch`` at most)."""
    events, anomalies = _anomalies_by_institution(ctx, window)
    latest = repository.latest_assessments(ctx.session, ctx.now)
    listing = []
    for principal in repository.institutions(ctx.session, page):
        mine: Sequence[AccessEvent] = events.get(principal.id, [])
        listing.append(
            InstitutionSummaryOut(
                id=principal.id,
                name=principal.name,
                kind=principal.kind,
                standing=standing_out(
                    principal, _standing(ctx, principal, latest.get(principal.id))
                ),
                reports=sum(1 for e in mine if e.action == "report"),
                verifications=sum(1 for e in mine if e.action == "verify"),
                denied=sum(1 for e in mine if not e.allowed),
                anomalies=len(anomalies.get(principal.id, [])),
            )
        )
    return InstitutionListOut(period=window, institutions=listing)


def institution(
    ctx: RequestContext, institution_id: str, window: PeriodOut
) -> InstitutionDetailOut:
    principal = assessments.get_institution(ctx.session, institution_id)
    events, anomalies = _anomalies_by_institution(ctx, window, principal.id)
    mine = events.get(principal.id, [])
    latest = repository.latest_assessment(ctx.session, principal.id, ctx.now)
    received = repository.authorizations_received(
        ctx.session, principal.id, window.since, window.until
    )
    return InstitutionDetailOut(
        id=principal.id,
        name=principal.name,
        kind=principal.kind,
        period=window,
        standing=standing_out(principal, _standing(ctx, principal, latest)),
        activity=activity.summarize(mine, ctx.policy_data.oversight.zone),
        authorizations=activity.authorization_use(mine, received),
        anomalies=[anomaly_out(a) for a in anomalies.get(principal.id, [])],
        assessments=[
            assessment_out(a) for a in repository.assessments_of(ctx.session, principal.id)
        ],
    )


def anomalies(
    ctx: RequestContext,
    window: PeriodOut,
    institution_id: str | None = None,
    kind: Kind | None = None,
    page: Window = Window(),
) -> AnomaliesOut:
    """Oldest first, one page (``page``: its ``fetch`` at most)."""
    if institution_id is not None:
        assessments.get_institution(ctx.session, institution_id)
    _, found = _anomalies_by_institution(ctx, window, institution_id)
    flat = sorted(
        (a for items in found.values() for a in items if kind is None or a.kind is kind),
        key=anomaly_key,
    )
    return AnomaliesOut(
        period=window, anomalies=[anomaly_out(a) for a in in_memory(flat, anomaly_key, page)]
    )


def anomaly_key(anomaly: Anomaly | AnomalyOut) -> Key:
    """The order of the anomalies list (unique: one anomaly per kind and entries)."""
    return (
        anomaly.first_at,
        anomaly.institution,
        anomaly.kind.value,
        tuple(anomaly.ledger_indexes),
    )


def export_accesses(
    ctx: RequestContext,
    assessor: Principal,
    institution_id: str,
    window: PeriodOut,
    fmt: str,
) -> tuple[export.Export, int]:
    """The export and the index of the ledger entry recording that it was made."""
    principal = assessments.get_institution(ctx.session, institution_id)
    events = repository.events(ctx.session, window.since, window.until, principal.id)
    if fmt == "csv":
        made = export.as_csv(ctx.ledger, events, ctx.policy_data.oversight.zone)
    else:
        made = export.as_json(ctx.ledger, principal.id, window.since, window.until, events, ctx.now)
    entry = {
        "type": "oversight.export",
        "institution": principal.id,
        "assessor": assessor.id,
        "since": window.since.isoformat(),
        "until": window.until.isoformat(),
        "format": fmt,
        "entries": made.entries,
        "sha256": hashlib.sha256(made.body).hexdigest(),
    }
    index = ctx.record(entry, assessments.ledger_subject(principal.id))
    return made, index
