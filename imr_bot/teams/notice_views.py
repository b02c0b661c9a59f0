"""Cards for queued notifications, rendered at send time from the facts the outbox carries (what
happened, frozen when it was queued): the same way a reply's card is built from a service's
plain result. An outbox payload {"view": name, "facts": {...}} is rendered here; a payload that
is already a text or a card (queued before, or not yet moved here) is sent as it is."""

from __future__ import annotations

from datetime import date

from imr_bot.documents.checker import stored_summary
from imr_bot.domain.dates import format_date, format_when
from imr_bot.domain.plan import Milestone
from imr_bot.domain.rag import Rag, deadline_text
from imr_bot.domain.stages import Stage
from imr_bot.domain.submissions import GUIDANCE_QUESTIONS, Decision, Level
from imr_bot.domain.words import in_sentence, plural
from imr_bot.services.approvals import ApprovalRound, ApprovalView
from imr_bot.services.notifications import RAG_COLOURS, days_left_words

from . import allocation_views, meeting_views


def digest_card(facts: dict) -> dict:
    """The tracker channel's daily card: references, stages, next dates, RAG."""
    rows = []
    for line in facts["lines"]:
        rag = Rag(line["rag"])
        due = date.fromisoformat(line["due"]) if line["due"] else None
        rows.append({"reference": line["reference"], "stage": line["stage"],
                     "milestone": line["milestone"], "due": format_date(due),
                     "left": line["left"], "daysLeft": days_left_words(line["left"]),
                     "rag": rag.title, "ragColour": RAG_COLOURS[rag]})
    return {"title": f"IMR tracker, {format_date(date.fromisoformat(facts['day']))}",
            "subtitle": f"{plural(facts['total'], 'open review')}, most urgent first." if rows else
                        "There are no open reviews.", "rows": rows, **_overdue_actions(facts)}


def _overdue_actions(facts: dict) -> dict:
    """The digest's lines for reviews with overdue actions (facts queued before there were
    any: none)."""
    lines = facts.get("actions") or []
    if not lines:
        return {"actionRows": [], "actionsHeading": ""}
    shown, total = len(lines), facts.get("actionsReviews") or len(lines)
    heading = f"Action plans with overdue actions: {plural(total, 'review')}"
    if total > shown:
        heading += f" (the {shown} most overdue shown; `imr actions overdue` has the rest)"
    return {"actionsHeading": heading + ".", "actionRows": [
        {"reference": line["reference"],
         "overdue": f"{line['overdue']} of {plural(line['total'], 'action')} overdue",
         "earliest": f"since {format_date(date.fromisoformat(line['earliest']))}"}
        for line in lines]}


def tracker_review_card(facts: dict) -> dict:
    """A review's one card in the tracker channel: reference, type, stage, the latest change and
    the dates still to come (nothing else: notification_policy.check_channel)."""
    stage = Stage(facts["stage"]) if facts.get("stage") else None
    dates = [{"title": title, "value": format_date(date.fromisoformat(due))}
             for title, due in facts.get("milestones") or ()]
    if not dates and facts.get("ddscp") and stage is not None and stage.is_open:
        dates = [{"title": "Submission to DDSCP", "value": format_date(
            date.fromisoformat(facts["ddscp"]))}]
    return {"title": f"IMR {facts['reference']} ({facts['reviewType']})",
            "stage": stage.title if stage is not None else "—",
            "latest": facts["headline"], "dates": dates, "hasDates": bool(dates),
            "closed": stage is not None and not stage.is_open}
def _working_days(left: int) -> str:
    if left < 0:
        return f"{-left} working day{'s' if left != -1 else ''} overdue"
    return f"{left} working day{'s' if left != 1 else ''} left"


def _round(done: ApprovalRound) -> dict:
    what = ("approved it" if done.decision == Decision.APPROVED else "asked for amendments")
    return {"heading": f"Version {done.version}: {done.by} ({done.level.title}) {what}",
            "at": format_when(done.at), "comment": done.comment}


def approval_card(view: ApprovalView) -> dict:
    """The approval card's data (cards/approval.json), however it is shown: queued to the
    approvers, answered to a click, refreshed, or opened from the todo list."""
    decided = view.decided
    status = "Waiting for a decision"
    if decided is not None:
        status = f"{decided.decision.title} by {decided.by} on {format_when(decided.at)}"
    elif view.version != view.latest:
        status = f"Superseded by version {view.latest}"
    check_text, check_colour = stored_summary(view.check_summary)
    if view.deadline is None:  # queued before the card counted to the deadline
        due = f"{view.milestone}: {format_date(view.due)}"
        if view.working_days_left is not None:
            due += f" ({_working_days(view.working_days_left)})"
    else:  # the one count of days left, to the review's deadline, whatever the stage
        due = deadline_text(view.deadline, view.working_days_left)
        if view.milestone != Milestone.DDSCP_SUBMISSION.title:
            due = f"{view.milestone} by {format_date(view.due)}; {in_sentence(due)}"
    asking = view.can_decide and view.confirm_unticked
    return {
        "reference": view.reference, "levelTitle": view.level.title, "version": view.version,
        "level": view.level.value, "reviewId": view.review_id,
        "submittedAt": format_when(view.submitted_at),
        "due": due,
        "documents": [{"title": f"{d.kind.title()}: {d.filename}"
                                + (f" (carried forward from version {d.carried_from})"
                                   if d.carried_from else ""),
                       "url": d.url, "isLink": d.is_link} for d in view.documents],
        "carriedForward": "; ".join(
            f"The {d.kind} is carried forward unchanged from version {d.carried_from}."
            for d in view.documents if d.carried_from),
        "checklist": [{"id": f"check_{n}", "title": q} for n, q in enumerate(GUIDANCE_QUESTIONS)],
        "status": status, "decided": decided is not None,
        "comment": decided.comment if decided else "",
        "canDecide": view.can_decide and not asking, "error": view.error,
        "confirmUnticked": asking, "draftComment": view.draft_comment,
        "rounds": [_round(done) for done in view.rounds], "hasRounds": bool(view.rounds),
        "approvers": ", ".join(view.approvers), "userIds": list(view.approver_user_ids),
        "documentCheck": check_text, "documentCheckColour": check_colour,
        **_interviews(view),
    }


def amendments_card(facts: dict) -> dict:
    """To the author: amendments were asked for a version, by whom, at which level."""
    return {"reference": facts["reference"], "who": facts["who"],
            "levelTitle": Level(facts["level"]).title, "version": facts["version"],
            "comment": facts["comment"], "nextVersion": facts["version"] + 1}


def _interviews(view: ApprovalView) -> dict:
    """The review's interviews on the QA card, each one not yet agreed flagged."""
    outstanding = sum(not agreed for _, _, agreed in view.interviews)
    return {
        "hasInterviews": bool(view.interviews),
        "interviewsSummary": (f"{len(view.interviews) - outstanding} agreed, {outstanding} "
                              "outstanding" + (": check the records not yet agreed before "
                                               "relying on them." if outstanding else ".")),
        "interviewsColour": "Attention" if outstanding else "Good",
        "interviews": [{"title": name, "value": status if agreed else f"Not yet agreed: {status}"}
                       for name, status, agreed in view.interviews]}


def _approval_from_facts(facts: dict) -> dict:
    return approval_card(ApprovalView.from_facts(facts))


# view name: (card file, data from the facts)
VIEWS = {"digest": ("digest", digest_card),
         "tracker_review": ("tracker_review", tracker_review_card),
         "allocate": ("allocate", allocation_views.allocate_data),
         "allocation_offer": ("allocation_offer", allocation_views.offer_data),
         "escalation": ("escalation", allocation_views.escalation_data),
         "approval": ("approval", _approval_from_facts),
         "amendments": ("amendments", amendments_card),
         **meeting_views.VIEWS}


def render(payload: dict) -> dict:
    """An outbox payload as what is sent: {"card": name, "data": {...}} or {"text": ...}."""
    if "view" not in payload:
        return payload
    card, build = VIEWS[payload["view"]]
    return {"card": card, "data": build(payload["facts"])}
