"""The message action "Log as IMR commission" (a message extension action command on messages).

On any message (a partnership's request forwarded to the tracker channel, or pasted in chat) a
Business Services officer picks the action; Teams asks for a task module (`composeExtension/
fetchTask`) and the bot answers with the `imr new` form, prefilled with what
`domain.request_email` reads from the message, each such value marked for the officer to check.
The form's buttons come back as `composeExtension/submitAction`: "Check and show the plan"
validates like `imr new` and shows the confirmation; "Confirm and log it" logs the commission.
Nothing is kept between the two steps but the card itself: the confirmation carries the checked
values (a reference, types and dates, the initials the officer typed; never a name) in its
buttons' data. Nothing is logged until the officer confirms.
"""

from __future__ import annotations

import logging

from botbuilder.schema import Attachment
from botbuilder.schema.teams import (
    MessagingExtensionAction,
    MessagingExtensionActionResponse,
    TaskModuleContinueResponse,
    TaskModuleMessageResponse,
    TaskModuleTaskInfo,
)

from imr_bot.domain.commission_form import COMMISSION_FIELDS, without_refused_names
from imr_bot.domain.errors import DomainError, ValidationFailed
from imr_bot.domain.people import Actor
from imr_bot.domain.plain_text import plain
from imr_bot.domain.policy import Permission, require
from imr_bot.domain.request_email import read_request
from imr_bot.services import commissioning
from imr_bot.services.context import ServiceContext

from . import views
from .card_templates import CardLibrary

log = logging.getLogger(__name__)

COMMAND_ID = "logCommission"
TITLE = "Log as IMR commission"
FIELD_NAMES = [f.name for f in COMMISSION_FIELDS]
ADAPTIVE = "application/vnd.microsoft.card.adaptive"


def _task(card: dict) -> MessagingExtensionActionResponse:
    return MessagingExtensionActionResponse(task=TaskModuleContinueResponse(
        value=TaskModuleTaskInfo(title=TITLE, height="large", width="medium",
                                 # a plain dict: msrest writes a dict subclass (CardContent) out as its str()
                                 card=Attachment(content_type=ADAPTIVE, content=dict(card)))))


def _message(text: str) -> MessagingExtensionActionResponse:
    return MessagingExtensionActionResponse(task=TaskModuleMessageResponse(value=text))


def not_saved_message() -> MessagingExtensionActionResponse:
    """In the task module when the database is not answering: nothing was logged."""
    return _message("I couldn't do that: the IMR database isn't answering just now (it may be "
                    "restarting). Nothing was logged. Please try again in a minute.")


def message_text(action: MessagingExtensionAction | None) -> str:
    payload = action.message_payload if action is not None else None
    body = payload.body if payload is not None else None
    text = (body.content if body is not None else "") or ""
    subject = (payload.subject if payload is not None else "") or ""
    return f"{subject}\n{text}" if subject else text


class MessageAction:
    """The two invokes of the message action; the bot hands them over with the person asking."""

    def __init__(self, ctx: ServiceContext, cards: CardLibrary):
        self._ctx = ctx
        self._cards = cards

    def _form(self, values: dict[str, str], errors: dict[str, str],
              read: frozenset[str] = frozenset()) -> MessagingExtensionActionResponse:
        data = views.form_data(values, errors)
        data.update({"fromMessage": True, "read": {name: True for name in read}})
        return _task(self._cards.render("new_review_form", data))

    async def fetch_task(self, actor: Actor, action: MessagingExtensionAction | None
                         ) -> MessagingExtensionActionResponse:
        try:
            require(Permission.COMMISSION, actor)
        except DomainError as refused:
            return _message(str(refused))
        found = read_request(message_text(action), self._ctx.clock.today())
        return self._form(found.values, {}, found.read)

    async def submit_action(self, actor: Actor, action: MessagingExtensionAction | None
                            ) -> tuple[MessagingExtensionActionResponse, bool]:
        """The response, and whether a commission was logged (something queued for others)."""
        data = action.data if action is not None and isinstance(action.data, dict) else {}
        verb = data.get("verb")
        today = self._ctx.clock.today()
        try:
            if verb == "new_review.cancel":
                return _message("Cancelled: nothing was saved."), False
            if verb == "new_review.check":
                values = _pick(data)
                try:
                    checked = await commissioning.check(self._ctx, actor, values)
                except ValidationFailed as failed:
                    return self._form(without_refused_names(values, today), failed.errors), False
                card = self._cards.render("new_review_confirm",
                                          views.confirm_data(checked.commission, checked.rows))
                return _task(_carrying(card, values)), False
            if verb in ("new_review.confirm", "new_review.change"):
                values = _pick(data.get("values") if isinstance(data.get("values"), dict) else {})
                if verb == "new_review.change":
                    require(Permission.COMMISSION, actor)
                    return self._form(without_refused_names(values, today), {}), False
                try:
                    review = await commissioning.commission(self._ctx, actor, values)
                except ValidationFailed as failed:
                    return self._form(without_refused_names(values, today), failed.errors), False
                return _message(
                    f"Logged {review.reference}. The Head of CP & IRO has been asked to allocate "
                    f"an author and a QA senior lead. Type imr status {review.reference} in "
                    "the bot's chat to follow it."), True  # a pop-up shows plain text
        except DomainError as error:
            return _message(str(error)), False
        log.info("message action submit with an unknown verb %s", plain(str(verb))[:40])
        return _message("That form's data was not valid: nothing was saved."), False


def _pick(value: dict) -> dict[str, str]:
    return {name: str(value.get(name) or "").strip()[:1000] for name in FIELD_NAMES}


def _carrying(card: dict, values: dict[str, str]) -> dict:
    """The confirmation card with the checked values in its buttons' data: a task module keeps
    no state between its steps."""
    for element in card.get("actions", []):
        if element.get("type") == "Action.Submit" and isinstance(element.get("data"), dict):
            element["data"] = {**element["data"], "values": dict(values)}
    return card
