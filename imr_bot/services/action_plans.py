"""The action plan's use cases: Business Services (or the review's QA lead) add recommendations
and actions; each action's owner agrees it or proposes another date or owner, posts progress,
and marks it done with its evidence; the QA lead (or the Service Director QPP, by the setting
IMR_IMPACT_DECIDED_BY) confirms that the evidence shows the intended outcome, or sends it back.

Each change, its audit entry and the notices it causes are written in one unit of work. The rules
are the domain's (domain/action_plan.py); who may ask is domain/policy.py's table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from imr_bot.domain.action_plan import (
    Action,
    ActionStatus,
    ImpactDecision,
    PlanProgress,
    Recommendation,
    next_number,
    parse_theme_list,
    parse_themes,
    progress,
)
from imr_bot.domain.dates import format_date, parse_date
from imr_bot.domain.errors import DomainError, NotAllowed
from imr_bot.domain.events import (
    ActionChangeProposed,
    ActionDone,
    ActionToAgree,
    ImpactDecided,
    ReviewFacts,
)
from imr_bot.domain.inputs import whole_number
from imr_bot.domain.people import Actor, Person
from imr_bot.domain.policy import SEE_EVERY_REVIEW, Permission, allowed_on_review
from imr_bot.domain.review import Review
from imr_bot.domain.roles import Role
from imr_bot.domain.urls import document_link

from . import notifications
from .context import ServiceContext

NOT_YOURS = "That action isn't one you can answer for. Type imr actions mine to see yours."
NO_ACTION = "That action no longer exists."


@dataclass(frozen=True)
class ActionLine:
    """One action as a person reads it in a list."""
    action: Action
    reference: str
    recommendation: Recommendation | None
    owner: str  # the owner's name
    working_days_left: int
    overdue: bool


# -- who may ------------------------------------------------------------------------------------
def _held(review: Review, actor: Actor) -> frozenset[Role]:
    """The review roles `actor` holds on `review` (the plan's rules ask no more than that)."""
    me = actor.person.id if actor.is_known else None
    return frozenset(role for role, person_id in review.people.items() if person_id == me)


def _may_manage(review: Review, actor: Actor) -> None:
    if not allowed_on_review(Permission.MANAGE_ACTION_PLAN, actor, _held(review, actor)):
        raise NotAllowed("Only Business Services or the review's QA senior lead can change its "
                         "action plan.")


def _may_decide(ctx: ServiceContext, review: Review, actor: Actor) -> None:
    """NotAllowed unless `actor` decides on impact here (IMR_IMPACT_DECIDED_BY says who)."""
    by = ctx.impact_decided_by
    held = _held(review, actor)
    if by == "sd_qpp":
        ok = Role.SD_QPP in actor.roles and allowed_on_review(Permission.DECIDE_IMPACT, actor,
                                                              held)
        who = "the Service Director (Quality, Partnerships & Performance)"
    else:
        ok = Role.QA_LEAD in held and allowed_on_review(Permission.DECIDE_IMPACT, actor, held)
        who = "the review's QA senior lead"
    if not ok:
        raise NotAllowed(f"Only {who} can decide whether the evidence shows the outcome.")


async def _review(uow, reference: str) -> Review:
    return await uow.reviews.require(reference)


def themes(ctx: ServiceContext) -> tuple[str, ...]:
    """The themes a recommendation may carry: the organisation's (IMR_ACTION_THEMES), else the
    default list."""
    return parse_theme_list(ctx.action_themes)


# -- Business Services or the QA lead -----------------------------------------------------------
async def add_recommendation(ctx: ServiceContext, actor: Actor, reference: str, text: str,
                             lesson: str = "", themes_text: str = "") -> tuple[Review,
                                                                              Recommendation]:
    now = ctx.clock.now()
    async with ctx.unit_of_work() as uow:
        review = await _review(uow, reference)
        _may_manage(review, actor)
        chosen = parse_themes(themes_text, themes(ctx))
        number = next_number(await uow.action_plans.recommendations(review.id))
        recommendation = await uow.action_plans.add_recommendation(
            Recommendation.new(review.id, number, text, lesson, chosen), actor.key, now)
        await uow.audit.record(actor=actor.key, action="action_plan.recommendation_added",
                               at=now, review_id=review.id, number=number,
                               themes=list(chosen))
        await uow.commit()
    return review, recommendation


async def action_form(ctx: ServiceContext, actor: Actor, reference: str,
                      number: int | None = None) -> dict:
    """The data of the card that adds an action to one of a review's recommendations."""
    async with ctx.unit_of_work(read_only=True) as uow:
        review = await _review(uow, reference)
        _may_manage(review, actor)
        recommendations = await uow.action_plans.recommendations(review.id)
    if not recommendations:
        raise DomainError(f"{review.reference} has no recommendations yet: add one first with "
                          f"`imr recommend {review.reference} <the recommendation>`.")
    chosen = number if number is not None and any(
        r.number == number for r in recommendations) else recommendations[-1].number
    return {"reference": review.reference, "error": "",
            "recommendation": str(chosen),
            "recommendations": [{"title": f"{r.number}. {_short(r.text)}", "value": str(r.number)}
                                for r in recommendations],
            "due": ctx.calendar.add_working_days(ctx.clock.today(), 20).isoformat()}


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


async def add_action(ctx: ServiceContext, actor: Actor, reference: str, number: object,
                     what: str, owner_email: str, due_text: str, outcome: str,
                     evaluation: str, immediate: bool) -> tuple[Review, Action, Person]:
    now, today = ctx.clock.now(), ctx.clock.today()
    async with ctx.unit_of_work() as uow:
        review = await _review(uow, reference)
        _may_manage(review, actor)
        wanted = whole_number(number, low=1)
        recommendation = (await uow.action_plans.recommendation(review.id, wanted)
                          if wanted is not None else None)
        if recommendation is None:
            raise DomainError(f"{review.reference} has no recommendation {number}.")
        owner = await _person(uow, owner_email)
        action = await uow.action_plans.add_action(Action.new(
            recommendation_id=recommendation.id, review_id=review.id, what=what,
            owner_id=owner.id, due=parse_date(due_text, today=today), outcome=outcome,
            evaluation=evaluation, immediate=immediate, today=today), now)
        await uow.audit.record(actor=actor.key, action="action_plan.action_added", at=now,
                               review_id=review.id, action_id=action.id,
                               recommendation=recommendation.number, person_id=owner.id,
                               due=action.due.isoformat(), immediate=action.immediate)
        await _publish(ctx, uow, [ActionToAgree(ReviewFacts.of(review), action.id, owner.id,
                                                f"{now.isoformat()}", by=_me(actor))])
        await uow.commit()
    return review, action, owner


async def accept_change(ctx: ServiceContext, actor: Actor, action_id: int) -> tuple[Action, str]:
    """Business Services or the QA lead accept the owner's proposed date or owner."""
    now = ctx.clock.now()
    async with ctx.unit_of_work() as uow:
        action, review = await _load(uow, action_id)
        _may_manage(review, actor)
        proposal = action.proposal
        changed = action.accept_proposal()
        await uow.action_plans.save_action(changed, now)
        await uow.audit.record(actor=actor.key, action="action_plan.change_accepted", at=now,
                               review_id=review.id, action_id=action.id,
                               due=changed.due.isoformat(), person_id=changed.owner_id,
                               reason=proposal.reason if proposal else "")
        events = []
        if changed.owner_id != action.owner_id or changed.status == ActionStatus.PROPOSED:
            events.append(ActionToAgree(ReviewFacts.of(review), action.id, changed.owner_id,
                                        now.isoformat(), by=_me(actor)))
        else:
            events.append(_Told(review, changed.owner_id, f"action:{action.id}:accepted:"
                                f"{now.isoformat()}", f"Your proposed change to your action on "
                                f"**{review.reference}** was accepted: it is now due "
                                f"{format_date(changed.due)}."))
        await _publish(ctx, uow, events)
        owner = await uow.people.by_id(changed.owner_id)
        await uow.commit()
    return changed, owner.name if owner else "the owner"


async def not_agreed(ctx: ServiceContext, actor: Actor, action_id: int, reason: str) -> Action:
    now = ctx.clock.now()
    async with ctx.unit_of_work() as uow:
        action, review = await _load(uow, action_id)
        _may_manage(review, actor)
        changed = action.not_agreed(reason)
        await uow.action_plans.save_action(changed, now)
        await uow.audit.record(actor=actor.key, action="action_plan.not_agreed", at=now,
                               review_id=review.id, action_id=action.id, reason=changed.reason)
        await uow.commit()
    return changed


# -- the owner ----------------------------------------------------------------------------------
def _me(actor: Actor) -> int | None:
    return actor.person.id if actor.is_known else None


async def _owners(uow, action_id: int, actor: Actor) -> tuple[Action, Review]:
    action, review = await _load(uow, action_id)
    if action.owner_id != _me(actor):
        raise NotAllowed(NOT_YOURS)
    return action, review


async def agree(ctx: ServiceContext, actor: Actor, action_id: int) -> Action:
    now = ctx.clock.now()
    async with ctx.unit_of_work() as uow:
        action, review = await _owners(uow, action_id, actor)
        changed = action.agree(_me(actor))
        await uow.action_plans.save_action(changed, now)
        await uow.audit.record(actor=actor.key, action="action_plan.action_agreed", at=now,
                               review_id=review.id, action_id=action.id)
        await uow.commit()
    return changed


async def propose(ctx: ServiceContext, actor: Actor, action_id: int, reason: str,
                  due_text: str = "", owner_email: str = "") -> Action:
    now, today = ctx.clock.now(), ctx.clock.today()
    async with ctx.unit_of_work() as uow:
        action, review = await _owners(uow, action_id, actor)
        due = parse_date(due_text, today=today) if due_text.strip() else None
        owner = await _person(uow, owner_email) if owner_email.strip() else None
        changed = action.propose(_me(actor), reason=reason, due=due,
                                 owner_id=owner.id if owner else None, today=today)
        await uow.action_plans.save_action(changed, now)
        proposal = changed.proposal
        await uow.audit.record(actor=actor.key, action="action_plan.change_proposed", at=now,
                               review_id=review.id, action_id=action.id,
                               due=proposal.due.isoformat() if proposal.due else None,
                               person_id=proposal.owner_id, reason=proposal.reason)
        await _publish(ctx, uow, [ActionChangeProposed(ReviewFacts.of(review), action.id,
                                                       actor.name, proposal.reason,
                                                       now.isoformat(), by=_me(actor))])
        await uow.commit()
    return changed


async def update(ctx: ServiceContext, actor: Actor, action_id: int, note: str) -> Action:
    now = ctx.clock.now()
    async with ctx.unit_of_work() as uow:
        action, review = await _owners(uow, action_id, actor)
        changed = action.update(_me(actor), note)
        await uow.action_plans.save_action(changed, now)
        await uow.audit.record(actor=actor.key, action="action_plan.progress", at=now,
                               review_id=review.id, action_id=action.id, note=changed.progress)
        await uow.commit()
    return changed


async def done(ctx: ServiceContext, actor: Actor, action_id: int, link_text: str,
               note: str = "") -> Action:
    """Done, with the evidence: a SharePoint or OneDrive link (the allow-list's)."""
    now = ctx.clock.now()
    async with ctx.unit_of_work() as uow:
        action, review = await _owners(uow, action_id, actor)
        if not (link_text or "").strip():
            raise DomainError("Done needs its evidence: a SharePoint or OneDrive link to it.")
        link = document_link(link_text.strip(), ctx.document_hosts)
        changed = action.finish(_me(actor), link.url, note)
        await uow.action_plans.save_action(changed, now)
        await uow.audit.record(actor=actor.key, action="action_plan.done", at=now,
                               review_id=review.id, action_id=action.id,
                               evidence_version=changed.evidence_version, link=link.url)
        await _publish(ctx, uow, [ActionDone(ReviewFacts.of(review), action.id,
                                             changed.evidence_version, ctx.impact_decided_by,
                                             by=_me(actor))])
        await uow.commit()
    return changed


# -- the QA lead (or the Service Director QPP) --------------------------------------------------
async def decide(ctx: ServiceContext, actor: Actor, action_id: int, decision: ImpactDecision,
                 version: object, comment: str = "") -> Action:
    """Exactly one decision per version of the evidence."""
    now = ctx.clock.now()
    async with ctx.unit_of_work() as uow:
        action, review = await _load(uow, action_id)
        _may_decide(ctx, review, actor)
        changed = action.decide(decision, whole_number(version, low=1) or -1, comment)
        await uow.action_plans.save_action(changed, now)
        await uow.action_plans.record_decision(
            action_id=action.id, evidence_version=action.evidence_version,
            decision=decision.value, comment=changed.decision_comment,
            evidence_link=action.evidence_link, by=actor.key, at=now)
        await uow.audit.record(
            actor=actor.key, at=now, review_id=review.id, action_id=action.id,
            evidence_version=action.evidence_version, comment=changed.decision_comment,
            action=("action_plan.impact_confirmed" if decision == ImpactDecision.CONFIRMED
                    else "action_plan.sent_back"))
        await _publish(ctx, uow, [ImpactDecided(ReviewFacts.of(review), action.id,
                                                action.evidence_version, action.owner_id,
                                                decision.value, changed.decision_comment,
                                                by=_me(actor))])
        await uow.commit()
    return changed


# -- seeing where it stands ---------------------------------------------------------------------
async def plan(ctx: ServiceContext, reference: str) -> tuple[Review, list[ActionLine], int]:
    """A review's actions (the edge has checked the person may see it) and how many
    recommendations it has."""
    async with ctx.unit_of_work(read_only=True) as uow:
        review = await _review(uow, reference)
        actions = await uow.action_plans.actions(review.id)
        recommendations = await uow.action_plans.recommendations(review.id)
        lines = await _lines(ctx, uow, actions, {review.id: review}, recommendations)
    return review, lines, len(recommendations)


async def plan_progress(ctx: ServiceContext, review_id: int) -> PlanProgress:
    """How far a review's plan has got (`imr status REF` shows it through tracker.detail)."""
    async with ctx.unit_of_work(read_only=True) as uow:
        return progress(await uow.action_plans.actions(review_id), ctx.clock.today())


async def mine(ctx: ServiceContext, actor: Actor) -> list[ActionLine]:
    me = _me(actor)
    if me is None:
        return []
    async with ctx.unit_of_work(read_only=True) as uow:
        return await _lines(ctx, uow, await uow.action_plans.owned_by(me))


async def overdue(ctx: ServiceContext, actor: Actor) -> list[ActionLine]:
    """Every overdue action for the organisation roles that see every review; otherwise the
    person's own."""
    async with ctx.unit_of_work(read_only=True) as uow:
        actions = await uow.action_plans.overdue(ctx.clock.today())
        if not SEE_EVERY_REVIEW & actor.roles:
            actions = [a for a in actions if a.owner_id == _me(actor)]
        return await _lines(ctx, uow, actions)


async def _lines(ctx: ServiceContext, uow, actions: list[Action],
                 reviews: dict[int, Review] | None = None,
                 recommendations: list[Recommendation] | None = None) -> list[ActionLine]:
    today = ctx.clock.today()
    reviews = dict(reviews or {})
    missing = sorted({a.review_id for a in actions} - set(reviews))
    reviews.update({r.id: r for r in await uow.reviews.get_many(missing)})
    by_id = {r.id: r for r in recommendations or []}
    for review_id in {a.review_id for a in actions} if recommendations is None else ():
        by_id.update({r.id: r for r in await uow.action_plans.recommendations(review_id)})
    owners = await uow.people.by_ids(sorted({a.owner_id for a in actions}))
    return [ActionLine(a, reviews[a.review_id].reference if a.review_id in reviews else "",
                       by_id.get(a.recommendation_id),
                       owners[a.owner_id].name if a.owner_id in owners else "someone",
                       ctx.calendar.working_days_left(today, a.due), a.overdue(today))
            for a in actions]


async def owner_card(ctx: ServiceContext, actor: Actor, action_id: int) -> dict:
    """The owner's card for one of their actions, as it stands now."""
    async with ctx.unit_of_work(read_only=True) as uow:
        action, review = await _owners(uow, action_id, actor)
        return await _owner_data(ctx, uow, review, action)


# -- card data ----------------------------------------------------------------------------------
async def _owner_data(ctx: ServiceContext, uow, review: Review, action: Action) -> dict:
    recommendation = next((r for r in await uow.action_plans.recommendations(review.id)
                           if r.id == action.recommendation_id), None)
    left = ctx.calendar.working_days_left(ctx.clock.today(), action.due)
    return {
        "reference": review.reference, "actionId": action.id,
        "recommendation": (f"{recommendation.number}. {recommendation.text}"
                           if recommendation else ""),
        "what": action.what, "outcome": action.outcome, "evaluation": action.evaluation,
        "due": f"{format_date(action.due)} ({notifications.days_left_words(left)})",
        "immediate": "Yes: needed now" if action.immediate else "No",
        "status": action.status.title, "progress": action.progress or "—",
        "toAgree": action.status == ActionStatus.PROPOSED,
        "underWay": action.status in (ActionStatus.AGREED, ActionStatus.IN_PROGRESS),
        "mayPropose": action.status in (ActionStatus.PROPOSED, ActionStatus.AGREED,
                                        ActionStatus.IN_PROGRESS),
        "proposal": _proposal_words(action, None),
        "sentBack": (action.decision_comment if action.status == ActionStatus.IN_PROGRESS
                     and action.decided_version else ""),
    }


def _proposal_words(action: Action, new_owner: Person | None) -> str:
    proposal = action.proposal
    if proposal is None:
        return ""
    parts = []
    if proposal.due is not None:
        parts.append(f"due {format_date(proposal.due)} instead of {format_date(action.due)}")
    if proposal.owner_id is not None:
        parts.append(f"owned by {new_owner.name if new_owner else 'someone else'}")
    return "Proposed: " + " and ".join(parts) + f", because {proposal.reason}"


async def _change_data(ctx: ServiceContext, uow, review: Review, action: Action) -> dict:
    data = await _owner_data(ctx, uow, review, action)
    owner = await uow.people.by_id(action.owner_id)
    new_owner = (await uow.people.by_id(action.proposal.owner_id)
                 if action.proposal and action.proposal.owner_id else None)
    return {**data, "owner": owner.name if owner else "", "proposal":
            _proposal_words(action, new_owner)}


async def _evidence_data(ctx: ServiceContext, uow, review: Review, action: Action) -> dict:
    data = await _owner_data(ctx, uow, review, action)
    owner = await uow.people.by_id(action.owner_id)
    return {**data, "owner": owner.name if owner else "", "link": action.evidence_link,
            "note": action.evidence_note or "—", "version": action.evidence_version}


# -- helpers ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Told:
    """A plain notice to one person that the policy need not decide (who is plain)."""
    review: Review
    person_id: int
    key: str
    text: str


async def _publish(ctx: ServiceContext, uow, events: list) -> None:
    now = ctx.clock.now()
    from imr_bot.domain.notification import OutgoingNotification

    told = [e for e in events if isinstance(e, _Told)]
    for item in told:
        person = await uow.people.by_id(item.person_id)
        if person is not None:
            await uow.outbox.queue(OutgoingNotification(
                key=f"{item.key}:person:{person.id}",
                recipient=notifications.person_recipient(person), kind="action_notice",
                review_id=item.review.id, payload={"text": item.text}), now)
    rest = [e for e in events if not isinstance(e, _Told)]
    if not rest:
        return

    async def fill(notice, person: Person) -> dict:
        action_id = int(notice.key.split(":")[1])
        action = await uow.action_plans.action(action_id)
        review = await uow.reviews.read_by_id(action.review_id)
        if notice.card == "action_change":
            return await _change_data(ctx, uow, review, action)
        if notice.card == "action_evidence":
            return await _evidence_data(ctx, uow, review, action)
        return await _owner_data(ctx, uow, review, action)

    await notifications.publish(uow, rest, now, fill=fill)


async def _load(uow, action_id: int) -> tuple[Action, Review]:
    action = await uow.action_plans.action(action_id) if action_id else None
    if action is None:
        raise DomainError(NO_ACTION)
    return action, await uow.reviews.read_by_id(action.review_id)


async def _person(uow, email: str) -> Person:
    wanted = (email or "").strip()
    if not wanted:
        raise DomainError("Say who owns the action: their email address in the IMR directory.")
    person = await uow.people.by_email(wanted)
    if person is None or not person.active:
        raise DomainError(f"{wanted[:254]} is not in the IMR people directory. Ask Business "
                          "Services to add them first.")
    return person


# -- the plan as rows: the filled Word action plan and the .xlsx export's actions sheet ----------
@dataclass(frozen=True)
class PlanRow:
    reference: str
    number: int  # the recommendation's
    recommendation: str
    what: str
    owner: str  # the owner's name
    due: date
    status: str  # as a person reads it: "In progress", "Not agreed"...
    outcome: str
    evaluation: str
    immediate: bool


async def plan_rows(uow, review: Review, names: dict[int, str]) -> list[PlanRow]:
    """A review's actions in the recommendations' order (`names`: people's names by id), read
    in the caller's unit of work."""
    actions = await uow.action_plans.actions(review.id)
    if not actions:
        return []
    by_id = {r.id: r for r in await uow.action_plans.recommendations(review.id)}
    rows = []
    for action in actions:
        recommendation = by_id.get(action.recommendation_id)
        rows.append(PlanRow(
            review.reference, recommendation.number if recommendation else 0,
            recommendation.text if recommendation else "", action.what,
            names.get(action.owner_id, ""), action.due, action.status.title, action.outcome,
            action.evaluation, action.immediate))
    return sorted(rows, key=lambda row: row.number)


# -- recommendations from the approved report -----------------------------------------------------
# recommendations offered on one card, and their words in all: a card must stay well within
# Teams' message size (about 28 KB); the rest are offered once these are in the plan
OFFER_MAX = 10
OFFER_CHARACTERS = 12000


async def report_offer(ctx: ServiceContext, actor: Actor, reference: str) -> dict:
    """The card data offering the recommendations of the latest version's report, read in a
    document worker (never on the event loop). Those already in the plan, word for word, are
    not offered again. DomainError when there is no report to read or it lists none."""
    from imr_bot.documents import jobs
    from imr_bot.domain.errors import DocumentRefused
    from imr_bot.domain.submissions import DocumentKind

    async with ctx.unit_of_work(read_only=True) as uow:
        review = await _review(uow, reference)
        _may_manage(review, actor)
        version = await uow.submissions.latest_version(review.id)
        documents = await uow.submissions.documents(review.id, version) if version else []
        report = next((d for d in documents if d.kind == DocumentKind.REPORT.value), None)
        if report is None:
            raise DomainError(f"Nothing has been submitted for {review.reference} yet, so there "
                              "is no report to take recommendations from.")
        if report.link or not report.filename.lower().endswith(".docx"):
            raise DomainError(f"The report for {review.reference} (version {version}) was "
                              "shared as a link or is not a Word document, so I cannot read its "
                              "recommendations. Add them with `imr recommend "
                              f"{review.reference} <the recommendation>`.")
        content = await uow.submissions.content(report.id)
        existing = {r.text.casefold() for r in await uow.action_plans.recommendations(review.id)}
    try:  # read outside the transaction, in a capped worker
        found = await ctx.documents.run(jobs.recommendations, ctx.documents.limits, content,
                                        name=report.filename,
                                        unreadable="it could not be read as a Word document")
    except DocumentRefused as refused:
        raise DomainError(f"I could not read the recommendations of {review.reference} "
                          f"version {version}: {refused.reason}.") from None
    fresh = [(number, text) for number, text in found if text.casefold() not in existing]
    if not found:
        raise DomainError(f"I found no numbered recommendations in the report for "
                          f"{review.reference} (version {version}). Add them with `imr "
                          f"recommend {review.reference} <the recommendation>`.")
    if not fresh:
        raise DomainError(f"Every recommendation in the report for {review.reference} "
                          f"(version {version}) is already in its action plan.")
    shown, characters = [], 0
    for item in fresh[:OFFER_MAX]:
        characters += len(item[1])
        if shown and characters > OFFER_CHARACTERS:
            break
        shown.append(item)
    more = len(fresh) - len(shown)
    return {
        "reference": review.reference, "version": version, "error": "",
        "intro": (f"The report (version {version}) makes "
                  f"{_count_words(len(found), 'recommendation')}"
                  + (f", {len(found) - len(fresh)} of them already in the plan" if
                     len(fresh) < len(found) else "")
                  + ". Tick each one to add, and edit its words first if they need it. Nothing "
                  "is added until you press Add. No names of children or families."
                  + (f" The first {_count_words(len(shown), 'is', 'are')} shown; for the other "
                     f"{more}, type `imr recommend {review.reference} from-report` once these are "
                     "added." if more else "")),
        "numbers": ",".join(str(i) for i in range(1, len(shown) + 1)),
        "items": [{"key": str(i), "label": f"Recommendation {number} in the report",
                   "text": text} for i, (number, text) in enumerate(shown, start=1)],
        "themes": [{"title": theme, "value": theme} for theme in themes(ctx)],
    }


def _count_words(count: int, word: str, words: str = "") -> str:
    return f"{count} {word}" if count == 1 else f"{count} {words or word + 's'}"


@dataclass(frozen=True)
class Offered:
    """One recommendation from the report, as the person confirmed (and perhaps edited) it."""
    text: str
    themes_text: str = ""


async def add_from_report(ctx: ServiceContext, actor: Actor, reference: str, version: object,
                          chosen: list[Offered]) -> tuple[Review, list[Recommendation]]:
    """The confirmed recommendations, added together or not at all: one that is refused (a
    name in it, too long, an unknown theme) changes nothing, and the message says which."""
    if not chosen:
        raise DomainError("Tick at least one recommendation to add, or type `imr recommend "
                          f"{reference} <the recommendation>` to write your own.")
    now = ctx.clock.now()
    allowed = themes(ctx)
    async with ctx.unit_of_work() as uow:
        review = await _review(uow, reference)
        _may_manage(review, actor)
        existing = await uow.action_plans.recommendations(review.id)
        number = next_number(existing)
        prepared = []
        for place, item in enumerate(chosen, start=1):
            try:
                prepared.append(Recommendation.new(review.id, number + place - 1, item.text,
                                                   themes=parse_themes(item.themes_text, allowed)))
            except DomainError as error:
                raise DomainError(f"The {_ordinal(place)} recommendation you ticked was not "
                                  f"added, and nor were the others: {error}") from None
        added = []
        for recommendation in prepared:
            added.append(await uow.action_plans.add_recommendation(recommendation, actor.key,
                                                                   now))
            await uow.audit.record(actor=actor.key, action="action_plan.recommendation_added",
                                   at=now, review_id=review.id, number=recommendation.number,
                                   themes=list(recommendation.themes),
                                   from_report=whole_number(version, low=1))
        await uow.commit()
    return review, added


def _ordinal(place: int) -> str:
    words = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth",
             7: "seventh", 8: "eighth", 9: "ninth", 10: "tenth"}
    return words.get(place, f"number {place}")
