"""The only place that builds queries over enterprises, records and batches."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from gateway.prepared import Prepared
from gateway.records.models import Batch, DatasetRecord, Enterprise

_CHUNK = 500


def current_by_record_id(
    session: Session, dataset: str, record_ids: Iterable[str]
) -> dict[str, DatasetRecord]:
    ids = list(dict.fromkeys(record_ids))
    found: dict[str, DatasetRecord] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        rows = session.exec(
            select(DatasetRecord).where(
                DatasetRecord.dataset == dataset,
                col(DatasetRecord.record_id).in_(chunk),
                col(DatasetRecord.superseded_at).is_(None),
            )
        )
        found.update({row.record_id: row for row in rows})
    return found


def latest_versions(session: Session, dataset: str, record_ids: Iterable[str]) -> dict[str, int]:
    ids = list(dict.fromkeys(record_ids))
    versions: dict[str, int] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        rows = session.exec(
            select(DatasetRecord.record_id, func.max(DatasetRecord.version))
            .where(DatasetRecord.dataset == dataset, col(DatasetRecord.record_id).in_(chunk))
            .group_by(col(DatasetRecord.record_id))
        )
        versions.update({record_id: int(version) for record_id, version in rows})
    return versions


_record = DatasetRecord.__table__  # type: ignore[attr-defined]
# Every report and verification reads these: prebuilt statements, rows without the ORM.
_CURRENT_FOR_ENTERPRISE = Prepared(
    sa_select(
        _record.c.dataset,
        _record.c.record_id,
        _record.c.version,
        _record.c.valid_from,
        _record.c.fields,
    )
    .where(
        _record.c.uscc == bindparam("uscc"),
        _record.c.superseded_at.is_(None),
        _record.c.dataset.in_(bindparam("datasets", expanding=True)),
    )
    .order_by(_record.c.dataset, _record.c.id)
)
_ENTERPRISE_EXISTS = Prepared(
    sa_select(Enterprise.__table__.c.uscc).where(  # type: ignore[attr-defined]
        Enterprise.__table__.c.uscc == bindparam("uscc")  # type: ignore[attr-defined]
    )
)


def current_records_for_enterprise(
    session: Session, uscc: str, datasets: Iterable[str]
) -> list[Any]:
    """Current (dataset, record_id, version, valid_from, fields) of ``datasets`` for ``uscc``."""
    return _CURRENT_FOR_ENTERPRISE.rows(session, {"uscc": uscc, "datasets": sorted(set(datasets))})


def enterprise_exists(session: Session, uscc: str) -> bool:
    return _ENTERPRISE_EXISTS.first(session, {"uscc": uscc}) is not None


def current_digests(session: Session, dataset: str) -> Sequence[tuple[str, str]]:
    """(record_id, digest) of every current record of ``dataset``, ordered by record id."""
    return session.exec(
        select(DatasetRecord.record_id, DatasetRecord.digest)
        .where(DatasetRecord.dataset == dataset, col(DatasetRecord.superseded_at).is_(None))
        .order_by(col(DatasetRecord.record_id))
    ).all()


def current_counts_by_batch(session: Session, dataset: str) -> dict[int, int]:
    rows = session.exec(
        select(DatasetRecord.batch_pk, func.count())
        .where(DatasetRecord.dataset == dataset, col(DatasetRecord.superseded_at).is_(None))
        .group_by(col(DatasetRecord.batch_pk))
    )
    return {int(batch_pk): int(count) for batch_pk, count in rows}


def current_enterprise_count(session: Session, dataset: str) -> int:
    return int(
        session.exec(
            select(func.count(func.distinct(DatasetRecord.uscc))).where(
                DatasetRecord.dataset == dataset, col(DatasetRecord.superseded_at).is_(None)
            )
        ).one()
    )


def find_batch(session: Session, source_id: str, dataset: str, batch_id: str) -> Batch | None:
    return session.exec(
        select(Batch).where(
            Batch.source_id == source_id, Batch.dataset == dataset, Batch.batch_id == batch_id
        )
    ).first()


def batches_for(session: Session, dataset: str, limit: int = 100) -> Sequence[Batch]:
    return session.exec(
        select(Batch)
        .where(Batch.dataset == dataset)
        .order_by(col(Batch.received_at).desc(), col(Batch.id).desc())
        .limit(limit)
    ).all()


def last_update_by_dataset(session: Session) -> dict[str, datetime]:
    rows = session.exec(
        select(Batch.dataset, func.max(Batch.received_at)).group_by(col(Batch.dataset))
    )
    return {dataset: moment for dataset, moment in rows}


def upsert_enterprises(session: Session, names: dict[str, str | None], now: datetime) -> None:
    """Make sure each USCC has an enterprise row; update its name when one is given."""
    if not names:
        return
    existing = {
        row.uscc: row
        for row in session.exec(select(Enterprise).where(col(Enterprise.uscc).in_(list(names))))
    }
    for uscc, name in names.items():
        row = existing.get(uscc)
        if row is None:
            session.add(Enterprise(uscc=uscc, name=name or "", first_seen_at=now, updated_at=now))
        elif name and row.name != name:
            row.name = name
            row.updated_at = now
            session.add(row)


def get_enterprise(session: Session, uscc: str) -> Enterprise | None:
    return session.get(Enterprise, uscc)
