"""Answer yes/no questions about an enterprise without disclosing its values.

Same order as reports: lock, decide once with the policy (mode ``verify``), enforce the
bisection budget, fetch only what permitted predicates read, evaluate, append the ledger entry
(the bank's question and the answers — personal arguments as keyed hashes, never a value from
the records) and only then answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from gateway import ledger_port
from gateway.access import holdings, policy_input
from gateway.access.events import AccessFacts, index_access
from gateway.access.service import AccessContext, parse_subject
from gateway.authorizations import service as authorizations
from gateway.authorizations.models import Authorization
from gateway.catalog.model import Catalog
from gateway.checks import ParsedCheck, parse_checks
from gateway.db import lock_for_write
from gateway.errors import Forbidden, NotFound, RateLimited, ServiceUnavailable
from gateway.policy.decision import Decision
from gateway.policy.inputs import Predicate, Resource
from gateway.principals.models import Principal
from gateway.principals.status import effective_status
from gateway.records import repository
from gateway.subject_rights.visibility import marks_for
from gateway.verification import budget
from gateway.verification.schemas import CheckResult, VerificationIn, VerificationOut


def _policy_predicates(catalog: Catalog, checks: list[ParsedCheck]) -> list[Predicate]:
    predicates: dict[str, Predicate] = {}
    for check in checks:
        reads = []
        for dataset_id, field_id in check.spec.reads:
            dataset = catalog.dataset(dataset_id)
            field = dataset.field(field_id) if dataset else None
            if field is None:
                raise RuntimeError(
                    f"{check.spec.name} reads {dataset_id}.{field_id}, not in the catalog"
                )
            reads.append(Resource(dataset=dataset_id, disclosure_class=field.disclosure))
        predicates[check.spec.name] = Predicate(name=check.spec.name, reads=tuple(reads))
    return list(predicates.values())


def _entry_checks(
    checks: list[ParsedCheck], results: list[CheckResult] | None, hash_key: bytes
) -> list[dict[str, Any]]:
    logged = []
    for i, check in enumerate(checks):
        item: dict[str, Any] = {"predicate": check.spec.name, "args": check.logged_args(hash_key)}
        if results is not None:
            result = results[i]
            item.update(holds=result.holds, permitted=result.permitted, reason=result.reason)
        logged.append(item)
    return logged


def _event_checks(
    checks: list[ParsedCheck], results: list[CheckResult] | None
) -> list[dict[str, Any]]:
    return [
        {
            "predicate": check.spec.name,
            "threshold": check.threshold,
            "permitted": results[i].permitted if results else False,
            "holds": results[i].holds if results else None,
            "reason": results[i].reason if results else "not_evaluated",
        }
        for i, check in enumerate(checks)
    ]


@dataclass(frozen=True, slots=True)
class _Request:
    ctx: AccessContext
    institution: Principal
    subject: str
    purpose: str
    checks: list[ParsedCheck]
    hash_key: bytes

    def record(
        self,
        decision: Decision,
        allowed: bool,
        reason: str,
        results: list[CheckResult] | None,
        extra: dict[str, Any] | None = None,
        undo: Callable[[Session], None] = lambda _: None,
    ) -> int:
        """Append the entry (the lock is let go while it reaches the disk, see
        :func:`ledger_port.record_in_lock_order`), then index it; ``undo`` reverses what
        this request wrote before, should the entry fail."""
        entry = {
            "type": "access.verify",
            "caller": self.institution.id,
            "caller_role": self.institution.role.value,
            "enterprise": self.subject,
            "purpose": self.purpose,
            "decision": {"allow": allowed, "reason": reason, "policy_revision": decision.revision},
            "authorizations": sorted(decision.authorizations_used) if allowed else [],
            "checks": _entry_checks(self.checks, results, self.hash_key),
            **(extra or {}),
        }
        index = ledger_port.record_in_lock_order(
            self.ctx.session, self.ctx.ledger, entry, self.subject, undo
        )
        index_access(
            self.ctx.session,
            AccessFacts(
                ledger_index=index,
                at=self.ctx.now,
                caller=self.institution.id,
                caller_role=self.institution.role.value,
                subject=self.subject,
                action="verify",
                purpose=self.purpose,
                allowed=allowed,
                reason=reason,
                authorizations=entry["authorizations"],
                detail={
                    "checks": _event_checks(self.checks, results),
                    "budget_exceeded": reason == "bisection_budget_exceeded",
                    "over_budget": (extra or {}).get("over_budget", []),
                },
            ),
        )
        return index


def _forwarded(
    checks: list[ParsedCheck], decision: Decision, grants: list[Authorization]
) -> dict[str, str]:
    """dataset -> the grant a permitted predicate relies on, forwarded to a live source."""
    tokens = {g.id: g.token for g in grants}
    forwarded: dict[str, str] = {}
    relied = {e.predicate: e.authorizations for e in decision.evaluate}
    for check in checks:
        for authorization in relied.get(check.spec.name, ()):
            for dataset in check.spec.datasets:
                forwarded.setdefault(dataset, tokens[authorization])
    return forwarded


def verify(
    ctx: AccessContext,
    institution: Principal,
    code: str,
    body: VerificationIn,
    daily_budget: int,
    hash_key: bytes,
) -> VerificationOut:
    subject = parse_subject(code)
    checks = parse_checks(body.checks)
    lock_for_write(ctx.session)
    if not repository.enterprise_exists(ctx.session, subject):
        raise NotFound(f"the platform holds nothing on {subject}")
    request = _Request(ctx, institution, subject, body.purpose, checks, hash_key)
    grants = authorizations.in_force(ctx.session, subject, institution.id, body.purpose, ctx.now)
    decision = ctx.engine.decide(
        policy_input.build(
            principal=institution,
            status=effective_status(ctx.session, institution, ctx.now),
            action="verify",
            purpose=body.purpose,
            subject=subject,
            now=ctx.now,
            predicates=_policy_predicates(ctx.catalog, checks),
            authorizations=grants,
        )
    )
    if not decision.allow:
        index = request.record(decision, False, decision.reason, None)
        error = ServiceUnavailable if decision.failed_closed else Forbidden
        raise error(
            f"denied by policy: {decision.reason}",
            detail={"reason": decision.reason, "ledger_index": index},
            keep_records=True,
        )
    permitted = {e.predicate for e in decision.evaluate}
    refusals = {r.predicate: r.reason for r in decision.refuse}
    thresholds: dict[str, set[str]] = {}
    for check in checks:
        probe = check.probe(request.hash_key)
        if check.spec.name in permitted and probe is not None:
            thresholds.setdefault(check.spec.name, set()).add(probe)
    asked = budget.asked_today(ctx.session, institution.id, subject, thresholds, ctx.now)
    exceeded = budget.over_budget(asked, thresholds, daily_budget)
    if exceeded:
        index = request.record(
            decision, False, "bisection_budget_exceeded", None, {"over_budget": exceeded}
        )
        raise RateLimited(
            f"daily budget of {daily_budget} distinct thresholds per predicate used up: {exceeded}",
            detail={
                "reason": "bisection_budget_exceeded",
                "predicates": exceeded,
                "ledger_index": index,
            },
            keep_records=True,
        )
    budget.spend(ctx.session, institution.id, subject, asked, thresholds, ctx.now)
    wanted = {d for c in checks if c.spec.name in permitted for d in c.spec.datasets}
    held = holdings.shown_to_institutions(
        holdings.load(
            ctx.session,
            ctx.catalog,
            ctx.live,
            subject,
            wanted,
            _forwarded(checks, decision, grants),
        ),
        marks_for(ctx.session, subject),
        ctx.now,
        ctx.publication,
    )
    today = budget.platform_day(ctx.now)
    results = []
    for check in checks:
        if check.spec.name not in permitted:
            reason = refusals.get(check.spec.name, "not_permitted")
            results.append(
                CheckResult(predicate=check.spec.name, holds=None, permitted=False, reason=reason)
            )
            continue
        records = {
            d: [r.fields for r in held.records.get(d, [])]
            for d in check.spec.datasets
            if d not in held.unavailable
        }
        verdict = check.spec.evaluate(records, check.args, today)
        results.append(
            CheckResult(
                predicate=check.spec.name,
                holds=verdict.holds,
                permitted=True,
                reason=verdict.reason,
            )
        )
    used = [g for g in grants if g.id in decision.authorizations_used]
    authorizations.count_use(ctx.session, used)

    def undo(session: Session) -> None:
        authorizations.uncount_use(session, used)
        budget.refund(session, institution.id, subject, asked, thresholds, ctx.now)

    index = request.record(decision, True, decision.reason, results, undo=undo)
    return VerificationOut(
        enterprise=subject,
        purpose=body.purpose,
        results=results,
        policy_revision=decision.revision,
        authorizations_used=sorted(decision.authorizations_used),
        ledger_index=index,
    )
