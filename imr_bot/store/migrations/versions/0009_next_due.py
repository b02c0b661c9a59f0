"""next due: each review's next milestone date, beside its stage

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 16:30:32.520968
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# the stage -> milestone map as it stood at this revision (migrations do not import the app)
NEXT_MILESTONE = {
    "commissioned": "allocation", "allocated": "scoping_meeting", "scoping_held": "midway_review",
    "midway_held": "report_to_qa", "submitted_to_qa": "qa_complete",
    "qa_amendments": "qa_complete", "qa_approved": "ddscp_submission",
    "sd_review": "ddscp_submission", "sd_amendments": "ddscp_submission",
    "sd_approved": "ddscp_submission",
}


def upgrade() -> None:
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_due', sa.Date(), nullable=True))
        batch_op.create_index('ix_reviews_next_due', ['next_due', 'reference_key'], unique=False)
    whens = " ".join(f"WHEN '{stage}' THEN '{milestone}'"
                     for stage, milestone in NEXT_MILESTONE.items())
    op.execute(f"UPDATE reviews SET next_due = (SELECT due FROM milestones "
               f"WHERE milestones.review_id = reviews.id "
               f"AND milestones.milestone = CASE reviews.stage {whens} END)")


def downgrade() -> None:
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_reviews_next_due')
        batch_op.drop_column('next_due')
