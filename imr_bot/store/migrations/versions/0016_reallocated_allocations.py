"""an accepted allocation later withdrawn to reallocate is "reallocated", not "withdrawn" (an offer
withdrawn before anyone took it up), so the fairness view counts only allocations taken up

Revision ID: 0016_reallocated_allocations
Revises: 0015_carried_forward
Create Date: 2026-12-04 00:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0016_reallocated_allocations'
down_revision = '0015_carried_forward'
branch_labels = None
depends_on = None

# the author's own acceptance is in the audit, between the offer and its withdrawal
_ACCEPTED_FIRST = sa.text(
    "UPDATE allocations SET status = 'reallocated' WHERE status = 'withdrawn' AND EXISTS ("
    "SELECT 1 FROM audit JOIN people ON people.email = audit.actor "
    "WHERE audit.review_id = allocations.review_id AND audit.action = 'allocation.accepted' "
    "AND people.id = allocations.author_id AND audit.at >= allocations.offered_at "
    "AND audit.at <= allocations.answered_at)")


def upgrade() -> None:
    op.execute(_ACCEPTED_FIRST)


def downgrade() -> None:
    op.execute(sa.text("UPDATE allocations SET status = 'withdrawn' WHERE status = 'reallocated'"))
