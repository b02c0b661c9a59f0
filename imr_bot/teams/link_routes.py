"""The links a browser opens: /documents/{token}, /calendar/{token}.ics and /files/{token}.

A browser brings no Teams identity, so the token names the person it was made for, and the use
case re-checks that person when the link is used. Here at the edge: a request that only looks (a
HEAD, a link previewer, a browser's prefetch) is answered without using the link up or serving
what it opens; every refusal, whatever its reason, gets the same page; and nothing of a token
reaches the logs (the access log writes the route's pattern, see `RouteAccessLogger`).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

log = logging.getLogger(__name__)

LINK_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
                "X-Content-Type-Options": "nosniff", "X-Robots-Tag": "noindex, nofollow"}

# Fetchers that unfurl or scan a link before (or instead of) a person: Teams and Skype
# (SkypeUriPreview), Slack, Outlook and Bing previews, Office's existence check, and the usual
# social unfurlers. Matched case-insensitively within the User-Agent.
PREVIEWERS = ("skypeuripreview", "slackbot", "slack-imgproxy", "microsoftpreview",
              "bingpreview", "existence discovery", "outlook-linkpreview", "discordbot",
              "twitterbot", "facebookexternalhit", "linkedinbot", "whatsapp", "telegrambot",
              "googlebot", "bingbot", "applebot", "embedly", "iframely", "redditbot",
              "mattermost", "zoom", "bitlybot", "preview")
PREFETCH_HEADERS = ("Purpose", "Sec-Purpose", "X-Purpose", "X-Moz")

REFUSED_PAGE = ("<!doctype html><title>Link not valid</title><p>This link is not valid any more. "
                "Open the card in Teams again, or ask the bot again, for a fresh link.</p>")
PREVIEW_PAGE = ("<!doctype html><title>IMR bot</title><p>A link from the IMR bot. Open it from "
                "Teams in your browser.</p>")
FAILED_PAGE = ("<!doctype html><title>Something went wrong</title><p>Something went wrong. "
               "Please try again from Teams.</p>")


def only_looks(request: web.Request) -> bool:
    """A request that must not use a link up: a known previewer, or a browser's prefetch."""
    agent = request.headers.get("User-Agent", "")[:512].lower()
    if any(name in agent for name in PREVIEWERS):
        return True
    return any("prefetch" in request.headers.get(h, "").lower()
               or "preview" in request.headers.get(h, "").lower() for h in PREFETCH_HEADERS)


def page(status: int, html: str) -> web.Response:
    return web.Response(status=status, text=html, content_type="text/html", charset="utf-8",
                        headers=LINK_HEADERS)


def refused() -> web.Response:
    """One page for every refusal (expired, forged, edited, used, not theirs): a neutral 404."""
    return page(404, REFUSED_PAGE)


def disposition(filename: str) -> str:
    """`attachment` with the name made safe for a header: a plain ASCII `filename` every browser
    reads (nothing that could end the quotes or the header), and the name itself, when it is not
    plain ASCII, as RFC 6266's `filename*` (percent-encoded UTF-8), which modern browsers prefer."""
    name = "".join(c for c in filename if c.isprintable() and c not in '"\\/;%')[:200].strip()
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "-_. ") else "_"
                       for c in name).strip(" .") or "download"
    header = f'attachment; filename="{fallback}"'
    if name and name != fallback:
        header += "; filename*=UTF-8''" + quote(name, safe="")
    return header


def attachment(body: bytes, content_type: str, filename: str, *, charset: str | None = None):
    return web.Response(body=body, content_type=content_type, charset=charset, headers={
        **LINK_HEADERS, "Content-Disposition": disposition(filename)})


async def look(_request: web.Request) -> web.Response:
    """HEAD: answered the same for every token, valid or not, without using it up."""
    return web.Response(status=200, content_type="text/html", headers=LINK_HEADERS)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def link_route(kind: str, serve: Handler) -> Handler:
    """`serve` runs only for a real fetch; a failure inside it is logged by its type and its
    frames (never its message, which could quote a token) and answered with a plain page."""

    async def handler(request: web.Request) -> web.StreamResponse:
        if only_looks(request):
            log.debug("a previewer fetched a %s link; it was shown the preview page", kind)
            return page(200, PREVIEW_PAGE)
        try:
            return await serve(request)
        except web.HTTPException:
            raise
        except Exception as error:
            log.error("serving a %s link failed: %s\n%s", kind, type(error).__name__,
                      "".join(traceback.format_tb(error.__traceback__)))
            return page(500, FAILED_PAGE)

    return handler


def add_link_routes(router: web.UrlDispatcher, routes: dict[str, tuple[str, Handler]]) -> None:
    """`routes`: path pattern -> (kind, handler). GET serves; HEAD only looks."""
    for path, (kind, serve) in routes.items():
        router.add_get(path, link_route(kind, serve), allow_head=False)
        router.add_head(path, look)


METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_pattern(request: web.BaseRequest) -> str:
    """The pattern of the route a request matched (`/documents/{token}`), never its path."""
    try:
        resource = request.match_info.route.resource  # type: ignore[attr-defined]
    except Exception:  # a request refused before routing (malformed): no route to name
        return "-"
    return resource.canonical if resource is not None else "(no route)"


class RouteAccessLogger(AbstractAccessLogger):
    """The access log, by route pattern: a path or query string can carry a link's token."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        method = request.method if request.method in METHODS else "OTHER"
        self.logger.info("%s %s %s %s %.3fs", request.remote or "-", method,
                         route_pattern(request), response.status, time)

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)
