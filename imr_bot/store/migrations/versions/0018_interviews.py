"""interviews with practitioners: the interview, its record's versions (content and checksum),
and one agreement decision per version per party

Revision ID: 0018_interviews
Revises: 0017_action_plans
Create Date: 2026-12-04 21:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0018_interviews'
down_revision = '0017_action_plans'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'interviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('interviewee_id', sa.Integer(), nullable=True),
        sa.Column('interviewee_role', sa.String(120), nullable=False),
        sa.Column('interviewee_agency', sa.String(120), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('interviewer_id', sa.Integer(), nullable=False),
        sa.Column('second_interviewer_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('record_version', sa.Integer(), nullable=False),
        sa.Column('checksum', sa.String(64), nullable=False),
        sa.Column('agreed_checksum', sa.String(64), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], ondelete='CASCADE',
                                name='fk_interviews_review_id_reviews'),
        sa.ForeignKeyConstraint(['interviewee_id'], ['people.id'],
                                name='fk_interviews_interviewee_id_people'),
        sa.ForeignKeyConstraint(['interviewer_id'], ['people.id'],
                                name='fk_interviews_interviewer_id_people'),
        sa.ForeignKeyConstraint(['second_interviewer_id'], ['people.id'],
                                name='fk_interviews_second_interviewer_id_people'),
        sa.PrimaryKeyConstraint('id', name='pk_interviews'),
    )
    op.create_index('ix_interviews_review', 'interviews', ['review_id'])
    op.create_table(
        'interview_records',
        sa.Column('interview_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('checksum', sa.String(64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(255), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('by', sa.String(254), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['interview_id'], ['interviews.id'], ondelete='CASCADE',
                                name='fk_interview_records_interview_id_interviews'),
        sa.PrimaryKeyConstraint('interview_id', 'version', name='pk_interview_records'),
    )
    op.create_table(
        'interview_decisions',
        sa.Column('interview_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('party', sa.String(20), nullable=False),
        sa.Column('decision', sa.String(16), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('on', sa.Date(), nullable=True),
        sa.Column('by', sa.String(254), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['interview_id'], ['interviews.id'], ondelete='CASCADE',
                                name='fk_interview_decisions_interview_id_interviews'),
        sa.PrimaryKeyConstraint('interview_id', 'version', 'party',
                                name='pk_interview_decisions'),
    )


def downgrade() -> None:
    op.drop_table('interview_decisions')
    op.drop_table('interview_records')
    op.drop_index('ix_interviews_review', table_name='interviews')
    op.drop_table('interviews')
