"""The financing package's queries (the only place that builds them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from gateway.financing.models import (
    AuthorizationRequest,
    Demand,
    DemandEvent,
    DemandPush,
    Product,
    ProductKind,
    ProductState,
    PushState,
)
from gateway.records import repository as records


@dataclass(frozen=True, slots=True)
class ProductFilter:
    kind: ProductKind | None = None
    amount: int | None = None
    term_months: int | None = None
    institution: str | None = None
    include_withdrawn: bool = False


def products(session: Session, where: ProductFilter) -> Sequence[Product]:
    query = select(Product)
    if not where.include_withdrawn:
        query = query.where(Product.state == ProductState.active)
    if where.kind is not None:
        query = query.where(Product.kind == where.kind)
    if where.institution is not None:
        query = query.where(Product.institution == where.institution)
    if where.amount is not None:
        query = query.where(Product.amount_min <= where.amount, Product.amount_max >= where.amount)
    if where.term_months is not None:
        query = query.where(
            Product.term_min_months <= where.term_months,
            Product.term_max_months >= where.term_months,
        )
    return session.exec(query.order_by(col(Product.created_at), col(Product.id))).all()


def product(session: Session, product_id: str) -> Product | None:
    return session.get(Product, product_id)


def registration(session: Session, uscc: str) -> dict[str, object] | None:
    """The enterprise's current business-licence record, if the platform holds one."""
    rows = records.current_records_for_enterprise(session, uscc, ["business_licence"])
    return dict(rows[0].fields) if rows else None


def demand(session: Session, demand_id: str) -> Demand | None:
    return session.get(Demand, demand_id)


def demands_of(session: Session, enterprise: str) -> Sequence[Demand]:
    return session.exec(
        select(Demand)
        .where(Demand.enterprise == enterprise)
        .order_by(col(Demand.created_at).desc(), col(Demand.id))
    ).all()


def pushes_of(session: Session, demand_id: str) -> list[DemandPush]:
    return list(
        session.exec(
            select(DemandPush)
            .where(DemandPush.demand_id == demand_id)
            .order_by(col(DemandPush.institution))
        ).all()
    )


def push(session: Session, demand_id: str, institution: str) -> DemandPush | None:
    return session.exec(
        select(DemandPush).where(
            DemandPush.demand_id == demand_id, DemandPush.institution == institution
        )
    ).first()


def pushed_to(session: Session, institution: str) -> list[tuple[Demand, DemandPush]]:
    rows = session.exec(
        select(Demand, DemandPush)
        .join(DemandPush, col(DemandPush.demand_id) == col(Demand.id))
        .where(DemandPush.institution == institution)
        .order_by(col(DemandPush.pushed_at).desc(), col(Demand.id))
    ).all()
    return [(d, p) for d, p in rows]


def waiting_pickups(session: Session) -> list[tuple[Demand, DemandPush]]:
    rows = session.exec(
        select(Demand, DemandPush)
        .join(DemandPush, col(DemandPush.demand_id) == col(Demand.id))
        .where(DemandPush.state == PushState.pushed)
        .order_by(col(DemandPush.pickup_due), col(Demand.id))
    ).all()
    return [(d, p) for d, p in rows]


def all_pushes(session: Session) -> list[tuple[Demand, DemandPush]]:
    rows = session.exec(
        select(Demand, DemandPush)
        .join(DemandPush, col(DemandPush.demand_id) == col(Demand.id))
        .order_by(col(DemandPush.pushed_at), col(Demand.id), col(DemandPush.institution))
    ).all()
    return [(d, p) for d, p in rows]


def events_of(session: Session, demand_id: str) -> list[DemandEvent]:
    return list(
        session.exec(
            select(DemandEvent)
            .where(DemandEvent.demand_id == demand_id)
            .order_by(col(DemandEvent.id))
        ).all()
    )


def authorization_request(session: Session, request_id: str) -> AuthorizationRequest | None:
    return session.get(AuthorizationRequest, request_id)


def requests_to(session: Session, enterprise: str) -> Sequence[AuthorizationRequest]:
    return session.exec(
        select(AuthorizationRequest)
        .where(AuthorizationRequest.enterprise == enterprise)
        .order_by(col(AuthorizationRequest.created_at).desc(), col(AuthorizationRequest.id))
    ).all()


def requests_from(session: Session, institution: str) -> Sequence[AuthorizationRequest]:
    return session.exec(
        select(AuthorizationRequest)
        .where(AuthorizationRequest.institution == institution)
        .order_by(col(AuthorizationRequest.created_at).desc(), col(AuthorizationRequest.id))
    ).all()


def requests_for_grants(session: Session, grant_ids: Sequence[str]) -> dict[str, str]:
    """grant id -> the request it answered."""
    if not grant_ids:
        return {}
    rows = session.exec(
        select(AuthorizationRequest.grant_id, AuthorizationRequest.id).where(
            col(AuthorizationRequest.grant_id).in_(list(grant_ids))
        )
    ).all()
    return {grant: request for grant, request in rows}
