"""the action plan: recommendations, their actions, and one impact decision per evidence version

Revision ID: 0017_action_plans
Revises: 0016_reallocated_allocations
Create Date: 2026-12-04 20:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0017_action_plans'
down_revision = '0016_reallocated_allocations'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'recommendations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('lesson', sa.Text(), nullable=False),
        sa.Column('themes', sa.Text(), nullable=False),
        sa.Column('created_by', sa.String(254), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], ondelete='CASCADE',
                                name='fk_recommendations_review_id_reviews'),
        sa.PrimaryKeyConstraint('id', name='pk_recommendations'),
        sa.UniqueConstraint('review_id', 'number', name='uq_recommendations_review_id_number'),
    )
    op.create_table(
        'plan_actions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('recommendation_id', sa.Integer(), nullable=False),
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('what', sa.Text(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('due', sa.Date(), nullable=False),
        sa.Column('outcome', sa.Text(), nullable=False),
        sa.Column('evaluation', sa.Text(), nullable=False),
        sa.Column('immediate', sa.Boolean(), nullable=False),
        sa.Column('status', sa.String(20), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('proposal_reason', sa.Text(), nullable=True),
        sa.Column('proposal_due', sa.Date(), nullable=True),
        sa.Column('proposal_owner_id', sa.Integer(), nullable=True),
        sa.Column('progress', sa.Text(), nullable=False),
        sa.Column('evidence_link', sa.Text(), nullable=False),
        sa.Column('evidence_note', sa.Text(), nullable=False),
        sa.Column('evidence_version', sa.Integer(), nullable=False),
        sa.Column('decided_version', sa.Integer(), nullable=False),
        sa.Column('decision_comment', sa.Text(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['recommendation_id'], ['recommendations.id'], ondelete='CASCADE',
                                name='fk_plan_actions_recommendation_id_recommendations'),
        sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], ondelete='CASCADE',
                                name='fk_plan_actions_review_id_reviews'),
        sa.ForeignKeyConstraint(['owner_id'], ['people.id'],
                                name='fk_plan_actions_owner_id_people'),
        sa.ForeignKeyConstraint(['proposal_owner_id'], ['people.id'],
                                name='fk_plan_actions_proposal_owner_id_people'),
        sa.PrimaryKeyConstraint('id', name='pk_plan_actions'),
    )
    op.create_index('ix_plan_actions_review', 'plan_actions', ['review_id'])
    op.create_index('ix_plan_actions_owner', 'plan_actions', ['owner_id'])
    op.create_table(
        'impact_decisions',
        sa.Column('action_id', sa.Integer(), nullable=False),
        sa.Column('evidence_version', sa.Integer(), nullable=False),
        sa.Column('decision', sa.String(16), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('evidence_link', sa.Text(), nullable=False),
        sa.Column('by', sa.String(254), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['action_id'], ['plan_actions.id'], ondelete='CASCADE',
                                name='fk_impact_decisions_action_id_plan_actions'),
        sa.PrimaryKeyConstraint('action_id', 'evidence_version', name='pk_impact_decisions'),
    )


def downgrade() -> None:
    op.drop_table('impact_decisions')
    op.drop_index('ix_plan_actions_owner', table_name='plan_actions')
    op.drop_index('ix_plan_actions_review', table_name='plan_actions')
    op.drop_table('plan_actions')
    op.drop_table('recommendations')
