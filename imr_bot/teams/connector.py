"""Replies and proactive messages posted to the Bot Connector as one aiohttp request each.

botbuilder sends an activity through msrest: it deserialises the Activity it was given back into
an Activity, serialises it value by value, and posts it with `requests` on a worker thread. That
was the largest part of a status turn (docs/benchmarks.md). The two calls our turns and deliveries
make, reply-to-activity and send-to-conversation, are done here instead: same URL, headers, token
and body as the SDK's, the activity written out by walking its attribute map once, posted on one
pooled aiohttp session. Every other connector call is still the SDK's."""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import date, datetime
from enum import Enum
from urllib.parse import quote

import aiohttp
import orjson
from botbuilder.schema import ResourceResponse
from msrest.serialization import Model

from imr_bot.teams import msrest_seam
from imr_bot.teams.card_templates import CardContent

# msrest's default: the SDK waits this long for the connector
TIMEOUT = aiohttp.ClientTimeout(total=100)


def wire(value):
    """An activity (or any schema model) as the JSON data msrest would post for it."""
    if isinstance(value, Model):
        if not msrest_seam.fast_paths_hold():
            return value.serialize(keep_readonly=True)
        out = {}
        for attribute, spec in msrest_seam.attribute_map(type(value)).items():
            item = getattr(value, attribute, None)
            if item is not None:
                out[spec["key"]] = wire(item)
        return out
    if type(value) is CardContent or value is None or type(value) in (str, int, float, bool):
        return value  # CardContent: a rendered card is already JSON data, never changed once sent
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {key: wire(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [wire(item) for item in value]
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    return value


def _iso(moment: datetime) -> str:
    """msrest's ISO 8601 form: UTC, milliseconds at least, trailing zeros dropped, and Z."""
    utc = moment.utctimetuple()
    fraction = str(moment.microsecond).rjust(6, "0").rstrip("0").ljust(3, "0")
    return (f"{utc.tm_year:04}-{utc.tm_mon:02}-{utc.tm_mday:02}T{utc.tm_hour:02}:{utc.tm_min:02}:"
            f"{utc.tm_sec:02}.{fraction}Z")


class ChannelResponse:
    """A refused request as delivery's `classify` reads it (the shape of msrest's response)."""

    def __init__(self, status: int, reason: str, headers, body: str):
        self.status_code = status
        self.reason = reason
        self.headers = headers
        self._body = body

    def text(self) -> str:
        return self._body


class ChannelError(Exception):
    """The Bot Connector answered with something other than 200, 201 or 202."""

    def __init__(self, response: ChannelResponse):
        super().__init__(f"Operation returned an invalid status code {response.reason!r}: "
                         f"{response.text()[:200]}")
        self.response = response


class _HeaderSink:
    """What AppCredentials.signed_session writes the bearer token into."""

    def __init__(self):
        self.headers: dict[str, str] = {}


class Sessions:
    """One pooled aiohttp session for every connector call, made in the running loop."""

    def __init__(self):
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def get(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            self._session, self._loop = aiohttp.ClientSession(timeout=TIMEOUT), loop
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


class DirectConversations:
    """A ConnectorClient's conversation operations, with reply and send done directly."""

    def __init__(self, inner, client, sessions: Sessions):
        self._inner = inner
        self._client = client
        self._sessions = sessions

    def __getattr__(self, name):
        return getattr(self._inner, name)

    async def reply_to_activity(self, conversation_id, activity_id, activity, **_config):
        return await self._post(conversation_id, f"/activities/{quote(str(activity_id), safe='')}",
                                activity)

    async def send_to_conversation(self, conversation_id, activity, **_config):
        return await self._post(conversation_id, "/activities", activity)

    async def _post(self, conversation_id, path: str, activity) -> ResourceResponse:
        config = self._client.config
        url = (f"{config.base_url.rstrip('/')}/v3/conversations/"
               f"{quote(str(conversation_id), safe='')}{path}")
        headers = {"Accept": "application/json",
                   "Content-Type": "application/json; charset=utf-8",
                   "x-ms-conversation-id": conversation_id,
                   "User-Agent": config.user_agent}
        if config.credentials is not None:
            sink = _HeaderSink()
            config.credentials.signed_session(sink)  # the SDK's token, from its cache
            headers.update(sink.headers)
        body = orjson.dumps(wire(activity))  # orjson: a status board is large, json is slow at it
        async with self._sessions.get().post(url, data=body, headers=headers) as response:
            text = await response.text()
            if response.status not in (200, 201, 202):
                raise ChannelError(ChannelResponse(response.status, response.reason or "",
                                                   response.headers, text))
        try:
            answer = json.loads(text) if text else None
        except ValueError:
            answer = None
        # no body: botbuilder answers with a response of its own, as it does after msrest
        return ResourceResponse(id=answer.get("id")) if isinstance(answer, dict) else None
