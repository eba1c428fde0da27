"""Frozen releases, random response ids, receipts without an order.

- `round_releases`: each closed round's release (which groups show figures), decided once.
- Response ids become random numbers from 1 to 2**62 (BIGINT on PostgreSQL, the rowid on SQLite),
  given to the existing responses too, and the rows are written anew in the order of the new ids:
  ids (and bytes) in the order of submission told that order to anyone who could match it with the
  live count.
- Receipts of closed rounds are deleted (a closed round takes no form), and on SQLite the receipts
  table has no rowid, so it keeps receipts in the order of their digests.
- The packed arrays are dropped: they recorded the old ids; the next read packs them again.

The releases of the rounds closed before this revision are decided by `spindeln db upgrade` right
after the migrations, with the instance's instruments.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 18:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    op.create_table('round_releases',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=32), nullable=False),
    sa.Column('min_group_size', sa.Integer(), nullable=False),
    sa.Column('response_count', sa.Integer(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('release', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_round_releases_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('round_id', name=op.f('pk_round_releases'))
    )
    op.execute("DELETE FROM round_arrays")
    op.execute("DELETE FROM submission_receipts WHERE round_id IN (SELECT id FROM rounds WHERE state = 'closed')")
    if bind.dialect.name == 'postgresql':
        op.execute("ALTER TABLE responses ALTER COLUMN id DROP DEFAULT")
        op.execute("DROP SEQUENCE IF EXISTS responses_id_seq")
        op.execute("ALTER TABLE responses ALTER COLUMN id TYPE BIGINT")
        op.execute("ALTER TABLE round_arrays ALTER COLUMN last_response_id TYPE BIGINT")
        random_id = ("(('x' || substr(md5(random()::text || id::text), 1, 16))::bit(64)::bigint"
                     " & 4611686018427387903) + 1")
    else:
        with op.batch_alter_table('submission_receipts', recreate='always',
                                  table_kwargs={'sqlite_with_rowid': False}) as batch_op:
            pass
        random_id = "(abs(random() / 2) % 4611686018427387904) + 1"
    # New ids from 1 to 2**62, then every row written again in the order of its new id (on SQLite
    # with secure_delete on, so the bytes in their old order are overwritten).
    op.execute("CREATE TEMPORARY TABLE responses_renumbered AS SELECT * FROM responses")
    op.execute(f"UPDATE responses_renumbered SET id = {random_id}")
    op.execute("DELETE FROM responses")
    op.execute("INSERT INTO responses SELECT * FROM responses_renumbered ORDER BY id")
    op.execute("DROP TABLE responses_renumbered")


def downgrade():
    raise NotImplementedError(
        "0005 cannot be undone: response ids are random 62-bit numbers now, and releases are records. "
        "Restore a backup taken before the upgrade instead.")
