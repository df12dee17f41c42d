"""notifications outbox

Revision ID: 0008_notifications
Revises: 0007_oversight
Create Date: 2026-12-05 22:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import gateway.db

revision: str = '0008_notifications'
down_revision: str | None = '0007_oversight'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('notification',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('recipient', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', gateway.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_notification_recipient_id', 'notification', ['recipient', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_notification_recipient_id', table_name='notification')
    op.drop_table('notification')
