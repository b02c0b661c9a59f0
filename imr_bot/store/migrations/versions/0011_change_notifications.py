"""PostgreSQL notifies channel imr_changes when people, leave or bot state change, so each bot
process may keep what every turn reads in memory (imr_bot/store/change_feed.py)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 00:10:00
"""
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

UPGRADE = [
    """CREATE FUNCTION imr_notify_people_changed() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         PERFORM pg_notify('imr_changes', 'people');
         RETURN NULL;
       END $$""",
    """CREATE FUNCTION imr_notify_state_changed() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'TRUNCATE' THEN
           PERFORM pg_notify('imr_changes', 'state');
         ELSIF TG_OP = 'DELETE' THEN
           PERFORM pg_notify('imr_changes', 'state:' || OLD.key);
         ELSE
           PERFORM pg_notify('imr_changes', 'state:' || NEW.key);
           IF TG_OP = 'UPDATE' AND OLD.key <> NEW.key THEN
             PERFORM pg_notify('imr_changes', 'state:' || OLD.key);
           END IF;
         END IF;
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER people_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON people
       FOR EACH STATEMENT EXECUTE FUNCTION imr_notify_people_changed()""",
    """CREATE TRIGGER leave_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON leave
       FOR EACH STATEMENT EXECUTE FUNCTION imr_notify_people_changed()""",
    """CREATE TRIGGER bot_state_changed AFTER INSERT OR UPDATE OR DELETE ON bot_state
       FOR EACH ROW EXECUTE FUNCTION imr_notify_state_changed()""",
    """CREATE TRIGGER bot_state_truncated AFTER TRUNCATE ON bot_state
       FOR EACH STATEMENT EXECUTE FUNCTION imr_notify_state_changed()""",
]

DOWNGRADE = [
    "DROP TRIGGER bot_state_truncated ON bot_state",
    "DROP TRIGGER bot_state_changed ON bot_state",
    "DROP TRIGGER leave_changed ON leave",
    "DROP TRIGGER people_changed ON people",
    "DROP FUNCTION imr_notify_state_changed()",
    "DROP FUNCTION imr_notify_people_changed()",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":  # SQLite has no notifications: no cache there
        for statement in UPGRADE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in DOWNGRADE:
            op.execute(statement)
