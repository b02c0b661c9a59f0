"""The meeting cards' data, built in one place from what the meeting use cases give: the QA
lead's proposal (the draft queued to them, and the change form), each person's invitation (queued,
and again from their to-do list), the counter-proposal to the QA lead, the confirmed meeting and
the outcome forms. A queued notice carries the facts (services.meetings' dataclasses, as JSON)
and is rendered here at send time, the same way as a reply."""

from __future__ import annotations

from typing import Any

from imr_bot.clock import LONDON
from imr_bot.domain.dates import format_date
from imr_bot.domain.meetings import MeetingKind
from imr_bot.domain.urls import teams_meeting_link
from imr_bot.services.meetings import (
    ConfirmedMeeting,
    CounterProposal,
    Invitation,
    MeetingCard,
    OutcomeForm,
    Proposal,
    names_in_words,
    when_text,
)


def _day_and_time(starts) -> dict[str, str]:
    local = starts.astimezone(LONDON)
    return {"day": local.date().isoformat(), "time": f"{local:%H:%M}"}


def _names(names) -> str:
    return names_in_words(list(names)) or "nobody"


def _meeting(card: MeetingCard) -> dict[str, Any]:
    """What every meeting card shows one person: when, where (a Join button for a Teams
    link), with whom, and their own calendar link."""
    join = teams_meeting_link(card.location)
    return {"greeting": card.greeting, "reference": card.reference, "title": card.kind.title,
            "when": when_text(card.starts, card.minutes),
            "where": "Teams meeting (use Join)" if join else card.location or "to be confirmed",
            "joinUrl": join.url if join else "", "organiser": card.organiser,
            "participants": ", ".join(card.participants), "meetingId": card.meeting_id,
            **_day_and_time(card.starts), "sequence": card.sequence,
            "calendarPath": card.calendar_path}


def propose_data(proposal: Proposal) -> dict[str, Any]:
    """The QA lead's proposal card (cards/meeting_propose.json): the draft, or a change."""
    return {"reference": proposal.reference, "title": proposal.kind.title,
            "meetingId": proposal.meeting_id, "participants": ", ".join(proposal.participants),
            **_day_and_time(proposal.starts), "minutes": proposal.minutes,
            "location": proposal.location, "error": proposal.error, "resend": proposal.resend}


def invite_data(invitation: Invitation) -> dict[str, Any]:
    """The invitation as one person sees it: the answer buttons only if they may answer."""
    return {**_meeting(invitation), "note": invitation.note, "noAnswer": not invitation.may_answer}


def counter_data(counter: CounterProposal) -> dict[str, Any]:
    """To the QA lead: someone proposed another time."""
    return {"reference": counter.reference, "title": counter.kind.title, "who": counter.who,
            "proposed": when_text(counter.proposed, counter.minutes),
            "original": when_text(counter.starts, counter.minutes),
            "meetingId": counter.meeting_id, **_day_and_time(counter.proposed),
            "accepted": _names(counter.accepted), "awaiting": _names(counter.awaiting)}


def confirmed_data(confirmed: ConfirmedMeeting) -> dict[str, Any]:
    """The confirmed meeting to one participant, with only the buttons they may press; the
    others are told who will act. It says who agreed, and who did not."""
    recordable = confirmed.kind != MeetingKind.QA
    return {**_meeting(confirmed), "agreed": _names(confirmed.agreed),
            "proposedOther": _names(confirmed.proposed_other) if confirmed.proposed_other else "",
            "notAnswered": _names(confirmed.not_answered) if confirmed.not_answered else "",
            "isOrganiser": confirmed.may_organise,
            "recordable": recordable and confirmed.may_organise,
            "whoActs": (f"{confirmed.organiser} will record the outcome after the meeting."
                        if recordable and not confirmed.may_organise else "")}


def outcome_form(form: OutcomeForm) -> tuple[str, dict[str, Any]]:
    """The card (name, data) on which the QA lead records what the meeting decided."""
    data: dict[str, Any] = {
        "reference": form.reference, "title": form.kind.title, "meetingId": form.meeting_id,
        "heldOn": form.held_on.isoformat(),
        "attendeeChoices": [{"title": name, "value": str(p)} for p, name in form.attendees],
        "attendees": ",".join(str(p) for p, _ in form.attendees)}
    if form.kind == MeetingKind.SCOPING:
        data["milestones"] = [{"id": f"due_{m.value}",
                               "label": f"{m.title} (default {format_date(due)})",
                               "value": due.isoformat()} for m, due in form.milestones]
        return "meeting_outcome_scoping", data
    data["ddscp"] = form.ddscp.isoformat() if form.ddscp else ""
    return "meeting_outcome_midway", data


# view name: (card file, data from the queued facts), registered in notice_views.VIEWS
VIEWS = {
    "meeting_propose": ("meeting_propose", lambda f: propose_data(Proposal.from_facts(f))),
    "meeting_invite": ("meeting_invite", lambda f: invite_data(Invitation.from_facts(f))),
    "meeting_counter": ("meeting_counter", lambda f: counter_data(CounterProposal.from_facts(f))),
    "meeting_confirmed": ("meeting_confirmed",
                          lambda f: confirmed_data(ConfirmedMeeting.from_facts(f))),
}
