"""A Teams stand-in for tests: several people, each with a personal chat, plus a channel.

It drives the real bot through botbuilder's TestAdapter, collects every message per
conversation (replies and proactive sends alike), and validates every card it sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount

from imr_bot.app import build
from imr_bot.config import Settings
from imr_bot.domain.people import Person
from imr_bot.domain.roles import Role
from imr_bot.store.unit_of_work import UnitOfWork
from imr_bot.teams.adapter import on_turn_error
from imr_bot.teams.connector import ChannelError, ChannelResponse
from tests.cardcheck import assert_valid_card

CHANNEL_ID = "19:tracker@thread.tacv2"
BOT = ChannelAccount(id="28:imr-bot", name="IMR bot")


@dataclass(frozen=True)
class User:
    key: str
    name: str
    email: str
    roles: frozenset[Role]
    line_manager: str | None = None
    max_concurrent: int = 2
    leave: tuple = ()
    service: str = "Children's Services"

    @property
    def aad(self) -> str:
        return f"aad-{self.key}"

    @property
    def teams_id(self) -> str:
        return f"29:{self.key}"

    @property
    def chat(self) -> str:
        return f"a:personal-{self.key}"


BUSINESS_SERVICES = User("bs", "Bea Services", "bea.services@council.test",
                         frozenset({Role.BUSINESS_SERVICES, Role.ADMINISTRATOR}))
HEAD_OF_CP = User("head", "Harriet Head", "harriet.head@council.test", frozenset({Role.HEAD_OF_CP}))
AUTHOR = User("author", "Arun Author", "arun.author@council.test", frozenset({Role.AUTHOR}),
              line_manager="lena.manager@council.test")
LINE_MANAGER = User("lm", "Lena Manager", "lena.manager@council.test",
                    frozenset({Role.LINE_MANAGER}))
QA_LEAD = User("qa", "Quinn Lead", "quinn.lead@council.test", frozenset({Role.QA_LEAD}))
SD = User("sd", "Sam Director", "sam.director@council.test", frozenset({Role.SD_EHS}))
SD_QPP = User("qpp", "Pat Performance", "pat.performance@council.test", frozenset({Role.SD_QPP}))
STRANGER = User("stranger", "Stan Ger", "stan@elsewhere.test", frozenset())
EVERYONE = (BUSINESS_SERVICES, HEAD_OF_CP, AUTHOR, LINE_MANAGER, QA_LEAD, SD)


class TeamsTestAdapter(TestAdapter):
    """TestAdapter with a Bot Connector that can refuse a conversation (a 404 for a chat that
    is gone, a 403 for a user who blocked the bot), as Teams does."""

    def __init__(self):
        super().__init__()
        self.refusing: dict[str, tuple[int, str]] = {}

    async def send_activities(self, context, activities):
        for activity in activities:
            conversation = activity.conversation.id if activity.conversation else ""
            if conversation in self.refusing:
                status, body = self.refusing[conversation]
                raise ChannelError(ChannelResponse(status, "refused", {}, body))
        return await super().send_activities(context, activities)


class FakeTeams:
    def __init__(self, database, clock):
        self.adapter = TeamsTestAdapter()
        self.adapter.on_turn_error = on_turn_error
        # the test file servers are on 127.0.0.1, as the Playground's are
        self.app = build(Settings(database_url=database.url, scheduler=False,
                                  attachments_from_loopback=True),
                         clock=clock, database=database, adapter=self.adapter)
        self.adapter.logic = self.app.bot.on_turn
        self.clock = clock
        self.inboxes: dict[str, list[Activity]] = {}
        self._seen = 0
        self._seen_updates = 0
        # what must never reach a channel: people's names and the initials users typed
        # (the test people's surnames are role words such as "Author", so first names stand in)
        self.private_words: set[str] = {u.name for u in (*EVERYONE, STRANGER, SD_QPP)} | {
            u.name.split()[0] for u in (*EVERYONE, STRANGER, SD_QPP)}

    async def add_people(self, users=EVERYONE) -> None:
        at = datetime(2026, 1, 1, tzinfo=UTC)
        async with UnitOfWork(self.app.database) as uow:
            for user in users:
                stored, _ = await uow.people.upsert(Person(
                    email=user.email, name=user.name, roles=user.roles, aad_object_id=user.aad,
                    line_manager_email=user.line_manager, max_concurrent=user.max_concurrent,
                    service=user.service), at)
                await uow.people.replace_leave(stored.id, user.leave)
            await uow.commit()

    def _activity(self, user: User, *, conversation: str, kind: str, text: str | None = None,
                  value: Any = None, activity_type: str = "message") -> Activity:
        return Activity(
            type=activity_type, text=text, value=value, channel_id="msteams",
            service_url="https://smba.test/", from_property=ChannelAccount(
                id=user.teams_id, name=user.name, aad_object_id=user.aad),
            recipient=BOT, conversation=ConversationAccount(
                id=conversation, conversation_type=kind, tenant_id="tenant-1"),
            channel_data={"tenant": {"id": "tenant-1"}})

    async def _run(self, activity: Activity) -> list[Activity]:
        await self.adapter.receive_activity(activity)
        await self.app.delivery.wait_idle()
        return self._collect(activity.conversation.id)

    def _collect(self, conversation: str) -> list[Activity]:
        new = self.adapter.activity_buffer[self._seen:]
        self._seen = len(self.adapter.activity_buffer)
        for changed in self.adapter.updated_activities[self._seen_updates:]:
            # a card changed in place in the channel keeps to the channel's rule too
            if changed.conversation is not None and changed.conversation.id.split(";")[0] == CHANNEL_ID:
                self._assert_nothing_private(changed)
        self._seen_updates = len(self.adapter.updated_activities)
        mine = []
        for sent in new:
            for attachment in sent.attachments or []:
                if attachment.content_type == "application/vnd.microsoft.card.adaptive":
                    assert_valid_card(attachment.content)
            target = sent.conversation.id.split(";")[0]
            if sent.conversation.conversation_type == "channel" or target == CHANNEL_ID:
                self._assert_nothing_private(sent)
            self.inboxes.setdefault(target, []).append(sent)
            if target == conversation.split(";")[0]:
                mine.append(sent)
        return mine

    async def place(self, reference: str, people: dict, stage=None) -> None:
        """Put a logged review at `stage` with `people` ({Role: User}) in their roles, as if the
        workflow had got there."""
        from dataclasses import replace

        async with UnitOfWork(self.app.database) as uow:
            review = await uow.reviews.get(reference)
            ids = {role: (await uow.people.by_email(user.email)).id for role, user in people.items()}
            await uow.reviews.save(replace(review, stage=stage or review.stage, people=ids),
                                   self.clock.now())
            await uow.commit()

    async def deliver(self) -> None:
        """Deliver whatever is due in the outbox (as the scheduler would) and file it by inbox."""
        await self.app.delivery.flush()
        self._collect("")

    def _assert_nothing_private(self, sent: Activity) -> None:
        shown = (sent.text or "") + " " + " ".join(card_text(c) for c in cards([sent]))
        words = set(re.findall(r"[A-Za-z]+", shown))
        leaked = {w for w in self.private_words if (" " in w and w in shown) or w in words}
        assert not leaked, f"a channel message carries private words {leaked}: {shown!r}"

    async def submit(self, user: User, value: dict, card_id: str = "card-pressed") -> list[Activity]:
        """An Action.Submit from a card in the user's personal chat (Teams names the card's
        message in replyToId). Returns the replies and, after them, the cards the bot changed in
        place (see `updates`)."""
        if value.get("subject_initials"):
            self.private_words.add(str(value["subject_initials"]).replace(".", "").upper())
        activity = self._activity(user, conversation=user.chat, kind="personal", value=value)
        activity.reply_to_id = card_id
        updated = len(self.adapter.updated_activities)
        replies = await self._run(activity)
        changed = [u for u in self.adapter.updated_activities[updated:]  # in their chat
                   if u.conversation is None or u.conversation.id.split(";")[0] == user.chat]
        for update in changed:
            for attachment in update.attachments or []:
                if attachment.content_type == "application/vnd.microsoft.card.adaptive":
                    assert_valid_card(attachment.content)
        return replies + changed

    async def execute(self, user: User, verb: str, data: dict) -> dict:
        """An Action.Execute click on a card in the user's personal chat; returns the card that
        the invoke response puts in its place."""
        activity = self._activity(user, conversation=user.chat, kind="personal",
                                  activity_type="invoke",
                                  value={"action": {"type": "Action.Execute", "verb": verb,
                                                    "data": data}})
        activity.name = "adaptiveCard/action"
        await self.adapter.receive_activity(activity)
        await self.app.delivery.wait_idle()
        new = self.adapter.activity_buffer[self._seen:]
        responses = [a for a in new if a.type == "invokeResponse"]
        self._collect(user.chat)
        (response,) = responses
        body = response.value.body
        assert response.value.status == 200, body
        card = body["value"] if isinstance(body, dict) else body.value
        assert_valid_card(card)
        return card

    async def send_files(self, user: User, files: list[tuple[str, str]], text: str = "") -> list[Activity]:
        """A message in the personal chat with Teams file attachments (name, downloadUrl)."""
        from botbuilder.schema import Attachment

        activity = self._activity(user, conversation=user.chat, kind="personal", text=text)
        activity.attachments = [Attachment(
            content_type="application/vnd.microsoft.teams.file.download.info", name=name,
            content={"downloadUrl": url, "uniqueId": name, "fileType": name.rsplit(".", 1)[-1]})
            for name, url in files]
        return await self._run(activity)

    async def say(self, user: User, text: str) -> list[Activity]:
        """A message in the user's personal chat with the bot."""
        return await self._run(self._activity(user, conversation=user.chat, kind="personal",
                                              text=text))

    async def say_in_channel(self, user: User, text: str) -> list[Activity]:
        return await self._run(self._activity(
            user, conversation=f"{CHANNEL_ID};messageid=1700000000000", kind="channel", text=text))

    async def install(self, user: User) -> list[Activity]:
        """The user adds the app (installationUpdate, action add) in their personal scope."""
        activity = self._activity(user, conversation=user.chat, kind="personal",
                                  activity_type="installationUpdate")
        activity.action = "add"
        return await self._run(activity)

    async def open_chat(self, user: User) -> list[Activity]:
        """Teams opens the personal chat: conversationUpdate with the user and the bot added."""
        activity = self._activity(user, conversation=user.chat, kind="personal",
                                  activity_type="conversationUpdate")
        activity.members_added = [ChannelAccount(id=user.teams_id, name=user.name,
                                                 aad_object_id=user.aad), BOT]
        return await self._run(activity)

    def refuse(self, user: User, status: int = 404, body: str = "") -> None:
        """From now on the Bot Connector refuses messages to the user's chat."""
        self.adapter.refusing[user.chat] = (status, body)

    def accept(self, user: User) -> None:
        self.adapter.refusing.pop(user.chat, None)

    def updates(self, user: User) -> list[Activity]:
        """Messages the bot changed in place (updateActivity) in the user's chat."""
        return [a for a in self.adapter.updated_activities
                if a.conversation is not None and a.conversation.id.split(";")[0] == user.chat]

    def inbox(self, user_or_channel) -> list[Activity]:
        key = user_or_channel.chat if isinstance(user_or_channel, User) else user_or_channel
        return self.inboxes.get(key, [])


def texts(activities: list[Activity]) -> str:
    return "\n".join(a.text or "" for a in activities)


def cards(activities: list[Activity]) -> list[dict]:
    return [att.content for a in activities for att in (a.attachments or [])
            if att.content_type == "application/vnd.microsoft.card.adaptive"]


def card_text(card: dict) -> str:
    """Every string shown on a card, for asserting on what a person reads."""
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("text", "title", "value", "label", "placeholder") and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
    walk(card)
    return "\n".join(found)
