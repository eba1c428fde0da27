"""A cache of closed rounds packed as arrays, for fast summaries of large programmes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 13:28:07.100958
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('round_arrays',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('response_count', sa.Integer(), nullable=False),
    sa.Column('last_response_id', sa.Integer(), nullable=True),
    sa.Column('arrays', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_round_arrays_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('round_id', name=op.f('pk_round_arrays'))
    )


def downgrade():
    op.drop_table('round_arrays')
