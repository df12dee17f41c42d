"""notification deliveries: webhook subscriptions, deliveries, sweeps

Revision ID: 0010_deliveries
Revises: 0009_financing
Create Date: 2026-12-05 21:59:17.627005
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import gateway.db

revision: str = '0010_deliveries'
down_revision: str | None = '0009_financing'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('notification_sweep',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
    sa.Column('through', gateway.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('webhook_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('receiver_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('kinds', sa.JSON(), nullable=False),
    sa.Column('created_at', gateway.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('owner', 'receiver_id', name='uq_webhook_subscription_owner_receiver')
    )
    op.create_table('notification_delivery',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('notification_id', sa.BigInteger(), nullable=False),
    sa.Column('owner', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('receiver_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('state', sa.Enum('pending', 'delivered', 'dead', 'cancelled', name='deliverystate', native_enum=False, length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', gateway.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('lease_until', gateway.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('leased_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('last_attempt_at', gateway.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('delivered_at', gateway.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('created_at', gateway.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['notification_id'], ['notification.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_notification_delivery_due', 'notification_delivery', ['state', 'next_attempt_at'], unique=False)
    op.create_index('ix_notification_delivery_notification_id', 'notification_delivery', ['notification_id'], unique=False)
    op.create_index('ix_notification_delivery_owner', 'notification_delivery', ['owner', 'notification_id'], unique=False)



def downgrade() -> None:
    op.drop_index('ix_notification_delivery_owner', table_name='notification_delivery')
    op.drop_index('ix_notification_delivery_notification_id', table_name='notification_delivery')
    op.drop_index('ix_notification_delivery_due', table_name='notification_delivery')

    op.drop_table('notification_delivery')
    op.drop_table('webhook_subscription')
    op.drop_table('notification_sweep')
