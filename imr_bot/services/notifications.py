"""What the bot tells people, as outbox entries. Delivery is the Teams room's job.

Messages to a channel are built here from a whitelist (reference, review type, stage and dates)
and nothing else: no initials, no names, no notes.
"""

from __future__ import annotations

from imr_bot.domain.dates import format_date
from imr_bot.domain.notification import OutgoingNotification
from imr_bot.domain.people import Person
from imr_bot.domain.plan import Milestone
from imr_bot.domain.review import Review

TRACKER = "tracker"


def person_recipient(person: Person) -> str:
    return f"person:{person.id}"


def new_review_for_head_of_cp(review: Review, head: Person, logged_by: str) -> OutgoingNotification:
    plan = review.plan
    return OutgoingNotification(
        key=f"review:{review.id}:new_review:person:{head.id}",
        recipient=person_recipient(head), kind="new_review", review_id=review.id,
        payload={"card": "new_review", "data": {
            "reference": review.reference, "reviewType": review.review_type.value,
            "reviewTypeTitle": review.review_type.title, "body": review.body.value,
            "received": format_date(review.received),
            "allocationDue": format_date(plan.due[Milestone.ALLOCATION]),
            "ddscpDue": format_date(plan.deadline), "loggedBy": logged_by,
            "greeting": head.first_name}})


def channel_line(review: Review, headline: str) -> str:
    """The whole of what a channel may learn about a review."""
    plan = review.plan
    return (f"{headline}: **{review.reference}** ({review.review_type.value}). "
            f"Allocation and scoping due {format_date(plan.due[Milestone.SCOPING_MEETING])}; "
            f"submission to DDSCP due {format_date(plan.deadline)}.")


def new_review_for_tracker(review: Review) -> OutgoingNotification:
    return OutgoingNotification(
        key=f"review:{review.id}:new_review:tracker", recipient=TRACKER, kind="new_review",
        review_id=review.id, payload={"text": channel_line(review, "New IMR logged")})


def stage_line_for_tracker(review: Review, headline: str, key_suffix: str) -> OutgoingNotification:
    """A change of stage, for the tracker channel: reference, stage and the DDSCP date."""
    return OutgoingNotification(
        key=f"review:{review.id}:stage:{key_suffix}", recipient=TRACKER, kind="stage_change",
        review_id=review.id,
        payload={"text": f"{headline}: **{review.reference}** ({review.review_type.value}) is now "
                         f"{review.stage.title.lower()}; submission to DDSCP due "
                         f"{format_date(review.plan.deadline)}."})
