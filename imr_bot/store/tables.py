"""The database schema. Alembic migrations are the source of truth for deployed databases; these
table objects are what the code queries, and a test checks that the two agree."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.types import TypeDecorator

from imr_bot.domain.stages import CLOSED_STAGES

# A review still under way, in SQL; the board's queries say it in these words too, so that the
# database can see that its index of open reviews (ix_reviews_open) holds what they ask for.
CLOSED_STAGE_VALUES = tuple(sorted(stage.value for stage in CLOSED_STAGES))
OPEN_REVIEWS = "stage NOT IN (" + ", ".join(f"'{value}'" for value in CLOSED_STAGE_VALUES) + ")"


class UtcDateTime(TypeDecorator):
    """Timestamps in UTC, aware on the way out on every backend (SQLite drops tzinfo)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; pass an aware UTC time")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

people = Table(
    "people", metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False, unique=True),  # stored lower-case
    Column("name", String(200), nullable=False),
    Column("aad_object_id", String(64), unique=True),
    Column("teams_user_id", String(200)),
    Column("roles", Text, nullable=False, default=""),  # comma-separated Role values
    Column("line_manager_email", String(254)),
    Column("service", String(200), nullable=False, default=""),
    Column("active", Boolean, nullable=False, default=True),
    Column("max_concurrent", Integer, nullable=False, default=2),
    Column("unreachable_since", UtcDateTime()),  # Teams refused a message (blocked or removed)
    Column("unreachable_reason", Text),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

leave = Table(
    "leave", metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("starts", Date, nullable=False),
    Column("ends", Date, nullable=False),
    Index("ix_leave_person", "person_id"),
)

reviews = Table(
    "reviews", metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(40), nullable=False),
    Column("reference_key", String(40), nullable=False, unique=True),  # case-folded
    Column("review_type", String(16), nullable=False),
    Column("body", String(64), nullable=False),
    Column("received", Date, nullable=False),
    Column("tor_start", Date, nullable=False),
    Column("tor_end", Date, nullable=False),
    Column("subject_initials", String(4), nullable=False),
    Column("notes", Text, nullable=False, default=""),
    Column("stage", String(32), nullable=False),
    Column("stage_before_hold", String(32)),
    Column("held_since", Date),
    Column("day_one", Date, nullable=False),
    Column("template_pack", String(32), nullable=False, server_default="derbyshire"),
    # The due date of the milestone the review's stage works towards (none on hold or closed):
    # the plan's own date, copied here in the same write as the plan and stage, so that the board
    # and the reminder sweep can read and order reviews by it through an index.
    Column("next_due", Date),
    Column("version", Integer, nullable=False, default=1),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    # the sweep finds the reviews at each (stage, next due date) it owes reminders for
    Index("ix_reviews_stage", "stage", "next_due"),
    Index("ix_reviews_next_due", "next_due", "reference_key"),
    # every `imr status` counts the open reviews: they are counted from this index alone
    Index("ix_reviews_open", "next_due", postgresql_where=text(OPEN_REVIEWS),
          sqlite_where=text(OPEN_REVIEWS)),
)

milestones = Table(
    "milestones", metadata,
    Column("review_id", Integer, ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True),
    Column("milestone", String(32), primary_key=True),
    Column("due", Date, nullable=False),
    Column("done", Date),
)

plan_changes = Table(
    "plan_changes", metadata,
    Column("id", Integer, primary_key=True),
    Column("review_id", Integer, ForeignKey("reviews.id", ondelete="CASCADE"), nullable=False),
    Column("milestone", String(32), nullable=False),
    Column("old_due", Date),
    Column("new_due", Date, nullable=False),
    Column("changed_by", String(254), nullable=False),
    Column("reason", Text, nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Index("ix_plan_changes_review", "review_id"),
)

review_people = Table(
    "review_people", metadata,
    Column("review_id", Integer, ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(32), primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id"), nullable=False),
)

audit = Table(
    "audit", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", String(254), nullable=False),
    Column("review_id", Integer),  # no foreign key: the audit outlives what it describes
    Column("action", String(64), nullable=False),
    Column("detail", Text, nullable=False, default="{}"),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    # how `hash` was made: "hmac-sha256" (keyed, IMR_AUDIT_KEY), or "sha256" for the entries
    # written before the chain was keyed (migration 0013), which the first keyed entry seals
    Column("scheme", String(16), nullable=False, server_default="sha256"),
    Index("ix_audit_review", "review_id"),
)

conversation_refs = Table(
    "conversation_refs", metadata,
    Column("key", String(300), primary_key=True),  # "user:<aad id>" or "channel:<conversation id>"
    Column("kind", String(16), nullable=False),
    Column("reference", Text, nullable=False),  # the Bot Framework conversation reference, JSON
    Column("updated_at", UtcDateTime(), nullable=False),
)

bot_state = Table(
    "bot_state", metadata,
    Column("key", String(500), primary_key=True),
    Column("data", Text, nullable=False),
    Column("etag", Integer, nullable=False, default=1),
    Column("updated_at", UtcDateTime(), nullable=False),
)

notifications = Table(
    "notifications", metadata,
    Column("id", Integer, primary_key=True),
    # byte order (PostgreSQL's "C"; SQLite's own): a key is an identifier, not text to sort for
    # people; comparing bytes is cheaper, and a review's keys are found by their prefix
    Column("key", String(400).with_variant(String(400, collation="C"), "postgresql"),
           nullable=False),
    Column("review_id", Integer),
    Column("recipient", String(300), nullable=False),  # "person:<id>" or "tracker"
    Column("kind", String(64), nullable=False),
    Column("payload", Text, nullable=False),
    Column("status", String(16), nullable=False, default="pending"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("sent_at", UtcDateTime()),
    Column("last_error", Text),
    Column("lease_until", UtcDateTime()),  # a sender holds it until then; after, another may retry
    UniqueConstraint("key", name="uq_notifications_key"),
    Index("ix_notifications_due", "status", "next_attempt_at"),
    # only the escalations: an index over every reminder would cost each sweep a write per row
    Index("ix_notifications_escalated", "review_id",
          sqlite_where=text("kind = 'allocation_escalation'"),
          postgresql_where=text("kind = 'allocation_escalation'")),
)

# A sweep's watermark, not a record of what was sent (that is `notifications`): the review's
# reminders for `day` were derived and queued from this version of the review and of the directory,
# by the sweep `sweep`. A later sweep that day skips the review unless either has changed since.
# Losing a row only costs a re-derivation; the unique notification keys still keep every send to
# once. So on PostgreSQL the table is UNLOGGED (migration 0010: no write-ahead log; emptied after
# a crash), and it has no foreign key: checking 40,000 keys would double a first sweep's cost.
reminder_marks = Table(
    "reminder_marks", metadata,
    Column("review_id", Integer, primary_key=True),
    Column("day", Date, nullable=False),
    Column("review_version", Integer, nullable=False),
    Column("directory", String(64), nullable=False),
    Column("sweep", String(32), nullable=False, server_default=""),
)

settings = Table(
    "settings", metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

downloads = Table(
    "downloads", metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("filename", String(200), nullable=False),
    Column("content_type", String(200), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("created_by", String(254), nullable=False),
    Column("review_id", Integer),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("used_at", UtcDateTime()),
)

allocations = Table(
    "allocations", metadata,
    Column("id", Integer, primary_key=True),
    Column("review_id", Integer, ForeignKey("reviews.id", ondelete="CASCADE"), nullable=False),
    Column("author_id", Integer, ForeignKey("people.id"), nullable=False),
    Column("qa_lead_id", Integer, ForeignKey("people.id"), nullable=False),
    Column("offered_by", String(254), nullable=False),
    Column("offered_at", UtcDateTime(), nullable=False),
    Column("status", String(16), nullable=False),  # offered, accepted, declined, withdrawn, reallocated
    Column("answered_at", UtcDateTime()),
    Column("reason", Text),
    Index("ix_allocations_review", "review_id"),
    Index("ix_allocations_author", "author_id"),
)

conflicts = Table(
    "conflicts", metadata,
    Column("review_id", Integer, ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id"), primary_key=True),
    Column("reason", Text, nullable=False),
    Column("declared_at", UtcDateTime(), nullable=False),
)

involved_managers = Table(
    "involved_managers", metadata,
    Column("review_id", Integer, ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True),
    Column("email", String(254), primary_key=True),
)

meetings = Table(
    "meetings", metadata,
    Column("id", Integer, primary_key=True),
    Column("review_id", Integer, ForeignKey("reviews.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("organiser_id", Integer, ForeignKey("people.id"), nullable=False),
    Column("participant_ids", String(200), nullable=False),  # comma-separated person ids
    Column("starts", UtcDateTime(), nullable=False),
    Column("minutes", Integer, nullable=False),
    Column("location", Text, nullable=False, default=""),
    Column("status", String(16), nullable=False),
    Column("sequence", Integer, nullable=False, default=0),
    Column("version", Integer, nullable=False, default=1),
    Column("created_at", UtcDateTime(), nullable=False),
    Index("ix_meetings_review", "review_id"),
)

meeting_answers = Table(
    "meeting_answers", metadata,
    Column("meeting_id", Integer, ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id"), primary_key=True),
    Column("accepted", Boolean, nullable=False),
    Column("proposed", UtcDateTime()),
    Column("at", UtcDateTime(), nullable=False),
)

documents = Table(
    "documents", metadata,
    Column("id", Integer, primary_key=True),
    Column("review_id", Integer, ForeignKey("reviews.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer),  # null while the author is still gathering a submission
    Column("kind", String(16), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("content_type", String(200), nullable=False),
    Column("size", Integer, nullable=False),
    Column("content", LargeBinary),  # a file sent to the bot; or null for a link
    Column("link", Text),  # a SharePoint/OneDrive link instead of a file
    Column("sha256", String(64), nullable=False),
    Column("uploaded_by", String(254), nullable=False),
    Column("uploaded_at", UtcDateTime(), nullable=False),
    # a document a new version carried forward unchanged: the version it was first sent in
    Column("carried_from", Integer),
    Index("ix_documents_review", "review_id", "version"),
)

submissions = Table(
    "submissions", metadata,
    Column("id", Integer, primary_key=True),
    Column("review_id", Integer, ForeignKey("reviews.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("level", String(8), nullable=False),  # the approval it goes to: qa or sd
    Column("submitted_by", String(254), nullable=False),
    Column("submitted_at", UtcDateTime(), nullable=False),
    Column("check_summary", Text),  # the automated document check, shown to the approvers
    UniqueConstraint("review_id", "version", name="uq_submissions_review_version"),
)

decisions = Table(
    "decisions", metadata,
    Column("id", Integer, primary_key=True),
    Column("review_id", Integer, ForeignKey("reviews.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("level", String(8), nullable=False),
    Column("decision", String(16), nullable=False),
    Column("comment", Text, nullable=False, default=""),
    Column("checklist", Text, nullable=False, default="[]"),
    Column("decided_by", String(254), nullable=False),
    Column("decided_at", UtcDateTime(), nullable=False),
    # exactly one decision per version at each level, whatever the clients do
    UniqueConstraint("review_id", "version", "level", name="uq_decisions_one_per_version"),
)

delegates = Table(
    "delegates", metadata,
    Column("review_id", Integer, ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True),
    Column("level", String(8), primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id"), nullable=False),
    Column("named_by", String(254), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
)

org_templates = Table(
    "org_templates", metadata,
    Column("id", Integer, primary_key=True),
    Column("scope", String(64), nullable=False),  # "review:<id>" or "type:<CSPR|DHR|other>"
    Column("kind", String(32), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("uploaded_by", String(254), nullable=False),
    Column("uploaded_at", UtcDateTime(), nullable=False),
    UniqueConstraint("scope", "kind", name="uq_org_templates_scope_kind"),
)

# A person's "Remind me on …" for a review's milestone: their own reminder moves to that day. It
# is a wish, not the ladder: reminders on the milestone's day and after (and their escalations)
# are derived as ever.
personal_reminders = Table(
    "personal_reminders", metadata,
    Column("review_id", Integer, ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id"), primary_key=True),
    Column("milestone", String(32), primary_key=True),
    Column("remind_on", Date, nullable=False),
    Column("set_at", UtcDateTime(), nullable=False),
    Index("ix_personal_reminders_day", "remind_on"),
)

# The action plan (domain/action_plan.py): a review's recommendations, the actions that carry
# each out, every progress note and piece of evidence posted, and the one impact decision made
# on each version of an action's evidence.
recommendations = Table(
    "recommendations", metadata,
    Column("id", Integer, primary_key=True),
    Column("review_id", Integer, ForeignKey("reviews.id", ondelete="CASCADE"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("lesson", Text, nullable=False, default=""),
    Column("themes", Text, nullable=False, default=""),  # comma-separated theme names
    Column("created_by", String(254), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("review_id", "number", name="uq_recommendations_review_id_number"),
)

plan_actions = Table(
    "plan_actions", metadata,
    Column("id", Integer, primary_key=True),
    Column("recommendation_id", Integer, ForeignKey("recommendations.id", ondelete="CASCADE"),
           nullable=False),
    Column("review_id", Integer, ForeignKey("reviews.id", ondelete="CASCADE"), nullable=False),
    Column("what", Text, nullable=False),
    Column("owner_id", Integer, ForeignKey("people.id"), nullable=False),
    Column("due", Date, nullable=False),
    Column("outcome", Text, nullable=False),
    Column("evaluation", Text, nullable=False),
    Column("immediate", Boolean, nullable=False, default=False),
    Column("status", String(20), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("proposal_reason", Text),  # a change the owner proposed, while it waits
    Column("proposal_due", Date),
    Column("proposal_owner_id", Integer, ForeignKey("people.id")),
    Column("progress", Text, nullable=False, default=""),
    Column("evidence_link", Text, nullable=False, default=""),
    Column("evidence_note", Text, nullable=False, default=""),
    Column("evidence_version", Integer, nullable=False, default=0),
    Column("decided_version", Integer, nullable=False, default=0),
    Column("decision_comment", Text, nullable=False, default=""),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_plan_actions_review", "review_id"),
    Index("ix_plan_actions_owner", "owner_id"),
)

# one decision per version of an action's evidence: the primary key says so
impact_decisions = Table(
    "impact_decisions", metadata,
    Column("action_id", Integer, ForeignKey("plan_actions.id", ondelete="CASCADE"),
           primary_key=True),
    Column("evidence_version", Integer, primary_key=True),
    Column("decision", String(16), nullable=False),
    Column("comment", Text, nullable=False, default=""),
    Column("evidence_link", Text, nullable=False),
    Column("by", String(254), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
)

# interviews with practitioners (issue 27, domain/interviews.py)
interviews = Table(
    "interviews", metadata,
    Column("id", Integer, primary_key=True),
    Column("review_id", Integer, ForeignKey("reviews.id", ondelete="CASCADE"), nullable=False),
    Column("interviewee_id", Integer, ForeignKey("people.id")),  # null: outside the directory
    Column("interviewee_role", String(120), nullable=False, default=""),
    Column("interviewee_agency", String(120), nullable=False, default=""),
    Column("held_on", Date, nullable=False),
    Column("interviewer_id", Integer, ForeignKey("people.id"), nullable=False),
    Column("second_interviewer_id", Integer, ForeignKey("people.id")),
    Column("status", String(16), nullable=False),
    Column("record_version", Integer, nullable=False, default=0),
    Column("checksum", String(64), nullable=False, default=""),
    Column("agreed_checksum", String(64), nullable=False, default=""),
    Column("comment", Text, nullable=False, default=""),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_interviews_review", "review_id"),
)

interview_records = Table(
    "interview_records", metadata,
    Column("interview_id", Integer, ForeignKey("interviews.id", ondelete="CASCADE"),
           primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("checksum", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("filename", String(255), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("by", String(254), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
)

# one decision per version of the record per party (interviewee, interviewer, second interviewer)
interview_decisions = Table(
    "interview_decisions", metadata,
    Column("interview_id", Integer, ForeignKey("interviews.id", ondelete="CASCADE"),
           primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("party", String(20), primary_key=True),
    Column("decision", String(16), nullable=False),
    Column("comment", Text, nullable=False, default=""),
    Column("on", Date),  # agreed on paper: the day it was signed
    Column("by", String(254), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
)
