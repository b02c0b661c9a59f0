"""Files people send to the bot in a personal chat: Teams gives a short-lived download URL."""

from __future__ import annotations

import aiohttp

TEAMS_FILE = "application/vnd.microsoft.teams.file.download.info"


class TooLarge(Exception):
    pass


def teams_files(activity) -> list[tuple[str, str]]:
    """(name, downloadUrl) of each Teams file attached to a message."""
    found = []
    for attachment in activity.attachments or []:
        if attachment.content_type == TEAMS_FILE and isinstance(attachment.content, dict):
            url = attachment.content.get("downloadUrl")
            if url:
                found.append((attachment.name or "document", url))
    return found


async def download(url: str, limit: int, timeout: float = 30.0) -> bytes:
    """The file's bytes, refusing anything over `limit` without reading it all."""
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    async with aiohttp.ClientSession(timeout=client_timeout) as session, session.get(url) as response:
        response.raise_for_status()
        if response.content_length and response.content_length > limit:
            raise TooLarge()
        chunks, size = [], 0
        async for chunk in response.content.iter_chunked(64 * 1024):
            size += len(chunk)
            if size > limit:
                raise TooLarge()
            chunks.append(chunk)
        return b"".join(chunks)
