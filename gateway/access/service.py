"""Reports under policy: decide, fetch, record in the ledger, then answer.

Order matters and is the same for every request: read the authorizations that may apply and the
caller's status, decide once with the policy, fetch only what was decided; then the write section
(``gateway.hot_path``) re-checks that the grants relied on are still in force and the status
unchanged (else the request decides again), counts the uses and appends the ledger entry (names,
never values); only then is the answer sent. If the ledger cannot take the entry the request
fails with 503 and nothing leaves.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from gateway import uscc
from gateway.access import holdings, policy_input
from gateway.access.recording import AccessJob, AccessRecord
from gateway.access.schemas import DatasetOut, DecisionOut, RecordOut, ReportOut, WithheldOut
from gateway.authorizations import service as authorizations
from gateway.authorizations.models import Authorization
from gateway.catalog.model import Catalog, DatasetSpec
from gateway.context import RequestContext
from gateway.errors import Forbidden, InvalidInput, NotFound, ServiceUnavailable
from gateway.oversight.status import effective_status
from gateway.policy.decision import Decision
from gateway.principals.models import Role
from gateway.records import repository
from gateway.subject_rights.visibility import marks_for
from gateway.writer import LedgerWrite

PURPOSE_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"


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
    ctx: RequestContext,
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


@dataclass(frozen=True, slots=True)
class DecidedReport:
    """A report decided (see ``gateway.hot_path``): its write section and its answer."""

    job: AccessJob
    enterprise_name: str
    decision: Decision
    datasets: list[DatasetOut]
    withheld: list[WithheldOut]

    def answer(self, writes: list[LedgerWrite]) -> ReportOut:
        index = writes[0].index
        record = self.job.record
        if not self.decision.allow:
            error = ServiceUnavailable if self.decision.failed_closed else Forbidden
            what = "the policy engine failed; denied" if self.decision.failed_closed else "denied"
            raise error(
                f"{what} by policy: {self.decision.reason}",
                detail={"reason": self.decision.reason, "ledger_index": index},
            )
        return ReportOut(
            enterprise=record.subject,
            enterprise_name=self.enterprise_name,
            purpose=record.purpose,
            generated_at=record.at,
            decision=DecisionOut(
                allow=True, reason=self.decision.reason, policy_revision=self.decision.revision
            ),
            datasets=self.datasets,
            withheld=self.withheld,
            authorizations_used=sorted(self.decision.authorizations_used),
            ledger_index=index,
        )


def _report(ctx: RequestContext, subject: str, purpose: str, action: str) -> DecidedReport:
    caller = ctx.caller
    enterprise = repository.get_enterprise(ctx.session, subject)
    if enterprise is None:
        raise NotFound(f"the platform holds nothing on {subject}")
    grants = (
        authorizations.in_force(ctx.session, subject, caller.id, purpose, ctx.now)
        if caller.role is Role.institution
        else []
    )
    status = effective_status(ctx.session, caller, ctx.now, ctx.policy_data)
    decision = ctx.policy_engine.decide(
        policy_input.build(
            principal=caller,
            status=status,
            action=action,
            purpose=purpose,
            subject=subject,
            now=ctx.now,
            resources=policy_input.resource_groups(ctx.catalog),
            authorizations=grants,
        )
    )
    record = AccessRecord(caller, subject, action, purpose, ctx.now)
    used = sorted(decision.authorizations_used)
    withheld_reasons = sorted({w.reason for w in decision.withhold})
    datasets: list[DatasetOut] = []
    disclosed: dict[str, list[str]] = {}
    entry: dict[str, Any] = {"decision": _decision_entry(decision), "disclosed": disclosed}
    if decision.allow:
        self_view = caller.role is Role.enterprise and caller.id == subject
        datasets, disclosed, unavailable = _disclosed_datasets(
            ctx, subject, decision, self_view, grants
        )
        entry.update(disclosed=disclosed, sources_unavailable=unavailable)
    write = record.write(
        allowed=decision.allow,
        reason=decision.reason,
        authorizations=used,
        entry=entry,
        detail={
            **({"datasets": sorted(disclosed)} if decision.allow else {}),
            "withheld_reasons": withheld_reasons,
        },
    )
    job = AccessJob(
        record=record,
        status=status,
        used=[g for g in grants if g.id in decision.authorizations_used],
        policy_data=ctx.policy_data,
        write=write,
        allowed=decision.allow,
    )
    return DecidedReport(job, enterprise.name, decision, datasets, _withheld(ctx.catalog, decision))


def institution_report(ctx: RequestContext, code: str, purpose: str) -> DecidedReport:
    return _report(ctx, parse_subject(code), purpose, "report")


def self_report(ctx: RequestContext) -> DecidedReport:
    """Everything the platform holds about the caller, free (信息主体免费查询)."""
    return _report(ctx, ctx.caller.id, "self_view", "self_view")
