"""Handlers for meetings: the QA lead sends and confirms, participants answer, the QA lead
records the outcome."""

from __future__ import annotations

from imr_bot.domain.dates import format_date
from imr_bot.domain.errors import MomentPassed
from imr_bot.domain.inputs import whole_number
from imr_bot.domain.meetings import MeetingStatus
from imr_bot.domain.policy import Permission
from imr_bot.services import identity, meetings, notifications
from imr_bot.services.access import Target
from imr_bot.services.context import ServiceContext

from . import meeting_views
from .commands import HandlerGroup, card_action, command, first_word
from .turn import Turn, parse_id
from .views import meetings_table, outcome_data


class MeetingHandlers(HandlerGroup):
    """Meetings: the QA lead sends and confirms, participants answer, the QA lead records."""

    key = "meetings"

    def __init__(self, ctx: ServiceContext):
        self.ctx = ctx


    @command("meeting", "meeting REF [qa]", "A review's meetings and what is awaited from whom; "
             "“qa” lets the QA lead arrange a meeting with the author during QA.",
             Permission.VIEW_STATUS, review=first_word, group="Meetings")
    async def meeting(self, turn: Turn, args: str) -> None:
        words = args.split()
        if not words:
            await turn.say("Tell me the review, e.g. `imr meeting DDSCP/CSPR/2026/014`.")
            return
        if len(words) > 1 and words[1].lower() == "qa":
            await meetings.propose_qa_meeting(self.ctx, turn.actor, words[0])
            turn.deliver_soon()
            await turn.say("A draft QA and author meeting is on its way to you to adjust and send.")
            return
        review, lines = await meetings.overview(self.ctx, turn.actor, words[0])
        if not lines:
            await turn.say(f"{review.reference} has no meetings yet: the scoping meeting is "
                           "arranged once the author accepts.")
            return
        await turn.card("table", meetings_table(review.reference, lines))

    @card_action("meeting.send", Permission.ORGANISE_MEETING, review=Target.MEETING_ID)
    async def on_meeting_send(self, turn: Turn, value: dict) -> None:
        sent = await meetings.send(self.ctx, turn.actor, parse_id(value.get("meetingId")),
                                   str(value.get("day") or ""), str(value.get("time") or ""),
                                   str(value.get("minutes") or "60"),
                                   str(value.get("location") or ""))
        meeting = sent.meeting
        when = meetings.when_text(meeting.starts, meeting.minutes)
        if not sent.changed:
            await turn.say(sent.said)
            return
        turn.deliver_soon()
        if sent.place_only:
            said = (f"Updated the place for {when}. The time has not changed, so the answers "
                    "already given stand; "
                    + ("everyone is sent the confirmed meeting with the new place."
                       if meeting.status == MeetingStatus.CONFIRMED else
                       "whoever has still to answer is sent the new details."))
        else:
            said = (f"Sent: {when}. I'll tell you if anyone proposes another time, and when it "
                    "is confirmed.")
        for person in await identity.not_reached(self.ctx, list(sent.asked)):
            said += " " + notifications.will_reach_when_they_open(person, "the invitation")
        await turn.say(said)

    @card_action("meeting.change", Permission.ORGANISE_MEETING, review=Target.MEETING_ID)
    async def on_meeting_change(self, turn: Turn, value: dict) -> None:
        proposal = await meetings.change_form(self.ctx, turn.actor,
                                              parse_id(value.get("meetingId")))
        await turn.card("meeting_propose", meeting_views.propose_data(proposal))

    @card_action("meeting.accept", Permission.ANSWER_MEETING, review=Target.MEETING_ID)
    async def on_meeting_accept(self, turn: Turn, value: dict) -> None:
        await self._answer_meeting(turn, value, accept=True)

    @card_action("meeting.propose", Permission.ANSWER_MEETING, review=Target.MEETING_ID)
    async def on_meeting_propose(self, turn: Turn, value: dict) -> None:
        await self._answer_meeting(turn, value, accept=False)

    async def _answer_meeting(self, turn: Turn, value: dict, *, accept: bool) -> None:
        """The invitation pressed then shows the answer, without buttons; one pressed after its
        moment (moved, confirmed, held) says what became of the meeting."""
        try:
            meeting, said = await meetings.answer(
                self.ctx, turn.actor, parse_id(value.get("meetingId")), accept=accept,
                day=str(value.get("day") or ""), time_text=str(value.get("time") or ""),
                sequence=whole_number(value.get("sequence"), low=0))
        except MomentPassed as passed:
            await turn.replace_pressed_card("outcome", outcome_data(
                f"IMR {passed.reference}" if passed.reference else "Meeting", str(passed),
                colour="Warning"))
            await turn.say(str(passed))
            return
        turn.deliver_soon()
        day = format_date(self.ctx.clock.today())
        outcome = (f"Accepted by you, {day}." if accept else
                   f"You proposed another time, {day}; the QA senior lead will confirm.")
        await turn.replace_pressed_card("outcome", outcome_data(
            meeting.kind.title, outcome, colour="Good" if accept else "Default",
            facts=[("Proposed time", meetings.when_text(meeting.starts, meeting.minutes))]))
        await turn.say(said)

    @card_action("meeting.confirm", Permission.ORGANISE_MEETING, review=Target.MEETING_ID)
    async def on_meeting_confirm(self, turn: Turn, value: dict) -> None:
        confirmation = await meetings.confirm(self.ctx, turn.actor,
                                              parse_id(value.get("meetingId")),
                                              str(value.get("day") or ""),
                                              str(value.get("time") or ""))
        meeting = confirmation.meeting
        when = meetings.when_text(meeting.starts, meeting.minutes)
        turn.deliver_soon()
        if confirmation.confirmed:
            await turn.say(f"Confirmed for {when}, agreed by {confirmation.agreed}; everyone "
                           "gets the confirmed meeting and a calendar invitation.")
            return
        await turn.say(f"Moved to {when}, agreed by {confirmation.agreed}. "
                       f"{confirmation.asked_again} {'is' if len(confirmation.asked) == 1 else 'are'}"
                       " asked to accept the new time or propose another (an answer to the "
                       "earlier time does not carry over). The meeting is confirmed as soon as "
                       "everyone has accepted, and I'll tell you.")

    @card_action("meeting.outcome", Permission.ORGANISE_MEETING, review=Target.MEETING_ID)
    async def on_meeting_outcome(self, turn: Turn, value: dict) -> None:
        form = await meetings.outcome_form(self.ctx, turn.actor,
                                           parse_id(value.get("meetingId")))
        await turn.card(*meeting_views.outcome_form(form))

    @card_action("meeting.record", Permission.ORGANISE_MEETING, review=Target.MEETING_ID)
    async def on_meeting_record(self, turn: Turn, value: dict) -> None:
        recorded = await meetings.record_outcome(self.ctx, turn.actor,
                                                 parse_id(value.get("meetingId")), value)
        turn.deliver_soon()
        await turn.say(f"Recorded. {recorded.said}")
