"""The tab's routes, added to the bot's own aiohttp app (`add_tab_routes`, called once by the
composition root).

Pages (`/tab/board`, `/tab/review`, `/tab/performance`) are fixed shells holding no data; the
data routes under `/tab/api/` hold all of it and each asks, when it is called, who is looking
(`identity`) and what they may see (the use cases in `services/tab.py`, with chat's checks).
A request without a valid identity gets 401 with an empty body; a review someone may not see
gets the same 404 as one that does not exist."""

from __future__ import annotations

import csv
import io
import logging
from datetime import date
from pathlib import Path

from aiohttp import web

from imr_bot.domain.errors import NotAllowed, UnknownReview
from imr_bot.domain.people import Actor
from imr_bot.services import tab
from imr_bot.services.context import ServiceContext

from .identity import NotSignedIn, Viewer

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
PAGES = {"board": "board.html", "review": "review.html", "performance": "performance.html",
         "configure": "configure.html"}
ASSETS = {"tab.js": "application/javascript", "tab.css": "text/css",
          "charts.js": "application/javascript", "configure.js": "application/javascript"}
# served from node_modules, installed at build time (make node): never from a CDN
VENDOR = {"echarts.min.js": ("echarts", "dist/echarts.min.js"),
          "teams-js.min.js": ("@microsoft/teams-js", "dist/umd/MicrosoftTeams.min.js")}
FRAME_ANCESTORS = ("'self' https://teams.microsoft.com https://*.teams.microsoft.com "
                   "https://*.cloud.microsoft https://*.office.com https://*.microsoft365.com")
HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": ("default-src 'none'; script-src 'self'; style-src 'self'; "
                                "img-src 'self' data:; "
                                # the Teams library reads its list of Teams hosts from there
                                "connect-src 'self' https://res.cdn.office.net; "
                                f"frame-ancestors {FRAME_ANCESTORS}; base-uri 'none'; "
                                "form-action 'none'"),
}
# scripts and styles hold no data: a browser may keep them for an hour (pages and data: never)
ASSET_CACHE = "private, max-age=3600"
CSV_TABLES = ("board", "on-time", "stages", "amendments", "months", "workload", "forecast")


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _secure(response: web.StreamResponse) -> web.StreamResponse:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _json(body) -> web.Response:
    return _secure(web.json_response(body))


def _csv(name: str, header: list[str], rows: list[list]) -> web.Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        # a spreadsheet never reads a cell as a formula
        writer.writerow([f"'{v}" if isinstance(v, str) and v[:1] in "=+-@\t\r" else v
                         for v in row])
    response = web.Response(text=out.getvalue(), content_type="text/csv", charset="utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="imr-{name}.csv"'
    return _secure(response)


def board_json(board: tab.TabBoard) -> dict:
    return {"today": _day(board.today), "reviews": [{
        "reference": i.reference, "type": i.review_type.value, "typeTitle": i.review_type.title,
        "stage": i.stage.value, "stageTitle": i.stage.title,
        "nextMilestone": i.next_milestone.title if i.next_milestone else "",
        "nextDue": _day(i.next_due), "workingDaysLeft": i.working_days_left,
        "rag": i.rag, "ragTitle": _rag_words(i.rag, i.stage.value), "holder": i.holder,
        "mine": i.mine, "entitled": i.entitled, "heldSince": _day(i.held_since),
        "author": i.author, "qaLead": i.qa_lead,
        "milestones": [_mark(m) for m in i.milestones]} for i in board.items]}


def _rag_words(rag: str, stage: str) -> str:
    if stage == "on_hold":
        return "On hold"
    return {"red": "Red: overdue", "amber": "Amber: due soon", "green": "Green: on track"}.get(
        rag, "No date")


def _mark(m: tab.MilestoneMark) -> dict:
    return {"milestone": m.milestone.value, "title": m.milestone.title, "day": m.day,
            "planned": _day(m.planned), "actual": _day(m.actual)}


def review_json(picture: tab.ReviewPicture, today: date) -> dict:
    detail, review = picture.detail, picture.detail.review
    return {"today": _day(today),
        "reference": review.reference, "typeTitle": review.review_type.title,
        "stageTitle": review.stage.title, "initials": review.subject_initials,
        "dayOne": _day(review.plan.day_one), "heldSince": _day(review.held_since),
        "rag": detail.standing.rag.value,
        "ragTitle": _rag_words(detail.standing.rag.value, review.stage.value),
        "holder": detail.holder,
        "milestones": [_mark(m) for m in picture.milestones],
        "changes": [{"milestone": c.milestone.title, "old": _day(c.old), "new": _day(c.new),
                     "by": c.by, "reason": c.reason, "at": c.at} for c in picture.changes],
        "people": [{"role": role, "name": name} for role, name in detail.people],
        "meetings": [{"kind": m.kind, "starts": m.starts, "status": m.status,
                      "minutes": m.minutes} for m in picture.meetings],
        "documents": [{"version": d.version, "kind": d.kind, "filename": d.filename}
                      for d in picture.documents],
        "decisions": picture.decisions, "history": picture.history}


def performance_tables(p: tab.Performance) -> dict[str, tuple[list[str], list[list]]]:
    """Each chart's figures as a table: the page shows them, the .csv routes send them."""
    return {
        "on-time": (["Milestone", "Done", "On time", "On-time rate (%)"],
                    [[o.milestone.title, o.done, o.on_time,
                      "" if o.rate is None else o.rate] for o in p.on_time]),
        "stages": (["From", "To", "Reviews", "Median working days", "Lower quartile",
                    "Upper quartile", "Shortest", "Longest"],
                   [[s.start.title, s.end.title, s.count, *["" if v is None else v for v in (
                       s.median, s.lower_quartile, s.upper_quartile, s.shortest, s.longest)]]
                    for s in p.spans]),
        "amendments": (["Rounds of amendments", "Reviews, at QA", "Reviews, at sign-off"],
                       [list(a) for a in p.amendments]),
        "months": (["Month", "Opened", "Closed"], [list(m) for m in p.months]),
        "workload": (["Role", "Name", "Open reviews"], [list(w) for w in p.workload]),
        "forecast": (["Reference", "Stage", "Agreed submission", "Projected submission",
                      "Working days late", "Forecast"],
                     [[f.reference, f.stage.title, _day(f.agreed), _day(f.projected),
                       f.working_days_late, f.verdict] for f in p.forecasts]),
    }


def performance_json(p: tab.Performance) -> dict:
    return {"today": _day(p.today), "open": p.open_count, "closed": p.closed_count,
            "tables": {name: {"header": header, "rows": rows}
                       for name, (header, rows) in performance_tables(p).items()}}


def me_json(viewer: Viewer) -> dict:
    actor = viewer.actor
    return {"name": actor.name, "roles": sorted(r.title for r in actor.roles),
            "local": viewer.local, "performance": tab.may_see_performance(actor)}


def add_tab_routes(web_app: web.Application, ctx: ServiceContext, identity,
                   node_modules: Path) -> None:
    """`identity.viewer(authorization)` says who is looking, or raises NotSignedIn."""

    async def viewer_of(request: web.Request) -> Viewer:
        return await identity.viewer(request.headers.get("Authorization"))

    def guarded(handler):
        async def route(request: web.Request) -> web.StreamResponse:
            try:
                viewer = await viewer_of(request)
            except NotSignedIn as refused:
                log.info("tab request refused: %s", refused.reason)
                return _secure(web.Response(status=401))
            try:
                return await handler(request, viewer.actor, viewer)
            except UnknownReview:
                return _secure(web.json_response({"error": "No such review."}, status=404))
            except NotAllowed as refused:
                return _secure(web.json_response({"error": str(refused)}, status=403))
        return route

    async def me(_request, _actor: Actor, viewer: Viewer):
        return _json(me_json(viewer))

    async def board(_request, actor: Actor, _viewer):
        return _json(board_json(await tab.board(ctx, actor)))

    async def board_csv(_request, actor: Actor, _viewer):
        found = board_json(await tab.board(ctx, actor))
        return _csv("board", ["Reference", "Type", "Stage", "Next milestone", "Due",
                              "Working days left", "RAG", "Next step with"],
                    [[r["reference"], r["typeTitle"], r["stageTitle"], r["nextMilestone"],
                      r["nextDue"], "" if r["workingDaysLeft"] is None else r["workingDaysLeft"],
                      r["ragTitle"], r["holder"]] for r in found["reviews"]])

    async def review(request: web.Request, actor: Actor, _viewer):
        reference = request.query.get("ref", "")
        return _json(review_json(await tab.review_picture(ctx, actor, reference),
                                 ctx.clock.today()))

    async def performance(_request, actor: Actor, _viewer):
        return _json(performance_json(await tab.performance(ctx, actor)))

    async def performance_csv(request: web.Request, actor: Actor, _viewer):
        name = request.match_info["table"]
        if name not in CSV_TABLES or name == "board":
            return _secure(web.Response(status=404))
        header, rows = performance_tables(await tab.performance(ctx, actor))[name]
        return _csv(name, header, rows)

    async def page(request: web.Request) -> web.StreamResponse:
        return _secure(web.FileResponse(STATIC / PAGES[request.match_info["page"]],
                                        headers={"Content-Type": "text/html; charset=utf-8"}))

    async def asset(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in ASSETS:
            return _secure(web.Response(status=404))
        return _secure(web.FileResponse(STATIC / name, headers={
            "Content-Type": ASSETS[name], "Cache-Control": ASSET_CACHE}))

    async def vendor(request: web.Request) -> web.StreamResponse:
        found = VENDOR.get(request.match_info["name"])
        path = node_modules / found[0] / found[1] if found else None
        if path is None or not path.is_file():
            return _secure(web.Response(status=404))
        return _secure(web.FileResponse(path, headers={
            "Content-Type": "application/javascript", "Cache-Control": ASSET_CACHE}))

    async def home(_request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/tab/board")

    router = web_app.router
    router.add_get("/tab", home)
    router.add_get("/tab/{page:board|review|performance|configure}", page)
    router.add_get("/tab/static/{name}", asset)
    router.add_get("/tab/vendor/{name}", vendor)
    router.add_get("/tab/api/me", guarded(me))
    router.add_get("/tab/api/board", guarded(board))
    router.add_get("/tab/api/board.csv", guarded(board_csv))
    router.add_get("/tab/api/review", guarded(review))
    router.add_get("/tab/api/performance", guarded(performance))
    router.add_get("/tab/api/performance/{table}.csv", guarded(performance_csv))
