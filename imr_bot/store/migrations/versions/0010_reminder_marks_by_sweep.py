"""reminder marks name the sweep that took them (unlogged on PostgreSQL, no foreign key); reviews
indexed by stage and next due date; notification keys in byte order on PostgreSQL, and only
escalations indexed by review

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 18:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

ESCALATIONS = sa.text("kind = 'allocation_escalation'")


def upgrade() -> None:
    # The marks are a cache (see tables.reminder_marks): dropped and made anew, the next sweep
    # looks at every review again and the notification keys keep each reminder to once.
    op.drop_table('reminder_marks')
    _create(sweep=True)
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_reviews_stage')
        batch_op.create_index('ix_reviews_stage', ['stage', 'next_due'], unique=False)
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_review')
        batch_op.create_index('ix_notifications_escalated', ['review_id'], unique=False,
                              sqlite_where=ESCALATIONS, postgresql_where=ESCALATIONS)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE reminder_marks SET UNLOGGED")
        op.execute('ALTER TABLE notifications ALTER COLUMN key TYPE VARCHAR(400) COLLATE "C"')


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute('ALTER TABLE notifications ALTER COLUMN key TYPE VARCHAR(400) COLLATE "default"')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_escalated')
        batch_op.create_index('ix_notifications_review', ['review_id', 'kind'], unique=False)
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_reviews_stage')
        batch_op.create_index('ix_reviews_stage', ['stage'], unique=False)
    op.drop_table('reminder_marks')
    _create(sweep=False)


def _create(*, sweep: bool) -> None:
    columns = [
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('review_version', sa.Integer(), nullable=False),
        sa.Column('directory', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('review_id', name=op.f('pk_reminder_marks')),
    ]
    if sweep:
        columns.append(sa.Column('sweep', sa.String(length=32), server_default='', nullable=False))
    else:
        columns.append(sa.ForeignKeyConstraint(['review_id'], ['reviews.id'],
                                               name=op.f('fk_reminder_marks_review_id_reviews'),
                                               ondelete='CASCADE'))
    op.create_table('reminder_marks', *columns)
