"""What objections and repairs share: the record they point at, and
the ledger entry every state change makes about the enterprise (names and ids, never values).
"""

from __future__ import annotations

import secrets
from typing import Any

from gateway.catalog.model import Catalog, DatasetSpec
from gateway.context import RequestContext
from gateway.errors import InvalidInput, NotFound
from gateway.principals.models import Principal
from gateway.records.models import DatasetRecord
from gateway.subject_rights import repository
from gateway.subject_rights.schemas import EvidenceIn


def new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(8)}"


def _invalid(field: str, problem: str) -> InvalidInput:
    return InvalidInput(f"{field}: {problem}", detail=[{"field": field, "problem": problem}])


def stored_dataset(catalog: Catalog, dataset_id: str) -> DatasetSpec:
    dataset = catalog.dataset(dataset_id)
    if dataset is None:
        raise _invalid("dataset", f"no dataset {dataset_id!r} in the catalog")
    if dataset.sharing_method.is_live:
        raise _invalid(
            "dataset",
            f"{dataset_id!r} is fetched live from its source and not held by the platform; "
            "raise the matter with the source",
        )
    return dataset


def check_field(dataset: DatasetSpec, field: str | None) -> None:
    if field is not None and field not in {f.id for f in dataset.fields}:
        raise _invalid("field", f"dataset {dataset.id} has no field {field!r}")


def own_current_record(
    ctx: RequestContext, enterprise: Principal, dataset: DatasetSpec, record_id: str
) -> DatasetRecord:
    """The current version of the caller's record, locked against a concurrent correction."""
    record = repository.current_record_for_update(ctx.session, dataset.id, record_id)
    if record is None or record.uscc != enterprise.id:
        # the same answer whether the record is someone else's or does not exist
        raise NotFound(f"no current record {record_id!r} of {dataset.id} about {enterprise.id}")
    return record


def evidence_of(items: list[EvidenceIn]) -> list[dict[str, Any]]:
    return [item.model_dump() for item in items]


def record_change(
    ctx: RequestContext,
    subject: str,
    entry: dict[str, Any],
    history: list[dict[str, Any]],
    state: str,
    by: str,
) -> list[dict[str, Any]]:
    """Append ``entry`` to the ledger (fails closed) and return ``history`` with this change."""
    index = ctx.record(entry, subject)
    change = {"state": state, "at": ctx.now.isoformat(), "by": by, "ledger_index": index}
    return [*history, change]  # a new list, so the JSON column is seen as changed
