"""The tracker: where every open review stands, for everybody who may ask."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from imr_bot.domain.calendar import WorkingCalendar
from imr_bot.domain.errors import UnknownReview
from imr_bot.domain.meetings import MeetingKind
from imr_bot.domain.people import Actor, Person
from imr_bot.domain.plan import MILESTONE_ORDER, Milestone
from imr_bot.domain.policy import Permission, require
from imr_bot.domain.rag import Rag, Standing, standing, standing_from
from imr_bot.domain.review import Review
from imr_bot.domain.roles import REVIEW_ROLES, Role
from imr_bot.domain.stages import Stage
from imr_bot.domain.submissions import Decision, Level
from imr_bot.store.board_reads import BoardRecord
from imr_bot.store.reviews import closest

from . import notifications
from .context import ServiceContext

# What the review card says for each audit entry: "by" is the person who acted (the bot's own
# entries read without it). An action not listed here still reads as words, never as a raw name.
_BY = {
    "review.commissioned": "Commission logged", "review.edited": "Details corrected",
    "review.rebased": "Plan re-based", "review.held": "Put on hold", "review.resumed": "Resumed",
    "review.withdrawn": "Withdrawn", "review.involved_managers": "Involved managers recorded",
    "review.submitted": "Report submitted", "review.submitted_to_ddscp": "Submitted to the DDSCP",
    "channel.subscribed": "Tracker channel set", "channel.unsubscribed": "Tracker channel stopped",
    "allocation.accepted": "Allocation accepted", "allocation.declined": "Allocation declined",
    "allocation.reallocated": "Author withdrawn to reallocate",
    "decision.delegated": "Decision delegated", "document.added": "Document added",
    "document.downloaded": "Document downloaded", "file.downloaded": "File downloaded",
    "file.offered": "File offered", "template.generated": "Template generated",
    "template.uploaded": "Template uploaded", "person.linked": "First contact with the bot",
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
}
_PLAIN = {
    "review.escalated": "No author by the end of Day 4: escalated to the Head of CP & IRO",
    "review.purged": "Records removed after the retention period",
    "allocation.conflict_declared": "A conflict of interest was declared",
    "audit.keyed": "The audit record was sealed with the council's key",
}


def audit_sentence(action: str, actor_name: str, detail: dict,
                   people_by_id: dict[int, Person], people_by_email: dict[str, Person]) -> str:
    """One audit entry in plain words, for people reading the review card."""
    by = "" if actor_name in ("imr-bot", "") else f" by {actor_name}"
    detail = detail if isinstance(detail, dict) else {}
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
    if action == "allocation.offered":
        author = people_by_email.get(str(detail.get("author") or ""))
        return f"Offered to {author.short_name if author else 'an author'}{by}"
    if action.startswith("meeting."):
        meeting = _meeting_title(kind)
        if action == "meeting.proposed":
            return f"{meeting} proposed{by}"
        if action == "meeting.confirmed":
            return f"{meeting} confirmed"
        if action == "meeting.answered":
            answer = "accepted" if detail.get("accepted") else "proposed another time for"
            return f"{actor_name} {answer} the {meeting.lower()}"
        if action.endswith("_recorded"):
            return f"{_meeting_title(action[len('meeting.'):-len('_recorded')])} recorded{by}"
    if action.startswith("decision.") and action.count(".") == 2:
        _, level, decision = action.split(".")
        return f"{_title(level)}: {_title(decision)}{by}"
    if action in _PLAIN:
        return _PLAIN[action]
    if action in _BY:
        return f"{_BY[action]}{by}"
    words = action.replace(".", " ").replace("_", " ").strip()
    return f"{words[:1].upper()}{words[1:]}{by}"


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
    day: int
    milestone: Milestone
    planned: date
    actual: date | None


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
        recent = await uow.audit.for_review(review.id, limit=5)
        waiting = (await _waiting_by_review(uow, [review.id])).get(review.id, [])
    people_by_id = {p.id: p for p in all_people}
    by_email = {p.email: p.name for p in all_people}
    people_by_email = {p.email: p for p in all_people}
    timeline = [TimelineRow(ctx.calendar.day_number(review.plan.day_one, review.plan.due[m]), m,
                            review.plan.due[m], review.plan.done.get(m)) for m in MILESTONE_ORDER]
    people = [(role.title, people_by_id[pid].name + _unreachable(people_by_id[pid]))
              for role, pid in sorted(
        review.people.items(), key=lambda item: list(Role).index(item[0])) if pid in people_by_id]
    return ReviewDetail(
        review=review, standing=standing(review.plan, review.stage, today, ctx.calendar),
        holder=_holder_name(review.stage, _name(people_by_id.get(review.people.get(
            review.stage.next_step_holder, -1))),
                            _sole_holder(review.stage.next_step_holder, all_people)),
        timeline=timeline, people=people,
        recent=[AuditLine(e.at, by_email.get(e.actor, e.actor), audit_sentence(
            e.action, by_email.get(e.actor, e.actor), e.detail, people_by_id, people_by_email),
            e.detail) for e in recent],
        waiting=waiting)


def _unreachable(person: Person) -> str:
    if person.unreachable_since is None:
        return ""
    return f" (not reached in Teams: {notifications.not_reached_words(person)})"
