"""ledger: entries, subtree nodes, checkpoints, sequencer state, subject heads, keys

Revision ID: 0002_ledger
Revises: 0001_foundation
Create Date: 2026-11-27 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_ledger"
down_revision: str | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ledger_entries",
        sa.Column("idx", BigId, autoincrement=False, nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("leaf", sa.LargeBinary(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("subject_seq", sa.BigInteger(), nullable=True),
        sa.Column("prev_index", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("idx"),
    )
    op.create_index(
        "ix_ledger_entries_subject_idx", "ledger_entries", ["subject", "idx"], unique=False
    )
    op.create_table(
        "ledger_nodes",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "ledger_checkpoints",
        sa.Column("size", BigId, autoincrement=False, nullable=False),
        sa.Column("root_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("size"),
    )
    op.create_table(
        "ledger_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "ledger_subject_heads",
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_index", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("subject"),
    )
    op.create_table(
        "ledger_keys",
        sa.Column("verifier_key", sa.String(length=400), nullable=False),
        sa.Column("first_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("verifier_key"),
    )


def downgrade() -> None:
    op.drop_table("ledger_keys")
    op.drop_table("ledger_subject_heads")
    op.drop_table("ledger_state")
    op.drop_table("ledger_checkpoints")
    op.drop_table("ledger_nodes")
    op.drop_index("ix_ledger_entries_subject_idx", table_name="ledger_entries")
    op.drop_table("ledger_entries")
