"""`imr new`: log a commission, by filling in a card form or by typing answers one at a time.

Nothing is saved until the user confirms. Values are kept across mistakes: a wrong field is shown
again with its error beside it, and every other value stays as entered. `cancel` at any step ends
the dialog and saves nothing. State lives in the dialog stack, stored in the database, so a
restart of the bot does not lose a half-finished commission.
"""

from __future__ import annotations

import re
from typing import Any

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.dialogs import Dialog, DialogContext, DialogTurnResult

from imr_bot.domain.commission_form import (
    COMMISSION_FIELDS,
    FIELDS_BY_NAME,
    FieldError,
    form_value,
    without_refused_names,
)
from imr_bot.domain.errors import DomainError, ValidationFailed
from imr_bot.services import commissioning
from imr_bot.services.context import ServiceContext
from imr_bot.teams import views
from imr_bot.teams.card_templates import CardLibrary
from imr_bot.teams.turn_state import ACTOR_KEY, OUTBOX_KEY

CANCEL_WORDS = {"cancel", "stop", "quit", "exit", "abort"}
CONFIRM_WORDS = {"confirm", "yes", "y", "ok", "save"}
CHANGE_WORDS = {"change", "edit", "no", "back", "form"}
TYPE_WORDS = {"type", "text", "typed", "step", "steps", "questions"}
FIELD_NAMES = [f.name for f in COMMISSION_FIELDS]
_IMR = re.compile(r"^/?imr\s+", re.IGNORECASE)



class NewReviewDialog(Dialog):
    ID = "new_review"

    def __init__(self, ctx: ServiceContext, cards: CardLibrary):
        super().__init__(self.ID)
        self._ctx = ctx
        self._cards = cards

    # -- lifecycle ------------------------------------------------------------------------
    async def begin_dialog(self, dc: DialogContext, options: Any = None) -> DialogTurnResult:
        state = dc.active_dialog.state
        state.update({"values": {}, "phase": "collect", "mode": "form", "field": None,
                      "checked": False})
        prefilled = (options or {}).get("values") if isinstance(options, dict) else None
        if prefilled:
            state["values"] = _pick_fields(prefilled)
            return await self._check(dc, state)
        await self._send_form(dc.context, state["values"], {})
        return Dialog.end_of_turn

    async def continue_dialog(self, dc: DialogContext) -> DialogTurnResult:
        state = dc.active_dialog.state
        activity = dc.context.activity
        value = activity.value if isinstance(activity.value, dict) else None
        if value is not None:
            return await self._on_card(dc, state, value)
        text = _IMR.sub("", (activity.text or "").strip())  # `imr cancel` is `cancel`
        word = text.lower().strip(" .!")
        if word in CANCEL_WORDS:
            return await self._cancel(dc)
        if state["phase"] == "confirm":
            if word in CONFIRM_WORDS:
                return await self._confirm(dc, state)
            if word in CHANGE_WORDS:
                return await self._back_to_form(dc, state, {})
            await dc.context.send_activity(
                "Reply **confirm** to log it, **change** to edit it, or **cancel**.")
            return Dialog.end_of_turn
        if state["mode"] == "form":
            return await self._typed_while_form(dc, state, word, text)
        return await self._on_answer(dc, state, text)

    def takes_as_answer(self, state: dict, text: str) -> bool:
        """Whether a message that is also a command's name (`status`, `new`) is, at this step,
        an answer the dialog reads; if not, the bot takes it as the command (an interruption)."""
        word = text.lower().strip(" .!")
        if word in CANCEL_WORDS:
            return True
        if state.get("phase") == "confirm":
            return word in CONFIRM_WORDS | CHANGE_WORDS
        if state.get("mode") == "form":
            return word in TYPE_WORDS
        name = state.get("field")
        if name == "notes":
            return True  # free text: only a typed `imr COMMAND` interrupts it
        if name not in FIELDS_BY_NAME:
            return False
        try:
            FIELDS_BY_NAME[name].parse(text, self._ctx.clock.today())
        except FieldError:
            return False
        # a bare word such as "status" reads as a reference, but no review is called that
        return name != "reference" or any(c.isdigit() or c == "/" for c in text)

    async def _typed_while_form(self, dc: DialogContext, state: dict, word: str,
                                text: str) -> DialogTurnResult:
        """A message while the form is out. `type` turns to typed questions; before the form was
        ever sent back, a first answer that reads as the reference starts them, said so; else
        the form stays the form."""
        today = self._ctx.clock.today()
        first = self._next_field(state["values"], start=0)
        if word in TYPE_WORDS:
            state["mode"], state["field"] = "typed", first
            if first is None:  # the form's values all read; what was refused is asked again
                return await self._all_answered(dc, state)
            await self._ask(dc.context, first)
            return Dialog.end_of_turn
        if not state.get("checked") and first == "reference" and not any(state["values"].values()):
            try:
                FIELDS_BY_NAME["reference"].parse(text, today)
            except FieldError:
                pass
            else:
                state["mode"], state["field"] = "typed", "reference"
                await dc.context.send_activity("I'll take typed answers instead of the form.")
                return await self._on_answer(dc, state, text)
        await dc.context.send_activity(
            "You have the form above: fill it in and press **Check and show the plan**. Reply "
            "**type** to answer the questions one at a time instead, or **cancel** to stop.")
        return Dialog.end_of_turn

    # -- card path --------------------------------------------------------------------------
    async def _on_card(self, dc: DialogContext, state: dict, value: dict) -> DialogTurnResult:
        verb = value.get("verb")
        if verb == "new_review.cancel":
            return await self._cancel(dc)
        if verb == "new_review.check":
            state["values"] = _pick_fields(value)
            state["mode"], state["checked"] = "form", True
            return await self._check(dc, state)
        if verb == "new_review.resume":
            return await self.resume(dc, state)
        if verb == "new_review.restart":
            await dc.context.send_activity("Starting again: nothing from before is kept.")
            return await self.begin_dialog(dc)
        if verb == "new_review.confirm":
            if state["phase"] != "confirm":
                await dc.context.send_activity("Please check the form first.")
                return Dialog.end_of_turn
            return await self._confirm(dc, state)
        if verb == "new_review.change":
            return await self._back_to_form(dc, state, {})
        await dc.context.send_activity(
            "You're in the middle of logging a commission: finish the form, or reply **cancel**.")
        return Dialog.end_of_turn

    async def resume(self, dc: DialogContext, state: dict) -> DialogTurnResult:
        """Back to where the person was: the confirmation, the form (its errors said again),
        or the question last asked."""
        if state["mode"] == "typed" and state["phase"] != "confirm":
            if state["field"] is None:
                return await self._all_answered(dc, state)
            await self._ask(dc.context, state["field"])
            return Dialog.end_of_turn
        if state["phase"] == "confirm" or any(state["values"].values()):
            return await self._check(dc, state)
        await self._send_form(dc.context, state["values"], {})
        return Dialog.end_of_turn

    async def _check(self, dc: DialogContext, state: dict) -> DialogTurnResult:
        try:
            checked = await commissioning.check(self._ctx, dc.context.turn_state[ACTOR_KEY],
                                                state["values"])
        except ValidationFailed as failed:
            return await self._back_to_form(dc, state, failed.errors)
        state["phase"] = "confirm"
        card = self._cards.render("new_review_confirm",
                                  views.confirm_data(checked.commission, checked.rows))
        await dc.context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))
        return Dialog.end_of_turn

    async def _back_to_form(self, dc: DialogContext, state: dict,
                            errors: dict[str, str]) -> DialogTurnResult:
        state["phase"], state["mode"] = "collect", "form"
        # a refused value that may be a name is not kept (the state is written after this
        # turn), nor shown back on the form; the reason beside its field says why
        state["values"] = without_refused_names(state["values"], self._ctx.clock.today())
        await self._send_form(dc.context, state["values"], errors)
        return Dialog.end_of_turn

    async def _send_form(self, context: TurnContext, values: dict, errors: dict[str, str]) -> None:
        card = self._cards.render("new_review_form", views.form_data(values, errors))
        await context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))

    # -- typed path -------------------------------------------------------------------------
    async def _on_answer(self, dc: DialogContext, state: dict, text: str) -> DialogTurnResult:
        name = state["field"]
        if name not in FIELDS_BY_NAME:  # nothing was being asked: see what is still wanted
            return await self._all_answered(dc, state)
        form_field = FIELDS_BY_NAME[name]
        today = self._ctx.clock.today()
        try:
            held = form_value(name, text, today)  # "js" is held as "JS", "skip" as nothing
        except FieldError as error:
            await dc.context.send_activity(f"{error}\n\n{form_field.question}")
            return Dialog.end_of_turn
        if name == "reference":
            in_use = await commissioning.reference_in_use(
                self._ctx, dc.context.turn_state[ACTOR_KEY], held)
            if in_use:
                await dc.context.send_activity(f"{in_use}\n\n{form_field.question}")
                return Dialog.end_of_turn
        state["values"][name] = held
        following = self._next_field(state["values"], start=FIELD_NAMES.index(name) + 1)
        if following is not None:
            state["field"] = following
            await self._ask(dc.context, following)
            return Dialog.end_of_turn
        return await self._all_answered(dc, state)

    async def _all_answered(self, dc: DialogContext, state: dict) -> DialogTurnResult:
        """Every field answered: the rules between them (and a reference in use), then the
        confirmation; a refusal asks its field again."""
        try:
            checked = await commissioning.check(self._ctx, dc.context.turn_state[ACTOR_KEY],
                                                state["values"])
        except ValidationFailed as failed:
            first = next(n for n in FIELD_NAMES if n in failed.errors)
            state["field"] = first
            await dc.context.send_activity(
                f"{failed.errors[first]}\n\n{FIELDS_BY_NAME[first].question}")
            return Dialog.end_of_turn
        state["phase"] = "confirm"
        card = self._cards.render("new_review_confirm",
                                  views.confirm_data(checked.commission, checked.rows))
        await dc.context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))
        await dc.context.send_activity("Reply **confirm** to log it, **change** to edit it, "
                                       "or **cancel**.")
        return Dialog.end_of_turn

    def _next_field(self, values: dict, start: int) -> str | None:
        """The first field from `start` not answered yet, or answered with what it refuses (an
        optional field answered with nothing is answered)."""
        today = self._ctx.clock.today()
        for form_field in COMMISSION_FIELDS[start:]:
            if form_field.name not in values:
                return form_field.name
            try:
                form_field.parse(str(values[form_field.name] or ""), today)
            except FieldError:
                return form_field.name
        return None

    async def _ask(self, context: TurnContext, name: str | None) -> None:
        if name is None:
            return
        number = FIELD_NAMES.index(name) + 1
        question = FIELDS_BY_NAME[name].question
        await context.send_activity(f"({number}/{len(FIELD_NAMES)}) {question}")

    # -- endings ----------------------------------------------------------------------------
    async def _confirm(self, dc: DialogContext, state: dict) -> DialogTurnResult:
        try:
            review = await commissioning.commission(self._ctx, dc.context.turn_state[ACTOR_KEY],
                                                    state["values"])
        except ValidationFailed as failed:
            return await self._back_to_form(dc, state, failed.errors)
        except DomainError as error:
            await dc.context.send_activity(str(error))
            return Dialog.end_of_turn
        dc.context.turn_state[OUTBOX_KEY] = True
        await dc.context.send_activity(
            f"Logged **{review.reference}**. The Head of CP & IRO has been asked to allocate an "
            f"author and a QA senior lead. Type `imr status {review.reference}` to follow it.")
        return await dc.end_dialog(review.reference)

    async def _cancel(self, dc: DialogContext) -> DialogTurnResult:
        await dc.context.send_activity("Cancelled: nothing was saved.")
        return await dc.cancel_all_dialogs()


def _pick_fields(value: dict) -> dict[str, str]:
    return {name: str(value.get(name) or "").strip() for name in FIELD_NAMES}
