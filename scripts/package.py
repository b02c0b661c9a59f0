"""make package: the Teams app package (manifest.json, a 192x192 colour icon and a 32x32 outline
icon, zipped) in var/. The command menus come from the bot's own command declarations."""

from __future__ import annotations

import json
import struct
import sys
import zipfile
import zlib
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import imr_bot.app  # noqa: E402,F401 - imports the handler groups, which declare the commands
from imr_bot import __version__  # noqa: E402
from imr_bot.config import Settings  # noqa: E402
from imr_bot.teams.commands import REGISTRY  # noqa: E402

PLACEHOLDER_ID = "00000000-0000-4000-8000-000000000000"
MENUS = {  # Teams shows at most 10 commands per scope: the ones people reach for most
    "personal": ["help", "todo", "status", "new", "plan", "allocate", "submit", "template",
                 "meeting", "reminders"],
    "team": ["help", "status", "plan", "subscribe", "unsubscribe", "template", "meeting",
             "reminders", "history", "export"],
    "groupChat": ["help", "status", "plan", "template", "meeting", "reminders", "history",
                  "export", "subscribe", "unsubscribe"],
}


def manifest(app_id: str, public_url: str) -> dict:
    host = urlparse(public_url).hostname or "imr-bot.example.gov.uk"
    command_lists = []
    for scope, names in MENUS.items():
        commands = []
        for name in names:
            command = REGISTRY.get(name)
            commands.append({"title": command.name[:32], "description": command.help[:128]})
        command_lists.append({"scopes": [scope], "commands": commands})
    return {
        "$schema": "https://developer.microsoft.com/en-us/json-schemas/teams/v1.17/MicrosoftTeams.schema.json",
        "manifestVersion": "1.17",
        "version": __version__,
        "id": app_id,
        "developer": {"name": "Children's Services",
                      "websiteUrl": public_url, "privacyUrl": f"{public_url}/privacy",
                      "termsOfUseUrl": f"{public_url}/terms"},
        "name": {"short": "IMR bot", "full": "Individual Management Review workflow"},
        "description": {
            "short": "Runs the IMR workflow: commissions, allocation, meetings, approvals.",
            "full": ("Tracks Individual Management Reviews for Child Safeguarding Practice Reviews "
                     "and Domestic Homicide Reviews in working days: logs commissions, allocates "
                     "authors and QA leads, arranges the scoping and midway meetings, collects the "
                     "report and chronology, runs QA and Service Director approval on cards, and "
                     "reminds people on time. It stores no names of children or families."),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#1F6F78",
        "bots": [{"botId": app_id, "scopes": ["personal", "team", "groupChat"],
                  "supportsFiles": True, "isNotificationOnly": False,
                  "commandLists": command_lists}],
        # the message action "Log as IMR commission" (imr_bot/teams/message_action.py): on any
        # message, the commission form prefilled from it, in a task module
        "composeExtensions": [{"botId": app_id, "commands": [{
            "id": "logCommission", "type": "action", "title": "Log as IMR commission",
            "description": "Open the commission form filled in from this request email",
            "context": ["message"], "fetchTask": True}]}],
        "permissions": ["identity", "messageTeamMembers"],
        # the tab (imr_bot/tab): a personal tab with the board, one review and the figures, and a
        # channel tab for the tracker team; its pages sign in with Teams single sign-on, whose
        # token the bot checks against this resource (imr_bot/teams/tab_sso.py)
        "staticTabs": [
            {"entityId": "board", "name": "Board", "scopes": ["personal"],
             "contentUrl": f"{public_url}/tab/board", "websiteUrl": f"{public_url}/tab/board"},
            {"entityId": "performance", "name": "Performance", "scopes": ["personal"],
             "contentUrl": f"{public_url}/tab/performance",
             "websiteUrl": f"{public_url}/tab/performance"},
        ],
        "configurableTabs": [
            {"configurationUrl": f"{public_url}/tab/configure", "canUpdateConfiguration": True,
             "scopes": ["team"], "context": ["channelTab"]},
        ],
        "validDomains": [host],
        "webApplicationInfo": {"id": app_id, "resource": f"api://{host}/{app_id}"},
    }


def _png(width: int, height: int, pixel) -> bytes:
    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width))
                    for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def _document_shape(x: float, y: float) -> str:
    """A page with three lines and a tick: 'inside', 'line' or 'outside' (unit square)."""
    if not (0.28 <= x <= 0.72 and 0.2 <= y <= 0.8):
        return "outside"
    border = min(x - 0.28, 0.72 - x, y - 0.2, 0.8 - y) < 0.035
    lines = any(abs(y - ly) < 0.02 and 0.35 <= x <= 0.65 for ly in (0.35, 0.47, 0.59))
    return "line" if border or lines else "inside"


def colour_icon() -> bytes:
    def pixel(x, y):
        shape = _document_shape(x / 192, y / 192)
        return {"outside": (31, 111, 120, 255), "inside": (255, 255, 255, 255),
                "line": (31, 111, 120, 255)}[shape]
    return _png(192, 192, pixel)


def outline_icon() -> bytes:
    def pixel(x, y):
        shape = _document_shape((x + 0.5) / 32, (y + 0.5) / 32)
        return (255, 255, 255, 255) if shape == "line" else (0, 0, 0, 0)
    return _png(32, 32, pixel)


def main() -> int:
    settings = Settings()  # MicrosoftAppId and IMR_PUBLIC_URL, read as the bot reads them
    app_id = settings.app_id or PLACEHOLDER_ID
    public_url = (settings.public_url or "https://imr-bot.example.gov.uk").rstrip("/")
    # a build output, with this deployment's id and address: var/, never the tracked
    # deploy/appPackage (the placeholder package, kept equal to main()'s output without settings)
    folder = ROOT / "var" / "appPackage"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(json.dumps(manifest(app_id, public_url), indent=2) + "\n")
    (folder / "color.png").write_bytes(colour_icon())
    (folder / "outline.png").write_bytes(outline_icon())
    out = ROOT / "var" / "imr-bot-teams-app.zip"
    out.parent.mkdir(exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ("manifest.json", "color.png", "outline.png"):
            archive.write(folder / name, name)
    print(f"wrote {out} (app id {app_id}, domain {urlparse(public_url).hostname})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
