"""The Teams tab's server time with many reviews: the board and the performance figures, as a
use case and over HTTP (the JSON a page reads), for an organisation role and for an author.
Run on its own: `.venv/bin/python -m bench.tab [OPEN] [CLOSED]` (default 1,000 and 5,000);
target: under a second of server time each."""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.tab_seed import AUTHORS, QA_LEADS, seed  # noqa: E402
from imr_bot.clock import SettableClock  # noqa: E402
from imr_bot.domain.calendar import WorkingCalendar  # noqa: E402
from imr_bot.domain.people import Actor, Person  # noqa: E402
from imr_bot.domain.roles import Role  # noqa: E402
from imr_bot.services import tab  # noqa: E402
from imr_bot.services.context import ServiceContext  # noqa: E402
from imr_bot.store.database import Database  # noqa: E402
from imr_bot.store.unit_of_work import UnitOfWork, UnitOfWorkFactory  # noqa: E402
from imr_bot.tab.identity import LocalIdentity  # noqa: E402
from imr_bot.tab.routes import add_tab_routes  # noqa: E402

TODAY = date(2026, 11, 23)
AT = datetime(2026, 11, 20, 9, tzinfo=UTC)
REPEATS = 7
PEOPLE = [("bea.services@council.test", "Bea Services", {Role.BUSINESS_SERVICES, Role.HEAD_OF_CP}),
          (f"{AUTHORS[0].lower().replace(' ', '.')}@council.test", AUTHORS[0], {Role.AUTHOR})]
PEOPLE += [(f"{n.lower().replace(' ', '.')}@council.test", n, {Role.AUTHOR}) for n in AUTHORS[1:]]
PEOPLE += [(f"{n.lower().replace(' ', '.')}@council.test", n, {Role.QA_LEAD}) for n in QA_LEADS]


async def timed(call) -> tuple[float, float]:
    samples = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000, max(samples) * 1000


async def measure(open_reviews: int = 1000, closed_reviews: int = 5000) -> list:
    """[(what, median ms, worst ms)] for the board and performance, as use case and over HTTP."""
    folder = Path(tempfile.mkdtemp(prefix="imr-tab-bench-"))
    database = Database(f"sqlite:///{folder / 'tab.db'}")
    await database.migrate()
    calendar = WorkingCalendar.for_england()
    clock = SettableClock()
    clock.set(datetime(2026, 11, 23, 10, tzinfo=UTC))
    async with UnitOfWork(database) as uow:
        for email, name, roles in PEOPLE:
            await uow.people.upsert(Person(email=email, name=name, roles=frozenset(roles),
                                           aad_object_id=f"aad-{email}"), AT)
        await uow.commit()
    started = time.perf_counter()
    await seed(database, calendar, TODAY, open_reviews=open_reviews,
               closed_reviews=closed_reviews)
    print(f"seeded {open_reviews} open and {closed_reviews} closed reviews in "
          f"{time.perf_counter() - started:.1f} s")
    ctx = ServiceContext(unit_of_work=UnitOfWorkFactory(database), calendar=calendar, clock=clock)
    async with UnitOfWork(database) as uow:
        people = {p.email: p for p in await uow.people.all()}
    rows = []
    for email, name, _ in PEOPLE[:2]:
        actor = Actor(email, name, people[email])
        rows.append((f"board (use case), as {name}", await timed(lambda a=actor: tab.board(ctx, a))))
        if tab.may_see_performance(actor):
            rows.append((f"performance (use case), as {name}",
                         await timed(lambda a=actor: tab.performance(ctx, a))))
        web_app = web.Application()
        add_tab_routes(web_app, ctx, LocalIdentity(ctx, email), ROOT / "node_modules")
        async with TestClient(TestServer(web_app)) as client:
            async def get(path):
                response = await client.get(path)
                assert response.status == 200, (path, response.status)
                await response.read()
            rows.append((f"GET /tab/api/board, as {name}",
                         await timed(lambda: get("/tab/api/board"))))
            if tab.may_see_performance(actor):
                rows.append((f"GET /tab/api/performance, as {name}",
                             await timed(lambda: get("/tab/api/performance"))))
    await database.dispose()
    return [(what, median, worst) for what, (median, worst) in rows]


def report_section(rows: list, open_reviews: int = 1000, closed_reviews: int = 5000) -> str:
    """The tab's figures for docs/benchmarks.md (bench/run.py adds them beside the turns')."""
    lines = ["", "## The Teams tab (`/tab/api/…`)", "",
             f"SQLite, {open_reviews:,} open and {closed_reviews:,} closed reviews, in process; "
             f"median and worst of {REPEATS} runs. Target: under a second of server time.", "",
             "| what | median | worst | under a second |", "| --- | ---: | ---: | --- |"]
    for what, median, worst in rows:
        lines.append(f"| {what} | {median:.0f} | {worst:.0f} | {'met' if worst < 1000 else 'NOT MET'} |")
    return "\n".join(lines) + "\n"


async def main(open_reviews: int = 1000, closed_reviews: int = 5000) -> None:
    print(report_section(await measure(open_reviews, closed_reviews), open_reviews,
                         closed_reviews))


if __name__ == "__main__":
    sizes = [int(a) for a in sys.argv[1:3]]
    asyncio.run(main(*sizes))
