"""The Bot Framework adapter: CloudAdapter with our error handler."""

from __future__ import annotations

import logging
import uuid

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)

from imr_bot.config import Settings
from imr_bot.store.state_records import StaleRecord

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


def create_adapter(settings: Settings) -> CloudAdapter:
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(BotConfig(settings)))
    adapter.on_turn_error = on_turn_error
    return adapter


async def on_turn_error(turn_context: TurnContext, error: Exception) -> None:
    """Log the whole story with a correlation id; tell the user briefly, never a stack trace."""
    from imr_bot.observability import correlation_id

    correlation = correlation_id.get() if correlation_id.get() != "-" else uuid.uuid4().hex[:8]
    activity = turn_context.activity
    if isinstance(error, StaleRecord):
        log.info("stale conversation state (%s), correlation=%s", error, correlation)
        text = ("I was still working on your previous message. Please send that again.")
    else:
        log.error("turn failed correlation=%s type=%s conversation=%s", correlation,
                  activity.type, activity.conversation.id if activity.conversation else None,
                  exc_info=error)
        text = (f"Sorry, something went wrong on my side (ref {correlation}). Nothing you "
                "confirmed has been lost; please try again in a moment.")
    if activity.type == "invoke":
        return  # the HTTP layer answers an invoke with an error status
    try:
        await turn_context.send_activity(text)
    except Exception:  # the channel may be what failed
        log.warning("could not tell the user about error %s", correlation, exc_info=True)
