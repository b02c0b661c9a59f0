"""The Teams half of a file sent to a personal chat: the user allowed the FileConsentCard, so the
bot uploads the file to the URL Teams gave and shows it (see template_handlers.offer_file)."""

from __future__ import annotations

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.schema import Attachment

from imr_bot.config import Settings
from imr_bot.services import files
from imr_bot.services.context import ServiceContext

from .attachments import FetchPolicy, RefusedFile, upload

FILE_INFO = "application/vnd.microsoft.teams.card.file.info"


async def on_file_consent_accept(ctx: ServiceContext, settings: Settings,
                                 turn_context: TurnContext, response) -> None:
    """The user allowed the upload: PUT the file to the URL Teams gave, then show it."""
    token = (response.context or {}).get("token") if isinstance(response.context, dict) else None
    found = await files.collect(ctx, token or "", client="teams-file-consent") if token else None
    if found is None:
        await turn_context.send_activity("That file has expired; please ask for it again.")
        return
    info = response.upload_info
    size = len(found.content)
    # the upload URL comes in the activity: vetted like a download (SharePoint, public, no hops)
    try:
        await upload(str(info.upload_url or ""), found.content,
                     {"Content-Length": str(size), "Content-Range": f"bytes 0-{size - 1}/{size}"},
                     FetchPolicy.from_settings(settings))
    except RefusedFile:
        await turn_context.send_activity("Teams gave me an upload address outside SharePoint, so "
                                         "I did not send the file there; please ask for it again.")
        return
    card = Attachment(content_type=FILE_INFO, name=info.name, content_url=info.content_url,
                      content={"uniqueId": info.unique_id, "fileType": info.file_type})
    await turn_context.send_activity(MessageFactory.attachment(card))
