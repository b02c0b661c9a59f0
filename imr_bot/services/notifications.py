"""What the bot tells people, as outbox entries. Delivery is the Teams room's job.

Messages to a channel are built here from a whitelist (reference, review type, stage and dates)
and nothing else: no initials, no names, no notes.
"""

from __future__ import annotations

from dataclasses import dataclass

from imr_bot.domain.dates import format_date
from imr_bot.domain.notification import About, Circumstances, OutgoingNotification, depends_on
from imr_bot.domain.notification import why_stale as stale_reason
from imr_bot.domain.notification_policy import (
    ChannelPost,
    ToApprovers,
    ToHolders,
    ToPerson,
    addressed,
    channel_text,
    messages_for,
)
from imr_bot.domain.people import Person
from imr_bot.domain.plain_text import plain
from imr_bot.domain.plan import Milestone
from imr_bot.domain.rag import Rag
from imr_bot.domain.review import Review
from imr_bot.domain.roles import Role

TRACKER = "tracker"
# why a person is marked as not reached, when it is not Teams refusing: no conversation yet
NOT_OPENED = "has not opened the IMR bot yet"
WHAT_IT_IS = {
    "new_review": "New IMR card", "allocation_offer": "Offer", "allocation_declined":
    "Decline notice", "allocation_accepted": "Acceptance notice", "allocation_escalation":
    "Allocation escalation", "meeting_draft": "Meeting to arrange", "meeting_invite":
    "Meeting invitation", "meeting_counter": "Counter-proposal", "meeting_moved":
    "Notice of a time chosen", "meeting_confirmed":
    "Meeting confirmation", "meeting_recorded": "Meeting outcome", "approval_request":
    "Approval request", "approval_notice": "Approval notice", "amendments": "Amendments",
    "action_to_agree": "Action to agree", "action_change": "Proposed change to an action",
    "action_evidence": "Evidence to confirm", "action_notice": "Action plan notice",
    "review_notice": "Notice of a change of stage",
}
RAG_COLOURS = {Rag.RED: "Attention", Rag.AMBER: "Warning", Rag.GREEN: "Good", Rag.NONE: "Default"}


def days_left_words(left: int | None) -> str:
    """How a card says working days left: "3 left", "2 overdue", or a dash."""
    if left is None:
        return "—"
    return f"{-left} overdue" if left < 0 else f"{left} left"


def person_recipient(person: Person) -> str:
    return f"person:{person.id}"


def recipient_person_id(recipient: str) -> int | None:
    """The person a recipient written by `person_recipient` names; None for a channel."""
    kind, _, number = recipient.partition(":")
    return int(number) if kind == "person" and number.isdigit() else None


def new_review_data(review: Review, head: Person, logged_by: str, logged_by_email: str = "") -> dict:
    """The Head of CP's card for a new review (who logged it named once, or "you")."""
    plan = review.plan
    if logged_by_email and logged_by_email.lower() == head.email.lower():
        intro = "You logged this new commission."
    else:
        intro = f"{head.first_name}, {logged_by} has logged a new commission."
    return {
        "reference": review.reference, "reviewType": review.review_type.value,
        "reviewTypeTitle": review.review_type.title, "body": review.body.value,
        "received": format_date(review.received),
        "allocationDue": format_date(plan.due[Milestone.ALLOCATION]),
        "ddscpDue": format_date(plan.deadline), "loggedBy": logged_by,
        "greeting": head.first_name, "intro": intro}


def allocation_facts(options) -> dict:
    """What the Head of CP's allocation card shows, as facts (the edge's allocation views build
    the card): involved managers, ranked authors and QA leads, and the history."""
    review = options.review
    plan = review.plan
    return {
        "reference": review.reference, "reviewType": review.review_type.title,
        "received": review.received.isoformat(),
        "allocateBy": plan.due[Milestone.ALLOCATION].isoformat(),
        "ddscpDue": plan.deadline.isoformat(),
        "people": [{"name": p.name, "service": p.service, "email": p.email}
                   for p in options.people],
        "involved": sorted(options.involved),
        "authors": [{"id": s.person.id, "name": s.person.name, "why": s.why}
                    for s in options.authors],
        "excluded": [{"name": e.person.name, "reason": e.reason}
                     for e in options.authors_excluded],
        "qaLeads": [{"id": s.person.id, "name": s.person.name, "why": s.why}
                    for s in options.qa_leads],
        "history": list(options.history),
        "pending": options.pending is not None,
    }


def allocation_offer(review: Review, allocation_id: int, author: Person, qa_lead: Person,
                     calendar) -> OutgoingNotification:
    """The offer to an author, as facts for the edge's offer card."""
    plan = review.plan
    return OutgoingNotification(
        key=f"allocation:{allocation_id}:offer", recipient=person_recipient(author),
        kind="allocation_offer", review_id=review.id, about=About(allocation_id=allocation_id),
        payload={"view": "allocation_offer", "facts": {
            "greeting": author.first_name, "reference": review.reference,
            "reviewType": review.review_type.title, "qaLead": qa_lead.name,
            "scoping": plan.due[Milestone.SCOPING_MEETING].isoformat(),
            "reportDue": plan.due[Milestone.REPORT_TO_QA].isoformat(),
            "ddscpDue": plan.deadline.isoformat(), "allocationId": allocation_id}})


def allocation_declined_facts(author: Person, reason: str, options) -> dict:
    """The allocation card again, for the Head of CP, saying who declined and why."""
    return {"view": "allocate",
            "facts": {**allocation_facts(options),
                      "declined": {"author": author.name, "reason": reason}}}


def what_it_is(kind: str) -> str:
    """A notification kind in words, for people reading the review card."""
    return WHAT_IT_IS.get(kind, "Reminder" if kind.startswith("reminder") else "A message")


def not_reached_words(person: Person) -> str:
    """Why a person has not been reached, in plain words with their first name."""
    if person.unreachable_reason in (None, NOT_OPENED):
        return f"{plain(person.first_name)} has not opened the IMR bot yet"
    return f"the IMR bot was removed or blocked in {plain(person.first_name)}'s Teams"


def waiting_line(kind: str, person: Person) -> str:
    """“Offer to Arun A. waiting: Arun has not opened the IMR bot yet”."""
    return f"{what_it_is(kind)} to {plain(person.short_name)} waiting: {not_reached_words(person)}"


def reachable(person: Person, has_conversation: bool) -> bool:
    return has_conversation and person.unreachable_since is None


def will_reach_when_they_open(person: Person, thing: str) -> str:
    """What the sender is told when the recipient has not been reached yet."""
    name = plain(person.first_name)
    if person.unreachable_reason in (None, NOT_OPENED):
        return (f"{name} has not opened the IMR bot yet; {thing} will reach them as soon as they "
                "do.")
    return (f"The IMR bot was removed or blocked in {name}'s Teams; {thing} will reach them as "
            "soon as they open it again.")


async def why_stale(uow, kind: str, review_id: int | None, about: About) -> str | None:
    """At send time: None if the notification is still true, else why not (the domain's rule,
    on the review, offer and meeting as they are now)."""
    if not depends_on(kind) or review_id is None:
        return None
    stage = await uow.reviews.stage_of(review_id)
    allocation = (await uow.allocations.get(about.allocation_id)
                  if about.allocation_id is not None else None)
    meeting = await uow.meetings.get(about.meeting_id) if about.meeting_id is not None else None
    action = (await uow.action_plans.action(about.action_id)
              if about.action_id is not None else None)
    return stale_reason(kind, about, Circumstances(
        review_stage=stage,
        allocation_status=allocation.status if allocation is not None else None,
        meeting_status=meeting.status if meeting is not None else None,
        meeting_sequence=meeting.sequence if meeting is not None else None,
        action_status=action.status.value if action is not None else None,
        action_due=action.due if action is not None else None))


# -- events to outbox entries ---------------------------------------------------------------------
@dataclass(frozen=True)
class Published:
    """What `publish` queued, and who was told (each once, never the person who acted), with the
    role they were told as: what the reply to the person who acted says."""
    queued: int
    told: tuple[tuple[Person, Role | None], ...] = ()

    def __add__(self, other: Published) -> Published:
        seen = {person.id for person, _ in self.told}
        return Published(self.queued + other.queued, self.told + tuple(
            (p, r) for p, r in other.told if p.id not in seen))

    @property
    def words(self) -> str:
        """ "I've told Arun Author (report author) and Hana Head (Head of CP & IRO)." or ""."""
        return told_words(self.told)


# a role as the middle of a sentence says it
_ROLE_WORDS = {Role.AUTHOR: "report author", Role.LINE_MANAGER: "line manager"}


def told_words(told) -> str:
    """The sentence saying who was told, by name and role; "" when nobody was."""
    if not told:
        return ""
    names = [f"{plain(person.name)} ({_ROLE_WORDS.get(role, role.title)})" if role is not None
             else plain(person.name) for person, role in told]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"I've told {listed}."


async def publish(uow, events, now, fill=None, approvers=None) -> Published:
    """Queue, in the use case's unit of work (so with its change, in one transaction), what the
    notification policy says each event calls for, to the people it says (each person once, and
    never the one who acted: notification_policy.addressed). `fill(notice, person)`: a card
    notice's data for one recipient; `approvers(level)`: who decides that level now. Returns
    how many were queued (a key already queued is not queued again) and who was told."""
    result = Published(0)
    for event in events:
        messages = messages_for(event)
        queued = 0
        people: dict[int, Person] = {}
        holders: dict[Role, list[int]] = {}
        deciders: dict[str, list[int]] = {}
        for message in messages:
            if isinstance(message, ChannelPost):
                continue
            to = message.to
            if isinstance(to, ToPerson) and to.id not in people:
                person = await uow.people.by_id(to.id)
                if person is not None:
                    people[person.id] = person
            elif isinstance(to, ToHolders) and to.role not in holders:
                found = list(await uow.people.with_role(to.role))
                holders[to.role] = [p.id for p in found]
                people.update((p.id, p) for p in found)
            elif isinstance(to, ToApprovers) and to.level not in deciders:
                if approvers is None:
                    raise TypeError(f"nobody to resolve {to!r} to")
                found = list(await approvers(to.level))
                deciders[to.level] = [p.id for p in found]
                people.update((p.id, p) for p in found)
        told = [t for t in addressed(event, messages, holders, deciders) if t.person_id in people]
        for message in messages:  # in the policy's order
            if isinstance(message, ChannelPost):
                queued += await uow.outbox.queue(_channel_entry(message), now)
                continue
            for person in (people[t.person_id] for t in told if t.notice is message):
                queued += await _queue_notice(uow, event, message, person, fill, now)
        actor = getattr(event, "by", None)  # (a card asking them for the next step is not news)
        result = result + Published(queued, tuple((people[t.person_id], t.role) for t in told
                                                  if t.person_id != actor))
    return result


async def _queue_notice(uow, event, message, person: Person, fill, now) -> int:
    if message.text:
        payload = {"text": message.text}
    else:
        # `fill` gives the card's data, or the facts for the edge's view of it
        filled = await fill(message, person)
        payload = filled if "view" in filled else {"card": message.card, "data": filled}
    about = (About(allocation_id=message.allocation_id)
             if message.allocation_id is not None else None)
    return await uow.outbox.queue(OutgoingNotification(
        key=f"{message.key}:person:{person.id}", recipient=person_recipient(person),
        kind=message.kind, review_id=event_review_id(event), payload=payload, about=about), now)


def event_review_id(event) -> int | None:
    review = getattr(event, "review", None)
    return review.review_id if review is not None else None


def _channel_entry(post: ChannelPost) -> OutgoingNotification:
    if post.kind == "digest":
        # the facts as they stood, for delivery to render (imr_bot/teams/notice_views.py)
        payload = {"view": "digest", "facts": digest_facts(post)}
    elif post.kind in REVIEW_CARD_KINDS and post.review_id is not None:
        # one card per review in the channel: posted once, then changed in place (`card_of`)
        payload = {"view": "tracker_review", "facts": review_card_facts(post),
                   "text": channel_text(post), "card_of": post.review_id}
    elif post.review_id is not None:
        # about one review: said in the thread of its card, where the channel follows it
        payload = {"text": channel_text(post), "thread_of": post.review_id}
    else:
        payload = {"text": channel_text(post)}
    return OutgoingNotification(key=post.key, recipient=TRACKER, kind=post.kind,
                                review_id=post.review_id, payload=payload)


REVIEW_CARD_KINDS = frozenset({"new_review", "stage_change"})


def review_card_facts(post: ChannelPost) -> dict:
    """A review's card in the tracker channel as the policy passed it: its reference, type,
    stage, the latest change (a fixed headline) and the dates still to come."""
    return {"reference": post.reference, "reviewType": post.review_type,
            "stage": post.stage.value if post.stage is not None else None,
            "headline": post.headline, "ddscp": post.dates[-1].isoformat() if post.dates else None,
            "milestones": [[title, due.isoformat()] for title, due in post.milestones]}


def digest_facts(post: ChannelPost) -> dict:
    """The daily digest as the policy passed it: references, stages, next dates and RAG."""
    (today,) = post.dates
    return {"day": today.isoformat(), "total": post.total, "lines": [
        {"reference": line.reference, "stage": line.stage, "milestone": line.milestone,
         "due": line.due.isoformat() if line.due else None, "left": line.working_days_left,
         "rag": line.rag.value} for line in post.lines],
        "actionsReviews": post.action_reviews, "actions": [
        {"reference": line.reference, "overdue": line.overdue, "total": line.total,
         "earliest": line.earliest.isoformat()} for line in post.action_lines]}
