"""The README's own demo, one person at a time: `make run` as Bea, Ctrl-C, then
`IMR_PLAYGROUND_AS=arun.author@demo.council.test make run`, as a newcomer would type them.

Each restart is the real one: make, scripts/run.sh, the bot and the Playground all stop on SIGINT
and start again on the same database and ports, so a conversation saved in one run points at a
Playground that is someone else's in the next (where Teams would answer 404)."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import PLAYGROUND, ROOT, UNDER_CI, free_port, wait_until_up
from tests.e2e.playground import PlaygroundClient, action, card, choice_value, shown

pytestmark = pytest.mark.e2e
OFFERED = "DDSCP/CSPR/2026/201"  # offered to Arun before he ever opened the bot
WITHDRAWN = "DDSCP/CSPR/2026/202"  # offered, then reallocated before he opened it
CLOSED = "DDSCP/CSPR/2026/203"  # offered while his chat pointed at Bea's Playground, then withdrawn
LATER = "DDSCP/CSPR/2026/204"  # offered while his chat pointed at Bea's Playground
ARUN = "arun.author@demo.council.test"  # the README's line, word for word
SETTLE = 2.0  # long enough for anything queued on arrival to have been sent


class MakeRun:
    """`make run` in the repository, on one database and one pair of ports for every run."""

    def __init__(self, work: Path):
        self.work = work
        self.bot_port, self.playground_port = free_port(), free_port()
        self.process: subprocess.Popen | None = None
        self.runs = 0

    def start(self, as_email: str | None = None) -> None:
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("IMR_", "MAKE", "MFLAGS")) and key != "MicrosoftAppId"}
        env |= {"IMR_DATABASE_URL": f"sqlite:///{self.work / 'imr.db'}",
                "IMR_PORT": str(self.bot_port), "IMR_PLAYGROUND_PORT": str(self.playground_port)}
        if as_email:
            env["IMR_PLAYGROUND_AS"] = as_email
        self.runs += 1
        log = (self.work / f"run-{self.runs}.log").open("w")
        # a session of its own, so that stopping it is a terminal's Ctrl-C: SIGINT to the group
        self.process = subprocess.Popen(["make", "--no-print-directory", "run"], cwd=ROOT, env=env,
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_until_up(f"http://127.0.0.1:{self.playground_port}/_debug/ping", seconds=60)
        except RuntimeError:
            self.stop()
            raise AssertionError(f"make run did not start: {self.log()[-2000:]}") from None
        deadline = time.monotonic() + 10
        while "Ctrl-C stops everything" not in self.log():  # run.sh says it once all is up
            assert time.monotonic() < deadline, self.log()[-2000:]
            time.sleep(0.05)

    def log(self) -> str:
        return (self.work / f"run-{self.runs}.log").read_text(errors="replace")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        # the ports are the next run's: wait until the old Playground has let go of its own
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _listening(self.playground_port):
            time.sleep(0.1)

    async def open_chat(self, name: str) -> PlaygroundClient:
        """What the Playground's page does when a person opens it: it installs the app."""
        client = PlaygroundClient(name, self.playground_port)
        await client.open()
        return client


def _listening(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def make_run(tmp_path):
    if not (shutil.which("node") and shutil.which("make") and PLAYGROUND.exists()):
        message = "make, node/npm or the Agents Playground is missing (make test installs it)"
        if UNDER_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    runner = MakeRun(tmp_path)
    yield runner
    runner.stop()


async def log_commission(bea: PlaygroundClient, reference: str) -> None:
    form = await bea.say("imr new", wait_for="Log a new IMR commission")
    confirm = await bea.submit(form, {**action(card(form), "Check and show the plan")["data"],
                                      "reference": reference, "review_type": "CSPR",
                                      "body": "DDSCP", "template_pack": "derbyshire",
                                      "received": "", "tor_start": "2025-01-01",
                                      "tor_end": "2025-12-31", "subject_initials": "JS"},
                               wait_for="Confirm the new IMR")
    await bea.submit(confirm, action(card(confirm), "Confirm and log it")["data"],
                     wait_for=f"Logged **{reference}**")


async def offer_to_arun(bea: PlaygroundClient, reference: str) -> dict:
    """The Head of CP asks Arun Author, with Quinn Lead as QA lead; returns the bot's reply."""
    allocation = await bea.say(f"imr allocate {reference}", wait_for=f"Allocate {reference}")
    content = card(allocation)
    return await bea.submit(allocation, {**action(content, "Ask this author")["data"],
                                         "involved": "",
                                         "author": choice_value(content, "author", "Arun Author"),
                                         "qa_lead": choice_value(content, "qa_lead", "Quinn Lead")},
                            wait_for="Asked Arun Author")


def offers_for(client: PlaygroundClient, reference: str) -> list[dict]:
    return [m for m in client.messages
            if f"Will you write the IMR for {reference}" in shown(m) and m.get("attachments")]


def buttons(node) -> list[dict]:
    """Every action anywhere in a card, however deep its containers."""
    if isinstance(node, list):
        return [found for item in node for found in buttons(item)]
    if not isinstance(node, dict):
        return []
    own = [node] if str(node.get("type", "")).startswith("Action.") else []
    return own + [found for value in node.values() for found in buttons(value)]


def never_shown(client: PlaygroundClient, reference: str) -> None:
    seen = [shown(m)[:200] for m in client.messages if reference in shown(m)]
    assert not seen, f"{client.name} was sent something about {reference}: {seen}"


async def test_the_readme_demo_reaches_the_authors_acceptance_one_person_at_a_time(make_run):
    # `make run`: the Playground is Bea Services (Business Services and Head of CP)
    make_run.start()
    bea = await make_run.open_chat("bea")
    for reference in (OFFERED, WITHDRAWN):
        await log_commission(bea, reference)
    asked = await offer_to_arun(bea, OFFERED)
    assert "Arun has not opened the IMR bot yet" in shown(asked)
    await offer_to_arun(bea, WITHDRAWN)
    await bea.say(f"imr reallocate {WITHDRAWN} Arun is on leave that month",
                  wait_for=f"Allocate {WITHDRAWN}")
    await bea.close()
    make_run.stop()

    # Ctrl-C, then the README's `IMR_PLAYGROUND_AS=arun.author@demo.council.test make run`
    make_run.start(ARUN)
    arun = await make_run.open_chat("arun")
    assert arun.user["email"] == ARUN
    offer = await arun.wait_for(f"Will you write the IMR for {OFFERED}", timeout=10)  # on arrival
    await asyncio.sleep(SETTLE)
    never_shown(arun, WITHDRAWN)  # the withdrawn offer is dropped, not delivered late
    assert len(offers_for(arun, OFFERED)) == 1

    todo = await arun.say("imr todo", wait_for="What's waiting for you")
    assert OFFERED in shown(todo) and WITHDRAWN not in shown(todo)
    assert [a["data"]["verb"] for a in buttons(card(todo)) if a.get("title") == "Answer the offer"] \
        == ["todo.offer"]

    seen = len(arun.messages)
    await arun.submit(offer, {**action(card(offer), "Accept")["data"], "declaration": "true"},
                      wait_for="you are the report author")
    pressed = await arun.wait_for("Accepted by you", after=seen)
    assert pressed["_action"] == "updateMessage" and pressed["messageId"] == offer["messageId"]
    assert not buttons(card(pressed))  # nothing left to press
    await asyncio.sleep(SETTLE)  # a person reads the reply before pressing Ctrl-C
    await arun.close()
    make_run.stop()

    # Bea again (`make run`): what was for her while the Playground was Arun's reaches her now
    make_run.start()
    bea = await make_run.open_chat("bea")
    await bea.wait_for(f"Arun Author accepted **{OFFERED}**", timeout=10)
    for reference in (CLOSED, LATER):
        await log_commission(bea, reference)
    await offer_to_arun(bea, CLOSED)  # Arun's chat is saved, but this Playground is Bea's
    await bea.say(f"imr withdraw {CLOSED} commission withdrawn by DDSCP",
                  wait_for=f"{CLOSED} is withdrawn")
    await offer_to_arun(bea, LATER)
    await asyncio.sleep(SETTLE)
    await bea.close()
    make_run.stop()

    # Arun again: the offer that met Bea's Playground is not lost, the withdrawn review's is dropped
    make_run.start(ARUN)
    arun = await make_run.open_chat("arun")
    await arun.wait_for(f"Will you write the IMR for {LATER}", timeout=10)
    await asyncio.sleep(SETTLE)
    never_shown(arun, CLOSED)  # its review was withdrawn while the offer waited
    never_shown(arun, WITHDRAWN)
    assert not offers_for(arun, OFFERED)  # answered already: its offer does not come again
    await arun.say(f"imr accept {LATER}", wait_for="you are the report author")
    status = await arun.say("imr status mine", wait_for=LATER)
    assert OFFERED in shown(status)
    assert CLOSED not in shown(status) and WITHDRAWN not in shown(status)
    await arun.close()
