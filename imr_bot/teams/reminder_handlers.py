"""A reminder card's buttons: "On it" and "Remind me on …"."""

from __future__ import annotations

from imr_bot.domain.dates import format_date
from imr_bot.domain.policy import Permission
from imr_bot.services import reminder_actions
from imr_bot.services.access import Target
from imr_bot.services.context import ServiceContext

from .commands import HandlerGroup, card_action
from .turn import Turn, parse_id


class ReminderHandlers(HandlerGroup):
    key = "reminders"

    def __init__(self, ctx: ServiceContext):
        self.ctx = ctx

    @card_action("reminder.ack", Permission.ANSWER_REMINDER, review=Target.REVIEW_ID)
    async def on_reminder_ack(self, turn: Turn, value: dict) -> None:
        review = await reminder_actions.acknowledge(
            self.ctx, turn.actor, parse_id(value.get("reviewId")), value.get("milestone"),
            value.get("kind"))
        await turn.say(f"Thank you: noted that you're on it for {review.reference}. The "
                       "reminders on the milestone's day, and after it if it is late, still go "
                       "out as planned.")

    @card_action("reminder.later", Permission.ANSWER_REMINDER, review=Target.REVIEW_ID)
    async def on_reminder_later(self, turn: Turn, value: dict) -> None:
        review, day = await reminder_actions.remind_me_on(
            self.ctx, turn.actor, parse_id(value.get("reviewId")), value.get("milestone"),
            value.get("remind_on"))
        await turn.say(f"All right: I'll remind you about {review.reference} on "
                       f"{format_date(day)}. What is due on the milestone's own day still "
                       "reaches you, and everyone it should, on that day.")
