"""an index of the open reviews alone, from which every `imr status` counts them

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 00:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

OPEN_REVIEWS = sa.text("stage NOT IN ('submitted_to_ddscp', 'withdrawn')")


def upgrade() -> None:
    op.create_index('ix_reviews_open', 'reviews', ['next_due'], unique=False,
                    postgresql_where=OPEN_REVIEWS, sqlite_where=OPEN_REVIEWS)


def downgrade() -> None:
    op.drop_index('ix_reviews_open', table_name='reviews')
