"""Handlers for the action plan: Business Services (or the review's QA lead) add recommendations
and actions; an action's owner agrees, proposes a change, posts progress and marks it done from
their card; the QA lead (or the Service Director QPP) confirms the evidence or sends it back."""

from __future__ import annotations

import re

from imr_bot.domain.action_plan import ImpactDecision, progress, progress_words
from imr_bot.domain.dates import format_date
from imr_bot.domain.policy import Permission
from imr_bot.domain.roles import Role
from imr_bot.domain.words import plural
from imr_bot.services import action_plans, action_themes
from imr_bot.services.access import Target
from imr_bot.services.context import ServiceContext

from .commands import HandlerGroup, card_action, command, first_word
from .turn import Turn, parse_id
from .views import actions_table, outcome_data, themes_table

MANAGERS = frozenset({Role.BUSINESS_SERVICES, Role.QA_LEAD})
_PART = re.compile(r"\s*\|\s*(lesson|themes?)\s*:\s*", re.IGNORECASE)


def _plan_reference(args: str) -> str | None:
    """The review `imr actions` names: none for `mine` and `overdue`."""
    word = first_word(args)
    return None if word is None or word.lower() in ("mine", "overdue", "theme") else word


def _after_add(args: str) -> str | None:
    words = args.split()
    return words[1] if len(words) > 1 and words[0].lower() == "add" else None


def split_recommendation(text: str) -> tuple[str, str, str]:
    """`TEXT | lesson: … | themes: a, b` into the text, the lesson and the themes."""
    parts = _PART.split(text)
    found = {"lesson": "", "themes": ""}
    for label, value in zip(parts[1::2], parts[2::2], strict=False):
        found["themes" if label.lower().startswith("theme") else "lesson"] = value.strip()
    return parts[0].strip(), found["lesson"], found["themes"]


class ActionPlanHandlers(HandlerGroup):
    """The action plan: recommendations, actions, their owners and the evidence of impact."""

    key = "action_plan"

    def __init__(self, ctx: ServiceContext):
        self.ctx = ctx

    # -- commands ---------------------------------------------------------------------------------
    @command("recommend", "recommend REF TEXT [| lesson: …] [| themes: …]",
             "Add a recommendation to a review's action plan, with the lesson it flows from and "
             "its themes (Business Services or the review's QA lead).", Permission.VIEW_STATUS,
             review=first_word, audience=MANAGERS)
    async def recommend(self, turn: Turn, args: str) -> None:
        reference, _, rest = args.strip().partition(" ")
        text, lesson, themes = split_recommendation(rest)
        if not reference or not text:
            await turn.say("Tell me the review and the recommendation, e.g. `imr recommend "
                           "DDSCP/CSPR/2026/014 Supervision records the child's wishes | lesson: "
                           "the child's voice was lost | themes: voice of the child`. The themes "
                           "are: " + ", ".join(action_plans.themes(self.ctx)) + ".")
            return
        review, recommendation = await action_plans.add_recommendation(
            self.ctx, turn.actor, reference, text, lesson, themes)
        themed = (" Themes: " + ", ".join(recommendation.themes) + "."
                  if recommendation.themes else "")
        await turn.say(f"Recommendation {recommendation.number} is added to the action plan of "
                       f"{review.reference}.{themed} Add its actions with `imr action add "
                       f"{review.reference} {recommendation.number}`.")

    @command("action", "action add REF [NUMBER]", "Add an action to one of a review's "
             "recommendations, on a card: what, who, by when, the outcome and how it will be "
             "evaluated (Business Services or the review's QA lead).", Permission.VIEW_STATUS,
             scopes=frozenset({"personal"}), review=_after_add, audience=MANAGERS)
    async def action(self, turn: Turn, args: str) -> None:
        words = args.split()
        if len(words) < 2 or words[0].lower() != "add":
            await turn.say("Tell me the review, e.g. `imr action add DDSCP/CSPR/2026/014 1` "
                           "(1: the recommendation's number).")
            return
        number = int(words[2]) if len(words) > 2 and words[2].isdigit() and len(
            words[2]) < 6 else None
        await turn.card("action_form", await action_plans.action_form(
            self.ctx, turn.actor, words[1], number))

    @command("actions", "actions [REF | mine | overdue | theme THEME]", "A review's action plan, "
             "the actions you own, the actions that are overdue, or the actions under one theme "
             "across reviews.", Permission.VIEW_STATUS, review=_plan_reference)
    async def actions(self, turn: Turn, args: str) -> None:
        word = (first_word(args) or "mine").lower()
        if word == "theme":
            await self._theme(turn, args.strip()[len("theme"):])
            return
        if word == "mine":
            lines = await action_plans.mine(self.ctx, turn.actor)
            if not lines:
                await turn.say("You own no actions from an IMR action plan.")
                return
            await turn.card("table", actions_table(
                "Your actions", _counted(lines, self.ctx.clock.today()), lines))
            return
        if word == "overdue":
            lines = await action_plans.overdue(self.ctx, turn.actor)
            if not lines:
                await turn.say("No action is overdue.")
                return
            await turn.card("table", actions_table(
                "Overdue actions", f"{_plural(len(lines), 'action')} past "
                f"{'its' if len(lines) == 1 else 'their'} date, as of "
                f"{format_date(self.ctx.clock.today())}.", lines))
            return
        review, lines, recommendations = await action_plans.plan(self.ctx, first_word(args))
        if not lines:
            await turn.say(f"{review.reference} has {_plural(recommendations, 'recommendation')} "
                           "and no actions yet." + (f" Add one with `imr action add "
                                                    f"{review.reference}`." if recommendations
                                                    else ""))
            return
        await turn.card("table", actions_table(f"Action plan for {review.reference}",
                                               _counted(lines, self.ctx.clock.today()), lines))

    @command("themes", "themes", "The themes that keep coming back across reviews' action "
             "plans, and how many of their actions are done, overdue and evidenced.",
             Permission.VIEW_PERFORMANCE)
    async def themes(self, turn: Turn, args: str) -> None:
        counts = await action_themes.across_reviews(self.ctx, turn.actor)
        if not counts:
            await turn.say("No recommendation carries a theme yet. Themes are added with "
                           "`imr recommend REF TEXT | themes: …`.")
            return
        await turn.card("table", themes_table(counts))

    async def _theme(self, turn: Turn, text: str) -> None:
        theme, lines, counted = await action_themes.actions_for_theme(self.ctx, turn.actor, text)
        if not lines:
            await turn.say(f"No action is under a recommendation with the theme “{theme}” yet.")
            return
        subtitle = (f"{plural(counted.reviews, 'review')}: {counted.done} of "
                    f"{plural(counted.actions, 'action')} done; {counted.overdue} overdue; "
                    f"{counted.evidenced} with impact evidenced.")
        await turn.card("table", actions_table(f"Actions on {theme}", subtitle, lines))

    # -- the form ---------------------------------------------------------------------------------
    @card_action("action.add", Permission.MANAGE_ACTION_PLAN, review=Target.REFERENCE)
    async def on_action_add(self, turn: Turn, value: dict) -> None:
        review, action, owner = await action_plans.add_action(
            self.ctx, turn.actor, str(value.get("reference") or ""),
            value.get("recommendation"), str(value.get("what") or ""),
            str(value.get("owner") or ""), str(value.get("due") or ""),
            str(value.get("outcome") or ""), str(value.get("evaluation") or ""),
            str(value.get("immediate") or "").lower() == "true")
        turn.deliver_soon()
        await turn.show_card("outcome", outcome_data(
            f"Action added to {review.reference}",
            f"It is due {format_date(action.due)}. {owner.name} has been asked to agree it.",
            colour="Good"))

    # -- the owner's card -------------------------------------------------------------------------
    @card_action("action.agree", Permission.ANSWER_ACTION, review=None)
    async def on_agree(self, turn: Turn, value: dict) -> None:
        action = await action_plans.agree(self.ctx, turn.actor, parse_id(value.get("actionId")))
        await self._show_owner_card(turn, action.id, f"Thank you: you agreed this action, due "
                                                     f"{format_date(action.due)}.")

    @card_action("action.propose", Permission.ANSWER_ACTION, review=None)
    async def on_propose(self, turn: Turn, value: dict) -> None:
        action = await action_plans.propose(
            self.ctx, turn.actor, parse_id(value.get("actionId")), str(value.get("reason") or ""),
            str(value.get("due") or ""), str(value.get("owner") or ""))
        turn.deliver_soon()
        await self._show_owner_card(turn, action.id, "Your proposal is with Business Services "
                                                     "and the QA senior lead, who will accept it "
                                                     "or come back to you.")

    @card_action("action.update", Permission.ANSWER_ACTION, review=None)
    async def on_update(self, turn: Turn, value: dict) -> None:
        action = await action_plans.update(self.ctx, turn.actor, parse_id(value.get("actionId")),
                                           str(value.get("note") or ""))
        await self._show_owner_card(turn, action.id, "Progress posted.")

    @card_action("action.done", Permission.ANSWER_ACTION, review=None)
    async def on_done(self, turn: Turn, value: dict) -> None:
        action = await action_plans.done(self.ctx, turn.actor, parse_id(value.get("actionId")),
                                         str(value.get("link") or ""),
                                         str(value.get("evidence_note") or ""))
        turn.deliver_soon()
        await self._show_owner_card(turn, action.id, "Thank you: the action is done. Its evidence "
                                                     "has gone to be confirmed.")

    async def _show_owner_card(self, turn: Turn, action_id: int, said: str) -> None:
        await turn.show_card("action_owner", await action_plans.owner_card(
            self.ctx, turn.actor, action_id))
        await turn.say(said)

    # -- Business Services or the QA lead ---------------------------------------------------------
    @card_action("action.accept_change", Permission.MANAGE_ACTION_PLAN, review=Target.ACTION_ID)
    async def on_accept_change(self, turn: Turn, value: dict) -> None:
        action, owner = await action_plans.accept_change(self.ctx, turn.actor,
                                                         parse_id(value.get("actionId")))
        turn.deliver_soon()
        await turn.show_card("outcome", outcome_data(
            "Change accepted", f"The action is now due {format_date(action.due)}, owned by "
            f"{owner}, who has been told.", colour="Good"))

    @card_action("action.not_agreed", Permission.MANAGE_ACTION_PLAN, review=Target.ACTION_ID)
    async def on_not_agreed(self, turn: Turn, value: dict) -> None:
        await action_plans.not_agreed(self.ctx, turn.actor, parse_id(value.get("actionId")),
                                      str(value.get("reason") or ""))
        await turn.show_card("outcome", outcome_data(
            "Recorded as not agreed", "The reason is kept in the review's history.",
            colour="Warning"))

    # -- the QA lead (or the Service Director QPP) ------------------------------------------------
    @card_action("action.confirm", Permission.DECIDE_IMPACT, review=Target.ACTION_ID)
    async def on_confirm(self, turn: Turn, value: dict) -> None:
        await self._decide(turn, value, ImpactDecision.CONFIRMED)

    @card_action("action.send_back", Permission.DECIDE_IMPACT, review=Target.ACTION_ID)
    async def on_send_back(self, turn: Turn, value: dict) -> None:
        await self._decide(turn, value, ImpactDecision.SENT_BACK)

    async def _decide(self, turn: Turn, value: dict, decision: ImpactDecision) -> None:
        await action_plans.decide(self.ctx, turn.actor, parse_id(value.get("actionId")),
                                  decision, value.get("version"), str(value.get("comment") or ""))
        turn.deliver_soon()
        confirmed = decision == ImpactDecision.CONFIRMED
        await turn.show_card("outcome", outcome_data(
            "Impact confirmed" if confirmed else "Sent back",
            "The action's evidence shows its outcome; its owner has been told." if confirmed
            else "The owner has been told what is missing.",
            colour="Good" if confirmed else "Warning"))


def _counted(lines, today) -> str:
    return progress_words(progress([line.action for line in lines], today))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"

