"""The Bot Framework adapter: CloudAdapter with our error handler, and the signing keys that
check its tokens fetched without blocking the event loop."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from datetime import datetime

import aiohttp
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botframework.connector.auth import jwt_token_extractor
from msrest.serialization import Serializer

from imr_bot.config import Settings
from imr_bot.services.failures import causes, database_unavailable, state_changed_meanwhile
from imr_bot.teams import msrest_seam
from imr_bot.teams.card_templates import CardContent
from imr_bot.teams.connector import ChannelError, DirectConversations, Sessions

log = logging.getLogger(__name__)


class BotConfig:
    """The configuration object botbuilder reads its credentials from."""

    def __init__(self, settings: Settings):
        self.APP_ID = settings.app_id
        self.APP_PASSWORD = settings.app_password
        self.APP_TYPE = settings.app_type if settings.app_id else "MultiTenant"
        self.APP_TENANTID = settings.app_tenant_id
        if settings.bot_openid_metadata_url:
            self.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL = settings.bot_openid_metadata_url
            self.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER = settings.bot_token_issuer


def create_adapter(settings: Settings, *, lean: bool = True) -> CloudAdapter:
    SigningKeys.timeout = settings.signing_key_timeout_seconds
    jwt_token_extractor._OpenIdMetadata = SigningKeys
    authentication = ConfigurationBotFrameworkAuthentication(BotConfig(settings))
    adapter = CloudAdapter(LeanAuthentication(authentication) if lean else authentication)
    adapter.on_turn_error = on_turn_error
    return adapter


async def on_turn_error(turn_context: TurnContext, error: Exception) -> None:
    """Log the whole story with a correlation id; tell the user briefly, never a stack trace."""
    from imr_bot.observability import correlation_id

    correlation = correlation_id.get() if correlation_id.get() != "-" else uuid.uuid4().hex[:8]
    activity = turn_context.activity
    if state_changed_meanwhile(error):
        log.info("stale conversation state (%s), correlation=%s", error, correlation)
        text = ("I was still working on your previous message. Please send that again.")
    elif _from_the_connector(error):  # (its refused connection would read as the database's)
        log.warning("the Bot Connector failed, correlation=%s type=%s", correlation,
                    activity.type, exc_info=error)
        text = (f"Sorry, I couldn't send you my answer (ref {correlation}). Please try again in "
                "a moment.")
    elif database_unavailable(error):
        log.warning("database unavailable, correlation=%s type=%s", correlation, activity.type,
                    exc_info=error)
        text = (f"I can't reach the IMR database just now (ref {correlation}), so nothing from "
                "that message was saved. Please try again in a minute.")
    else:
        log.error("turn failed correlation=%s type=%s conversation=%s", correlation,
                  activity.type, activity.conversation.id if activity.conversation else None,
                  exc_info=error)
        text = (f"Sorry, something went wrong on my side (ref {correlation}). Nothing you "
                "confirmed has been lost; please try again in a moment.")
    if activity.type in ("invoke", "event"):
        # an invoke is answered with an error status; an event is a proactive (continuation)
        # turn, and nobody asked anything: never message people about our own failures
        return
    try:
        await turn_context.send_activity(text)
    except Exception:  # the channel may be what failed
        log.warning("could not tell the user about error %s", correlation, exc_info=True)


def _from_the_connector(error: BaseException) -> bool:
    """Whether sending to the Bot Connector is what failed (refused, unreachable, timed out)."""
    return any(isinstance(cause, (aiohttp.ClientError, ChannelError)) for cause in causes(error))


async def close_adapter(adapter) -> None:
    """Closes the connection pool the lean adapter's replies go through."""
    authentication = getattr(adapter, "bot_framework_authentication", None)
    if isinstance(authentication, LeanAuthentication) and authentication.sessions is not None:
        await authentication.sessions.close()


class _CachingConnectorFactory:
    """Hands out one ConnectorClient per (service URL, audience) instead of one per turn, whose
    replies and sends are posted directly (connector.py)."""

    def __init__(self, inner, cache: dict, app_id: str, sessions: Sessions | None):
        self._inner = inner
        self._cache = cache
        self._app_id = app_id
        self._sessions = sessions

    async def create(self, service_url: str, audience: str):
        key = (self._app_id, service_url, audience)
        client = self._cache.get(key)
        if client is None:
            client = await self._inner.create(service_url, audience)
            if not msrest_seam.fast_paths_hold():  # the SDK's own paths, slower but sure
                self._cache[key] = client
                return client
            _serialise_cards_as_they_are(client)
            if self._sessions is not None:
                client.conversations = DirectConversations(client.conversations, client,
                                                           self._sessions)
            self._cache[key] = client
        return client


class _CardPassingSerializer(Serializer):
    """msrest's serialiser, except that a rendered card (already JSON data) is passed through
    instead of being walked value by value."""

    def serialize_object(self, attr, **kwargs):
        if type(attr) is CardContent:
            return attr
        return super().serialize_object(attr, **kwargs)


def _serialise_cards_as_they_are(client) -> None:
    current = msrest_seam.current_serializer(client)
    if current is not None:
        msrest_seam.replace_serializer(client, _CardPassingSerializer(current.dependencies))


class LeanAuthentication:
    """botbuilder builds a ConnectorClient and a UserTokenClient on every turn, and each runs
    msrest's slow retry-policy set-up (see docs/benchmarks.md). This keeps the SDK's behaviour but
    reuses those clients: per service URL and audience, and per app id; their replies and sends go
    out on one aiohttp session. Everything else is delegated unchanged, so authentication is
    exactly the SDK's."""

    def __init__(self, inner, *, direct_sends: bool = True):
        self._inner = inner
        self._connectors: dict = {}
        self._token_clients: dict = {}
        # off only for the benchmark's floor, which is the SDK without its per-turn clients
        self.sessions = Sessions() if direct_sends else None

    def __getattr__(self, name):
        return getattr(self._inner, name)

    @staticmethod
    def _app_id(claims_identity) -> str:
        claims = getattr(claims_identity, "claims", None) or {}
        return str(claims.get("aud") or claims.get("appid") or claims.get("azp") or "")

    async def authenticate_request(self, activity, auth_header):
        result = await self._inner.authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            result.connector_factory = _CachingConnectorFactory(
                result.connector_factory, self._connectors, self._app_id(result.claims_identity),
                self.sessions)
        return result

    def create_connector_factory(self, claims_identity):
        return _CachingConnectorFactory(self._inner.create_connector_factory(claims_identity),
                                        self._connectors, self._app_id(claims_identity),
                                        self.sessions)

    async def create_user_token_client(self, claims_identity):
        key = self._app_id(claims_identity)
        client = self._token_clients.get(key)
        if client is None:
            client = await self._inner.create_user_token_client(claims_identity)
            self._token_clients[key] = client
        return client


class SigningKeysUnavailable(Exception):
    """The Bot Framework's signing keys could not be fetched: the request is refused (401)."""


SIGNING_KEYS_MAX_BYTES = 1024 * 1024


class SigningKeys(jwt_token_extractor._OpenIdMetadata):
    """The SDK's cache of the Bot Framework's token-signing keys (one per metadata URL), whose
    refresh fetched them with `requests`, synchronously, inside the event loop and without a
    timeout: a slow key endpoint stopped every turn. This one fetches with aiohttp, within
    `timeout`; one refresh at a time (the requests waiting for it share its result); on failure
    it keeps serving with the keys it has, and tries again only after `retry_after` seconds.
    Installed in place of the SDK's class (botbuilder 4.17.1, its last release, looks it up by
    name when a token arrives); the validation of tokens is the SDK's own, unchanged."""

    timeout = 10.0
    retry_after = 30.0

    def __init__(self, url: str):
        super().__init__(url)
        self._refreshing = asyncio.Lock()
        self._failed_at = float("-inf")

    async def _refresh(self) -> None:
        asked_at = datetime.now()  # the SDK's own clock for last_updated
        async with self._refreshing:
            if self.last_updated >= asked_at:  # refreshed while this request waited
                return
            if time.monotonic() - self._failed_at < self.retry_after:
                if self.keys:
                    return
                raise SigningKeysUnavailable("the signing keys could not be fetched just now")
            try:
                async with asyncio.timeout(self.timeout):
                    keys = await self._fetch(self.url)
            except Exception as error:  # unreachable, slow, or not a key set
                self._failed_at = time.monotonic()
                log.warning("could not fetch the Bot Framework signing keys from %s: %s",
                            self.url, type(error).__name__)
                if self.keys:
                    return  # keep checking tokens with the keys we have
                raise SigningKeysUnavailable("the signing keys could not be fetched") from error
            self.keys = keys
            self.last_updated = datetime.now()

    async def _fetch(self, url: str) -> list[dict]:
        return await _fetch_signing_keys(url)


async def _fetch_signing_keys(metadata_url: str) -> list[dict]:
    async with aiohttp.ClientSession() as session:
        metadata = await _bounded_json(session, metadata_url)
        keys = await _bounded_json(session, str(metadata["jwks_uri"]))
    found = keys["keys"]
    if not isinstance(found, list) or not all(isinstance(k, dict) and "kid" in k for k in found):
        raise ValueError("not a key set")
    return found


async def _bounded_json(session: aiohttp.ClientSession, url: str) -> dict:
    async with session.get(url) as response:
        response.raise_for_status()
        body = await response.content.read(SIGNING_KEYS_MAX_BYTES + 1)
    if len(body) > SIGNING_KEYS_MAX_BYTES:
        raise ValueError("the key document is too large")
    found = json.loads(body)
    if not isinstance(found, dict):
        raise ValueError("not a JSON object")
    return found
