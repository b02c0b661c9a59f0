"""The Teams tab's read side: the board as a timeline, one review as a picture, and the
performance figures. Plain results only (the tab's routes turn them into JSON and CSV); every
use case checks who is asking, at the moment they ask, with the same rules as chat
(`domain.policy`, `services.access`). Nothing here names a child or a family: reviews are
their references, types, stages and dates."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from imr_bot.domain.errors import NotAllowed
from imr_bot.domain.people import Actor
from imr_bot.domain.plan import MILESTONE_ORDER, Milestone
from imr_bot.domain.policy import Permission, allowed, allowed_on_review, require
from imr_bot.domain.rag import standing
from imr_bot.domain.review import Review, ReviewType
from imr_bot.domain.roles import REVIEW_ROLES, Role
from imr_bot.domain.stages import Stage
from imr_bot.domain.submissions import Level

from . import access, tracker
from .context import ServiceContext

# stages whose pending decision may have been delegated to someone not named on the review
_DECIDING = frozenset({Stage.SUBMITTED_TO_QA, Stage.QA_AMENDMENTS, Stage.QA_APPROVED,
                       Stage.SD_REVIEW, Stage.SD_AMENDMENTS})


@dataclass(frozen=True)
class MilestoneMark:
    milestone: Milestone
    day: int  # the working day of the plan it falls on (Day 1 is the request logged)
    planned: date
    actual: date | None


@dataclass(frozen=True)
class BoardItem:
    reference: str
    review_type: ReviewType
    stage: Stage
    next_milestone: Milestone | None
    next_due: date | None
    working_days_left: int | None
    rag: str  # red, amber, green, none (the page says it in words too)
    holder: str
    mine: bool  # I hold a role on it or its next step
    entitled: bool  # may see its detail: then its plan, author and QA lead are given
    held_since: date | None = None
    author: str = ""
    qa_lead: str = ""
    milestones: tuple[MilestoneMark, ...] = ()


@dataclass(frozen=True)
class TabBoard:
    today: date
    items: list[BoardItem]


def _marks(review: Review, ctx: ServiceContext) -> tuple[MilestoneMark, ...]:
    plan = review.plan
    return tuple(MilestoneMark(m, ctx.calendar.day_number(plan.day_one, plan.due[m]), plan.due[m],
                               plan.done.get(m)) for m in MILESTONE_ORDER if m in plan.due)


async def _entitled(uow, actor: Actor, reviews: list[Review]) -> set[int]:
    """The ids of those reviews whose detail `actor` may see: all of them for an organisation
    role that sees every review; otherwise the same roles `access.held_on` finds, read in bulk
    (named on it, line manager of someone named, an open offer), and, for a review waiting for
    a decision, a delegated one."""
    if not actor.is_known:
        return set()
    if allowed_on_review(Permission.VIEW_REVIEW, actor, frozenset()):
        return {r.id for r in reviews}
    me = actor.person
    managed = {p.id for p in await uow.people.all()
               if p.line_manager_email and p.line_manager_email == me.email}
    offers = await uow.allocations.for_reviews([r.id for r in reviews])
    found = set()
    for review in reviews:
        named = set(review.people.values())
        if me.id in named or named & managed or any(
                o.status == "offered" and o.author_id == me.id for o in offers.get(review.id, [])) or review.stage in _DECIDING and await access.may(uow, actor, Permission.VIEW_REVIEW,
                                                              review):
            found.add(review.id)
    return found


async def board(ctx: ServiceContext, actor: Actor) -> TabBoard:
    """Every open review as a row of the timeline. Everyone in the directory sees the board
    (as `imr status`: reference, type, stage, next date, whose step); a review's plan, author
    and QA lead only where they may see that review."""
    require(Permission.VIEW_STATUS, actor)
    today = ctx.clock.today()
    async with ctx.unit_of_work(read_only=True) as uow:
        reviews = await uow.reviews.open_reviews()
        people = {p.id: p for p in await uow.people.all()}
        entitled = await _entitled(uow, actor, reviews)
    sole = {}
    for role in {s.next_step_holder for s in Stage if s.next_step_holder is not None} - REVIEW_ROLES:
        holders = [p.name for p in people.values() if p.active and p.holds(role)]
        sole[role] = holders[0] if len(holders) == 1 else None
    me = actor.person.id if actor.person else None
    items = []
    for review in reviews:
        where = standing(review.plan, review.stage, today, ctx.calendar)
        role = review.stage.next_step_holder
        holder_person = people.get(review.people.get(role, -1)) if role else None
        holder = tracker._holder_name(review.stage, holder_person.name if holder_person else None,
                                      sole.get(role))
        mine = me in review.people.values() or (role is not None and role not in REVIEW_ROLES
                                                and role in actor.roles)
        seen = review.id in entitled
        author = people.get(review.people.get(Role.AUTHOR, -1))
        qa = people.get(review.people.get(Role.QA_LEAD, -1))
        items.append(BoardItem(
            review.reference, review.review_type, review.stage, where.milestone, where.due,
            where.working_days_left, where.rag.value, holder, mine, seen,
            held_since=review.held_since if seen else None,
            author=author.name if seen and author else "",
            qa_lead=qa.name if seen and qa else "",
            milestones=_marks(review, ctx) if seen else ()))
    items.sort(key=lambda i: (i.next_due is None, i.next_due or date.max, i.reference))
    return TabBoard(today, items)


@dataclass(frozen=True)
class PlanMove:
    milestone: Milestone
    old: date | None
    new: date
    by: str
    reason: str
    at: str


@dataclass(frozen=True)
class MeetingLine:
    kind: str
    starts: str
    status: str
    minutes: int


@dataclass(frozen=True)
class DocumentLine:
    version: int
    kind: str
    filename: str


@dataclass(frozen=True)
class ReviewPicture:
    detail: tracker.ReviewDetail
    milestones: tuple[MilestoneMark, ...]
    changes: list[PlanMove]
    meetings: list[MeetingLine]
    documents: list[DocumentLine]
    decisions: list[str]
    history: list[str] = field(default_factory=list)


async def review_picture(ctx: ServiceContext, actor: Actor, reference: str) -> ReviewPicture:
    """One review, for someone who may see it: otherwise exactly what a reference that does not
    exist gets (`UnknownReview`), as in chat. Documents are listed by name and version only
    (reading them is a document link's business)."""
    review = await access.visible_review(ctx, actor, reference)
    detail = await tracker.detail(ctx, actor, review.reference)
    async with ctx.unit_of_work(read_only=True) as uow:
        whole = await uow.reviews.get(review.reference)
        meetings = await uow.meetings.for_review(review.id)
        latest = await uow.submissions.latest_version(review.id)
        documents = [d for v in range(1, latest + 1)
                     for d in await uow.submissions.documents(review.id, v)]
        entries = await uow.audit.for_review(review.id)
        people = await uow.people.all()
    by_id = {p.id: p for p in people}
    by_email = {p.email: p for p in people}
    names = {p.email: p.name for p in people}
    sentences = [(e, tracker.audit_sentence(e.action, names.get(e.actor, e.actor), e.detail,
                                            by_id, by_email)) for e in entries]
    return ReviewPicture(
        detail=detail, milestones=_marks(whole, ctx),
        changes=[PlanMove(c.milestone, c.old, c.new, names.get(c.by, c.by), c.reason,
                          c.at.date().isoformat()) for c in whole.plan.changes],
        meetings=[MeetingLine(m.kind.title, m.starts.isoformat(timespec="minutes"),
                              str(m.status.value).replace("_", " "), m.minutes) for m in meetings],
        documents=[DocumentLine(d.version or 0, d.kind, d.filename) for d in documents],
        decisions=[f"{e.at.date().isoformat()}: {s}" for e, s in sentences
                   if e.action.startswith("decision.")],
        history=[f"{e.at.date().isoformat()}: {s}" for e, s in sentences])


# -- performance --------------------------------------------------------------------------------

@dataclass(frozen=True)
class OnTime:
    milestone: Milestone
    done: int
    on_time: int

    @property
    def rate(self) -> float | None:
        return round(100 * self.on_time / self.done, 1) if self.done else None


@dataclass(frozen=True)
class StageSpan:
    start: Milestone
    end: Milestone
    count: int
    median: float | None
    lower_quartile: float | None
    upper_quartile: float | None
    shortest: int | None
    longest: int | None


@dataclass(frozen=True)
class Forecast:
    reference: str
    stage: Stage
    agreed: date
    projected: date
    working_days_late: int  # > 0: the projection is after the agreed date
    verdict: str  # "will slip", "at risk", "on track"


@dataclass(frozen=True)
class Performance:
    today: date
    on_time: list[OnTime]
    spans: list[StageSpan]
    months: list[tuple[str, int, int]]  # (YYYY-MM, opened, closed)
    workload: list[tuple[str, str, int]]  # (role title, name, open reviews)
    forecasts: list[Forecast]
    open_count: int
    closed_count: int
    # (rounds of amendments, reviews with that many at QA, at Service Director sign-off), among
    # the reviews whose report reached the QA lead
    amendments: list[tuple[str, int, int]] = field(default_factory=list)


AT_RISK_WITHIN = 2  # working days: a projection this close to the agreed date is at risk


def _quartiles(values: list[int]) -> tuple[float | None, float | None, float | None]:
    if not values:
        return None, None, None
    if len(values) == 1:
        return float(values[0]), float(values[0]), float(values[0])
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return round(q1, 1), round(q2, 1), round(q3, 1)


def _spans(reviews: list[Review], calendar) -> dict[tuple[Milestone, Milestone], list[int]]:
    """Working days taken from each milestone to the next, where both were done."""
    found: dict[tuple[Milestone, Milestone], list[int]] = {}
    for review in reviews:
        done = review.plan.done
        for start, end in zip(MILESTONE_ORDER, MILESTONE_ORDER[1:], strict=False):
            if start in done and end in done and done[end] >= done[start]:
                found.setdefault((start, end), []).append(
                    calendar.working_days_between(done[start], done[end]))
    return found


def _gap(start: Milestone, end: Milestone, review: Review, calendar,
         typical: dict[tuple[Milestone, Milestone], float]) -> float:
    """How long the step from `start` to `end` usually takes: what it took before, else the
    review's own plan."""
    if (start, end) in typical:
        return typical[(start, end)]
    plan = review.plan
    return max(calendar.working_days_between(plan.due[start], plan.due[end]), 0)


def forecast(review: Review, today: date, calendar,
             typical: dict[tuple[Milestone, Milestone], float]) -> Forecast | None:
    """Where an open review's submission will land, from the stage it is at and how long the
    steps ahead took before: the last milestone it reached, plus the typical time of each step
    after it; a step already taking longer than usual ends no sooner than the next working day."""
    if not review.stage.is_open or review.stage == Stage.ON_HOLD:
        return None
    plan = review.plan
    agreed = plan.due.get(Milestone.DDSCP_SUBMISSION)
    if agreed is None:
        return None
    reached = [m for m in MILESTONE_ORDER if m in plan.done]
    last = reached[-1] if reached else Milestone.REQUEST_LOGGED
    at = plan.done.get(last, plan.day_one)
    index = MILESTONE_ORDER.index(last)
    projected = at
    overrunning = False
    for start, end in zip(MILESTONE_ORDER[index:], MILESTONE_ORDER[index + 1:], strict=False):
        projected = calendar.add_working_days(projected, round(_gap(start, end, review, calendar,
                                                                    typical)))
        if start == last and projected <= today:  # the step under way is already overdue
            projected = calendar.add_working_days(today, 1)
            overrunning = True
    late = (calendar.working_days_between(agreed, projected) if projected > agreed
            else -calendar.working_days_between(projected, agreed))
    # at risk: not projected late, but its step under way has run past the usual time, or the
    # margin left is under AT_RISK_WITHIN working days after a step that ran late
    behind = any(plan.done[m] > plan.due[m] for m in reached if m in plan.due)
    verdict = ("will slip" if late > 0 else
               "at risk" if overrunning or (behind and late > -AT_RISK_WITHIN) else "on track")
    return Forecast(review.reference, review.stage, agreed, projected, late, verdict)


def may_see_performance(actor: Actor) -> bool:
    return allowed(Permission.VIEW_PERFORMANCE, actor)


async def performance(ctx: ServiceContext, actor: Actor) -> Performance:
    """How the service is doing, for the Service Directors, the Head of CP & IRO and Business
    Services: figures over every review, open and closed."""
    if not actor.is_known or not may_see_performance(actor):
        raise NotAllowed("Sorry, only the Service Directors, the Head of CP & IRO and Business "
                         "Services can see the performance figures.")
    today = ctx.clock.today()
    calendar = ctx.calendar
    async with ctx.unit_of_work(read_only=True) as uow:
        reviews = await uow.reviews.all_reviews()
        people = {p.id: p for p in await uow.people.all()}
        rounds = {level: await uow.audit.counts_by_review([f"decision.{level.value}.amendments"])
                  for level in Level}
    on_time = []
    for m in MILESTONE_ORDER:
        done = [r for r in reviews if m in r.plan.done and m in r.plan.due]
        on_time.append(OnTime(m, len(done), sum(r.plan.done[m] <= r.plan.due[m] for r in done)))
    spans = []
    taken = _spans(reviews, calendar)
    for start, end in zip(MILESTONE_ORDER, MILESTONE_ORDER[1:], strict=False):
        values = taken.get((start, end), [])
        q1, q2, q3 = _quartiles(values)
        spans.append(StageSpan(start, end, len(values), q2, q1, q3,
                               min(values) if values else None, max(values) if values else None))
    typical = {key: statistics.median(values) for key, values in taken.items() if values}
    opened = Counter(r.received.strftime("%Y-%m") for r in reviews)
    closed = Counter(r.plan.done[Milestone.DDSCP_SUBMISSION].strftime("%Y-%m") for r in reviews
                     if Milestone.DDSCP_SUBMISSION in r.plan.done)
    months = [(month, opened.get(month, 0), closed.get(month, 0))
              for month in sorted(set(opened) | set(closed))]
    open_reviews = [r for r in reviews if r.stage.is_open]
    load = Counter()
    for review in open_reviews:
        for role in (Role.AUTHOR, Role.QA_LEAD):
            person = people.get(review.people.get(role, -1))
            if person is not None:
                load[(role.title, person.name)] += 1
    workload = sorted(((role, name, n) for (role, name), n in load.items()),
                      key=lambda row: (row[0], -row[2], row[1]))
    forecasts = [f for r in open_reviews if (f := forecast(r, today, calendar, typical))]
    forecasts.sort(key=lambda f: (-f.working_days_late, f.reference))
    reported = [r.id for r in reviews if Milestone.REPORT_TO_QA in r.plan.done]
    amendments = []
    for n, words in ((0, "None"), (1, "One"), (2, "Two"), (3, "Three or more")):
        counts = [sum(1 for i in reported if (min(rounds[level].get(i, 0), 3)) == n)
                  for level in (Level.QA, Level.SD)]
        amendments.append((words, *counts))
    return Performance(today, on_time, spans, months, workload, forecasts,
                       len(open_reviews), len(reviews) - len(open_reviews), amendments)
