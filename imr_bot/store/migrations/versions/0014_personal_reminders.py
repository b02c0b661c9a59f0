"""a person's own reminder day for a review's milestone ("Remind me on …" on a reminder card)

Revision ID: 0014_personal_reminders
Revises: 0013_keyed_audit
Create Date: 2026-12-03 00:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0014_personal_reminders'
down_revision = '0013_keyed_audit'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'personal_reminders',
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('milestone', sa.String(32), nullable=False),
        sa.Column('remind_on', sa.Date(), nullable=False),
        sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], ondelete='CASCADE',
                                name='fk_personal_reminders_review_id_reviews'),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'],
                                name='fk_personal_reminders_person_id_people'),
        sa.PrimaryKeyConstraint('review_id', 'person_id', 'milestone',
                                name='pk_personal_reminders'),
    )
    op.create_index('ix_personal_reminders_day', 'personal_reminders', ['remind_on'])


def downgrade() -> None:
    op.drop_index('ix_personal_reminders_day', table_name='personal_reminders')
    op.drop_table('personal_reminders')
