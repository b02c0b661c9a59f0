"""The allocation cards' data, built in one place from the facts the allocation use cases give:
the Head of CP's allocation card (as a reply, and as the notice that an author declined) and the
author's offer card (as a notice, and again from their to-do list)."""

from __future__ import annotations

from datetime import date
from typing import Any

from imr_bot.domain.allocation import INDEPENDENCE_DECLARATION
from imr_bot.domain.dates import format_date


def _day(iso: str | None) -> str:
    return format_date(date.fromisoformat(iso)) if iso else ""


def allocate_data(facts: dict[str, Any], error: str = "") -> dict[str, Any]:
    """The Head of CP's allocation card: involved managers, ranked authors and QA leads."""
    authors, qa_leads = facts["authors"], facts["qaLeads"]
    declined = facts.get("declined")
    if declined and not error:
        error = f"{declined['author']} declined: {declined['reason']}. Please choose someone else."
    return {
        "reference": facts["reference"], "reviewType": facts["reviewType"],
        "received": _day(facts["received"]), "allocateBy": _day(facts["allocateBy"]),
        "ddscpDue": _day(facts["ddscpDue"]),
        "peopleChoices": [{"title": f"{p['name']} — {p['service'] or 'no service recorded'}",
                           "value": p["email"]} for p in facts["people"]],
        "involved": ",".join(facts["involved"]),
        "authorChoices": [{"title": f"{s['name']} — {s['why']}", "value": str(s["id"])}
                          for s in authors],
        "authorDefault": str(authors[0]["id"]) if authors else "",
        "noAuthors": not authors,
        "excluded": [{"text": f"{e['name']}: {e['reason']}"} for e in facts["excluded"]],
        "hasExcluded": bool(facts["excluded"]),
        "qaChoices": [{"title": f"{s['name']} — {s['why']}", "value": str(s["id"])}
                      for s in qa_leads],
        "qaDefault": str(qa_leads[0]["id"]) if qa_leads else "",
        "history": [{"text": line} for line in facts["history"]],
        "hasHistory": bool(facts["history"]),
        "pending": facts["pending"],
        "error": error,
    }


def offer_data(facts: dict[str, Any]) -> dict[str, Any]:
    """The author's offer card: the review, its QA lead, its dates and the declaration."""
    return {
        "greeting": facts["greeting"], "reference": facts["reference"],
        "reviewType": facts["reviewType"], "qaLead": facts["qaLead"],
        "scoping": _day(facts["scoping"]), "reportDue": _day(facts["reportDue"]),
        "ddscpDue": _day(facts["ddscpDue"]), "allocationId": facts["allocationId"],
        "declaration": INDEPENDENCE_DECLARATION}


def escalation_data(facts: dict[str, Any]) -> dict[str, Any]:
    """The Service Directors' and Head of CP's card when no author is allocated by Day 4."""
    return {
        "greeting": facts["greeting"], "reference": facts["reference"],
        "reviewId": facts["reviewId"], "milestone": facts["milestone"],
        "reviewType": facts["reviewType"], "received": _day(facts["received"]),
        "allocateBy": _day(facts["allocateBy"]), "ddscpDue": _day(facts["ddscpDue"]),
        "available": str(facts["available"]),
        "tried": [{"text": line} for line in facts["history"]]
        + [{"text": f"Not available: {e['name']} ({e['reason']})"} for e in facts["excluded"]]}
