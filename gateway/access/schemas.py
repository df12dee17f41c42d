from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class RecordOut(BaseModel):
    record_id: str
    version: int | None
    valid_from: datetime | None
    fields: dict[str, Any]
    disputed: bool = False  # an objection to it is open or under review
    repaired: bool = False  # a credit repair is approved (institutions stop seeing it)


class DatasetOut(BaseModel):
    dataset: str
    name_zh: str
    live: bool
    records: list[RecordOut]
    source_unavailable: str | None = None


class WithheldOut(BaseModel):
    dataset: str
    field: str
    reason: str


class DecisionOut(BaseModel):
    allow: bool
    reason: str
    policy_revision: str


class ReportOut(BaseModel):
    enterprise: str
    enterprise_name: str
    purpose: str
    generated_at: datetime
    decision: DecisionOut
    datasets: list[DatasetOut]
    withheld: list[WithheldOut]
    authorizations_used: list[str]
    ledger_index: int


class AccessLogEntryOut(BaseModel):
    """A ledger entry with its inclusion proof; a redacted one has ``leaf_hash`` instead of
    ``leaf`` (its ``subject_seq`` and ``prev_index`` are then the gateway's word)."""

    index: int
    leaf: str | None = Field(None, description="base64 of the entry's canonical JSON")
    redacted: bool | None = None
    leaf_hash: str | None = Field(None, description="base64 SHA-256 leaf hash (redacted)")
    subject_seq: int | None = None
    prev_index: int | None = None
    inclusion_proof: list[str] = Field(description="RFC 9162 audit path, base64 hashes")
    entry: dict[str, Any] | None = Field(
        None, description="the leaf decoded, for reading; the proof covers leaf, not this"
    )


class AccessLogPageOut(BaseModel):
    """A page of a subject's access log, newest first, every entry proven against the page's
    checkpoint; ``credgate ledger verify --page`` checks it offline."""

    subject: str
    checkpoint: str = Field(description="the signed checkpoint (C2SP signed note)")
    entries: list[AccessLogEntryOut]
    next_before_index: int | None = Field(description="ask for before=this for older entries")
    head: str | None = Field(
        None,
        description=(
            "on the newest page (no before): a signed subject head (C2SP signed note, "
            "'credgate subject head v1') naming the subject's newest entry in the checkpoint's "
            "tree, or none. Save it: a later page verified with --previous-head proves that "
            "nothing was left out in between. Absent from pages served before heads existed."
        ),
    )
    tree_size: int
    verifier_key: str
