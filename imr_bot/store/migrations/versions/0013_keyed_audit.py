"""the audit chain is keyed (HMAC, IMR_AUDIT_KEY): each entry says how its hash was made, and the
entries hashed before (plain SHA-256) keep verifying as they were written

Revision ID: 0013_keyed_audit
Revises: 0012
Create Date: 2026-12-02 00:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0013_keyed_audit'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # existing rows take the default: they were hashed with plain SHA-256
    op.add_column('audit', sa.Column('scheme', sa.String(16), nullable=False,
                                     server_default='sha256'))


def downgrade() -> None:
    with op.batch_alter_table('audit') as batch:
        batch.drop_column('scheme')
