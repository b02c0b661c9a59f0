"""What the bot tells people, as outbox entries. Delivery is the Teams room's job.

Messages to a channel are built here from a whitelist (reference, review type, stage and dates)
and nothing else: no initials, no names, no notes.
"""

from __future__ import annotations

from imr_bot.domain.dates import format_date
from imr_bot.domain.notification import About, Circumstances, OutgoingNotification, depends_on
from imr_bot.domain.notification import why_stale as stale_reason
from imr_bot.domain.notification_policy import (
    ChannelPost,
    ToApprovers,
    ToHolders,
    ToPerson,
    channel_text,
    messages_for,
)
from imr_bot.domain.people import Person
from imr_bot.domain.plain_text import plain
from imr_bot.domain.plan import Milestone
from imr_bot.domain.rag import Rag
from imr_bot.domain.review import Review

TRACKER = "tracker"
# why a person is marked as not reached, when it is not Teams refusing: no conversation yet
NOT_OPENED = "has not opened the IMR bot yet"
WHAT_IT_IS = {
    "new_review": "New IMR card", "allocation_offer": "Offer", "allocation_declined":
    "Decline notice", "allocation_accepted": "Acceptance notice", "allocation_escalation":
    "Allocation escalation", "meeting_draft": "Meeting to arrange", "meeting_invite":
    "Meeting invitation", "meeting_counter": "Counter-proposal", "meeting_confirmed":
    "Meeting confirmation", "meeting_recorded": "Meeting outcome", "approval_request":
    "Approval request", "approval_notice": "Approval notice", "amendments": "Amendments",
    "action_to_agree": "Action to agree", "action_change": "Proposed change to an action",
    "action_evidence": "Evidence to confirm", "action_notice": "Action plan notice",
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


def new_review_data(review: Review, head: Person, logged_by: str) -> dict:
    """The Head of CP's card for a new review."""
    plan = review.plan
    return {
        "reference": review.reference, "reviewType": review.review_type.value,
        "reviewTypeTitle": review.review_type.title, "body": review.body.value,
        "received": format_date(review.received),
        "allocationDue": format_date(plan.due[Milestone.ALLOCATION]),
        "ddscpDue": format_date(plan.deadline), "loggedBy": logged_by,
        "greeting": head.first_name}


def allocate_card_data(options, error: str = "") -> dict:
    """The Head of CP's allocation card: involved managers, ranked authors and QA leads."""
    review = options.review
    plan = review.plan
    return {
        "reference": review.reference, "reviewType": review.review_type.title,
        "received": format_date(review.received),
        "allocateBy": format_date(plan.due[Milestone.ALLOCATION]),
        "ddscpDue": format_date(plan.deadline),
        "peopleChoices": [{"title": f"{p.name} — {p.service or 'no service recorded'}",
                           "value": p.email} for p in options.people],
        "involved": ",".join(sorted(options.involved)),
        "authorChoices": [{"title": f"{s.person.name} — {s.why}", "value": str(s.person.id)}
                          for s in options.authors],
        "authorDefault": str(options.authors[0].person.id) if options.authors else "",
        "noAuthors": not options.authors,
        "excluded": [{"text": f"{e.person.name}: {e.reason}"} for e in options.authors_excluded],
        "hasExcluded": bool(options.authors_excluded),
        "qaChoices": [{"title": f"{s.person.name} — {s.why}", "value": str(s.person.id)}
                      for s in options.qa_leads],
        "qaDefault": str(options.qa_leads[0].person.id) if options.qa_leads else "",
        "history": [{"text": line} for line in options.history],
        "hasHistory": bool(options.history),
        "pending": options.pending is not None,
        "error": error,
    }


def allocation_offer(review: Review, allocation_id: int, author: Person, qa_lead: Person,
                     calendar) -> OutgoingNotification:
    from imr_bot.domain.allocation import INDEPENDENCE_DECLARATION

    plan = review.plan
    return OutgoingNotification(
        key=f"allocation:{allocation_id}:offer", recipient=person_recipient(author),
        kind="allocation_offer", review_id=review.id, about=About(allocation_id=allocation_id),
        payload={"card": "allocation_offer", "data": {
            "greeting": author.first_name, "reference": review.reference,
            "reviewType": review.review_type.title, "qaLead": qa_lead.name,
            "scoping": format_date(plan.due[Milestone.SCOPING_MEETING]),
            "reportDue": format_date(plan.due[Milestone.REPORT_TO_QA]),
            "ddscpDue": format_date(plan.deadline), "allocationId": allocation_id,
            "declaration": INDEPENDENCE_DECLARATION}})


def allocation_declined_data(author: Person, reason: str, options) -> dict:
    """The allocation card again, for the Head of CP, saying who declined and why."""
    data = allocate_card_data(options)
    data["error"] = f"{author.name} declined: {reason}. Please choose someone else."
    return data


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
    return stale_reason(kind, about, Circumstances(
        review_stage=stage,
        allocation_status=allocation.status if allocation is not None else None,
        meeting_status=meeting.status if meeting is not None else None,
        meeting_sequence=meeting.sequence if meeting is not None else None))


# -- events to outbox entries ---------------------------------------------------------------------
async def publish(uow, events, now, fill=None, approvers=None) -> int:
    """Queue, in the use case's unit of work (so with its change, in one transaction), what the
    notification policy says each event calls for. `fill(notice, person)`: a card notice's data
    for one recipient; `approvers(level)`: who decides that level now. Returns how many were
    queued (a key already queued is not queued again)."""
    queued = 0
    for event in events:
        for message in messages_for(event):
            if isinstance(message, ChannelPost):
                queued += await uow.outbox.queue(_channel_entry(message), now)
                continue
            for person in await _recipients(uow, message.to, approvers):
                payload = ({"text": message.text} if message.text else
                           {"card": message.card, "data": await fill(message, person)})
                about = (About(allocation_id=message.allocation_id)
                         if message.allocation_id is not None else None)
                queued += await uow.outbox.queue(OutgoingNotification(
                    key=f"{message.key}:person:{person.id}", recipient=person_recipient(person),
                    kind=message.kind, review_id=event_review_id(event), payload=payload,
                    about=about), now)
    return queued


def event_review_id(event) -> int | None:
    review = getattr(event, "review", None)
    return review.review_id if review is not None else None


async def _recipients(uow, to, approvers) -> list[Person]:
    if isinstance(to, ToPerson):
        person = await uow.people.by_id(to.id)
        return [person] if person is not None else []
    if isinstance(to, ToHolders):
        return list(await uow.people.with_role(to.role))
    if isinstance(to, ToApprovers) and approvers is not None:
        return list(await approvers(to.level))
    raise TypeError(f"nobody to resolve {to!r} to")


def _channel_entry(post: ChannelPost) -> OutgoingNotification:
    if post.kind == "digest":
        # the facts as they stood, for delivery to render (imr_bot/teams/notice_views.py)
        payload = {"view": "digest", "facts": digest_facts(post)}
    else:
        payload = {"text": channel_text(post)}
    return OutgoingNotification(key=post.key, recipient=TRACKER, kind=post.kind,
                                review_id=post.review_id, payload=payload)


def digest_facts(post: ChannelPost) -> dict:
    """The daily digest as the policy passed it: references, stages, next dates and RAG."""
    (today,) = post.dates
    return {"day": today.isoformat(), "total": post.total, "lines": [
        {"reference": line.reference, "stage": line.stage, "milestone": line.milestone,
         "due": line.due.isoformat() if line.due else None, "left": line.working_days_left,
         "rag": line.rag.value} for line in post.lines]}
