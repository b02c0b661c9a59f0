"""Malformed activities and card payloads, generated: never a server error, and a refused input
changes no row. (make test runs a few hundred; `make soak` runs 10,000.)"""

import json
import os

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import strategies as st
from sqlalchemy import func, select

from imr_bot.app import build
from imr_bot.config import Settings
from imr_bot.store import tables as t

EXAMPLES = int(os.environ.get("IMR_FUZZ_EXAMPLES", "300"))
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                           lambda children: st.lists(children, max_size=3)
                           | st.dictionaries(st.text(max_size=8), children, max_size=3), max_leaves=8)
verbs = st.sampled_from(["new_review.check", "new_review.confirm", "allocate.offer",
                         "allocation.accept", "meeting.send", "meeting.record", "submit.confirm",
                         "approval.approve", "status.more", "x"])
activity_types = st.sampled_from(["message", "invoke", "conversationUpdate", "installationUpdate",
                                  "event", "typing", "", "bogus"])


@st.composite
def activities(draw):
    body = {"type": draw(activity_types), "channelId": draw(st.sampled_from(["msteams", "x", ""])),
            "serviceUrl": "SERVICE_URL", "id": draw(st.text(max_size=5)),
            "from": draw(st.one_of(st.just({"id": "29:f", "aadObjectId": "aad-f"}), json_values)),
            "conversation": draw(st.one_of(st.just({"id": "a:f", "conversationType": "personal"}),
                                           json_values)),
            "text": draw(st.one_of(st.none(), st.text(max_size=40), st.just("imr status"))),
            "value": draw(st.one_of(st.none(), json_values, st.fixed_dictionaries(
                {"verb": verbs}, optional={"reviewId": json_values, "meetingId": json_values,
                                           "allocationId": json_values, "reference": json_values}))),
            "name": draw(st.sampled_from([None, "adaptiveCard/action", "fileConsent/invoke", "x"]))}
    if body["type"] == "invoke" and isinstance(body["value"], dict):
        body["value"] = {"action": {"type": "Action.Execute", "verb": draw(verbs),
                                    "data": draw(json_values)}}
    for key in draw(st.lists(st.sampled_from(list(body)), max_size=3)):
        body.pop(key, None)  # some activities arrive with fields missing
    return body


async def accept_anything(request: web.Request) -> web.Response:
    return web.json_response({"id": "1"})


async def counts(database) -> dict:
    async with database.engine.connect() as c:
        return {table.name: await c.scalar(select(func.count()).select_from(table))
                for table in (t.reviews, t.people, t.audit, t.meetings, t.decisions, t.allocations)}


def generated(count: int) -> list[tuple[dict, bool]]:
    """Examples drawn from the strategies above (the test runs inside pytest-asyncio's loop,
    where @given cannot drive it)."""
    import random
    import warnings

    from hypothesis.errors import NonInteractiveExampleWarning

    random.seed(2026)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NonInteractiveExampleWarning)
        return [(activities().example(), random.random() < 0.1) for _ in range(count)]


async def test_generated_activities_never_cause_a_server_error_nor_change_on_refusal(database, clock):
    app = build(Settings(database_url=database.url, scheduler=False, commands_per_minute=10**9),
                clock=clock, database=database)
    statuses: dict[int, int] = {}
    connector = web.Application()  # accepts every reply, so each turn runs to its end
    connector.router.add_route("*", "/{tail:.*}", accept_anything)
    async with TestServer(connector) as replies, TestClient(TestServer(app.web)) as client:
        for body, truncated in generated(EXAMPLES):
            before = await counts(database)
            data = json.dumps(body).replace("SERVICE_URL", str(replies.make_url("/"))).encode()
            response = await client.post("/api/messages", data=data[:-3] if truncated else data,
                                         headers={"Content-Type": "application/json"})
            statuses[response.status] = statuses.get(response.status, 0) + 1
            assert response.status < 500, (response.status, body)
            if response.status >= 400:
                assert await counts(database) == before
    print(f"\nmalformed inputs: {sum(statuses.values())} requests, statuses {statuses}")
