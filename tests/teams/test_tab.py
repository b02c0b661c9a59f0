"""The Teams tab over HTTP: who may see what on every route, as several roles; a request without
a valid Teams identity gets 401 and nothing else; local mode is the demo person."""

import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from cryptography.hazmat.primitives.asymmetric import rsa

from imr_bot.domain.plan import Milestone
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Stage
from imr_bot.store.unit_of_work import UnitOfWork
from imr_bot.tab.identity import SignedInIdentity
from imr_bot.tab.routes import add_tab_routes
from imr_bot.teams.tab_sso import TabTokens, TenantSigningKeys, on_allow_list
from tests.teams.harness import (
    AUTHOR,
    BUSINESS_SERVICES,
    EVERYONE,
    HEAD_OF_CP,
    LINE_MANAGER,
    QA_LEAD,
    SD,
    SD_QPP,
    STRANGER,
    FakeTeams,
)
from tests.teams.test_tracker import log_review

APP_ID = "11111111-2222-4333-8444-555555555555"
HOST = "imr.council.test"
TENANT = "tenant-1"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"


class FoundKey:
    def __init__(self, public_key):
        self.public_key = public_key


class TenantKeys:
    """The tenant's key set, as TenantSigningKeys would have fetched it."""

    def __init__(self):
        self.asked: list[str] = []

    async def get(self, kid: str):
        self.asked.append(kid)
        return FoundKey(KEY.public_key()) if kid == "tenant-key" else None


def sso_token(user=None, *, key=KEY, aud=f"api://{HOST}/{APP_ID}", tid=TENANT,
              iss=f"https://login.microsoftonline.com/{TENANT}/v2.0", expires_in=3600,
              oid=None, kid="tenant-key") -> str:
    now = int(time.time())
    return jwt.encode({"iss": iss, "aud": aud, "tid": tid, "exp": now + expires_in,
                       "nbf": now - 10, "iat": now - 10, "oid": oid or user.aad,
                       "name": user.name if user else "x"},
                      key, algorithm="RS256", headers={"kid": kid})


def bearer(user, **claims) -> dict:
    return {"Authorization": f"Bearer {sso_token(user, **claims)}"}


@pytest.fixture
async def tab(teams):
    """Four reviews: one the author and QA lead are on, one allocated to nobody, one on hold,
    one closed; and a web app whose tab checks Teams single sign-on tokens."""
    await teams.add_people((*EVERYONE, SD_QPP))
    await log_review(teams, "MINE/1", received="2026-10-26")
    await teams.place("MINE/1", {Role.AUTHOR: AUTHOR, Role.QA_LEAD: QA_LEAD}, Stage.ALLOCATED)
    await log_review(teams, "OTHER/1", initials="KT")
    await log_review(teams, "PAUSED/1")
    await log_review(teams, "DONE/1", received="2026-09-01")
    async with UnitOfWork(teams.app.database) as uow:
        done = await uow.reviews.get("DONE/1")
        plan = done.plan
        for milestone in Milestone:
            plan = plan.mark_done(milestone, plan.due[milestone])
        await uow.reviews.save(replace(done, plan=plan, stage=Stage.SUBMITTED_TO_DDSCP),
                               teams.clock.now())
        paused = await uow.reviews.get("PAUSED/1")
        await uow.reviews.save(replace(paused, stage=Stage.ON_HOLD,
                                       stage_before_hold=Stage.COMMISSIONED,
                                       held_since=date(2026, 11, 20)), teams.clock.now())
        await uow.commit()
    keys = TenantKeys()
    web_app = web.Application()
    add_tab_routes(web_app, teams.app.ctx, SignedInIdentity(
        teams.app.ctx, TabTokens(APP_ID, f"https://{HOST}", {TENANT}, keys=keys)), NODE_MODULES)
    async with TestClient(TestServer(web_app)) as client:
        client.keys = keys
        client.teams = teams
        yield client


DATA_ROUTES = ["/tab/api/me", "/tab/api/board", "/tab/api/board.csv", "/tab/api/review?ref=MINE/1",
               "/tab/api/performance", "/tab/api/performance/forecast.csv"]


@pytest.mark.parametrize("route", DATA_ROUTES)
@pytest.mark.parametrize("case", ["no token", "not bearer", "garbage", "expired",
                                  "wrong audience", "wrong tenant", "wrong issuer",
                                  "bad signature", "unknown key", "unknown person",
                                  "deactivated person", "no object id"])
async def test_a_data_request_without_a_valid_identity_gets_401_and_nothing_else(tab, route, case):
    if case == "deactivated person":
        async with UnitOfWork(tab.teams.app.database) as uow:
            person = await uow.people.by_email(QA_LEAD.email)
            await uow.people.upsert(replace(person, active=False), tab.teams.clock.now())
            await uow.commit()
    headers = {
        "no token": {},
        "not bearer": {"Authorization": f"Basic {sso_token(QA_LEAD)}"},
        "garbage": {"Authorization": "Bearer not.a.token"},
        "expired": bearer(QA_LEAD, expires_in=-3600),
        "wrong audience": bearer(QA_LEAD, aud=f"api://elsewhere.test/{APP_ID}"),
        "wrong tenant": bearer(QA_LEAD, tid="another-tenant",
                               iss="https://login.microsoftonline.com/another-tenant/v2.0"),
        "wrong issuer": bearer(QA_LEAD, iss="https://login.example.test/tenant-1/v2.0"),
        "bad signature": bearer(QA_LEAD, key=OTHER_KEY),
        "unknown key": bearer(QA_LEAD, kid="someone-elses"),
        "unknown person": bearer(STRANGER),
        "deactivated person": bearer(QA_LEAD),
        "no object id": {"Authorization": "Bearer " + jwt.encode(
            {"iss": f"https://login.microsoftonline.com/{TENANT}/v2.0", "tid": TENANT,
             "aud": f"api://{HOST}/{APP_ID}", "exp": int(time.time()) + 600}, KEY,
            algorithm="RS256", headers={"kid": "tenant-key"})},
    }[case]
    response = await tab.get(route, headers=headers)
    assert response.status == 401
    assert await response.read() == b""


async def test_a_token_from_another_tenant_fetches_no_keys(tab):
    await tab.get("/tab/api/board", headers=bearer(QA_LEAD, tid="another-tenant"))
    assert tab.keys.asked == []


async def test_the_bare_app_id_is_an_accepted_audience_too(tab):
    response = await tab.get("/tab/api/me", headers=bearer(QA_LEAD, aud=APP_ID))
    assert response.status == 200


def test_signing_keys_are_fetched_only_from_microsofts_login_host():
    assert on_allow_list("https://login.microsoftonline.com/t/discovery/v2.0/keys")
    for url in ("http://login.microsoftonline.com/t/keys", "https://login.microsoftonline.com:8443/k",
                "https://login.microsoftonline.com.evil.test/k", "https://127.0.0.1/keys",
                "https://evil.test/login.microsoftonline.com", "file:///etc/passwd", ""):
        assert not on_allow_list(url), url


async def test_a_metadata_document_pointing_elsewhere_is_never_followed(monkeypatch):
    from imr_bot.teams import adapter

    fetched = []

    async def bounded_json(_session, url):
        fetched.append(url)
        return {"jwks_uri": "https://keys.evil.test/keys"}

    monkeypatch.setattr(adapter, "_bounded_json", bounded_json)
    keys = TenantSigningKeys("https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration")
    with pytest.raises(ValueError):
        await keys._fetch(keys.url)
    with pytest.raises(ValueError):
        await keys._fetch("https://evil.test/.well-known/openid-configuration")
    assert fetched == [keys.url]


async def board_of(tab, user) -> dict:
    response = await tab.get("/tab/api/board", headers=bearer(user))
    assert response.status == 200
    return {r["reference"]: r for r in (await response.json())["reviews"]}


async def test_everyone_in_the_directory_sees_the_board_but_plans_only_where_entitled(tab):
    for user in (BUSINESS_SERVICES, HEAD_OF_CP, SD, SD_QPP):
        rows = await board_of(tab, user)
        assert set(rows) == {"MINE/1", "OTHER/1", "PAUSED/1"}  # open reviews only
        assert all(r["entitled"] and len(r["milestones"]) == 7 for r in rows.values())
    for user in (AUTHOR, QA_LEAD, LINE_MANAGER):  # the line manager: of the author named on it
        rows = await board_of(tab, user)
        assert set(rows) == {"MINE/1", "OTHER/1", "PAUSED/1"}
        assert rows["MINE/1"]["entitled"] and rows["MINE/1"]["author"] == AUTHOR.name
        assert rows["MINE/1"]["qaLead"] == QA_LEAD.name
        for other in ("OTHER/1", "PAUSED/1"):
            assert not rows[other]["entitled"]
            assert rows[other]["milestones"] == [] and rows[other]["author"] == ""
            assert rows[other]["heldSince"] == ""


async def test_the_board_says_rag_in_words_and_who_holds_the_next_step(tab):
    rows = await board_of(tab, BUSINESS_SERVICES)
    assert rows["PAUSED/1"]["ragTitle"] == "On hold" and rows["PAUSED/1"]["heldSince"] == "2026-11-20"
    assert rows["MINE/1"]["holder"] == QA_LEAD.name  # scoping: the QA lead's step
    assert rows["OTHER/1"]["holder"] == HEAD_OF_CP.name  # allocation: the only Head of CP
    for row in rows.values():
        assert row["ragTitle"] in {"Red: overdue", "Amber: due soon", "Green: on track", "On hold",
                                   "No date"}
    assert (await board_of(tab, AUTHOR))["MINE/1"]["mine"]
    assert not (await board_of(tab, AUTHOR))["OTHER/1"]["mine"]
    assert (await board_of(tab, HEAD_OF_CP))["OTHER/1"]["mine"]  # allocating is theirs


async def test_the_board_names_no_child_or_family(tab):
    for user in (BUSINESS_SERVICES, AUTHOR):
        text = await (await tab.get("/tab/api/board", headers=bearer(user))).text()
        assert "JS" not in text.replace("JSON", "") and "KT" not in text


async def test_the_board_as_csv(tab):
    response = await tab.get("/tab/api/board.csv", headers=bearer(QA_LEAD))
    assert response.status == 200 and response.content_type == "text/csv"
    assert 'filename="imr-board.csv"' in response.headers["Content-Disposition"]
    lines = (await response.text()).splitlines()
    assert lines[0].startswith("Reference,Type,Stage") and len(lines) == 4


@pytest.mark.parametrize("user", [BUSINESS_SERVICES, HEAD_OF_CP, SD, SD_QPP, AUTHOR, QA_LEAD,
                                  LINE_MANAGER])
async def test_one_review_for_the_people_entitled_to_it(tab, user):
    response = await tab.get("/tab/api/review?ref=MINE/1", headers=bearer(user))
    assert response.status == 200
    body = await response.json()
    assert body["reference"] == "MINE/1" and len(body["milestones"]) == 7
    assert {p["role"] for p in body["people"]} >= {"Report author", "QA senior lead"} or body["people"]
    assert body["milestones"][0]["day"] == 1


@pytest.mark.parametrize("user", [AUTHOR, QA_LEAD, LINE_MANAGER])
async def test_a_review_someone_may_not_see_is_the_same_as_one_that_does_not_exist(tab, user):
    refused = await tab.get("/tab/api/review?ref=OTHER/1", headers=bearer(user))
    missing = await tab.get("/tab/api/review?ref=NOPE/9", headers=bearer(user))
    assert refused.status == missing.status == 404
    assert await refused.read() == await missing.read()
    assert b"KT" not in await refused.read()


PERFORMANCE_ROUTES = ["/tab/api/performance"] + [
    f"/tab/api/performance/{name}.csv" for name in ("on-time", "stages", "amendments", "months",
                                                    "workload", "forecast")]


@pytest.mark.parametrize("route", PERFORMANCE_ROUTES)
async def test_performance_is_for_service_directors_head_of_cp_and_business_services(tab, route):
    for user in (BUSINESS_SERVICES, HEAD_OF_CP, SD, SD_QPP):
        assert (await tab.get(route, headers=bearer(user))).status == 200, user.key
    for user in (AUTHOR, QA_LEAD, LINE_MANAGER):
        response = await tab.get(route, headers=bearer(user))
        assert response.status == 403, user.key
        assert "MINE" not in await response.text()


async def test_the_performance_figures(tab):
    async with UnitOfWork(tab.teams.app.database) as uow:  # two rounds at QA, one at sign-off
        done = await uow.reviews.get("DONE/1")
        for action in ("decision.qa.amendments", "decision.qa.amendments",
                       "decision.qa.approved", "decision.sd.amendments"):
            await uow.audit.record(actor=QA_LEAD.email, action=action, at=tab.teams.clock.now(),
                                   review_id=done.id)
        await uow.commit()
    body = await (await tab.get("/tab/api/performance", headers=bearer(SD_QPP))).json()
    assert body["tables"]["amendments"]["rows"] == [["None", 0, 0], ["One", 0, 1],
                                                    ["Two", 1, 0], ["Three or more", 0, 0]]
    assert body["open"] == 3 and body["closed"] == 1
    on_time = {row[0]: row for row in body["tables"]["on-time"]["rows"]}
    assert on_time["Submission to DDSCP"][1:] == [1, 1, 100.0]
    months = {row[0]: row[1:] for row in body["tables"]["months"]["rows"]}
    assert months["2026-09"] == [1, 0] and months["2026-10"][0] == 1
    workload = body["tables"]["workload"]["rows"]
    assert ["Report author", AUTHOR.name, 1] in workload
    forecast = {row[0]: row for row in body["tables"]["forecast"]["rows"]}
    assert set(forecast) == {"MINE/1", "OTHER/1"}  # not the one on hold, not the closed one
    assert all(row[5] in {"will slip", "at risk", "on track"} for row in forecast.values())


async def test_a_csv_cell_is_never_a_formula():
    from imr_bot.tab.routes import _csv

    response = _csv("x", ["a", "b"], [["=HYPERLINK(1)", "+1"], ["@SUM(A1)", 3]])
    assert response.text.splitlines() == ["a,b", "'=HYPERLINK(1),'+1", "'@SUM(A1),3"]


async def test_an_unknown_csv_table_is_404(tab):
    response = await tab.get("/tab/api/performance/secrets.csv", headers=bearer(SD_QPP))
    assert response.status == 404


async def test_pages_and_assets_hold_no_data_and_are_served_with_a_strict_policy(tab):
    for path in ("/tab/board", "/tab/review", "/tab/performance", "/tab/static/tab.js",
                 "/tab/static/charts.js", "/tab/static/tab.css", "/tab/vendor/echarts.min.js",
                 "/tab/vendor/teams-js.min.js"):
        response = await tab.get(path)
        assert response.status == 200, path
        assert "frame-ancestors" in response.headers["Content-Security-Policy"]
        assert "MINE/1" not in await response.text()
    for path in ("/tab/static/../routes.py", "/tab/static/board.html.bak", "/tab/vendor/lodash.js",
                 "/tab/nothing"):
        assert (await tab.get(path)).status == 404, path


async def test_local_mode_is_the_demo_person_and_says_so(teams, monkeypatch):
    monkeypatch.setenv("IMR_PLAYGROUND_AS", QA_LEAD.email)
    from imr_bot.app import build
    from imr_bot.config import Settings

    app = build(Settings(database_url=teams.app.database.url, scheduler=False),
                clock=teams.clock, database=teams.app.database, adapter=teams.adapter)
    await log_review(teams, "OTHER/1")
    async with TestClient(TestServer(app.web)) as client:
        me = await (await client.get("/tab/api/me")).json()
        assert me == {"name": QA_LEAD.name, "roles": ["QA senior lead"], "local": True,
                      "performance": False}
        rows = (await (await client.get("/tab/api/board")).json())["reviews"]
        assert [r["entitled"] for r in rows] == [False]
        assert (await client.get("/tab/api/performance")).status == 403


async def test_local_mode_defaults_to_the_playgrounds_person(teams, monkeypatch):
    monkeypatch.delenv("IMR_PLAYGROUND_AS", raising=False)
    import json

    from imr_bot.playground import playground_config

    async with UnitOfWork(teams.app.database) as uow:
        people = await uow.people.all()
    chosen = json.loads(playground_config(people, None, "IMR"))["currentUser"]["name"]
    async with TestClient(TestServer(teams.app.web)) as client:
        me = await (await client.get("/tab/api/me")).json()
    assert me["local"] and me["name"] == chosen


async def test_local_mode_as_someone_not_in_the_directory_gets_401(teams, monkeypatch):
    monkeypatch.setenv("IMR_PLAYGROUND_AS", STRANGER.email)
    from imr_bot.app import build
    from imr_bot.config import Settings

    app = build(Settings(database_url=teams.app.database.url, scheduler=False),
                clock=teams.clock, database=teams.app.database, adapter=teams.adapter)
    async with TestClient(TestServer(app.web)) as client:
        response = await client.get("/tab/api/board")
        assert response.status == 401 and await response.read() == b""


async def test_a_delegated_decision_opens_that_review_to_its_delegate(tab):
    await tab.teams.place("OTHER/1", {}, Stage.SUBMITTED_TO_QA)
    assert not (await board_of(tab, QA_LEAD))["OTHER/1"]["entitled"]
    async with UnitOfWork(tab.teams.app.database) as uow:
        review = await uow.reviews.get("OTHER/1")
        qa = await uow.people.by_email(QA_LEAD.email)
        await uow.submissions.set_delegate(review.id, "qa", qa.id, HEAD_OF_CP.email,
                                           tab.teams.clock.now())
        await uow.commit()
    assert (await board_of(tab, QA_LEAD))["OTHER/1"]["entitled"]
    assert (await tab.get("/tab/api/review?ref=OTHER/1", headers=bearer(QA_LEAD))).status == 200
    assert (await tab.get("/tab/api/review?ref=OTHER/1", headers=bearer(AUTHOR))).status == 404


async def test_one_review_shows_its_moved_dates_decisions_and_history(tab):
    async with UnitOfWork(tab.teams.app.database) as uow:
        review = await uow.reviews.get("MINE/1")
        moved = review.plan.move(Milestone.SCOPING_MEETING, date(2026, 11, 10),
                                 tab.teams.app.ctx.calendar, by=BUSINESS_SERVICES.email,
                                 reason="the author is on leave", at=tab.teams.clock.now())
        await uow.reviews.save(replace(review, plan=moved), tab.teams.clock.now())
        await uow.audit.record(actor=QA_LEAD.email, action="decision.qa.amendments",
                               at=tab.teams.clock.now(), review_id=review.id)
        await uow.commit()
    body = await (await tab.get("/tab/api/review?ref=MINE/1", headers=bearer(AUTHOR))).json()
    (change,) = [c for c in body["changes"] if c["milestone"] == "Scoping meeting"]
    assert change["new"] == "2026-11-10" and change["reason"] == "the author is on leave"
    assert change["by"] == BUSINESS_SERVICES.name  # a name, never an email address
    (decision,) = body["decisions"]  # in the review card's words (services.tracker)
    assert decision.startswith("2026-11-23: ") and QA_LEAD.name in decision
    assert body["history"] and body["today"] == "2026-11-23"


async def test_signed_in_the_bot_never_falls_back_to_the_demo_person(database, clock, monkeypatch):
    """With MicrosoftAppId set, the tab wants a Teams token even if IMR_PLAYGROUND_AS is set, and
    a token from the allowed tenant is checked against keys fetched only from Microsoft."""
    from imr_bot.app import build
    from tests.teams.test_auth import secured_settings

    monkeypatch.setenv("IMR_PLAYGROUND_AS", BUSINESS_SERVICES.email)
    fake = FakeTeams(database, clock)
    await fake.add_people()
    asked = []

    async def refuse_to_fetch(self, url):
        asked.append(url)
        raise ValueError("no network in tests")

    monkeypatch.setattr(TenantSigningKeys, "_fetch", refuse_to_fetch)
    app = build(secured_settings(database, "http://127.0.0.1:1/unused",
                                 public_url=f"https://{HOST}"), clock=clock, database=database)
    async with TestClient(TestServer(app.web)) as client:
        assert (await client.get("/tab/api/me")).status == 401
        token = sso_token(BUSINESS_SERVICES, aud=f"api://{HOST}/{app.settings.app_id}")
        response = await client.get("/tab/api/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status == 401  # its keys could not be fetched: refused, not let in
    assert asked == [f"https://login.microsoftonline.com/{TENANT}/v2.0/.well-known/"
                     "openid-configuration"]
