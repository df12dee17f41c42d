"""The only place that builds queries over objections and credit repairs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import and_, bindparam, cast, literal, not_, null, union_all
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from gateway.pagination import Window, keyset
from gateway.prepared import Prepared
from gateway.records.models import DatasetRecord
from gateway.subject_rights.models import CreditRepair, Objection, ObjectionState, RepairState

ACTIVE_OBJECTION = (ObjectionState.open, ObjectionState.under_review)
STANDING_REPAIR = (RepairState.pending, RepairState.approved)


_objection = Objection.__table__  # type: ignore[attr-defined]
_repair = CreditRepair.__table__  # type: ignore[attr-defined]
# Read by every report and verification: one prepared statement, no ORM. Approved repairs
# (with when display ends) and active objections (no date), told apart by ``kind``.
_MARKS = Prepared(
    union_all(
        sa_select(
            literal("repaired").label("kind"),
            _repair.c.dataset,
            _repair.c.record_id,
            _repair.c.effective_at,
        ).where(
            _repair.c.enterprise == bindparam("enterprise"),
            _repair.c.state == bindparam("repaired"),
        ),
        sa_select(
            literal("disputed"),
            _objection.c.dataset,
            _objection.c.record_id,
            cast(null(), _repair.c.effective_at.type),
        ).where(
            _objection.c.enterprise == bindparam("enterprise"),
            _objection.c.state.in_(bindparam("disputed", expanding=True)),
        ),
    )
)


def current_record_for_update(
    session: Session, dataset: str, record_id: str
) -> DatasetRecord | None:
    """The current version, row-locked so that a correction and a filing serialize."""
    return session.exec(
        select(DatasetRecord)
        .where(
            DatasetRecord.dataset == dataset,
            DatasetRecord.record_id == record_id,
            col(DatasetRecord.superseded_at).is_(None),
        )
        .with_for_update()
    ).first()


def record_version(
    session: Session, dataset: str, record_id: str, version: int
) -> DatasetRecord | None:
    return session.exec(
        select(DatasetRecord).where(
            DatasetRecord.dataset == dataset,
            DatasetRecord.record_id == record_id,
            DatasetRecord.version == version,
        )
    ).first()


def objection_for_update(session: Session, objection_id: str) -> Objection | None:
    return session.exec(
        select(Objection).where(Objection.id == objection_id).with_for_update()
    ).first()


def active_objection(
    session: Session, enterprise: str, dataset: str, record_id: str, field: str | None
) -> Objection | None:
    return session.exec(
        select(Objection).where(
            Objection.enterprise == enterprise,
            Objection.dataset == dataset,
            Objection.record_id == record_id,
            Objection.field == field if field is not None else col(Objection.field).is_(None),
            col(Objection.state).in_(ACTIVE_OBJECTION),
        )
    ).first()


def active_objections_on(
    session: Session, dataset: str, record_ids: Iterable[str]
) -> Sequence[Objection]:
    """Open and under-review objections to these records, locked for a state change."""
    return session.exec(
        select(Objection)
        .where(
            Objection.dataset == dataset,
            col(Objection.record_id).in_(list(record_ids)),
            col(Objection.state).in_(ACTIVE_OBJECTION),
        )
        .order_by(col(Objection.filed_at), col(Objection.id))
        .with_for_update()
    ).all()


def objections(
    session: Session,
    *,
    enterprise: str | None = None,
    source_id: str | None = None,
    states: Iterable[ObjectionState] | None = None,
    overdue_at: datetime | None = None,
    overdue: bool = True,
    window: Window = Window(),
) -> Sequence[Objection]:
    """Newest first, one page (``window``); with ``overdue_at``, only those overdue then (or,
    ``overdue=False``, not)."""
    query = select(Objection)
    if enterprise is not None:
        query = query.where(Objection.enterprise == enterprise)
    if source_id is not None:
        query = query.where(Objection.source_id == source_id)
    if states is not None:
        query = query.where(col(Objection.state).in_(list(states)))
    if overdue_at is not None:
        late = and_(
            col(Objection.state).in_(ACTIVE_OBJECTION), col(Objection.deadline) < overdue_at
        )
        query = query.where(late if overdue else not_(late))
    order = [(col(Objection.filed_at), True), (col(Objection.id), False)]
    return session.exec(keyset(query, order, window)).all()


def record_marks(
    session: Session, enterprise: str
) -> tuple[set[tuple[str, str]], dict[tuple[str, str], datetime]]:
    """(dataset, record_id) of the records under an active objection, and (dataset,
    record_id) -> when display to institutions ends, for approved repairs: one query."""
    rows = _MARKS.rows(
        session,
        {
            "enterprise": enterprise,
            "repaired": RepairState.approved,
            "disputed": list(ACTIVE_OBJECTION),
        },
    )
    disputed = {(r.dataset, r.record_id) for r in rows if r.kind == "disputed"}
    repaired = {
        (r.dataset, r.record_id): r.effective_at
        for r in rows
        if r.kind == "repaired" and r.effective_at is not None
    }
    return disputed, repaired


def repair_for_update(session: Session, repair_id: str) -> CreditRepair | None:
    return session.exec(
        select(CreditRepair).where(CreditRepair.id == repair_id).with_for_update()
    ).first()


def standing_repair(
    session: Session, enterprise: str, dataset: str, record_id: str
) -> CreditRepair | None:
    return session.exec(
        select(CreditRepair).where(
            CreditRepair.enterprise == enterprise,
            CreditRepair.dataset == dataset,
            CreditRepair.record_id == record_id,
            col(CreditRepair.state).in_(STANDING_REPAIR),
        )
    ).first()


def repairs(
    session: Session,
    *,
    enterprise: str | None = None,
    states: Iterable[RepairState] | None = None,
    window: Window = Window(),
) -> Sequence[CreditRepair]:
    """Newest first, one page (``window``)."""
    query = select(CreditRepair)
    if enterprise is not None:
        query = query.where(CreditRepair.enterprise == enterprise)
    if states is not None:
        query = query.where(col(CreditRepair.state).in_(list(states)))
    order = [(col(CreditRepair.applied_at), True), (col(CreditRepair.id), False)]
    return session.exec(keyset(query, order, window)).all()
