"""Drive Microsoft 365 Agents Playground (a local Teams client) through its own HTTP and WebSocket
API, as its web page does: one client per person."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import aiohttp


class PlaygroundClient:
    def __init__(self, name: str, port: int):
        self.name = name
        self.base = f"http://127.0.0.1:{port}"
        self.messages: list[dict[str, Any]] = []  # everything the bot sent this person
        self._session: aiohttp.ClientSession | None = None
        self._reader: asyncio.Task | None = None
        self.config: dict[str, Any] = {}

    async def open(self) -> None:
        self._session = aiohttp.ClientSession()
        self.config = (await (await self._session.get(f"{self.base}/_internal/v1/testConfig")).json())["config"]
        ws = await self._session.ws_connect(f"{self.base.replace('http', 'ws')}"
                                            "/_ws_conversation/v1/conversations/stream")

        async def read() -> None:
            async for frame in ws:
                event = json.loads(frame.data)
                if event.get("action") in ("createMessage", "updateMessage"):
                    self.messages.append(event["message"] | {"_action": event["action"]})

        self._reader = asyncio.create_task(read())
        response = await self._session.post(f"{self.base}/_debug/conversation/{self.chat}/installation")
        assert response.status == 200, await response.text()

    async def close(self) -> None:
        if self._reader:
            self._reader.cancel()
        if self._session:
            await self._session.close()

    @property
    def chat(self) -> str:
        return self.config["personalChat"]["id"]

    @property
    def user(self) -> dict:
        return self.config["currentUser"]

    async def say(self, text: str, wait_for: str | None = None, timeout: float = 15) -> dict:
        seen = len(self.messages)
        response = await self._session.post(
            f"{self.base}/_conversation/v1/conversations/{self.chat}/messages",
            json={"from": {"id": self.user["id"]}, "text": text, "textFormat": "plain"})
        assert response.status == 200, await response.text()
        return await self.wait_for(wait_for, after=seen, timeout=timeout)

    async def submit(self, card_message: dict, value: dict, wait_for: str | None = None) -> dict:
        """Press an Action.Submit button on a card the bot sent."""
        seen = len(self.messages)
        response = await self._session.post(f"{self.base}/_conversation/v1/submit", json={
            "conversation": {"id": self.chat}, "from": {"id": self.user["id"]},
            "replyToId": card_message["messageId"], "value": value})
        assert response.status == 200, await response.text()
        return await self.wait_for(wait_for, after=seen)

    async def execute(self, card_message: dict, verb: str, data: dict) -> dict:
        """Press an Action.Execute button: returns the card the bot puts in its place."""
        response = await self._session.post(f"{self.base}/_conversation/v1/invoke", json={
            "name": "adaptiveCard/action", "conversation": {"id": self.chat},
            "from": {"id": self.user["id"]}, "replyToId": card_message["messageId"],
            "value": {"action": {"type": "Action.Execute", "verb": verb, "data": data}}})
        assert response.status == 200, await response.text()
        body = await response.json()
        return body.get("value") or body.get("body", {}).get("value") or body

    async def send_files(self, text: str, files: list[tuple[str, str]], wait_for: str | None = None) -> dict:
        """A message with Teams file attachments, as Teams delivers files sent to the bot."""
        seen = len(self.messages)
        template = await (await self._session.get(
            f"{self.base}/_internal/v1/customActivities/template",
            params={"conversationId": self.chat})).json()  # the default: a message
        template["type"] = "message"  # the template leaves the type for us to fill in
        template["text"] = text
        template["attachments"] = [{
            "contentType": "application/vnd.microsoft.teams.file.download.info", "name": name,
            "content": {"downloadUrl": url, "uniqueId": name, "fileType": name.rsplit(".", 1)[-1]}}
            for name, url in files]
        response = await self._session.post(f"{self.base}/_internal/v1/customActivities", json=template)
        assert response.status in (200, 201), await response.text()
        return await self.wait_for(wait_for, after=seen)

    async def wait_for(self, text: str | None, after: int = 0, timeout: float = 15) -> dict:
        """The first message after index `after` whose text or card contains `text`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages[after:]:
                if text is None or text in shown(message):
                    return message
            await asyncio.sleep(0.05)
        recent = [shown(m)[:160] for m in self.messages[-5:]]
        raise AssertionError(f"{self.name} never received {text!r}; last messages: {recent}")

    def last_card(self, title: str) -> dict:
        for message in reversed(self.messages):
            if title in shown(message) and message.get("attachments"):
                return message
        raise AssertionError(f"{self.name} has no card with {title!r}")


def card(message: dict) -> dict:
    return next(a["content"] for a in message.get("attachments") or []
                if a.get("contentType") == "application/vnd.microsoft.card.adaptive")


def shown(message: dict) -> str:
    return (message.get("text") or "") + " " + json.dumps(message.get("attachments") or [])


def action(card_content: dict, title: str) -> dict:
    def walk(actions):
        for candidate in actions or []:
            if candidate.get("title") == title:
                return candidate
            if candidate.get("type") == "Action.ShowCard":
                found = walk(candidate["card"].get("actions"))
                if found:
                    return found
        return None
    found = walk(card_content.get("actions"))
    if found is None:
        for element in card_content.get("body", []):
            found = walk(element.get("actions")) if element.get("type") == "ActionSet" else None
            if found:
                break
    assert found is not None, f"no action {title!r}"
    return found


def choice_value(card_content: dict, input_id: str, starts_with: str) -> str:
    def walk(node):
        if isinstance(node, dict):
            if node.get("id") == input_id:
                return next(c["value"] for c in node["choices"] if c["title"].startswith(starts_with))
            for value in node.values():
                found = walk(value)
                if found:
                    return found
        elif isinstance(node, list):
            for item in node:
                found = walk(item)
                if found:
                    return found
        return None
    return walk(card_content)
