"""The Teams activity handler: who is asking, what they asked, and the reply."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from botbuilder.core import ConversationState, InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsActivityHandler, TeamsInfo
from botbuilder.dialogs import Dialog, DialogSet
from botbuilder.schema import Activity, AdaptiveCardInvokeResponse, ChannelAccount

from imr_bot.config import Settings
from imr_bot.domain.errors import DomainError
from imr_bot.domain.people import Actor
from imr_bot.domain.plain_text import plain
from imr_bot.domain.policy import require
from imr_bot.services import access, identity
from imr_bot.services.context import ServiceContext
from imr_bot.services.failures import database_unavailable

from .activities import activity_tenant
from .attachments import pasted_links, teams_files
from .card_templates import CardLibrary
from .commands import (
    CARD_ACTIONS,
    REGISTRY,
    CardAction,
    Command,
    HandlerGroup,
    MissingArgument,
    has_command_prefix,
    normalise,
)
from .connector import wire
from .file_consent import on_file_consent_accept
from .message_action import MessageAction, not_saved_message
from .rate_limit import SlidingWindow
from .teams_turn import TeamsReplies
from .turn import Request, Turn
from .turn_state import ACTOR_KEY, OUTBOX_KEY

log = logging.getLogger(__name__)


def _invoke_card(card: dict) -> AdaptiveCardInvokeResponse:
    # a model, not a dict: CloudAdapter 4.17 fails on a plain dict body
    return AdaptiveCardInvokeResponse(status_code=200,
                                      type="application/vnd.microsoft.card.adaptive", value=card)

MEMBER_MISS_SECONDS = 600
HANDLED_INVOKES = {"adaptiveCard/action", "fileConsent/invoke",
                   "composeExtension/fetchTask", "composeExtension/submitAction"}
CLICK_NOT_SAVED = ("I couldn't save that: the IMR database isn't answering just now (it may be "
                   "restarting). Nothing was recorded. Please press Try again in a minute.")
SCOPES = {"personal": "personal", "channel": "team", "groupChat": "groupChat"}


@dataclass
class _Asked:
    """A typed command on its way through the pipeline."""

    text: str
    spec: Command | None = None
    args: str = ""
    values: dict = field(default_factory=dict)  # the declared arguments, typed


class ImrBot(TeamsActivityHandler):
    """The Teams room. The composition root (imr_bot.app) gives it the handler groups, the
    `imr new` dialog and the handler for files sent outside a command, built with their own
    dependencies; it reaches a handler only through the declaration table (commands.py)."""

    def __init__(self, ctx: ServiceContext, cards: CardLibrary, storage, *,
                 groups: Iterable[HandlerGroup], new_review: Dialog,
                 on_files: Callable[[Turn], Awaitable[bool]], delivery=None,
                 settings: Settings | None = None):
        self.ctx = ctx
        self.settings = settings or Settings()
        self.cards = cards
        self.delivery = delivery
        self.conversation_state = ConversationState(storage)
        self.dialogs = DialogSet(self.conversation_state.create_property("DialogState"))
        self._submitting = self.conversation_state.create_property("Submitting")
        self.dialogs.add(new_review)
        self._new_review_id = new_review.id
        self.groups: dict[str, HandlerGroup] = {group.key: group for group in groups}
        self._on_files = on_files
        self._saved_references: dict[str, str] = {}
        self._member_misses: dict[str, float] = {}
        self._command_windows: dict[str, SlidingWindow] = {}
        self.metrics = None  # set by the app: counts refused card actions
        self.message_action = MessageAction(ctx, cards)  # "Log as IMR commission" on a message

    # -- every turn -------------------------------------------------------------------------
    async def on_turn(self, turn_context: TurnContext) -> None:
        fresh = await self._remember_conversation(turn_context)
        await self._on_arrival(turn_context, fresh)
        await super().on_turn(turn_context)
        await self.conversation_state.save_changes(turn_context)
        if turn_context.turn_state.get(OUTBOX_KEY) and self.delivery is not None:
            # something was queued for other people: deliver it after this turn
            self.delivery.kick()

    @staticmethod
    def conversation_key(activity: Activity) -> str:
        conversation = activity.conversation
        kind = conversation.conversation_type or "personal"
        if kind == "personal":
            user = activity.from_property
            return f"user:{user.aad_object_id or user.id}"
        # a channel reply thread carries ";messageid=..." — the channel is the part before it
        return f"{'channel' if kind == 'channel' else 'chat'}:{conversation.id.split(';')[0]}"

    async def _remember_conversation(self, turn_context: TurnContext) -> bool:
        """Keep the conversation reference for proactive messages; True when it was written
        (first seen by this process, or changed)."""
        activity = turn_context.activity
        if not activity.conversation or not activity.from_property or activity.type not in (
                "message", "conversationUpdate", "installationUpdate", "invoke"):
            return False
        key = self.conversation_key(activity)
        reference = wire(TurnContext.get_conversation_reference(activity))
        # The message id changes on every turn, and a proactive message is a new message in the
        # conversation, not a reply to the last thing the user said: keep the reference stable,
        # so it is written once, not on every turn.
        reference.pop("activityId", None)
        if (activity.conversation.conversation_type or "personal") != "personal":
            reference["conversation"]["id"] = activity.conversation.id.split(";")[0]
        encoded = json.dumps(reference, sort_keys=True)
        if self._saved_references.get(key) == encoded:
            return False  # unchanged since we last saved it: no write on the hot path
        kind = key.split(":", 1)[0]
        await identity.remember_conversation(self.ctx, key, kind, reference)
        self._saved_references[key] = encoded
        return True

    async def _on_arrival(self, turn_context: TurnContext, fresh: bool) -> None:
        """The moment a person reaches the bot in their 1:1 chat (installs it, opens it, writes
        to it, after a restart or after Teams refused a message to them), what was held for them
        goes out at once, in order."""
        activity = turn_context.activity
        user = activity.from_property
        if (activity.conversation is None or user is None
                or (activity.conversation.conversation_type or "personal") != "personal"):
            return
        allowed = self.settings.tenant_allow_list
        if allowed and activity_tenant(activity) not in allowed:
            return  # a stranger: nothing is held for them
        if activity.type == "installationUpdate":
            arriving = not str(activity.action or "add").startswith("remove")
        elif activity.type == "conversationUpdate":
            arriving = bool(activity.members_added)
        else:
            arriving = fresh and activity.type in ("message", "invoke")
        person = (await self.ctx.unit_of_work.person_by_aad(user.aad_object_id)
                  if user.aad_object_id else None)
        if person is None and arriving:
            person = (await self.actor(turn_context)).person  # first contact: linked by email
        if person is None or not (arriving or person.unreachable_since is not None):
            return
        try:
            released = await identity.arrived(self.ctx, person)
        except Exception as error:
            if not database_unavailable(error):
                raise
            # the turn goes on (and says the database is not answering); the next arrival or
            # message after Teams refused one tries again
            log.warning("could not release held messages", exc_info=True)
            return
        if released and self.delivery is not None:
            self.delivery.kick()

    def _within_rate(self, who: str) -> bool:
        """A per-user limit on commands, so one stuck client cannot flood the bot."""
        window = self._command_windows.setdefault(
            who, SlidingWindow(self.settings.commands_per_minute, 60.0))
        now = time.monotonic()
        if window.wait_time(now) > 0:
            return False
        window.record(now)
        return True

    async def actor(self, turn_context: TurnContext) -> Actor:
        if ACTOR_KEY not in turn_context.turn_state:
            user = turn_context.activity.from_property or ChannelAccount()
            tenant, allowed = activity_tenant(turn_context.activity), self.settings.tenant_allow_list
            actor = await identity.identify(self.ctx, aad_object_id=user.aad_object_id,
                                            teams_user_id=user.id, name=user.name,
                                            tenant_id=tenant, allowed_tenants=allowed)
            if not actor.is_known and (not allowed or tenant in allowed):
                email = await self._teams_email(turn_context, user)
                if email:
                    actor = await identity.identify(
                        self.ctx, aad_object_id=user.aad_object_id, teams_user_id=user.id,
                        name=user.name, email=email, tenant_id=tenant, allowed_tenants=allowed)
            turn_context.turn_state[ACTOR_KEY] = actor
        return turn_context.turn_state[ACTOR_KEY]

    async def _teams_email(self, turn_context: TurnContext, user: ChannelAccount) -> str | None:
        """The user's email from the Teams members API, to link them to the directory on first
        contact. Misses are remembered for a while so strangers cost one lookup, not one a turn."""
        if turn_context.activity.channel_id != "msteams" or not user.id:
            return None
        now = time.monotonic()
        if self._member_misses.get(user.id, 0) > now:
            return None
        try:
            member = await TeamsInfo.get_member(turn_context, user.id)
        except Exception:  # not every conversation allows the lookup; the user stays unknown
            log.info("Teams member lookup failed for %s", user.id, exc_info=True)
            member = None
        email = (getattr(member, "email", None) or getattr(member, "user_principal_name", None)
                 if member else None)
        if not email:
            self._member_misses[user.id] = now + MEMBER_MISS_SECONDS
        return email

    def _turn(self, turn_context: TurnContext, actor: Actor, verb: str | None = None,
              data: dict | None = None) -> Turn:
        """The activity as the handlers see it: an SDK-neutral request and a reply sink."""
        activity = turn_context.activity
        kind = activity.conversation.conversation_type or "personal"
        channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
        channel = channel_data.get("channel")
        value = activity.value if isinstance(activity.value, dict) else None
        if activity.type == "message" and verb is None and value is not None:
            verb, data = value.get("verb"), value
        request = Request(
            actor=actor, scope=SCOPES.get(kind, "personal"),
            conversation_key=self.conversation_key(activity),
            conversation_name=channel.get("name") if isinstance(channel, dict) else None,
            text=normalise(activity.text) if activity.type == "message" else "",
            verb=verb if isinstance(verb, str) else None, data=data,
            files=tuple(teams_files(activity)) if activity.type == "message" else (),
            links=tuple(pasted_links(activity)) if activity.type == "message" else ())
        replies = TeamsReplies(turn_context, self.cards, self._submitting, self._begin_new_review)
        return Turn(request, replies, replies)

    async def _call(self, spec: Command | CardAction, turn: Turn, argument):
        """The declared handler: `spec.method` of the handler group `spec.owner`."""
        return await getattr(self.groups[spec.owner], spec.method)(turn, argument)

    # -- messages ---------------------------------------------------------------------------
    async def _has_active_dialog(self, turn_context: TurnContext) -> bool:
        """Look at the stored dialog stack without touching it: creating a dialog context on
        every message would write the conversation state back on every turn."""
        await self.conversation_state.load(turn_context)
        stored = self.conversation_state.get(turn_context) or {}
        dialog_state = stored.get("DialogState")
        return bool(dialog_state is not None and getattr(dialog_state, "dialog_stack", None))

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        """A message: who is asking and where (the turn), then the open dialog, a card's
        button, files sent to the personal chat, or a command, in that order."""
        # two independent reads: on PostgreSQL their round trips overlap
        actor, in_dialog = await asyncio.gather(self.actor(turn_context),
                                                self._has_active_dialog(turn_context))
        turn = self._turn(turn_context, actor)
        activity = turn_context.activity
        value = activity.value if isinstance(activity.value, dict) else None
        if in_dialog:
            await self._during_dialog(turn, turn_context, value)
            return
        if value is not None:
            await self._on_card_submit(turn, value)
            return
        if turn.scope == "personal" and REGISTRY.match(turn.request.text) is None:
            try:
                if await self._on_files(turn):
                    return
            except DomainError as error:
                await turn.say(str(error))
                return
        await self._run_command(turn, turn.request.text)

    async def _during_dialog(self, turn: Turn, turn_context: TurnContext, value) -> None:
        """While `imr new` runs, the dialog takes the turn, except a known command: typed as
        `imr COMMAND`, or as a command's words the dialog does not read as an answer at this
        step. Such a command is never read as an answer: it runs (`imr new` itself does not)
        and the person is asked whether to continue the commission or start again. A card's
        button reaches the dialog only if declared and permitted."""
        if value is not None and not await self._may_go_on(turn, value):
            return
        dialog_context = await self.dialogs.create_context(turn_context)
        match = REGISTRY.match(turn.request.text) if value is None else None
        if match is not None and not has_command_prefix(turn_context.activity.text):
            takes = getattr(self.dialogs.find_dialog(self._new_review_id), "takes_as_answer", None)
            active = dialog_context.active_dialog
            if takes is None or active is None or takes(active.state, turn.request.text):
                match = None
        if match is None:
            await dialog_context.continue_dialog()
            return
        if match[0].interrupts_dialog:
            await self._run_command(turn, turn.request.text)
            heading = "Your new commission is still open."
        else:
            heading = "You're already logging a new commission."
        await turn.card("new_review_interrupted", {
            "heading": heading,
            "detail": "Continue where you were, or start again with an empty form?"})

    # -- a command: one pipeline of named steps, each may end the turn with its answer ------------
    async def _run_command(self, turn: Turn, text: str) -> None:
        asked = _Asked(text)
        try:
            for step in (self._step_rate_limit, self._step_declared, self._step_scope,
                         self._step_permission, self._step_arguments, self._step_handler):
                if not await step(turn, asked):
                    return
        except DomainError as error:
            await turn.say(str(error))

    async def _step_rate_limit(self, turn: Turn, asked: _Asked) -> bool:
        if self._within_rate(turn.actor.key):
            return True
        await turn.say("You're sending commands very quickly; please wait a minute and try "
                       "again.")
        return False

    async def _step_declared(self, turn: Turn, asked: _Asked) -> bool:
        match = REGISTRY.match(asked.text)
        if match is None:
            await self._not_a_command(turn, asked.text)
            return False
        asked.spec, asked.args = match
        return True

    async def _step_scope(self, turn: Turn, asked: _Asked) -> bool:
        spec = asked.spec
        if turn.scope in spec.scopes:
            return True
        where = "our 1:1 chat" if spec.scopes == {"personal"} else "a channel"
        await turn.say(f"Please use `imr {spec.name}` in {where}.")
        return False

    async def _step_permission(self, turn: Turn, asked: _Asked) -> bool:
        """The directory role the declaration names; and a review it names must be one this
        person may see (else they are told what an unknown reference gets). Raises the
        refusal (DomainError)."""
        spec = asked.spec
        require(spec.permission, turn.actor)
        reference = spec.review(asked.args) if spec.review is not None else None
        if reference:
            await access.visible_review(self.ctx, turn.actor, reference)
        return True

    async def _step_arguments(self, turn: Turn, asked: _Asked) -> bool:
        """The declared arguments, parsed to typed values; one missing: the command's ask."""
        if not asked.spec.arguments:
            return True
        try:
            asked.values = asked.spec.parse(asked.args, today=self.ctx.clock.today())
        except MissingArgument:
            await turn.say(asked.spec.ask)
            return False
        return True

    async def _step_handler(self, turn: Turn, asked: _Asked) -> bool:
        spec = asked.spec
        if spec.arguments:
            await getattr(self.groups[spec.owner], spec.method)(turn, **asked.values)
        else:
            await self._call(spec, turn, asked.args)
        return True

    async def _not_a_command(self, turn: Turn, text: str) -> None:
        """A message that is no command: a natural question asking what is waiting for me is
        answered; otherwise the commands it may have meant (a phrase, or the nearest names to
        a typo), not the whole help card."""
        if not text:
            await self._call(REGISTRY.get("help"), turn, "")
            return
        try:
            meant = REGISTRY.phrase(text, turn.actor)
            command, _, rest = (meant or "").partition(" ")
            spec = REGISTRY.get(command)
            if spec is not None and spec.answers_questions and turn.scope in spec.scopes:
                await self._call(spec, turn, rest)
                return
        except DomainError as error:
            await turn.say(str(error))
            return
        suggestions = [meant] if meant else REGISTRY.near(text, turn.actor)
        shown = text if len(text) <= 40 else text[:40] + "…"
        if not suggestions:
            await turn.say(f"I don't know “{plain(shown)}”. Type `imr help` for the commands you can "
                           "use.")
            return
        await turn.card("did_you_mean", {"asked": shown, "suggestions": [
            {"text": f"imr {suggestion}"} for suggestion in suggestions]})

    async def _checked_action(self, turn: Turn, verb, data: dict, *,
                              invoke: bool) -> CardAction:
        """The declared action for a card's verb, if this person may take it with this data now;
        otherwise `access.Refused` (audited), the same for every reason."""
        action = CARD_ACTIONS.get(verb) if isinstance(verb, str) else None
        try:
            if action is None or (action.invoke is not None) != invoke:
                await access.refuse(self.ctx, turn.actor, str(verb or "")[:60], "undeclared")
            await access.check_action(self.ctx, turn.actor, action.verb, action.permission,
                                      action.target, data)
        except access.Refused as refused:
            if self.metrics is not None:
                self.metrics.count_refused_action(refused.reason)
            raise
        return action

    async def _may_go_on(self, turn: Turn, value: dict) -> bool:
        """Whether a card submit made while a dialog runs may reach it (else it is refused)."""
        try:
            await self._checked_action(turn, value.get("verb"), value, invoke=False)
        except access.Refused as refused:
            await turn.say(str(refused))
            return False
        return True

    async def _on_card_submit(self, turn: Turn, value: dict) -> None:
        """An Action.Submit: only through its declaration in CARD_ACTIONS."""
        try:
            action = await self._checked_action(turn, value.get("verb"), value, invoke=False)
            await self._call(action, turn, value)
        except (DomainError, ValueError) as error:
            await turn.say(str(error) if isinstance(error, DomainError) else
                           "That button's data was not valid.")

    async def on_invoke_activity(self, turn_context: TurnContext):
        """Only the invokes this bot uses; anything else, or a payload that cannot be read, is a
        bad request (400), not a server error."""
        if turn_context.activity.name not in HANDLED_INVOKES:
            return InvokeResponse(status=400)
        try:
            return await super().on_invoke_activity(turn_context)
        except (TypeError, ValueError, AttributeError, KeyError):
            log.info("unreadable %s invoke", turn_context.activity.name)
            return InvokeResponse(status=400)
        except Exception as error:
            if not database_unavailable(error):
                raise
            log.warning("database unavailable during %s invoke", turn_context.activity.name,
                        exc_info=True)
            if turn_context.activity.name == "adaptiveCard/action":
                return self._create_invoke_response(_invoke_card(
                    self._not_saved_card(turn_context.activity.value)))
            if turn_context.activity.name.startswith("composeExtension/"):
                return self._create_invoke_response(not_saved_message())
            return InvokeResponse(status=503)

    def _not_saved_card(self, value) -> dict:
        """In place of the clicked card: why nothing was saved, and the same click (with what
        the user typed on the card) ready to send again."""
        card = self.cards.render("message", {"text": CLICK_NOT_SAVED})
        action = value.get("action") if isinstance(value, dict) else None
        declared = CARD_ACTIONS.get(action.get("verb")) if isinstance(action, dict) else None
        if declared is not None and declared.invoke is not None:
            card["actions"] = [{"type": "Action.Execute", "title": "Try again",
                                "verb": action["verb"], "data": action.get("data") or {}}]
        return card

    async def on_adaptive_card_invoke(self, turn_context: TurnContext, invoke_value):
        """Action.Execute (approval cards, and their refresh): only through its declaration in
        CARD_ACTIONS; answered with the card that replaces the clicked one."""
        actor = await self.actor(turn_context)
        action = invoke_value.action if invoke_value is not None else None
        verb = action.get("verb") if isinstance(action, dict) else getattr(action, "verb", None)
        data = action.get("data") if isinstance(action, dict) else getattr(action, "data", None)
        turn = self._turn(turn_context, actor, verb, data if isinstance(data, dict) else None)
        try:
            declared = await self._checked_action(turn, verb, data if isinstance(data, dict)
                                                  else {}, invoke=True)
            if not isinstance(data, dict):
                raise DomainError("That card's data is not valid.")
            card_data = await self._call(declared, turn, data)
        except DomainError as error:
            return _invoke_card(self.cards.render("message", {"text": str(error)}))
        return _invoke_card(self.cards.render(declared.invoke,
                                              {**card_data, "baseUrl": self.ctx.base_url}))

    async def _begin_new_review(self, turn_context: TurnContext, options: dict | None) -> None:
        dialog_context = await self.dialogs.create_context(turn_context)
        await dialog_context.begin_dialog(self._new_review_id, options)

    # -- the message action "Log as IMR commission" (teams/message_action.py) -----------------
    async def on_teams_messaging_extension_fetch_task(self, turn_context: TurnContext, action):
        return await self.message_action.fetch_task(await self.actor(turn_context), action)

    async def on_teams_messaging_extension_submit_action(self, turn_context: TurnContext, action):
        response, logged = await self.message_action.submit_action(
            await self.actor(turn_context), action)
        if logged:
            turn_context.turn_state[OUTBOX_KEY] = True  # the Head of CP's card: deliver it
        return response

    # -- files the user allowed (FileConsentCard) -----------------------------------------------
    async def on_teams_file_consent_accept(self, turn_context: TurnContext, file_consent_card_response):
        await on_file_consent_accept(self.ctx, self.settings, turn_context,
                                     file_consent_card_response)

    async def on_teams_file_consent_decline(self, turn_context: TurnContext, file_consent_card_response):
        await turn_context.send_activity("All right: the file was not saved.")

    # -- installs ---------------------------------------------------------------------------
    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        """The greeting in a person's own chat. In a team or group chat Teams also says the bot
        was added (conversationUpdate), and the greeting for a channel is said there, once."""
        conversation = turn_context.activity.conversation
        if conversation is not None and (conversation.conversation_type or "personal") != "personal":
            return
        await turn_context.send_activity(
            "Hello! I run the IMR workflow: commissions, allocation, meetings, approvals and "
            "reminders. Type `imr help` to see what I can do.")

    async def on_teams_members_added(self, members_added, team_info, turn_context):
        bot_id = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        if any(m.id == bot_id for m in members_added) and \
                (turn_context.activity.conversation.conversation_type or "personal") != "personal":
            await turn_context.send_activity(
                "Hello! @mention me with `status` for the IMR tracker, or `subscribe` to make this "
                "the tracker channel.")
