"""credit reports, record provenance, the provincial feed

Revision ID: 0011_exchange
Revises: 0010_deliveries
Create Date: 2026-12-05 22:03:57.578769
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import gateway.db

revision: str = "0011_exchange"
down_revision: str | None = "0010_deliveries"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "credit_report",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("enterprise", sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("requested_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("requested_role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("issued_at", gateway.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("document_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("ledger_index", sa.Integer(), nullable=False),
        sa.Column("envelope", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("credit_report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_credit_report_enterprise"), ["enterprise"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_credit_report_requested_by"), ["requested_by"], unique=False
        )

    op.create_table(
        "exchange_feed_batch",
        sa.Column("cursor", sa.Integer(), nullable=False),
        sa.Column("issued_at", gateway.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("batch_digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("ledger_index", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("cursor"),
    )
    op.create_table(
        "exchange_feed_receiver",
        sa.Column("receiver", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("acknowledged", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", gateway.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("updated_at", gateway.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("receiver"),
    )
    op.create_table(
        "exchange_feed_sent",
        sa.Column("dataset", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("record_id", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("cursor", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("dataset", "record_id"),
    )
    op.create_table(
        "record_provenance",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("dataset", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("record_id", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("source_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("batch_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("received_at", gateway.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_pk"],
            ["ingest_batch.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "dataset", "record_id", "digest", "source_id", name="uq_provenance_record_source"
        ),
    )
    with op.batch_alter_table("record_provenance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_record_provenance_batch_pk"), ["batch_pk"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("record_provenance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_provenance_batch_pk"))

    op.drop_table("record_provenance")
    op.drop_table("exchange_feed_sent")
    op.drop_table("exchange_feed_receiver")
    op.drop_table("exchange_feed_batch")
    with op.batch_alter_table("credit_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_report_requested_by"))
        batch_op.drop_index(batch_op.f("ix_credit_report_enterprise"))

    op.drop_table("credit_report")
