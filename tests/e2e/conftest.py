"""End-to-end: the bot on a temporary database, and one Agents Playground client per person.

These run in `make test` when node and npm are present; under CI=true they must run."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from imr_bot.playground import playground_config
from imr_bot.services.people import parse_people_csv
from tests.e2e.playground import PlaygroundClient

ROOT = Path(__file__).resolve().parents[2]
PLAYGROUND = ROOT / "node_modules/.bin/agentsplayground"
UNDER_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PEOPLE = {"bea": "bea.services@demo.council.test", "arun": "arun.author@demo.council.test",
          "lena": "lena.manager@demo.council.test", "quinn": "quinn.lead@demo.council.test",
          "sam": "sam.director@demo.council.test"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, seconds: float = 30) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


@pytest.fixture(scope="module")
def stack(tmp_path_factory, request):
    """The bot and one Playground per person. A test module may name its own clients (`PEOPLE`,
    {key: email}) and change the demo directory for itself (`DIRECTORY_CHANGES`, a people.csv
    imported after deploy/demo/people.csv: people added, or a demo person's roles changed)."""
    clients = getattr(request.module, "PEOPLE", PEOPLE)
    changes = getattr(request.module, "DIRECTORY_CHANGES", "")
    if not (shutil.which("node") and PLAYGROUND.exists()):
        message = "node/npm or the Agents Playground is missing (make test installs it)"
        if UNDER_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    work = tmp_path_factory.mktemp("e2e")
    bot_port = free_port()
    env = {**os.environ, "IMR_DATABASE_URL": f"sqlite:///{work / 'imr.db'}",
           "IMR_PORT": str(bot_port), "IMR_TEST_CLOCK": "1", "IMR_SCHEDULER": "0",
           "IMR_LOG_JSON": "0", "IMR_PUBLIC_URL": f"http://127.0.0.1:{bot_port}",
           "IMR_ATTACHMENTS_FROM_LOOPBACK": "1",  # the test's file server is on 127.0.0.1
           "MicrosoftAppId": "", "PYTHONPATH": str(ROOT)}
    cli = [sys.executable, "-m", "imr_bot.cli"]
    subprocess.run([*cli, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([*cli, "people", "import", str(ROOT / "deploy/demo/people.csv")], env=env,
                   check=True, capture_output=True)
    if changes:
        (work / "changes.csv").write_text(changes)
        subprocess.run([*cli, "people", "import", str(work / "changes.csv")], env=env, check=True,
                       capture_output=True)
    processes = [subprocess.Popen([*cli, "serve"], env=env, stdout=(work / "bot.log").open("w"),
                                  stderr=subprocess.STDOUT)]
    try:
        wait_until_up(f"http://127.0.0.1:{bot_port}/healthz")
        directory = {p.email: p for _, p in parse_people_csv(
            (ROOT / "deploy/demo/people.csv").read_text())[0]}
        directory |= {p.email: p for _, p in parse_people_csv(changes)[0]} if changes else {}
        people = list(directory.values())
        ports = {}
        for key, email in clients.items():
            folder = work / key
            folder.mkdir()
            (folder / ".m365agentsplayground.yml").write_text(playground_config(people, email, "IMR bot"))
            ports[key] = free_port()
            processes.append(subprocess.Popen(
                [str(PLAYGROUND), "-e", f"http://127.0.0.1:{bot_port}/api/messages", "-c", "msteams",
                 "--dt", "-p", str(ports[key])], cwd=folder,
                env={**os.environ, "TEAMSAPPTESTER_BROWSER": "none",
                     "APPLICATION_INSIGHTS_NO_STATSBEAT": "true",
                     "M365_AGENTS_PLAYGROUND_LOGFILE": str(folder / "playground.log")},
                stdout=(folder / "stdout.log").open("w"), stderr=subprocess.STDOUT))
        for port in ports.values():
            wait_until_up(f"http://127.0.0.1:{port}/_debug/ping")
        yield {"bot": f"http://127.0.0.1:{bot_port}", "ports": ports, "work": work}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="module")
async def clients(stack):
    opened = {}
    for key, port in stack["ports"].items():
        client = PlaygroundClient(key, port)
        await client.open()
        opened[key] = client
    await asyncio.sleep(1.0)  # the installation updates reach the bot
    yield opened
    for client in opened.values():
        await client.close()


class BotControl:
    def __init__(self, base: str):
        self.base = base

    async def set_time(self, iso: str) -> None:
        async with aiohttp.ClientSession() as session:
            response = await session.post(f"{self.base}/_test/clock", json={"now": iso})
            assert response.status == 200

    async def sweep(self) -> int:
        async with aiohttp.ClientSession() as session:
            response = await session.post(f"{self.base}/_test/sweep")
            return (await response.json())["queued"]

    async def get(self, path: str) -> bytes:
        async with aiohttp.ClientSession() as session, session.get(f"{self.base}{path}") as response:
            assert response.status == 200, path
            return await response.read()


@pytest.fixture(scope="module")
def bot(stack) -> BotControl:
    return BotControl(stack["bot"])
