"""The to-do card's data (cards/todo.json): what is waiting for a person, grouped, soonest first,
with the button that does each step and the command that does it typed."""

from __future__ import annotations

from typing import Any

from imr_bot.domain.dates import format_date
from imr_bot.domain.plain_text import Markdown
from imr_bot.domain.todo import STEP_GROUPS, Step, Todo
from imr_bot.domain.words import plural
from imr_bot.services.todo import TodoList


def _buttons(item: Todo) -> list[dict[str, Any]]:
    ref, target = item.reference, item.target_id
    if item.step == Step.ANSWER_OFFER:
        return [{"title": "Answer the offer", "data": {"verb": "todo.offer", "allocationId": target}}]
    if item.step == Step.ANSWER_MEETING:
        return [{"title": "Accept", "data": {"verb": "meeting.accept", "meetingId": target}},
                {"title": "Propose another time",
                 "data": {"verb": "todo.invite", "meetingId": target}}]
    if item.step in (Step.SEND_MEETING, Step.CONFIRM_MEETING):
        return [{"title": "Open the meeting", "data": {"verb": "meeting.change", "meetingId": target}}]
    if item.step == Step.RECORD_OUTCOME:
        return [{"title": "Record the outcome",
                 "data": {"verb": "meeting.outcome", "meetingId": target}}]
    if item.step == Step.SUBMIT:
        return [{"title": "Submit documents", "data": {"verb": "todo.submit", "reference": ref}}]
    if item.step == Step.DECIDE:
        return [{"title": "Open the approval card", "data": {
            "verb": "todo.approval", "reviewId": item.review_id, "version": target,
            "level": item.level.value if item.level else ""}}]
    if item.step == Step.ALLOCATE:
        return [{"title": "Allocate", "data": {"verb": "allocate.start", "reference": ref}}]
    return [{"title": "Show the review", "data": {"verb": "status.review", "reference": ref}}]


def _typed(item: Todo) -> str:
    ref = item.reference
    return {
        Step.ANSWER_OFFER: f"imr accept {ref}, or imr decline {ref} REASON",
        Step.ANSWER_MEETING: f"imr accept {ref}",
        Step.SUBMIT: f"imr submit {ref}",
        Step.DECIDE: f"imr approve {ref}, or imr amend {ref} REASON",
        Step.ALLOCATE: f"imr allocate {ref}",
        Step.RECORD_DDSCP: f"imr submitted {ref} [DATE]",
        Step.INTERVIEW: f"imr interview agree {item.target_id}"
        if item.what.startswith("Agree") else f"imr interview attach {item.target_id}",
    }.get(item.step, f"imr meeting {ref}" if item.step.group == "Meetings" else "")


def todo_data(listed: TodoList, name: str) -> dict[str, Any]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in listed.items:
        groups.setdefault(item.step.group, []).append({
            "what": item.what, "reference": item.reference,
            "due": format_date(item.due) if item.due else "—",
            "dueTitle": "On" if item.step == Step.REMINDER else "By",
            "typed": _typed(item), "buttons": _buttons(item)})
    order = list(dict.fromkeys(STEP_GROUPS.values()))
    more = listed.total - len(listed.items)
    title, later = f"What's waiting for you, {name}", ""
    if listed.due_by is not None:
        title = f"What's waiting for you this week, {name}: due by {format_date(listed.due_by)}"
        if listed.later:
            later = Markdown(f"{plural(listed.later, 'more step')} "
                             f"{'is due later or has' if listed.later == 1 else 'are due later or have'}"
                             " no date: "
                             "`imr todo` shows them all.")
    return {
        "title": title,
        "subtitle": (f"{plural(listed.total, 'step')}, soonest first"
                     + (f"; the first {len(listed.items)} are shown" if more > 0 else "")
                     + ". Dates are when each is due."),
        "later": later,
        "groups": [{"title": g, "items": groups[g]} for g in order if g in groups],
    }
