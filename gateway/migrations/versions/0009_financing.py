"""financing: products, demands, pushes, demand history, authorization requests

Revision ID: 0009_financing
Revises: 0008_notifications
Create Date: 2026-12-05 21:58:11.799628
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
import gateway.db


revision: str = '0009_financing'
down_revision: str | None = '0008_notifications'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('authorization_request',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('institution', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('enterprise', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
    sa.Column('demand_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('purpose', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('datasets', sa.JSON(), nullable=False),
    sa.Column('classes', sa.JSON(), nullable=False),
    sa.Column('modes', sa.JSON(), nullable=False),
    sa.Column('use_limit', sa.Integer(), nullable=True),
    sa.Column('grant_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('not_before', gateway.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', gateway.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('note_zh', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('respond_by', gateway.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('state', sa.Enum('pending', 'approved', 'rejected', 'expired', name='requeststate', native_enum=False, length=16), nullable=False),
    sa.Column('created_at', gateway.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('answered_at', gateway.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('ledger_index', sa.BigInteger(), nullable=False),
    sa.Column('answer_ledger_index', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('grant_id')
    )
    with op.batch_alter_table('authorization_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_authorization_request_enterprise'), ['enterprise'], unique=False)
        batch_op.create_index(batch_op.f('ix_authorization_request_institution'), ['institution'], unique=False)

    op.create_table('financing_demand',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('enterprise', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('term_months', sa.Integer(), nullable=False),
    sa.Column('purpose_zh', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('collateral', sa.JSON(), nullable=False),
    sa.Column('target_products', sa.JSON(), nullable=False),
    sa.Column('target_institutions', sa.JSON(), nullable=False),
    sa.Column('valid_until', gateway.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('industry', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('region', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('state', sa.Enum('open', 'withdrawn', 'expired', name='demandstate', native_enum=False, length=16), nullable=False),
    sa.Column('created_at', gateway.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', gateway.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('financing_demand', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_financing_demand_enterprise'), ['enterprise'], unique=False)

    op.create_table('financing_demand_event',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('demand_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('institution', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('at', gateway.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('ledger_index', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('financing_demand_event', schema=None) as batch_op:
        batch_op.create_index('ix_financing_demand_event_demand', ['demand_id', 'id'], unique=False)

    op.create_table('financing_product',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('institution', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('name_zh', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('kind', sa.Enum('credit_loan', 'mortgage', 'guarantee', 'tax_based', 'pledge', 'supply_chain', 'other', name='productkind', native_enum=False, length=24), nullable=False),
    sa.Column('amount_min', sa.BigInteger(), nullable=False),
    sa.Column('amount_max', sa.BigInteger(), nullable=False),
    sa.Column('term_min_months', sa.Integer(), nullable=False),
    sa.Column('term_max_months', sa.Integer(), nullable=False),
    sa.Column('rate_min_bp', sa.Integer(), nullable=False),
    sa.Column('rate_max_bp', sa.Integer(), nullable=False),
    sa.Column('industries', sa.JSON(), nullable=False),
    sa.Column('regions', sa.JSON(), nullable=False),
    sa.Column('eligibility', sa.JSON(), nullable=False),
    sa.Column('description_zh', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('state', sa.Enum('active', 'withdrawn', name='productstate', native_enum=False, length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', gateway.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', gateway.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('ledger_index', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('financing_product', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_financing_product_institution'), ['institution'], unique=False)

    op.create_table('financing_push',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('demand_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('institution', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('products', sa.JSON(), nullable=False),
    sa.Column('named', sa.Boolean(), nullable=False),
    sa.Column('state', sa.Enum('pushed', 'picked_up', 'authorization_requested', 'authorization_approved', 'authorization_rejected', 'credit_approved', 'credit_declined', 'disbursed', name='pushstate', native_enum=False, length=32), nullable=False),
    sa.Column('pushed_at', gateway.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('pickup_due', gateway.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('picked_up_at', gateway.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('decided_at', gateway.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('approved_amount', sa.BigInteger(), nullable=True),
    sa.Column('approved_rate_bp', sa.Integer(), nullable=True),
    sa.Column('decline_reason', sqlmodel.sql.sqltypes.AutoString(length=48), nullable=True),
    sa.Column('disbursed_at', gateway.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('disbursed_amount', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('demand_id', 'institution', name='uq_financing_push')
    )
    with op.batch_alter_table('financing_push', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_financing_push_demand_id'), ['demand_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_financing_push_institution'), ['institution'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('financing_push', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_financing_push_institution'))
        batch_op.drop_index(batch_op.f('ix_financing_push_demand_id'))

    op.drop_table('financing_push')
    with op.batch_alter_table('financing_product', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_financing_product_institution'))

    op.drop_table('financing_product')
    with op.batch_alter_table('financing_demand_event', schema=None) as batch_op:
        batch_op.drop_index('ix_financing_demand_event_demand')

    op.drop_table('financing_demand_event')
    with op.batch_alter_table('financing_demand', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_financing_demand_enterprise'))

    op.drop_table('financing_demand')
    with op.batch_alter_table('authorization_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_authorization_request_institution'))
        batch_op.drop_index(batch_op.f('ix_authorization_request_enterprise'))

    op.drop_table('authorization_request')
