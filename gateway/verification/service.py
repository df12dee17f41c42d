"""Answer yes/no questions about an enterprise without disclosing its values.

Same order as reports: decide once with the policy (mode ``verify``), fetch only what permitted
predicates read, evaluate; then in the write section (``gateway.hot_path``) re-check what the
decision relied on, enforce the bisection budget, count the uses and append the ledger entry
(the bank's question and the answers — personal arguments as keyed hashes, never a value from
the records); only then answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from gateway.access import holdings, policy_input
from gateway.access.recording import AccessJob, AccessRecord
from gateway.access.service import parse_subject
from gateway.authorizations import service as authorizations
from gateway.authorizations.models import Authorization
from gateway.catalog.model import Catalog
from gateway.context import RequestContext
from gateway.errors import Forbidden, NotFound, RateLimited, ServiceUnavailable
from gateway.oversight.status import effective_status
from gateway.policy.decision import Decision
from gateway.policy.inputs import Predicate, Resource
from gateway.records import repository
from gateway.subject_rights.visibility import marks_for
from gateway.verification import budget
from gateway.verification.checks import ParsedCheck, parse_checks
from gateway.verification.schemas import CheckResult, VerificationIn, VerificationOut
from gateway.writer import LedgerWrite


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


@dataclass(frozen=True, slots=True)
class DecidedVerification:
    """A verification decided (see ``gateway.hot_path``): its write section and its answer."""

    job: AccessJob
    decision: Decision
    results: list[CheckResult]
    daily_budget: int

    def answer(self, writes: list[LedgerWrite]) -> VerificationOut:
        index = writes[0].index
        record = self.job.record
        if not self.decision.allow:
            error = ServiceUnavailable if self.decision.failed_closed else Forbidden
            raise error(
                f"denied by policy: {self.decision.reason}",
                detail={"reason": self.decision.reason, "ledger_index": index},
            )
        if self.job.refused is not None:
            exceeded = self.job.refused.entry["over_budget"]
            raise RateLimited(
                f"daily budget of {self.daily_budget} distinct thresholds per predicate used "
                f"up: {exceeded}",
                detail={
                    "reason": BUDGET_EXCEEDED,
                    "predicates": exceeded,
                    "ledger_index": index,
                },
            )
        return VerificationOut(
            enterprise=record.subject,
            purpose=record.purpose,
            results=self.results,
            policy_revision=self.decision.revision,
            authorizations_used=sorted(self.decision.authorizations_used),
            ledger_index=index,
        )


BUDGET_EXCEEDED = "bisection_budget_exceeded"


def _write(
    record: AccessRecord,
    decision: Decision,
    checks: list[ParsedCheck],
    results: list[CheckResult] | None,
    hash_key: bytes,
    *,
    allowed: bool,
    reason: str,
    over_budget: list[str] | None = None,
) -> LedgerWrite:
    used = sorted(decision.authorizations_used) if allowed else []
    entry: dict[str, Any] = {
        "decision": {"allow": allowed, "reason": reason, "policy_revision": decision.revision},
        "checks": _entry_checks(checks, results, hash_key),
    }
    if over_budget is not None:
        entry["over_budget"] = over_budget
    return record.write(
        allowed=allowed,
        reason=reason,
        authorizations=used,
        entry=entry,
        detail={
            "checks": _event_checks(checks, results),
            "budget_exceeded": reason == BUDGET_EXCEEDED,
            "over_budget": over_budget or [],
        },
    )


def verify(
    ctx: RequestContext, code: str, body: VerificationIn, daily_budget: int, hash_key: bytes
) -> DecidedVerification:
    """Decide ``body`` about ``code`` for the calling institution (nothing written yet)."""
    subject = parse_subject(code)
    checks = parse_checks(body.checks)
    institution = ctx.caller
    if not repository.enterprise_exists(ctx.session, subject):
        raise NotFound(f"the platform holds nothing on {subject}")
    grants = authorizations.in_force(ctx.session, subject, institution.id, body.purpose, ctx.now)
    status = effective_status(ctx.session, institution, ctx.now, ctx.policy_data)
    decision = ctx.policy_engine.decide(
        policy_input.build(
            principal=institution,
            status=status,
            action="verify",
            purpose=body.purpose,
            subject=subject,
            now=ctx.now,
            predicates=_policy_predicates(ctx.catalog, checks),
            authorizations=grants,
        )
    )
    record = AccessRecord(institution, subject, "verify", body.purpose, ctx.now)
    used = [g for g in grants if g.id in decision.authorizations_used]
    if not decision.allow:
        denial = _write(
            record, decision, checks, None, hash_key, allowed=False, reason=decision.reason
        )
        job = AccessJob(record, status, used, ctx.policy_data, denial, allowed=False)
        return DecidedVerification(job, decision, [], daily_budget)
    thresholds = _thresholds(checks, decision, hash_key)
    asked = budget.asked_today(ctx.session, institution.id, subject, thresholds, ctx.now)
    # Over budget already: the write section will refuse it; fetch and evaluate nothing.
    over = budget.over_budget(asked, thresholds, daily_budget)
    results = None if over else _evaluate(ctx, subject, checks, decision, grants)

    def spend_budget(session: Session) -> LedgerWrite | None:
        asked = budget.asked_today(session, institution.id, subject, thresholds, ctx.now)
        exceeded = budget.over_budget(asked, thresholds, daily_budget)
        if exceeded:
            return _write(
                record,
                decision,
                checks,
                None,
                hash_key,
                allowed=False,
                reason=BUDGET_EXCEEDED,
                over_budget=exceeded,
            )
        budget.spend(session, institution.id, subject, asked, thresholds, ctx.now)
        return None

    allowed = _write(
        record, decision, checks, results, hash_key, allowed=True, reason=decision.reason
    )
    job = AccessJob(
        record, status, used, ctx.policy_data, allowed, allowed=True, budget=spend_budget
    )
    return DecidedVerification(job, decision, results or [], daily_budget)


def _thresholds(
    checks: list[ParsedCheck], decision: Decision, hash_key: bytes
) -> dict[str, set[str]]:
    """predicate -> the thresholds (or argument digests) of this request the budget counts."""
    permitted = {e.predicate for e in decision.evaluate}
    thresholds: dict[str, set[str]] = {}
    for check in checks:
        probe = check.probe(hash_key)
        if check.spec.name in permitted and probe is not None:
            thresholds.setdefault(check.spec.name, set()).add(probe)
    return thresholds


def _evaluate(
    ctx: RequestContext,
    subject: str,
    checks: list[ParsedCheck],
    decision: Decision,
    grants: list[Authorization],
) -> list[CheckResult]:
    """Each check's answer: evaluated on what institutions may see where permitted."""
    permitted = {e.predicate for e in decision.evaluate}
    refusals = {r.predicate: r.reason for r in decision.refuse}
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
    return results
