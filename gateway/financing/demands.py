"""Financing demands: the enterprise publishes, changes and withdraws; the platform pushes each
demand to the institutions whose active products fit its terms (or, when the demand names
products or institutions, to those only); an institution sees a demand only through its push
and walks it through pick-up, credit decision and disbursement.

Every step is a ledger entry in the enterprise's chain and a line of the demand's history.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from gateway.context import RequestContext
from gateway.errors import Conflict, NotFound
from gateway.financing import products as catalogue
from gateway.financing import repository
from gateway.financing.models import (
    Demand,
    DemandEvent,
    DemandPush,
    DemandState,
    Product,
    ProductState,
    PushState,
)
from gateway.financing.prequalification import industry_of
from gateway.financing.products import invalid
from gateway.financing.schemas import (
    DecisionIn,
    DemandIn,
    DemandPatch,
    DisbursementIn,
)
from gateway.notifications import notify
from gateway.principals import repository as principals
from gateway.principals.models import Role

MAX_VALIDITY = timedelta(days=180)


def add_working_days(start: datetime, days: int, zone: ZoneInfo) -> datetime:
    """``start`` moved ``days`` working days (Monday to Friday in ``zone``) ahead, same time of
    day. Public holidays are not modelled (see docs/financing.md)."""
    moment = start.astimezone(zone)
    left = days
    while left > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            left -= 1
    return moment.astimezone(start.tzinfo)


def record_event(
    ctx: RequestContext,
    demand: Demand,
    kind: str,
    institution: str | None,
    detail: dict[str, Any],
) -> DemandEvent:
    """One step of ``demand``: its ledger entry in the enterprise's chain, then its history."""
    entry = {
        "type": f"financing.demand.{kind}",
        "demand_id": demand.id,
        "enterprise": demand.enterprise,
        **({"institution": institution} if institution else {}),
        **detail,
    }
    index = ctx.record(entry, subject=demand.enterprise)
    event = DemandEvent(
        demand_id=demand.id,
        institution=institution,
        kind=kind,
        detail=detail,
        at=ctx.now,
        ledger_index=index,
    )
    ctx.session.add(event)
    return event


@dataclass(frozen=True, slots=True)
class Recipient:
    institution: str
    products: list[str]
    named: bool


def _fits(product: Product, demand: Demand) -> bool:
    return (
        product.state is ProductState.active
        and product.amount_min <= demand.amount <= product.amount_max
        and product.term_min_months <= demand.term_months <= product.term_max_months
        and catalogue.industry_fits(product, demand.industry)
        and catalogue.region_fits(product, demand.region)
    )


def recipients(ctx: RequestContext, demand: Demand) -> list[Recipient]:
    """Where ``demand`` goes: the institutions it names (directly or through a named product),
    or, when it names none, those with an active product that fits its terms."""
    if demand.target_products or demand.target_institutions:
        named: dict[str, list[str]] = {i: [] for i in demand.target_institutions}
        for product_id in demand.target_products:
            product = repository.product(ctx.session, product_id)
            if product is not None:
                named.setdefault(product.institution, []).append(product.id)
        return [Recipient(i, sorted(p), True) for i, p in sorted(named.items())]
    fitting: dict[str, list[str]] = {}
    for product in repository.products(ctx.session, repository.ProductFilter()):
        if _fits(product, demand):
            fitting.setdefault(product.institution, []).append(product.id)
    return [Recipient(i, sorted(p), False) for i, p in sorted(fitting.items())]


def _check_targets(
    ctx: RequestContext, products: Iterable[str], institutions: Iterable[str]
) -> None:
    for i, product_id in enumerate(products):
        product = repository.product(ctx.session, product_id)
        if product is None or product.state is not ProductState.active:
            raise invalid(f"target_products[{i}]", "no active product with this id")
    for i, institution_id in enumerate(institutions):
        principal = principals.get(ctx.session, institution_id)
        if principal is None or principal.role is not Role.institution:
            raise invalid(f"target_institutions[{i}]", "not a registered institution")


def _check_validity(ctx: RequestContext, valid_until: datetime) -> None:
    if valid_until.tzinfo is None:
        raise invalid("valid_until", "must carry a time zone")
    if valid_until <= ctx.now:
        raise invalid("valid_until", "must be in the future")
    if valid_until - ctx.now > MAX_VALIDITY:
        raise invalid("valid_until", f"at most {MAX_VALIDITY.days} days ahead")


def _terms(demand: Demand) -> dict[str, Any]:
    return {
        "amount": demand.amount,
        "term_months": demand.term_months,
        "purpose_zh": demand.purpose_zh,
        "collateral": demand.collateral,
        "valid_until": demand.valid_until.isoformat(),
    }


def _push(ctx: RequestContext, demand: Demand, known: set[str]) -> list[DemandPush]:
    """Push ``demand`` to the recipients it does not yet have; notify each."""
    deadline_days = ctx.policy_data.financing.pickup_deadline_working_days
    zone = ctx.policy_data.oversight.zone
    new = []
    for recipient in recipients(ctx, demand):
        if recipient.institution in known:
            continue
        push = DemandPush(
            demand_id=demand.id,
            institution=recipient.institution,
            products=recipient.products,
            named=recipient.named,
            state=PushState.pushed,
            pushed_at=ctx.now,
            pickup_due=add_working_days(ctx.now, deadline_days, zone),
        )
        ctx.session.add(push)
        notify(
            ctx.session,
            recipient=recipient.institution,
            kind="demand.pushed",
            payload={
                "demand_id": demand.id,
                "products": recipient.products,
                "pickup_due": push.pickup_due.isoformat(),
            },
            at=ctx.now,
            subject=demand.enterprise,
        )
        new.append(push)
    return new


def publish(ctx: RequestContext, body: DemandIn) -> Demand:
    ctx.write()
    _check_validity(ctx, body.valid_until)
    _check_targets(ctx, body.target_products, body.target_institutions)
    enterprise = ctx.caller.id
    demand = Demand(
        id=f"dmd-{secrets.token_hex(8)}",
        enterprise=enterprise,
        amount=body.amount,
        term_months=body.term_months,
        purpose_zh=body.purpose_zh,
        collateral=sorted({c.value for c in body.collateral}),
        target_products=sorted(set(body.target_products)),
        target_institutions=sorted(set(body.target_institutions)),
        valid_until=body.valid_until,
        industry=industry_of(repository.registration(ctx.session, enterprise)),
        region=enterprise[2:8],
        state=DemandState.open,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    ctx.session.add(demand)
    pushed = _push(ctx, demand, set())
    record_event(
        ctx,
        demand,
        "published",
        None,
        {
            **_terms(demand),
            "target_products": demand.target_products,
            "target_institutions": demand.target_institutions,
            "pushed_to": [p.institution for p in pushed],
        },
    )
    return demand


def own(ctx: RequestContext, demand_id: str) -> Demand:
    demand = repository.demand(ctx.session, demand_id)
    if demand is None or demand.enterprise != ctx.caller.id:
        raise NotFound(f"no demand {demand_id!r} of {ctx.caller.id}")
    return demand


def _open(ctx: RequestContext, demand: Demand) -> None:
    state = demand.state_at(ctx.now)
    if state is not DemandState.open:
        raise Conflict(f"demand {demand.id} is {state.value}")


def update(ctx: RequestContext, demand_id: str, body: DemandPatch) -> Demand:
    ctx.write()
    demand = own(ctx, demand_id)
    _open(ctx, demand)
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    if "valid_until" in changes:
        _check_validity(ctx, changes["valid_until"])
    if "collateral" in changes:
        changes["collateral"] = sorted({str(c) for c in changes["collateral"]})
    for name, value in changes.items():
        setattr(demand, name, value)
    demand.updated_at = ctx.now
    ctx.session.add(demand)
    known = {p.institution for p in repository.pushes_of(ctx.session, demand.id)}
    pushed = _push(ctx, demand, known)
    for institution in sorted(known):
        notify(
            ctx.session,
            recipient=institution,
            kind="demand.updated",
            payload={"demand_id": demand.id},
            at=ctx.now,
            subject=demand.enterprise,
        )
    record_event(
        ctx,
        demand,
        "updated",
        None,
        {**_terms(demand), "pushed_to": [p.institution for p in pushed]},
    )
    return demand


def withdraw(ctx: RequestContext, demand_id: str) -> Demand:
    ctx.write()
    demand = own(ctx, demand_id)
    if demand.state is DemandState.withdrawn:
        return demand
    _open(ctx, demand)
    demand.state = DemandState.withdrawn
    demand.updated_at = ctx.now
    ctx.session.add(demand)
    for push in repository.pushes_of(ctx.session, demand.id):
        notify(
            ctx.session,
            recipient=push.institution,
            kind="demand.withdrawn",
            payload={"demand_id": demand.id},
            at=ctx.now,
            subject=demand.enterprise,
        )
    record_event(ctx, demand, "withdrawn", None, {})
    return demand


def history(ctx: RequestContext, demand: Demand) -> tuple[list[DemandPush], list[DemandEvent]]:
    return repository.pushes_of(ctx.session, demand.id), repository.events_of(
        ctx.session, demand.id
    )


# ---------------------------------------------------------------- the institution's side


def pushed_to_me(ctx: RequestContext, demand_id: str) -> tuple[Demand, DemandPush]:
    """The demand and this institution's push; NotFound alike for a demand that does not exist
    and one not pushed to the caller, so nothing about other demands shows."""
    demand = repository.demand(ctx.session, demand_id)
    push = repository.push(ctx.session, demand_id, ctx.caller.id) if demand else None
    if demand is None or push is None:
        raise NotFound(
            f"no demand {demand_id!r} pushed to {ctx.caller.id}",
            detail=[{"field": "demand_id", "problem": "not pushed to you"}],
        )
    return demand, push


def _advance(
    ctx: RequestContext,
    demand: Demand,
    push: DemandPush,
    allowed_from: Iterable[PushState],
    to: PushState,
    detail: dict[str, Any],
) -> None:
    if push.state not in set(allowed_from):
        raise Conflict(f"demand {demand.id} is {push.state.value} for {push.institution}")
    push.state = to
    ctx.session.add(push)
    record_event(ctx, demand, to.value, push.institution, detail)
    if ctx.caller.id == demand.enterprise:
        return  # the enterprise's own answer: nothing to tell it
    notify(
        ctx.session,
        recipient=demand.enterprise,
        kind=f"demand.{to.value}",
        payload={"demand_id": demand.id, "institution": push.institution, **detail},
        at=ctx.now,
        subject=demand.enterprise,
    )


def pick_up(ctx: RequestContext, demand_id: str) -> tuple[Demand, DemandPush]:
    ctx.write()
    demand, push = pushed_to_me(ctx, demand_id)
    _open(ctx, demand)
    late = ctx.now > push.pickup_due
    push.picked_up_at = ctx.now
    _advance(ctx, demand, push, [PushState.pushed], PushState.picked_up, {"late": late})
    return demand, push


AFTER_PICKUP = (
    PushState.picked_up,
    PushState.authorization_requested,
    PushState.authorization_approved,
    PushState.authorization_rejected,
)


def authorization_step(
    ctx: RequestContext, demand: Demand, institution: str, to: PushState, request_id: str
) -> None:
    """A consent request about ``demand`` was sent or answered: the push follows."""
    push = repository.push(ctx.session, demand.id, institution)
    if push is None or push.state not in AFTER_PICKUP:
        return  # the demand went on without it (decided already): history only via the request
    _advance(ctx, demand, push, AFTER_PICKUP, to, {"request_id": request_id})


def decide(ctx: RequestContext, demand_id: str, body: DecisionIn) -> tuple[Demand, DemandPush]:
    ctx.write()
    demand, push = pushed_to_me(ctx, demand_id)
    if body.outcome == "approved":
        if body.amount is None:
            raise invalid("amount", "an approval states the approved amount")
        if body.rate_pct is None:
            raise invalid("rate_pct", "an approval states the rate")
        if body.reason_code is not None:
            raise invalid("reason_code", "only a decline carries a reason code")
        _open(ctx, demand)
        push.approved_amount = body.amount
        push.approved_rate_bp = int((body.rate_pct * 100).to_integral_value())
        to = PushState.credit_approved
        detail: dict[str, Any] = {
            "approved_amount": body.amount,
            "approved_rate_pct": str(body.rate_pct.quantize(Decimal("0.01"))),
        }
    else:
        if body.reason_code is None:
            raise invalid("reason_code", "a decline states a reason code")
        if body.amount is not None or body.rate_pct is not None:
            raise invalid("amount", "a decline carries no amount or rate")
        push.decline_reason = body.reason_code.value
        to = PushState.credit_declined
        detail = {"reason_code": body.reason_code.value}
    if body.note_zh:
        detail["note_zh"] = body.note_zh
    push.decided_at = ctx.now
    _advance(ctx, demand, push, AFTER_PICKUP, to, detail)
    return demand, push


def disburse(
    ctx: RequestContext, demand_id: str, body: DisbursementIn
) -> tuple[Demand, DemandPush]:
    ctx.write()
    demand, push = pushed_to_me(ctx, demand_id)
    approved = push.approved_amount
    if push.state is PushState.credit_approved and approved is not None and body.amount > approved:
        raise invalid("amount", "exceeds the approved amount")
    if body.disbursed_on is not None and body.disbursed_on > ctx.now.date() + timedelta(days=1):
        raise invalid("disbursed_on", "must not be in the future")
    push.disbursed_at = ctx.now
    push.disbursed_amount = body.amount
    detail: dict[str, Any] = {"amount": body.amount}
    if body.disbursed_on is not None:
        detail["disbursed_on"] = body.disbursed_on.isoformat()
    _advance(ctx, demand, push, [PushState.credit_approved], PushState.disbursed, detail)
    return demand, push


def mine(ctx: RequestContext) -> list[tuple[Demand, DemandPush]]:
    return repository.pushed_to(ctx.session, ctx.caller.id)


def overdue(ctx: RequestContext) -> list[tuple[Demand, DemandPush]]:
    """Pushes not picked up by their deadline, of demands still open."""
    return [
        (d, p)
        for d, p in repository.waiting_pickups(ctx.session)
        if p.overdue(ctx.now) and d.state_at(ctx.now) is DemandState.open
    ]
