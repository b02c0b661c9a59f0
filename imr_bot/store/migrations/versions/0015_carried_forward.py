"""a document a new version carried forward unchanged from an earlier one ("Send a new version"
on the amendments card: the author replaces the report, the chronology is carried forward)

Revision ID: 0015_carried_forward
Revises: 0014_personal_reminders
Create Date: 2026-12-04 00:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0015_carried_forward'
down_revision = '0014_personal_reminders'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('documents') as batch:
        batch.add_column(sa.Column('carried_from', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('documents') as batch:
        batch.drop_column('carried_from')
