"""Cards for queued notifications, rendered at send time from the facts the outbox carries (what
happened, frozen when it was queued): the same way a reply's card is built from a service's
plain result. An outbox payload {"view": name, "facts": {...}} is rendered here; a payload that
is already a text or a card (queued before, or not yet moved here) is sent as it is."""

from __future__ import annotations

from datetime import date

from imr_bot.domain.dates import format_date
from imr_bot.domain.rag import Rag
from imr_bot.domain.stages import Stage
from imr_bot.services.notifications import RAG_COLOURS, days_left_words

from . import allocation_views


def _reviews(count: int) -> str:
    return f"{count} open review" + ("" if count == 1 else "s")


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
            "subtitle": f"{_reviews(facts['total'])}, most urgent first." if rows else
                        "There are no open reviews.", "rows": rows}


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


# view name: (card file, data from the facts)
VIEWS = {"digest": ("digest", digest_card),
         "tracker_review": ("tracker_review", tracker_review_card),
         "allocate": ("allocate", allocation_views.allocate_data),
         "allocation_offer": ("allocation_offer", allocation_views.offer_data),
         "escalation": ("escalation", allocation_views.escalation_data)}


def render(payload: dict) -> dict:
    """An outbox payload as what is sent: {"card": name, "data": {...}} or {"text": ...}."""
    if "view" not in payload:
        return payload
    card, build = VIEWS[payload["view"]]
    return {"card": card, "data": build(payload["facts"])}
