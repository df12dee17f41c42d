"""Tables for enterprises, the versioned records of every dataset, and ingested batches.

One generic record table serves every dataset: the catalog (data, not code) gives each
dataset's fields, and every payload is validated against it before it is stored. A record is
never updated in place: a newer version from the source supersedes it (``superseded_at``), so
objections and credit repair can always see what was shown when.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from gateway.db import UtcDateTime

# SQLite autoincrements only INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Enterprise(SQLModel, table=True):
    __tablename__ = "enterprise"

    uscc: str = Field(primary_key=True, max_length=18)
    name: str = Field(default="", max_length=200)
    first_seen_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class Batch(SQLModel, table=True):
    __tablename__ = "ingest_batch"
    __table_args__ = (
        UniqueConstraint("source_id", "dataset", "batch_id", name="uq_batch_source_dataset_id"),
    )

    id: int | None = Field(
        default=None, sa_column=Column(BigId, primary_key=True, autoincrement=True)
    )
    source_id: str = Field(max_length=64)
    dataset: str = Field(max_length=64, index=True)
    batch_id: str = Field(max_length=128)
    request_digest: str = Field(max_length=64)
    received_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    accepted: int = 0
    unchanged: int = 0
    superseded: int = 0
    retracted: int = 0
    rejected: int = 0
    response: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class DatasetRecord(SQLModel, table=True):
    __tablename__ = "dataset_record"
    __table_args__ = (
        UniqueConstraint("dataset", "record_id", "version", name="uq_record_version"),
        Index("ix_record_current", "dataset", "uscc", "superseded_at"),
        Index("ix_record_lookup", "dataset", "record_id", "superseded_at"),
    )

    id: int | None = Field(
        default=None, sa_column=Column(BigId, primary_key=True, autoincrement=True)
    )
    dataset: str = Field(max_length=64)
    record_id: str = Field(max_length=128)
    version: int
    uscc: str = Field(max_length=18, index=True)
    fields: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    digest: str = Field(max_length=64)
    source_id: str = Field(max_length=64)
    batch_pk: int = Field(
        sa_column=Column(BigId, ForeignKey("ingest_batch.id"), nullable=False, index=True)
    )
    valid_from: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    superseded_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )
    # How this version ended: "replaced" by a newer version, or "retracted" by its source.
    end_reason: str | None = Field(default=None, max_length=16)
