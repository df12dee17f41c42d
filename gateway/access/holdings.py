"""What the platform can show of one enterprise: stored records, and live ones fetched now."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from gateway.access.live_sources import LiveSources
from gateway.catalog.model import Catalog
from gateway.policy.data import PenaltyPublicationParams
from gateway.records import repository
from gateway.subject_rights.visibility import RecordMarks

NO_LIVE_INTERFACE = "no live interface configured"


@dataclass(frozen=True, slots=True)
class HeldRecord:
    record_id: str
    version: int | None  # None for live records, which are not stored
    valid_from: datetime | None
    fields: dict[str, Any]


@dataclass(slots=True)
class Holdings:
    records: dict[str, list[HeldRecord]] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)  # dataset -> why


def load(
    session: Session,
    catalog: Catalog,
    live: LiveSources | None,
    subject: str,
    datasets: Iterable[str],
    grants: Mapping[str, str] | None = None,
    for_subject: bool = False,
) -> Holdings:
    """Current records of ``datasets`` for ``subject``; live datasets are fetched from their
    source now (and never stored); a source that fails is named in ``unavailable``."""
    wanted = [d for d in catalog.datasets if d.id in set(datasets)]
    holdings = Holdings({d.id: [] for d in wanted})
    stored_ids = [d.id for d in wanted if not d.sharing_method.is_live]
    if stored_ids:
        for row in repository.current_records_for_enterprise(session, subject, stored_ids):
            holdings.records[row.dataset].append(
                HeldRecord(row.record_id, row.version, row.valid_from, row.fields)
            )
    for dataset in wanted:
        if not dataset.sharing_method.is_live:
            continue
        if live is None:
            holdings.unavailable[dataset.id] = NO_LIVE_INTERFACE
            continue
        answer = live.fetch(dataset, subject, (grants or {}).get(dataset.id), for_subject)
        if answer.error is not None:
            holdings.unavailable[dataset.id] = answer.error
        holdings.records[dataset.id] = [
            HeldRecord(f"live:{dataset.id}:{i}", None, None, record)
            for i, record in enumerate(answer.records)
        ]
    return holdings


def shown_to_institutions(
    held: Holdings, marks: RecordMarks, now: datetime, publication: PenaltyPublicationParams
) -> Holdings:
    """``held`` without what institutions may no longer see: repaired records and adverse
    records past their publication window. Reports and verifications both go through here."""
    return Holdings(
        {
            dataset: [
                r
                for r in rows
                if marks.shown_to_institutions(dataset, r.record_id, r.fields, now, publication)
            ]
            for dataset, rows in held.records.items()
        },
        dict(held.unavailable),
    )
