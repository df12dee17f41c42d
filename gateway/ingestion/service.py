"""Ingest source batches: validate against the catalog, version records, stay idempotent."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import rfc8785
from sqlmodel import Session

from gateway.catalog.model import Catalog, DatasetSpec, SharingMethod
from gateway.errors import Conflict, Forbidden, InvalidInput, NotFound
from gateway.ingestion.schemas import (
    BatchIn,
    BatchMode,
    BatchRecordIn,
    BatchRecordResult,
    BatchResult,
    RecordOutcome,
)
from gateway.ingestion.validation import FieldProblem, validate_record
from gateway.principals.models import Principal, Role
from gateway.records import repository
from gateway.records.digest import key_digest, record_digest
from gateway.records.models import Batch, DatasetRecord


@dataclass(frozen=True, slots=True)
class IngestOutcome:
    result: BatchResult
    replayed: bool


# Called inside the batch's transaction after each newly stored batch (not on replays), so
# features that follow records can react: objections answered by a correction, for one.
BatchListener = Callable[[Session, Principal, BatchResult, datetime], None]
_batch_listeners: list[BatchListener] = []


def add_batch_listener(listener: BatchListener) -> Callable[[], None]:
    """Register ``listener``; returns the function that removes it again."""
    _batch_listeners.append(listener)
    return lambda: _batch_listeners.remove(listener)


def stored_dataset(catalog: Catalog, dataset_id: str) -> DatasetSpec:
    """The dataset, if the platform stores it; live datasets stay with their source."""
    dataset = catalog.dataset(dataset_id)
    if dataset is None:
        raise NotFound(f"no dataset {dataset_id!r} in the catalog")
    if dataset.sharing_method.is_live:
        raise Conflict(
            f"dataset {dataset_id!r} is served live by its source at request time; "
            "the platform does not store it"
        )
    return dataset


def ensure_may_supply(principal: Principal, dataset: DatasetSpec) -> None:
    if principal.role is Role.source and principal.id == dataset.source_id:
        return
    if principal.role is Role.operator and dataset.sharing_method is SharingMethod.manual_entry:
        return  # 后台录入: the platform's operators key these in
    if principal.role is Role.province and dataset.provincial_backflow:
        return  # 总对总 数据回流: the provincial platform pushes these back
    raise Forbidden(f"{principal.id} is not the source of dataset {dataset.id}")


def ensure_may_reconcile(principal: Principal, dataset: DatasetSpec) -> None:
    if principal.role is Role.operator:
        return
    if principal.role is Role.source and principal.id == dataset.source_id:
        return
    if principal.role is Role.province and dataset.provincial_backflow:
        return
    raise Forbidden(f"{principal.id} may not reconcile dataset {dataset.id}")


def record_identity(dataset: DatasetSpec, clean: dict[str, Any], given: str | None) -> str:
    """The stable record id: the source's own, or derived from the subject and key fields."""
    if given:
        return given
    subject = clean[dataset.subject_field]
    if not dataset.key_fields:
        return str(subject)
    return f"{subject}:{key_digest([clean.get(k) for k in dataset.key_fields])[:20]}"


def _request_digest(batch: BatchIn) -> str:
    return hashlib.sha256(rfc8785.dumps(batch.model_dump(mode="json"))).hexdigest()


@dataclass(slots=True)
class _Checked:
    index: int
    item: BatchRecordIn
    record_id: str | None
    clean: dict[str, Any]
    problems: list[FieldProblem]


def _check(dataset: DatasetSpec, batch: BatchIn) -> list[_Checked]:
    checked: list[_Checked] = []
    seen: set[str] = set()
    for index, item in enumerate(batch.records):
        clean: dict[str, Any]
        problems: list[FieldProblem]
        if item.retract and not item.fields and item.record_id:
            clean, problems = {}, []
        else:
            clean, problems = validate_record(dataset, item.fields)
        record_id = None
        if not problems:
            record_id = record_identity(dataset, clean, item.record_id)
            if record_id in seen:
                problems.append(
                    FieldProblem("record_id", f"record {record_id} appears twice in the batch")
                )
            seen.add(record_id)
        checked.append(_Checked(index, item, record_id, clean, problems))
    return checked


def _rejections(checked: list[_Checked]) -> list[dict[str, Any]]:
    return [
        {"index": c.index, "record_id": c.record_id, "errors": [p.as_dict() for p in c.problems]}
        for c in checked
        if c.problems
    ]


def ingest_batch(
    session: Session,
    catalog: Catalog,
    principal: Principal,
    dataset_id: str,
    batch: BatchIn,
    now: datetime,
) -> IngestOutcome:
    """Store a batch's valid records as new versions; replaying a batch id changes nothing."""
    dataset = stored_dataset(catalog, dataset_id)
    ensure_may_supply(principal, dataset)
    digest = _request_digest(batch)

    previous = repository.find_batch(session, principal.id, dataset.id, batch.batch_id)
    if previous is not None:
        if previous.request_digest != digest:
            raise Conflict(
                f"batch_id {batch.batch_id!r} was already used for different content; "
                "send new content under a new batch_id"
            )
        return IngestOutcome(BatchResult.model_validate(previous.response), replayed=True)

    checked = _check(dataset, batch)
    if batch.mode is BatchMode.all_or_nothing and any(c.problems for c in checked):
        raise InvalidInput(
            f"batch {batch.batch_id!r} rejected whole: some records are invalid",
            detail=_rejections(checked),
        )

    row = Batch(
        source_id=principal.id,
        dataset=dataset.id,
        batch_id=batch.batch_id,
        request_digest=digest,
        received_at=now,
        response={},
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    results = _apply(session, dataset, principal.id, row.id, checked, now)

    counts = {outcome: 0 for outcome in RecordOutcome}
    for result in results:
        counts[result.outcome] += 1
    outcome = BatchResult(
        batch_id=batch.batch_id,
        dataset=dataset.id,
        source_id=principal.id,
        received_at=now,
        accepted=counts[RecordOutcome.created] + counts[RecordOutcome.superseded],
        unchanged=counts[RecordOutcome.unchanged],
        superseded=counts[RecordOutcome.superseded],
        retracted=counts[RecordOutcome.retracted],
        rejected=counts[RecordOutcome.rejected],
        records=results,
    )
    row.accepted, row.unchanged = outcome.accepted, outcome.unchanged
    row.superseded, row.retracted, row.rejected = (
        outcome.superseded,
        outcome.retracted,
        outcome.rejected,
    )
    row.response = outcome.model_dump(mode="json")
    session.add(row)
    session.flush()  # listeners read the new versions (and wait for rows locked elsewhere)
    for listener in list(_batch_listeners):
        listener(session, principal, outcome, now)
    return IngestOutcome(outcome, replayed=False)


def _apply(
    session: Session,
    dataset: DatasetSpec,
    source_id: str,
    batch_pk: int,
    checked: list[_Checked],
    now: datetime,
) -> list[BatchRecordResult]:
    ids = [c.record_id for c in checked if c.record_id and not c.problems]
    current = repository.current_by_record_id(session, dataset.id, ids)
    versions = repository.latest_versions(session, dataset.id, ids)
    names: dict[str, str | None] = {}
    results: list[BatchRecordResult] = []
    for c in checked:
        if c.problems or c.record_id is None:
            errors = [p.as_dict() for p in c.problems]
            results.append(
                BatchRecordResult(
                    index=c.index,
                    record_id=c.record_id,
                    outcome=RecordOutcome.rejected,
                    errors=errors,
                )
            )
            continue
        existing = current.get(c.record_id)
        if c.item.retract:
            results.append(_retract(session, c, existing, now))
            continue
        digest = record_digest(dataset.id, c.record_id, c.clean)
        subject = c.clean[dataset.subject_field]
        names.setdefault(
            subject, c.clean.get("enterprise_name") if dataset.id == "business_licence" else None
        )
        if existing is not None and existing.digest == digest:
            results.append(
                BatchRecordResult(
                    index=c.index,
                    record_id=c.record_id,
                    outcome=RecordOutcome.unchanged,
                    version=existing.version,
                )
            )
            continue
        if existing is not None:
            existing.superseded_at = now
            existing.end_reason = "replaced"
            session.add(existing)
        version = versions.get(c.record_id, 0) + 1
        session.add(
            DatasetRecord(
                dataset=dataset.id,
                record_id=c.record_id,
                version=version,
                uscc=subject,
                fields=c.clean,
                digest=digest,
                source_id=source_id,
                batch_pk=batch_pk,
                valid_from=now,
            )
        )
        outcome = RecordOutcome.superseded if existing is not None else RecordOutcome.created
        results.append(
            BatchRecordResult(
                index=c.index, record_id=c.record_id, outcome=outcome, version=version
            )
        )
    repository.upsert_enterprises(session, names, now)
    return results


def _retract(
    session: Session, c: _Checked, existing: DatasetRecord | None, now: datetime
) -> BatchRecordResult:
    if existing is None:
        problem = {"field": "record_id", "problem": f"no current record {c.record_id} to retract"}
        return BatchRecordResult(
            index=c.index, record_id=c.record_id, outcome=RecordOutcome.rejected, errors=[problem]
        )
    existing.superseded_at = now
    existing.end_reason = "retracted"
    session.add(existing)
    return BatchRecordResult(
        index=c.index,
        record_id=c.record_id,
        outcome=RecordOutcome.retracted,
        version=existing.version,
    )
