"""Where the "Open in the tab" button of a status card goes: in Teams, a deep link to the app's
Board tab (at one review: the tab's sub-page, which the page opens); in local mode, the tab's own
address on this machine (the Playground has no tabs)."""

from __future__ import annotations

import json
from urllib.parse import quote

from imr_bot.config import Settings

TAB_ENTITY = "board"  # the staticTabs entityId in scripts/package.py


def tab_link(settings: Settings, reference: str | None = None) -> str:
    base = settings.base_url
    page = f"{base}/tab/review?ref={quote(reference, safe='')}" if reference else f"{base}/tab/board"
    if settings.local_mode:
        return page
    link = (f"https://teams.microsoft.com/l/entity/{quote(settings.app_id, safe='')}/{TAB_ENTITY}"
            f"?webUrl={quote(page, safe='')}&label={quote('IMR board')}")
    if reference:
        link += "&context=" + quote(json.dumps({"subEntityId": reference}, separators=(",", ":")),
                                    safe="")
    return link
