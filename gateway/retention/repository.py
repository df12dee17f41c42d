"""The only place retention builds queries: what has outlived its retention period."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Delete, delete, func, or_
from sqlmodel import Session, col, select

from gateway.access_index import AccessEvent
from gateway.authorizations.models import Authorization
from gateway.records.models import DatasetRecord
from gateway.verification.models import ThresholdProbe

RecordVersion = tuple[str, str, int]


def _deleted(session: Session, statement: Delete) -> int:
    result = cast(CursorResult[Any], session.execute(statement))
    return int(result.rowcount)


def old_access_events(session: Session, cutoff: datetime, limit: int) -> Sequence[tuple[int, int]]:
    """(id, ledger_index) of access events before ``cutoff``, oldest first."""
    rows = session.exec(
        select(AccessEvent.id, AccessEvent.ledger_index)
        .where(col(AccessEvent.at) < cutoff)
        .order_by(col(AccessEvent.id))
        .limit(limit)
    ).all()
    return [(int(i), int(index)) for i, index in rows if i is not None]


def count_access_events(session: Session, cutoff: datetime) -> int:
    return session.exec(select(func.count()).where(col(AccessEvent.at) < cutoff)).one()


def delete_access_events(session: Session, ids: Sequence[int]) -> int:
    return _deleted(session, delete(AccessEvent).where(col(AccessEvent.id).in_(ids)))


def count_probes(session: Session, cutoff: datetime) -> int:
    return session.exec(
        select(func.count()).where(col(ThresholdProbe.first_asked_at) < cutoff)
    ).one()


def delete_probes(session: Session, cutoff: datetime) -> int:
    return _deleted(
        session, delete(ThresholdProbe).where(col(ThresholdProbe.first_asked_at) < cutoff)
    )


def _ended_before(cutoff: datetime) -> ColumnElement[bool]:
    return or_(col(Authorization.expires_at) < cutoff, col(Authorization.revoked_at) < cutoff)


def ended_authorizations(
    session: Session, cutoff: datetime, limit: int
) -> Sequence[tuple[str, int | None, int | None]]:
    """(id, grant ledger index, revoke ledger index) of authorizations that ended (expired or
    were revoked) before ``cutoff``."""
    rows = session.exec(
        select(
            Authorization.id, Authorization.grant_ledger_index, Authorization.revoke_ledger_index
        )
        .where(_ended_before(cutoff))
        .order_by(col(Authorization.id))
        .limit(limit)
    ).all()
    return list(rows)


def count_ended_authorizations(session: Session, cutoff: datetime) -> int:
    return session.exec(select(func.count()).where(_ended_before(cutoff))).one()


def delete_authorizations(session: Session, ids: Sequence[str]) -> int:
    return _deleted(session, delete(Authorization).where(col(Authorization.id).in_(ids)))


def disputed_versions(session: Session) -> set[RecordVersion]:
    """Record versions an objection or a credit-repair application names: kept as its
    evidence whatever their age (the disputes' own retention is theirs)."""
    try:
        models = importlib.import_module("gateway.subject_rights.models")
    except ModuleNotFoundError:
        return set()
    held: set[RecordVersion] = set()
    for table in (models.Objection, models.CreditRepair):
        rows = session.exec(select(table.dataset, table.record_id, table.record_version))
        held.update((str(d), str(r), int(v)) for d, r, v in rows)
    return held


def superseded_records(
    session: Session, cutoff: datetime, after_id: int, limit: int
) -> Sequence[tuple[int, str, str, int]]:
    """(id, dataset, record_id, version) of versions that stopped holding before ``cutoff``."""
    rows = session.exec(
        select(
            DatasetRecord.id, DatasetRecord.dataset, DatasetRecord.record_id, DatasetRecord.version
        )
        .where(
            col(DatasetRecord.superseded_at) < cutoff,
            col(DatasetRecord.id) > after_id,
        )
        .order_by(col(DatasetRecord.id))
        .limit(limit)
    ).all()
    return [(int(i), d, r, int(v)) for i, d, r, v in rows if i is not None]


def delete_records(session: Session, ids: Sequence[int]) -> int:
    return _deleted(session, delete(DatasetRecord).where(col(DatasetRecord.id).in_(ids)))
