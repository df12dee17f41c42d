"""Reports under policy: decide, fetch, record in the ledger, then answer.

Order matters and is the same for every request: lock the authorizations that may apply (so a
revoke either waits for this request or is seen by it), decide once with the policy, fetch only
what was decided, append the ledger entry (names, never values), and only then answer. If the
ledger cannot take the entry the request fails with 503 and nothing leaves.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from gateway import ledger_port, uscc
from gateway.access import holdings, policy_input
from gateway.access.events import AccessFacts, index_access
from gateway.access.live_sources import LiveSources
from gateway.access.schemas import DatasetOut, DecisionOut, RecordOut, ReportOut, WithheldOut
from gateway.authorizations import service as authorizations
from gateway.authorizations.models import Authorization
from gateway.catalog.model import Catalog, DatasetSpec
from gateway.db import lock_for_write
from gateway.errors import Forbidden, InvalidInput, NotFound, ServiceUnavailable
from gateway.policy.data import PenaltyPublicationParams
from gateway.policy.decision import Decision
from gateway.policy.engine import PolicyEngine
from gateway.principals.models import Principal, Role
from gateway.principals.status import effective_status
from gateway.records import repository
from gateway.subject_rights.visibility import marks_for

PURPOSE_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"


@dataclass(frozen=True, slots=True)
class AccessContext:
    session: Session
    catalog: Catalog
    engine: PolicyEngine
    ledger: ledger_port.LedgerPort | None
    live: LiveSources | None
    now: datetime
    publication: PenaltyPublicationParams


def parse_subject(code: str) -> str:
    problem = uscc.problem(code)
    if problem is not None:
        raise InvalidInput(
            f"invalid USCC: {problem}", detail=[{"field": "uscc", "problem": problem}]
        )
    return code


def _fields_of(dataset: DatasetSpec, classes: set[str]) -> list[str]:
    return [f.id for f in dataset.fields if f.disclosure.value in classes]


def _decision_entry(decision: Decision) -> dict[str, Any]:
    return {
        "allow": decision.allow,
        "reason": decision.reason,
        "policy_revision": decision.revision,
        "withheld": [
            {"dataset": w.dataset, "class": w.disclosure_class.value, "reason": w.reason}
            for w in decision.withhold
        ],
    }


def _withheld(catalog: Catalog, decision: Decision) -> list[WithheldOut]:
    withheld = []
    for item in decision.withhold:
        dataset = catalog.dataset(item.dataset)
        if dataset is None:
            continue
        for field in _fields_of(dataset, {item.disclosure_class.value}):
            withheld.append(WithheldOut(dataset=item.dataset, field=field, reason=item.reason))
    return withheld


def _disclosed_datasets(
    ctx: AccessContext,
    subject: str,
    decision: Decision,
    self_view: bool,
    grants: list[Authorization],
) -> tuple[list[DatasetOut], dict[str, list[str]], list[str]]:
    classes_by_dataset: dict[str, set[str]] = defaultdict(set)
    tokens = {g.id: g.token for g in grants}
    forwarded: dict[str, str] = {}  # dataset -> the grant relied on, for the live source
    for item in decision.disclose:
        classes_by_dataset[item.dataset].add(item.disclosure_class.value)
        if item.authorization in tokens:
            forwarded[item.dataset] = tokens[item.authorization]
    held = holdings.load(
        ctx.session, ctx.catalog, ctx.live, subject, classes_by_dataset, forwarded, self_view
    )
    marks = marks_for(ctx.session, subject)
    if not self_view:
        held = holdings.shown_to_institutions(held, marks, ctx.now, ctx.publication)
    out: list[DatasetOut] = []
    disclosed_fields: dict[str, list[str]] = {}
    for dataset in ctx.catalog.datasets:
        classes = classes_by_dataset.get(dataset.id)
        if not classes:
            continue
        allowed = _fields_of(dataset, classes)
        records = [
            RecordOut(
                record_id=r.record_id,
                version=r.version,
                valid_from=r.valid_from,
                fields={k: v for k, v in r.fields.items() if k in allowed},
                disputed=marks.disputed(dataset.id, r.record_id),
                repaired=marks.repaired(dataset.id, r.record_id),
            )
            for r in held.records.get(dataset.id, [])
        ]
        if records:
            disclosed_fields[dataset.id] = sorted({k for r in records for k in r.fields})
        out.append(
            DatasetOut(
                dataset=dataset.id,
                name_zh=dataset.name_zh,
                live=dataset.sharing_method.is_live,
                records=records,
                source_unavailable=held.unavailable.get(dataset.id),
            )
        )
    return out, disclosed_fields, sorted(held.unavailable)


def _index(
    ctx: AccessContext,
    ledger_index: int,
    caller: Principal,
    subject: str,
    action: str,
    purpose: str,
    decision: Decision,
    detail: dict[str, Any],
) -> None:
    withheld = sorted({w.reason for w in decision.withhold})
    index_access(
        ctx.session,
        AccessFacts(
            ledger_index=ledger_index,
            at=ctx.now,
            caller=caller.id,
            caller_role=caller.role.value,
            subject=subject,
            action=action,
            purpose=purpose,
            allowed=decision.allow,
            reason=decision.reason,
            authorizations=sorted(decision.authorizations_used),
            detail={**detail, "withheld_reasons": withheld},
        ),
    )


def _report(
    ctx: AccessContext, caller: Principal, subject: str, purpose: str, action: str
) -> ReportOut:
    lock_for_write(ctx.session)
    enterprise = repository.get_enterprise(ctx.session, subject)
    if enterprise is None:
        raise NotFound(f"the platform holds nothing on {subject}")
    grants = (
        authorizations.in_force(ctx.session, subject, caller.id, purpose, ctx.now)
        if caller.role is Role.institution
        else []
    )
    request = policy_input.build(
        principal=caller,
        status=effective_status(ctx.session, caller, ctx.now),
        action=action,
        purpose=purpose,
        subject=subject,
        now=ctx.now,
        resources=policy_input.resource_groups(ctx.catalog),
        authorizations=grants,
    )
    decision = ctx.engine.decide(request)
    entry: dict[str, Any] = {
        "type": f"access.{action}",
        "caller": caller.id,
        "caller_role": caller.role.value,
        "enterprise": subject,
        "purpose": purpose,
        "decision": _decision_entry(decision),
        "authorizations": sorted(decision.authorizations_used),
    }
    if not decision.allow:
        index = ledger_port.record_in_lock_order(
            ctx.session, ctx.ledger, {**entry, "disclosed": {}}, subject, _nothing_to_undo
        )
        _index(ctx, index, caller, subject, action, purpose, decision, {})
        if decision.failed_closed:
            raise ServiceUnavailable(
                f"the policy engine failed; denied: {decision.reason}",
                detail={"reason": decision.reason, "ledger_index": index},
                keep_records=True,
            )
        raise Forbidden(
            f"denied by policy: {decision.reason}",
            detail={"reason": decision.reason, "ledger_index": index},
            keep_records=True,
        )
    self_view = caller.role is Role.enterprise and caller.id == subject
    datasets, disclosed, unavailable = _disclosed_datasets(
        ctx, subject, decision, self_view, grants
    )
    used = [g for g in grants if g.id in decision.authorizations_used]
    authorizations.count_use(ctx.session, used)
    entry["disclosed"] = disclosed
    entry["sources_unavailable"] = unavailable
    index = ledger_port.record_in_lock_order(
        ctx.session,
        ctx.ledger,
        entry,
        subject,
        lambda session: authorizations.uncount_use(session, used),
    )
    _index(ctx, index, caller, subject, action, purpose, decision, {"datasets": sorted(disclosed)})
    return ReportOut(
        enterprise=subject,
        enterprise_name=enterprise.name,
        purpose=purpose,
        generated_at=ctx.now,
        decision=DecisionOut(allow=True, reason=decision.reason, policy_revision=decision.revision),
        datasets=datasets,
        withheld=_withheld(ctx.catalog, decision),
        authorizations_used=sorted(decision.authorizations_used),
        ledger_index=index,
    )


def _nothing_to_undo(_: Session) -> None:
    """A denial wrote nothing before its ledger entry."""


def institution_report(
    ctx: AccessContext, institution: Principal, code: str, purpose: str
) -> ReportOut:
    return _report(ctx, institution, parse_subject(code), purpose, "report")


def self_report(ctx: AccessContext, enterprise: Principal) -> ReportOut:
    """Everything the platform holds about the caller, free (信息主体免费查询)."""
    return _report(ctx, enterprise, enterprise.id, "self_view", "self_view")
