"""The tracker: where every open review stands, for everybody who may ask."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from imr_bot.clock import LONDON
from imr_bot.domain.action_plan import PlanProgress, progress
from imr_bot.domain.calendar import WorkingCalendar
from imr_bot.domain.dates import format_date, format_when
from imr_bot.domain.errors import UnknownReview
from imr_bot.domain.interviews import InterviewCount, count
from imr_bot.domain.meetings import MeetingKind
from imr_bot.domain.people import Actor, Person
from imr_bot.domain.plan import MILESTONE_ORDER, Milestone
from imr_bot.domain.policy import Permission, require
from imr_bot.domain.rag import Rag, Standing, days_to_deadline, standing, standing_from
from imr_bot.domain.review import Review
from imr_bot.domain.roles import REVIEW_ROLES, Role
from imr_bot.domain.stages import Stage
from imr_bot.domain.submissions import Decision, Level
from imr_bot.domain.words import in_sentence
from imr_bot.store.board_reads import BoardRecord
from imr_bot.store.reviews import closest

from . import notifications
from .context import ServiceContext

# What the review card and `imr history` say for each audit entry. "by" is the person who acted;
# the bot's own entries read without it, and their actor is named by `actor_words`. An action not
# listed here still reads as words, never as a raw name.
_BY = {
    "review.commissioned": "Commission logged", "review.edited": "Details corrected",
    "review.rebased": "Submission date to DDSCP changed", "review.held": "Put on hold",
    "review.resumed": "Resumed", "review.withdrawn": "Withdrawn",
    "review.involved_managers": "Managers involved in the case recorded",
    "review.submitted_to_ddscp": "Recorded as submitted to DDSCP",
    "review.purged": "Records removed after the retention period",
    "channel.subscribed": "Tracker channel set", "channel.unsubscribed": "Tracker channel stopped",
    "allocation.accepted": "Allocation accepted, with the declaration of independence",
    "allocation.declined": "Allocation declined",
    "allocation.reallocated": "Author withdrawn to reallocate the review",
    "allocation.conflict_declared": "A conflict of interest declared",
    "document.downloaded": "Document downloaded",
    "file.downloaded": "File downloaded", "file.offered": "File offered for download",
    "template.generated": "Template made", "template.uploaded": "Template uploaded",
    "template.refused": "Template refused", "template.render_refused": "Template could not be filled in",
    "person.linked": "First contact with the bot", "person.leave_added": "Leave recorded",
    "person.deactivated": "Taken out of the pool", "people.imported": "People imported",
    "reminder.acknowledged": "Reminder acknowledged", "reminder.rescheduled": "Reminder moved",
    "access.refused": "An action was refused: not permitted",
    "link.refused": "A link was refused",
    "action_plan.recommendation_added": "Recommendation added to the action plan",
    "action_plan.action_added": "Action added to the action plan",
    "action_plan.action_agreed": "Action agreed by its owner",
    "action_plan.change_proposed": "Another date or owner proposed for an action",
    "action_plan.change_accepted": "Proposed change to an action accepted",
    "action_plan.not_agreed": "Action recorded as not agreed",
    "action_plan.progress": "Progress on an action updated",
    "action_plan.done": "Action done, with its evidence",
    "action_plan.impact_confirmed": "Evidence of an action's impact confirmed",
    "action_plan.sent_back": "Evidence for an action sent back",
    "interview.added": "Interview recorded",
    "interview.record_attached": "Interview record attached",
    "interview.sent": "Interview record sent for agreement",
    "interview.agreed_by": "Interview record agreed by one of its parties",
    "interview.corrections_asked": "Corrections to an interview record asked for",
    "interview.agreed_on_paper": "Interview record marked as agreed on paper",
    "interview.agreed": "Interview record agreed by the interviewer and the interviewee",
}
_PLAIN = {
    "review.escalated": "No author by the end of Day 4: escalated to the Head of CP & IRO",
    "audit.keyed": "The audit record was sealed with the council's key",
    "person.reached": "Reached in Teams: the messages held for them were sent",
}
_SYSTEM = "imr-bot"
SCHEDULED = "Scheduled reminder"  # the sweep's own entries
DELIVERY = "The IMR bot (delivering messages)"
AUTOMATIC = "The IMR bot (automatic)"  # the bot's other entries: a meeting everyone accepted
_SYSTEM_NAMES = {"review.escalated": SCHEDULED, "person.unreachable": DELIVERY,
                 "notification.stale": DELIVERY, "person.reached": DELIVERY}


def actor_words(actor: str, action: str, names: dict[str, str]) -> str:
    """Who made an audit entry, as a person reads it: a name, or what the system is."""
    if actor == _SYSTEM:
        return _SYSTEM_NAMES.get(action, AUTOMATIC)
    if actor in names:
        return names[actor]
    if actor.startswith("teams:"):
        return "Someone not in the directory"
    if actor.startswith("link:") or not actor:
        return "Someone with a link"
    return actor


def audit_sentence(action: str, actor_name: str, detail: dict,
                   people_by_id: dict[int, Person], people_by_email: dict[str, Person], *,
                   full: bool = False) -> str:
    """One audit entry in plain words, for people reading the review card (and, `full`, with the
    comment or reason given, for the history). `actor_name` "" leaves the actor out (the
    history names them beside the sentence)."""
    system = actor_name in (_SYSTEM, "", SCHEDULED, DELIVERY, AUTOMATIC)
    by = "" if system else f" by {actor_name}"
    detail = detail if isinstance(detail, dict) else {}
    said = _sentence(action, actor_name if not system else "", by, detail, people_by_id,
                     people_by_email)
    if full:
        said += _why(action, detail)
    return said


def _why(action: str, detail: dict) -> str:
    if action in ("person.unreachable", "notification.stale", "review.escalated", "link.refused",
                  "access.refused"):
        return ""  # their sentence has its reason
    comment, reason = str(detail.get("comment") or ""), str(detail.get("reason") or "")
    if comment:
        return f": \u201c{comment}\u201d"
    if reason:
        return f": {reason}"
    return ""


def _version(detail: dict) -> str:
    version = detail.get("version")
    return f" {version}" if isinstance(version, int) else ""


def _day(value) -> str:
    try:
        return format_date(date.fromisoformat(str(value)[:10]))
    except ValueError:
        return ""


def _sentence(action: str, actor_name: str, by: str, detail: dict,
              people_by_id: dict[int, Person], people_by_email: dict[str, Person]) -> str:
    person = people_by_id.get(detail.get("person_id")) if isinstance(
        detail.get("person_id"), int) else None
    kind = str(detail.get("kind") or "")
    if action == "person.unreachable" and person is not None:
        # history: what happened then ("waiting", above the activity, is what is true now)
        shown = replace(person, unreachable_reason=str(detail.get("reason") or "") or None)
        return (f"{notifications.what_it_is(kind)} to {person.short_name} held until they open "
                f"the bot: {notifications.not_reached_words(shown)}")
    if action == "person.unreachable":
        return f"{notifications.what_it_is(kind)} held: the recipient had not been reached"
    if action == "notification.stale":
        to = f" to {person.short_name}" if person is not None else ""
        reason = str(detail.get("reason") or "it was no longer true")
        return f"{notifications.what_it_is(kind)}{to} not sent: {reason}"
    if action == "person.reached" and person is not None:
        return f"{person.short_name} reached in Teams: the messages held for them were sent"
    if action == "link.refused":
        what = _LINK_PURPOSES.get(str(detail.get("purpose") or ""), "A link")
        why = _LINK_REASONS.get(str(detail.get("reason") or ""))
        return f"{what} was refused{f': {why}' if why else ''}"
    if action == "access.refused":
        return "An action was refused: not permitted"
    if action in ("reminder.rescheduled", "reminder.acknowledged"):
        try:
            about = f" about the {in_sentence(Milestone(str(detail.get('milestone'))).title)}"
        except ValueError:
            about = ""
        if action == "reminder.acknowledged":
            return f"Reminder{about} acknowledged{by}"
        day = _day(detail.get("day"))
        return f"Reminder{about} moved{f' to {day}' if day else ''}{by}"
    if action == "allocation.offered":
        author = people_by_email.get(str(detail.get("author") or ""))
        return f"Offered to {author.short_name if author else 'an author'}{by}"
    if action.startswith("meeting."):
        meeting = _meeting_title(kind)
        when = _when(detail.get("starts"))
        if action == "meeting.proposed":
            return f"{meeting} proposed{f' for {when}' if when else ''}{by}"
        if action == "meeting.confirmed":
            return f"{meeting} confirmed{f' for {when}' if when else ''}: everyone accepted"
        if action == "meeting.answered":
            other = _when(detail.get("proposed"))
            if detail.get("accepted"):
                what = f"accepted the {in_sentence(meeting)}"
            else:
                what = (f"proposed another time for the {in_sentence(meeting)}"
                        + (f" ({other})" if other else ""))
            return f"{actor_name} {what}" if actor_name else what[:1].upper() + what[1:]
        if action.endswith("_recorded"):
            title = _meeting_title(action[len("meeting."):-len("_recorded")])
            held = _day(detail.get("held_on"))
            return f"Outcome of the {in_sentence(title)}{f' of {held}' if held else ''} recorded{by}"
    if action.startswith("decision.") and action.count(".") == 2:
        _, level, decision = action.split(".")
        return _decision(level, decision, _version(detail), actor_name)
    if action == "decision.delegated_for_leave":
        delegate = people_by_email.get(str(detail.get("delegate") or ""))
        away = people_by_email.get(str(detail.get("away") or ""))
        level = _level_title(str(detail.get("level") or ""))
        until = str(detail.get("until") or "")
        return (f"Decision{f' of the {level}' if level else ''} sent to "
                f"{delegate.name if delegate else 'their deputy'}, as "
                f"{away.name if away else 'the approver'} is on leave"
                f"{f' until {format_date(date.fromisoformat(until))}' if until else ''}")
    if action == "decision.delegated":
        delegate = people_by_email.get(str(detail.get("delegate") or ""))
        level = _level_title(str(detail.get("level") or ""))
        to = delegate.name if delegate else "someone else"
        return f"Decision{f' of the {level}' if level else ''} delegated to {to}{by}"
    if action == "review.submitted":
        level = _level_title(str(detail.get("level") or ""))
        return (f"Version{_version(detail)} of the report and chronology sent"
                f"{f' to the {level}' if level else ''}{by}")
    if action == "document.added":
        what = {"report": "Report", "chronology": "Chronology"}.get(kind, "Document")
        filename = str(detail.get("filename") or "")
        return f"{what}{f' ({filename})' if filename else ''} added{by}"
    if action == "review.submitted_to_ddscp":
        on = _day(detail.get("on"))
        return f"Recorded as submitted to DDSCP{f' on {on}' if on else ''}{by}"
    if action == "review.rebased":
        old, new = _day(detail.get("old")), _day(detail.get("new"))
        if old and new:
            return f"Submission date to DDSCP moved from {old} to {new}{by}"
    if action in _PLAIN:
        return _PLAIN[action]
    if action in _BY:
        return f"{_BY[action]}{by}"
    return fallback_sentence(action, by)


_OWN_WORDS = frozenset({
    "person.unreachable", "notification.stale", "person.reached", "allocation.offered",
    "meeting.proposed", "meeting.confirmed", "meeting.answered", "decision.delegated",
    "decision.delegated_for_leave",
    "review.submitted", "document.added", "review.submitted_to_ddscp", "review.rebased",
    "link.refused", "access.refused", "reminder.rescheduled", "reminder.acknowledged"})


def has_sentence(action: str) -> bool:
    """Whether the action has words of its own (else it is read by `fallback_sentence`)."""
    if action in _BY or action in _PLAIN or action in _OWN_WORDS:
        return True
    if action.startswith("decision.") and action.count(".") == 2:
        _, level, decision = action.split(".")
        return level in {x.value for x in Level} and decision in {x.value for x in Decision}
    if action.startswith("meeting.") and action.endswith("_recorded"):
        return action[len("meeting."):-len("_recorded")] in {k.value for k in MeetingKind}
    return False


def fallback_sentence(action: str, by: str = "") -> str:
    """An action nobody gave a sentence yet, still read as words (tests keep this for none)."""
    words = action.replace(".", " ").replace("_", " ").strip()
    return f"{words[:1].upper()}{words[1:]}{by}"


_LINK_PURPOSES = {"document": "A document link", "calendar": "A calendar link",
                  "file": "A download link"}
_LINK_REASONS = {
    "malformed": "it was not a link the bot made", "tampered": "it had been altered",
    "wrong_purpose": "it was made for something else", "expired": "it had expired",
    "not_found": "what it led to is gone", "mismatch": "it did not belong to this review",
    "inactive": "the person it was made for is no longer active",
    "not_entitled": "the person it was made for may no longer see it",
    "used": "it had already been used"}


def _when(value) -> str:
    try:
        return format_when(datetime.fromisoformat(str(value)))
    except (TypeError, ValueError):
        return ""


def _decision(level: str, decision: str, version: str, actor_name: str) -> str:
    """`Quinn Lead asked for amendments to version 1 as QA senior lead`."""
    title = _level_title(level)
    if decision == Decision.APPROVED.value:
        verb = ("signed off" if level == Level.SD.value else "approved") + f" version{version}"
    elif decision == Decision.AMENDMENTS.value:
        verb = f"asked for amendments to version{version}"
    else:
        verb = f"decided on version{version}: {_title(decision).lower()}"
    if actor_name:
        return f"{actor_name} {verb} as {title}" if title else f"{actor_name} {verb}"
    return f"{title} {verb}" if title else verb[:1].upper() + verb[1:]


def _level_title(value: str) -> str:
    try:
        return Level(value).title
    except ValueError:
        return ""


def _meeting_title(kind: str) -> str:
    try:
        return MeetingKind(kind).title
    except ValueError:
        return "Meeting"


def _title(value: str) -> str:
    try:
        return Level(value).title
    except ValueError:
        pass
    try:
        return Decision(value).title
    except ValueError:
        return value.replace("_", " ").capitalize()


@dataclass(frozen=True)
class BoardRow:
    reference: str
    review_type: str
    stage: Stage
    milestone: Milestone | None
    due: date | None
    working_days_left: int | None
    rag: Rag
    holder: str
    waiting: tuple[str, ...] = ()  # held until their recipient opens the bot, in words


@dataclass(frozen=True)
class TimelineRow:
    """A row of the review card's timeline: a milestone of the plan, or a decision that ended a
    stage (an amendments round, the sign-off, a hold), which has no planned date of its own."""
    day: int | None
    milestone: Milestone | None
    planned: date | None
    actual: date | None
    title: str = ""
    received: date | None = None  # the request's row: the day it came in (Day 1 may be later)

    @property
    def what(self) -> str:
        return self.title or (self.milestone.title if self.milestone else "")


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    actor: str
    action: str
    detail: dict


@dataclass(frozen=True)
class ReviewDetail:
    review: Review
    standing: Standing
    holder: str
    timeline: list[TimelineRow]
    people: list[tuple[str, str]]  # (role title, name)
    recent: list[AuditLine]  # action: the entry in plain words
    waiting: list[str] = ()  # messages held until their recipient opens the bot, in words
    deadline_left: int | None = None  # working days to the submission to DDSCP (the deadline)
    action_plan: PlanProgress | None = None  # None: no recommendation has an action yet
    interviews: InterviewCount | None = None  # None: no interview recorded yet


BOARD_PAGE = 20


@dataclass(frozen=True)
class BoardPage:
    rows: list[BoardRow]
    total: int  # in the whole board, not just this page
    page: int
    page_size: int = BOARD_PAGE

    @property
    def first(self) -> int:
        return self.page * self.page_size

    @property
    def more(self) -> bool:
        return self.first + len(self.rows) < self.total


async def board(ctx: ServiceContext, actor: Actor, scope: str = "all", page: int = 0,
                page_size: int = BOARD_PAGE) -> BoardPage:
    """Open reviews, most urgent first (the soonest next due date), a page at a time. scope: all,
    mine (where I hold a role or the next step) or overdue. Only the page is read from the
    database, whatever the size of the tracker."""
    require(Permission.VIEW_STATUS, actor)
    today = ctx.clock.today()
    page = max(page, 0)
    mine = None
    if scope == "mine":
        if actor.person is None:
            return BoardPage([], 0, page, page_size)
        mine = (actor.person.id, [stage for stage in Stage if stage.next_step_holder is not None
                                  and stage.next_step_holder not in REVIEW_ROLES
                                  and stage.next_step_holder in actor.roles])
    async with ctx.unit_of_work(read_only=True) as uow:
        # overdue (red) means due before today: working_days_left is negative exactly then
        records, total = await uow.board.board_page(
            overdue_before=today if scope == "overdue" else None, mine=mine,
            offset=page * page_size, limit=page_size)
        # the page says which reviews hold anything: only then is what they hold read, in one go
        held_ids = [r.review_id for r in records if r.has_held]
        waiting = await _waiting_by_review(uow, held_ids) if held_ids else {}
    rows = [replace(row, waiting=tuple(waiting.get(record.review_id, ())))
            if record.review_id in waiting else row
            for record, row in zip(records, board_rows(records, today, ctx.calendar), strict=True)]
    return BoardPage(rows, total, page, page_size)


async def _waiting_by_review(uow, review_ids: list[int]) -> dict[int, list[str]]:
    """What each of these reviews holds for a person who has not been reached, in the words of
    the review card's "Waiting to be delivered" (what would be dropped on arrival left out)."""
    found = await uow.outbox.held_for_reviews(review_ids)
    held = [(review_id, item) for review_id, item in found
            if await notifications.why_stale(uow, item.kind, review_id, item.about) is None]
    people = await uow.people.by_ids(sorted({pid for _, item in held
                                              if (pid := notifications.recipient_person_id(item.recipient)) is not None}))
    waiting: dict[int, list[str]] = {}
    for review_id, item in held:
        person = people.get(notifications.recipient_person_id(item.recipient))
        if person is not None:
            lines = waiting.setdefault(review_id, [])
            line = notifications.waiting_line(item.kind, person)
            if line not in lines:
                lines.append(line)
    return waiting


def board_rows(records: list[BoardRecord], today: date, calendar: WorkingCalendar) -> list[BoardRow]:
    """The board's rows for a page read from the store: where each review stands today."""
    rows = []
    for record in records:
        where = standing_from(record.due, record.stage, today, calendar)
        rows.append(BoardRow(record.reference, record.review_type, record.stage, where.milestone,
                             where.due, where.working_days_left, where.rag,
                             _holder_name(record.stage, record.holder_name,
                                          record.organisation_holder)))
    return rows


def _holder_name(stage: Stage, review_holder: str | None, organisation_holder: str | None) -> str:
    """Who holds the next step: the person in that role on the review, or for an organisation
    role its holder when there is just one (else the role)."""
    role = stage.next_step_holder
    if role is None:
        return "—"
    if role in REVIEW_ROLES:
        return review_holder or f"{role.title} (not yet allocated)"
    return organisation_holder or role.title


def _sole_holder(role: Role | None, people: list[Person]) -> str | None:
    holders = [p.name for p in people if p.holds(role)]
    return holders[0] if len(holders) == 1 else None


def _name(person: Person | None) -> str | None:
    return person.name if person else None


async def detail(ctx: ServiceContext, actor: Actor, reference: str) -> ReviewDetail:
    require(Permission.VIEW_STATUS, actor)
    today = ctx.clock.today()
    async with ctx.unit_of_work(read_only=True) as uow:
        review = await uow.reviews.get(reference)
        if review is None:
            raise UnknownReview(reference.strip(), closest(reference, await uow.reviews.references()))
        all_people = await uow.people.all()
        entries = await uow.audit.for_review(review.id)  # newest first
        recent = entries[:5]
        waiting = (await _waiting_by_review(uow, [review.id])).get(review.id, [])
        plan = progress(await uow.action_plans.actions(review.id), today)
        interviewed = count(await uow.interviews.for_review(review.id))
    people_by_id = {p.id: p for p in all_people}
    by_email = {p.email: p.name for p in all_people}
    people_by_email = {p.email: p for p in all_people}
    timeline = timeline_rows(review, entries, ctx.calendar)
    people = [(role.title, people_by_id[pid].name + _unreachable(people_by_id[pid]))
              for role, pid in sorted(
        review.people.items(), key=lambda item: list(Role).index(item[0])) if pid in people_by_id]
    return ReviewDetail(
        review=review, standing=standing(review.plan, review.stage, today, ctx.calendar),
        holder=_holder_name(review.stage, _name(people_by_id.get(review.people.get(
            review.stage.next_step_holder, -1))),
                            _sole_holder(review.stage.next_step_holder, all_people)),
        timeline=timeline, people=people,
        recent=[AuditLine(e.at, who, audit_sentence(e.action, who, e.detail, people_by_id,
                                                    people_by_email), e.detail)
                for e in recent for who in (actor_words(e.actor, e.action, by_email),)],
        waiting=waiting,
        deadline_left=days_to_deadline(review.plan, review.stage, today, ctx.calendar),
        action_plan=plan if plan.total else None,
        interviews=interviewed if interviewed.total else None)


# the decisions that end a stage without a milestone of their own, and the milestone row they
# follow on the timeline
_DECISION_ROWS = {
    "decision.qa.amendments": Milestone.REPORT_TO_QA,
    "decision.sd.amendments": Milestone.QA_COMPLETE,
    "decision.sd.approved": Milestone.QA_COMPLETE,
}
_STAGE_ROWS = {"review.held": "Put on hold", "review.resumed": "Resumed",
               "review.withdrawn": "Withdrawn"}


def timeline_rows(review: Review, entries, calendar: WorkingCalendar) -> list[TimelineRow]:
    """The plan's milestones, with the decisions that ended a stage in their place: amendments
    asked for after the report reached the QA lead, the sign-off after QA, and holds by date."""
    plan = review.plan
    after: dict[Milestone, list[TimelineRow]] = {m: [] for m in MILESTONE_ORDER}
    for entry in sorted(entries, key=lambda e: e.at):
        on = entry.at.astimezone(LONDON).date()
        detail = entry.detail if isinstance(entry.detail, dict) else {}
        version = _version(detail)
        if entry.action in _DECISION_ROWS:
            level = entry.action.split(".")[1]
            if entry.action == "decision.sd.approved":
                title = f"Signed off by the {Level.SD.title}: version{version}"
            else:
                title = f"{Level(level).title} asked for amendments to version{version}"
            after[_DECISION_ROWS[entry.action]].append(TimelineRow(None, None, None, on, title))
        elif entry.action in _STAGE_ROWS:
            done = [m for m in MILESTONE_ORDER if m in plan.done and plan.done[m] <= on]
            after[done[-1] if done else Milestone.REQUEST_LOGGED].append(
                TimelineRow(None, None, None, on, _STAGE_ROWS[entry.action]))
    rows = []
    for m in MILESTONE_ORDER:
        due = plan.due[m]
        if m == Milestone.REQUEST_LOGGED:
            rows.append(TimelineRow(1, m, plan.day_one, None, received=review.received))
        else:
            rows.append(TimelineRow(calendar.day_number(plan.day_one, due), m, due,
                                    plan.done.get(m)))
        rows.extend(after[m])
    return rows


def _unreachable(person: Person) -> str:
    if person.unreachable_since is None:
        return ""
    return f" (not reached in Teams: {notifications.not_reached_words(person)})"
