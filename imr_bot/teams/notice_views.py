"""Cards for queued notifications, rendered at send time from the facts the outbox carries (what
happened, frozen when it was queued): the same way a reply's card is built from a service's
plain result. An outbox payload {"view": name, "facts": {...}} is rendered here; a payload that
is already a text or a card (queued before, or not yet moved here) is sent as it is."""

from __future__ import annotations

from datetime import date

from imr_bot.domain.dates import format_date
from imr_bot.domain.rag import Rag
from imr_bot.domain.words import plural
from imr_bot.services.notifications import RAG_COLOURS, days_left_words

from . import allocation_views


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
                        "There are no open reviews.", "rows": rows}


# view name: (card file, data from the facts)
VIEWS = {"digest": ("digest", digest_card),
         "allocate": ("allocate", allocation_views.allocate_data),
         "allocation_offer": ("allocation_offer", allocation_views.offer_data),
         "escalation": ("escalation", allocation_views.escalation_data)}


def render(payload: dict) -> dict:
    """An outbox payload as what is sent: {"card": name, "data": {...}} or {"text": ...}."""
    if "view" not in payload:
        return payload
    card, build = VIEWS[payload["view"]]
    return {"card": card, "data": build(payload["facts"])}
