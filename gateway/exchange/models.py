"""Tables of the exchange with the provincial platform: where each record came from, the
outbound feed's batches and what the province holds, and the push worker's state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from gateway.db import UtcDateTime

BigId = BigInteger().with_variant(Integer(), "sqlite")


class RecordProvenance(SQLModel, table=True):
    """A source sent a record with this content (dedupe: one stored record, many provenances)."""

    __tablename__ = "record_provenance"
    __table_args__ = (
        UniqueConstraint(
            "dataset", "record_id", "digest", "source_id", name="uq_provenance_record_source"
        ),
    )

    id: int | None = Field(
        default=None, sa_column=Column(BigId, primary_key=True, autoincrement=True)
    )
    dataset: str = Field(max_length=64)
    record_id: str = Field(max_length=128)
    digest: str = Field(max_length=64)
    source_id: str = Field(max_length=64)
    batch_pk: int = Field(
        sa_column=Column(BigId, ForeignKey("ingest_batch.id"), nullable=False, index=True)
    )
    received_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class FeedBatch(SQLModel, table=True):
    """One batch of the outbound feed, kept as issued (a re-fetch answers the same bytes)."""

    __tablename__ = "exchange_feed_batch"

    cursor: int = Field(primary_key=True)  # 1, 2, 3, …: the batch's position in the feed
    issued_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    records: int
    batch_digest: str = Field(max_length=64)
    ledger_index: int
    body: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class FeedSent(SQLModel, table=True):
    """What the feed has sent of a record: the province's copy once it applied every batch."""

    __tablename__ = "exchange_feed_sent"

    dataset: str = Field(primary_key=True, max_length=64)
    record_id: str = Field(primary_key=True, max_length=128)
    digest: str = Field(max_length=64)
    cursor: int


class FeedReceiver(SQLModel, table=True):
    """The receiver's acknowledged cursor (pull: the ``after`` it asks with; push: its
    answer), and the push worker's retry state; one row per receiver."""

    __tablename__ = "exchange_feed_receiver"

    receiver: str = Field(primary_key=True, max_length=64)
    acknowledged: int = 0
    attempts: int = 0
    next_attempt_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )
    last_error: str | None = Field(default=None, max_length=500)
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
