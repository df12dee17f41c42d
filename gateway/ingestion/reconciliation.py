"""What the platform holds of a dataset, in figures a source can compare with its own
(the plan's 数据对账机制), and whether the dataset is overdue for an update."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from gateway.catalog.model import Catalog, DatasetSpec
from gateway.ingestion.schemas import BatchSummary, DatasetStatus, ReconciliationReport
from gateway.records import repository
from gateway.records.digest import set_digest

DIGEST_ALGORITHM = (
    "sha256 of the newline-joined sorted record digests; record digest = sha256 of the "
    "RFC 8785 canonical JSON of {dataset, record_id, fields}"
)
PAGE_LIMIT = 5_000


def dataset_status(
    dataset: DatasetSpec, last_update: datetime | None, now: datetime
) -> DatasetStatus:
    stored = not dataset.sharing_method.is_live
    overdue = stored and (
        last_update is None or now - last_update > dataset.update_frequency.overdue_after
    )
    return DatasetStatus(
        dataset=dataset.id,
        name_zh=dataset.name_zh,
        source_id=dataset.source_id,
        sharing_method=dataset.sharing_method.value,
        update_frequency=dataset.update_frequency.value,
        stored=stored,
        last_update=last_update,
        overdue=overdue,
    )


def all_statuses(session: Session, catalog: Catalog, now: datetime) -> list[DatasetStatus]:
    updates = repository.last_update_by_dataset(session)
    return [dataset_status(d, updates.get(d.id), now) for d in catalog.datasets]


def reconcile(
    session: Session,
    dataset: DatasetSpec,
    now: datetime,
    include_records: bool = False,
    after_record_id: str = "",
) -> ReconciliationReport:
    digests = repository.current_digests(session, dataset.id)
    per_batch = repository.current_counts_by_batch(session, dataset.id)
    batches = repository.batches_for(session, dataset.id)
    last_update = batches[0].received_at if batches else None
    page = None
    next_after = None
    if include_records:
        page = [
            (record_id, digest) for record_id, digest in digests if record_id > after_record_id
        ][:PAGE_LIMIT]
        if len(page) == PAGE_LIMIT:
            next_after = page[-1][0]
    return ReconciliationReport(
        dataset=dataset.id,
        as_of=now,
        current_records=len(digests),
        enterprises=repository.current_enterprise_count(session, dataset.id),
        digest=set_digest(digest for _, digest in digests),
        digest_algorithm=DIGEST_ALGORITHM,
        status=dataset_status(dataset, last_update, now),
        batches=[
            BatchSummary(
                batch_id=b.batch_id,
                received_at=b.received_at,
                accepted=b.accepted,
                unchanged=b.unchanged,
                superseded=b.superseded,
                retracted=b.retracted,
                rejected=b.rejected,
                current_records=per_batch.get(b.id or -1, 0),
            )
            for b in batches
        ],
        record_digests=page,
        next_after=next_after,
    )
