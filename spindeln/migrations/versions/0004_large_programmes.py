"""Large programmes: an index for the rounds' fingerprints, packed arrays stored as they are.

The index on responses (round_id, id) answers a round's response count and newest response from the
index alone. On PostgreSQL the packed arrays are stored without TOAST compression (STORAGE
EXTERNAL): they hardly compress, and decompressing them took longer than reading them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 10:12:41.532118
"""
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.create_index('ix_responses_round_id_id', ['round_id', 'id'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE round_arrays ALTER COLUMN arrays SET STORAGE EXTERNAL')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE round_arrays ALTER COLUMN arrays SET STORAGE EXTENDED')
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_index('ix_responses_round_id_id')
