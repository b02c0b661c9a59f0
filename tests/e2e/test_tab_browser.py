"""The Teams tab in a real browser (Debian's headless Chromium, playwright-core from npm), as a
Business Services officer, the Head of CP & IRO, an author and the Service Director QPP: each
sees what they may and nothing more, the filters and links work from the keyboard, axe-core
finds no serious or critical problem, and the screenshots land in docs/screenshots/."""

import asyncio
import os
import shutil
from pathlib import Path

import pytest
from aiohttp import web

from bench.tab_seed import more_people, seed
from imr_bot.tab.identity import LocalIdentity
from imr_bot.tab.routes import add_tab_routes
from tests.e2e.conftest import ROOT, UNDER_CI, free_port
from tests.teams.harness import AUTHOR, BUSINESS_SERVICES, EVERYONE, HEAD_OF_CP, SD_QPP, FakeTeams

pytestmark = pytest.mark.e2e
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ROLES = {"business": BUSINESS_SERVICES, "head": HEAD_OF_CP, "author": AUTHOR, "qpp": SD_QPP}


async def test_every_page_as_four_people_in_the_browser(database, clock):
    if database.url.startswith("postgresql"):
        pytest.skip("the browser needs one database; the routes run on both in tests/teams")
    if not Path(CHROMIUM).exists() or not (ROOT / "node_modules/axe-core").exists():
        if UNDER_CI:
            pytest.fail("chromium or node_modules is missing", pytrace=False)
        pytest.skip("chromium is not installed (apt-get install chromium), or make node not run")
    teams = FakeTeams(database, clock)
    await teams.add_people((*EVERYONE, SD_QPP))
    await more_people(database)
    await seed(database, teams.app.ctx.calendar, clock.today(), open_reviews=24,
               closed_reviews=60)
    runners, pairs = [], []
    try:
        for role, user in ROLES.items():
            # the tab's routes as `make run` adds them, as the person IMR_PLAYGROUND_AS names
            web_app = web.Application()
            add_tab_routes(web_app, teams.app.ctx, LocalIdentity(teams.app.ctx, user.email),
                           ROOT / "node_modules")
            runner = web.AppRunner(web_app)
            await runner.setup()
            port = free_port()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            runners.append(runner)
            pairs.append(f"{role}={port}")
        out = ROOT / "docs" / "screenshots"
        out.mkdir(parents=True, exist_ok=True)
        process = await asyncio.create_subprocess_exec(
            shutil.which("node"), str(ROOT / "scripts/tab_browser.js"), str(out), *pairs,
            cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        output, _ = await asyncio.wait_for(process.communicate(), 240)
        assert process.returncode == 0, output.decode()
    finally:
        for runner in runners:
            await runner.cleanup()
    for role in ROLES:
        assert (out / f"tab-board-{role}.png").stat().st_size > 10_000
        assert (out / f"tab-review-{role}.png").stat().st_size > 10_000
    for role in ("business", "head", "qpp"):
        assert (out / f"tab-performance-{role}.png").stat().st_size > 10_000
