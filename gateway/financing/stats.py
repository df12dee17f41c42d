"""Outcome statistics for the credit office (三(一) 定期通报): per institution, product kind,
industry or month, computed from the pushes (one per demand and institution)."""

from __future__ import annotations

import csv
import io
import statistics
from collections import defaultdict
from collections.abc import Callable
from enum import StrEnum

from pydantic import BaseModel

from gateway.context import RequestContext
from gateway.financing import repository
from gateway.financing.models import Demand, DemandPush, PushState

PICKED_UP = {s for s in PushState if s is not PushState.pushed}
APPROVED = {PushState.credit_approved, PushState.disbursed}


class Dimension(StrEnum):
    institution = "institution"
    product_kind = "product_kind"
    industry = "industry"
    month = "month"


class StatsRow(BaseModel):
    group: str
    demands: int
    pushes: int
    picked_up: int
    pickup_rate: float | None
    overdue: int
    median_response_hours: float | None
    approvals: int
    declines: int
    amount_approved: int
    disbursements: int
    amount_disbursed: int


class StatsOut(BaseModel):
    by: Dimension
    rows: list[StatsRow]


def _keys(ctx: RequestContext, by: Dimension) -> Callable[[Demand, DemandPush], str]:
    zone = ctx.policy_data.oversight.zone
    kinds: dict[str, str] = {}

    def kind(_: Demand, push: DemandPush) -> str:
        if not push.products:
            return "named"
        product_id = push.products[0]
        if product_id not in kinds:
            product = repository.product(ctx.session, product_id)
            kinds[product_id] = product.kind.value if product else "unknown"
        return kinds[product_id]

    keys: dict[Dimension, Callable[[Demand, DemandPush], str]] = {
        Dimension.institution: lambda _, p: p.institution,
        Dimension.product_kind: kind,
        # The GB/T 4754 division (section letter and two digits).
        Dimension.industry: lambda d, _: (d.industry or "unknown")[:3],
        Dimension.month: lambda d, _: d.created_at.astimezone(zone).strftime("%Y-%m"),
    }
    return keys[by]


def outcomes(ctx: RequestContext, by: Dimension) -> StatsOut:
    key = _keys(ctx, by)
    groups: dict[str, list[tuple[Demand, DemandPush]]] = defaultdict(list)
    for demand, push in repository.all_pushes(ctx.session):
        groups[key(demand, push)].append((demand, push))
    rows = []
    for group, pairs in sorted(groups.items()):
        pushes = [p for _, p in pairs]
        picked = [p for p in pushes if p.state in PICKED_UP]
        hours = [
            (p.picked_up_at - p.pushed_at).total_seconds() / 3600
            for p in picked
            if p.picked_up_at is not None
        ]
        approved = [p for p in pushes if p.state in APPROVED]
        disbursed = [p for p in pushes if p.state is PushState.disbursed]
        rows.append(
            StatsRow(
                group=group,
                demands=len({d.id for d, _ in pairs}),
                pushes=len(pushes),
                picked_up=len(picked),
                pickup_rate=round(len(picked) / len(pushes), 4) if pushes else None,
                overdue=sum(p.overdue(ctx.now) for p in pushes),
                median_response_hours=round(statistics.median(hours), 2) if hours else None,
                approvals=len(approved),
                declines=sum(p.state is PushState.credit_declined for p in pushes),
                amount_approved=sum(p.approved_amount or 0 for p in approved),
                disbursements=len(disbursed),
                amount_disbursed=sum(p.disbursed_amount or 0 for p in disbursed),
            )
        )
    return StatsOut(by=by, rows=rows)


def as_csv(stats: StatsOut) -> str:
    out = io.StringIO()
    names = list(StatsRow.model_fields)
    writer = csv.DictWriter(out, fieldnames=[stats.by.value, *names[1:]], lineterminator="\n")
    writer.writeheader()
    for row in stats.rows:
        data = row.model_dump()
        data[stats.by.value] = data.pop("group")
        writer.writerow({k: "" if v is None else v for k, v in data.items()})
    return out.getvalue()
