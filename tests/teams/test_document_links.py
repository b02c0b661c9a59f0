"""Links a browser opens (documents, calendar invitations, files): each names its person, works
for minutes, and is checked again when used; looking at a link never uses it up."""

import base64
from dataclasses import replace
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from imr_bot.domain.roles import Role
from imr_bot.services import files
from imr_bot.store.unit_of_work import UnitOfWork
from imr_bot.teams.link_routes import PREVIEW_PAGE, REFUSED_PAGE
from tests.teams.harness import AUTHOR, BUSINESS_SERVICES, LINE_MANAGER, QA_LEAD, SD_QPP
from tests.teams.test_allocation import DEV, pool  # noqa: F401
from tests.teams.test_approvals import REF, approval_card, host, midway, submit_files  # noqa: F401
from tests.teams.test_meetings import action, allocated, last_card  # noqa: F401

PREVIEWERS = ["SkypeUriPreview Preview/0.5",
              "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 skype-url-preview@microsoft.com",
              "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
              "Mozilla/5.0 (compatible; MicrosoftPreview/2.0; +https://aka.ms/MicrosoftPreview)",
              "Microsoft Office Existence Discovery",
              "facebookexternalhit/1.1", "WhatsApp/2.23.20.0", "Discordbot/2.0"]
PREFETCHES = [{"Purpose": "prefetch"}, {"Sec-Purpose": "prefetch;prerender"}, {"X-Moz": "prefetch"}]


def document_paths(teams, user, card: dict | None = None) -> list[str]:
    card = card or approval_card(teams, user, 1)
    urls = [a["url"] for s in card["body"] if s.get("type") == "ActionSet" for a in s["actions"]]
    return [u[u.index("/documents/"):] for u in urls if "/documents/" in u]


def body_of(path: str) -> str:
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    text = token.split(".")[0]
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()


def with_body(path: str, body: str) -> str:
    """The path with its token's body replaced, its signature kept."""
    prefix, token = path.rsplit("/", 1)
    suffix = ".ics" if token.endswith(".ics") else ""
    mac = token.removesuffix(suffix).split(".", 1)[1]
    return f"{prefix}/{base64.urlsafe_b64encode(body.encode()).decode().rstrip('=')}.{mac}{suffix}"


async def entries(teams, *actions: str) -> list[dict]:
    async with UnitOfWork(teams.app.database) as uow:
        return [{**e.detail, "actor": e.actor, "review_id": e.review_id}
                for e in await uow.audit.all() if e.action in actions]


async def refusals(teams) -> list[dict]:
    return await entries(teams, "link.refused")


async def downloads(teams) -> int:
    return len(await entries(teams, "document.downloaded", "file.downloaded"))


async def set_active(teams, user, active: bool) -> None:
    async with UnitOfWork(teams.app.database) as uow:
        person = await uow.people.by_email(user.email)
        await uow.people.upsert(replace(person, active=active), teams.clock.now())
        await uow.commit()


@pytest.fixture
async def submitted(midway, host):  # noqa: F811
    await submit_files(midway, host, b"content")
    return midway


async def test_a_document_link_names_the_review_the_document_and_its_person(submitted):
    async with UnitOfWork(submitted.app.database) as uow:
        review = await uow.reviews.get(REF)
        qa = await uow.people.by_email(QA_LEAD.email)
    paths = document_paths(submitted, QA_LEAD)
    assert len(paths) == 2
    for path in paths:
        purpose, review_id, _document, person, _expires = body_of(path).split(":")
        assert (purpose, int(review_id), int(person)) == ("document", review.id, qa.id)


async def test_a_document_link_works_for_minutes_and_is_refused_once_expired(submitted):
    path = document_paths(submitted, QA_LEAD)[0]
    async with TestClient(TestServer(submitted.app.web)) as client:
        submitted.clock.set(submitted.clock.now() + timedelta(minutes=14))
        response = await client.get(path)
        assert response.status == 200 and (await response.read()).startswith(b"PK")
        submitted.clock.set(submitted.clock.now() + timedelta(minutes=2))
        response = await client.get(path)
        assert response.status == 404 and await response.text() == REFUSED_PAGE
    assert (await refusals(submitted))[-1]["reason"] == "expired"


async def test_the_link_lifetime_is_a_setting_and_a_refreshed_card_mints_fresh_links(submitted):
    submitted.app.ctx.document_link_minutes = 2
    data = approval_card(submitted, QA_LEAD, 1)["refresh"]["action"]["data"]
    submitted.clock.set(submitted.clock.now() + timedelta(minutes=20))
    refreshed = document_paths(submitted, QA_LEAD, await submitted.execute(
        QA_LEAD, "approval.refresh", data))
    async with TestClient(TestServer(submitted.app.web)) as client:
        assert (await client.get(refreshed[0])).status == 200  # fresh, though the old one is not
        assert (await client.get(document_paths(submitted, QA_LEAD)[0])).status == 404
        submitted.clock.set(submitted.clock.now() + timedelta(minutes=3))
        assert (await client.get(refreshed[0])).status == 404


async def test_a_link_for_a_person_deactivated_since_it_was_made_is_refused(submitted):
    path = document_paths(submitted, QA_LEAD)[0]
    await set_active(submitted, QA_LEAD, False)
    async with TestClient(TestServer(submitted.app.web)) as client:
        response = await client.get(path)
        assert response.status == 404 and await response.text() == REFUSED_PAGE
        await set_active(submitted, QA_LEAD, True)  # the entitlement is read at use, each time
        assert (await client.get(path)).status == 200
    refusal = (await refusals(submitted))[-1]
    assert refusal["reason"] == "inactive" and refusal["actor"] == QA_LEAD.email
    assert refusal["review_id"] is not None


async def test_a_link_for_a_person_whose_role_on_the_review_was_removed_is_refused(submitted):
    path = document_paths(submitted, QA_LEAD)[0]
    await submitted.place(REF, {Role.AUTHOR: AUTHOR, Role.LINE_MANAGER: LINE_MANAGER,
                                Role.QA_LEAD: DEV})  # the QA lead is replaced
    async with TestClient(TestServer(submitted.app.web)) as client:
        response = await client.get(path)
        assert response.status == 404 and await response.text() == REFUSED_PAGE
    assert (await refusals(submitted))[-1]["reason"] == "not_entitled"


@pytest.mark.parametrize("edit", ["review", "document", "person", "expiry", "purpose"])
async def test_a_link_edited_to_name_something_else_is_refused(submitted, edit):
    async with UnitOfWork(submitted.app.database) as uow:
        other = await uow.reviews.add(replace(await uow.reviews.get(REF), reference="DDSCP/CSPR/2026/099",
                                              id=None), submitted.clock.now())
        business = await uow.people.by_email(BUSINESS_SERVICES.email)
        await uow.commit()
    path = document_paths(submitted, QA_LEAD)[0]
    purpose, review_id, document, person, expires = body_of(path).split(":")
    edited = {"review": [purpose, str(other.id), document, person, expires],
              "document": [purpose, review_id, str(int(document) + 1), person, expires],
              "person": [purpose, review_id, document, str(business.id), expires],
              "expiry": [purpose, review_id, document, person, str(int(expires) + 86400 * 30)],
              "purpose": ["calendar", review_id, document, person, expires]}[edit]
    async with TestClient(TestServer(submitted.app.web)) as client:
        assert (await client.get(path)).status == 200  # the link as made works
        response = await client.get(with_body(path, ":".join(edited)))
        assert response.status == 404 and await response.text() == REFUSED_PAGE
    assert (await refusals(submitted))[-1]["reason"] == "tampered"


@pytest.mark.parametrize("token", ["forged.token", "x", "." * 3, "%00", "a" * 600, "é.é",
                                   "ZG9jdW1lbnQ6MToxOjE6OTk5OTk5OTk5OQ.AAAA"])
async def test_a_made_up_document_token_gets_the_same_page(submitted, token):
    async with TestClient(TestServer(submitted.app.web)) as client:
        response = await client.get(f"/documents/{token}")
        assert response.status == 404 and await response.text() == REFUSED_PAGE


async def test_a_person_without_a_role_on_the_review_gets_no_document_link(submitted):
    from imr_bot.domain.people import Actor
    from imr_bot.domain.submissions import Level
    from imr_bot.services import approvals

    async with UnitOfWork(submitted.app.database) as uow:
        review = await uow.reviews.get(REF)
        outsider = await uow.people.by_email(SD_QPP.email)
        business = await uow.people.by_email(BUSINESS_SERVICES.email)
    ctx = submitted.app.ctx
    seen = await approvals.view(ctx, Actor(outsider.email, outsider.name, outsider),
                                review.id, 1, Level.QA)
    assert all(d.url == "" for d in seen.documents)
    seen = await approvals.view(ctx, Actor(business.email, business.name, business),
                                review.id, 1, Level.QA)
    assert all("/documents/" in d.url for d in seen.documents)


async def test_a_head_request_answers_without_serving_or_auditing(submitted):
    path = document_paths(submitted, QA_LEAD)[0]
    before = await downloads(submitted)
    async with TestClient(TestServer(submitted.app.web)) as client:
        for asked in (path, "/documents/forged.token"):  # the same answer either way
            response = await client.head(asked)
            assert response.status == 200 and await response.read() == b""
            assert "attachment" not in response.headers.get("Content-Disposition", "")
    assert await downloads(submitted) == before


@pytest.mark.parametrize("agent", PREVIEWERS)
async def test_a_link_previewer_gets_a_harmless_page_not_the_document(submitted, agent):
    path = document_paths(submitted, QA_LEAD)[0]
    before = await downloads(submitted)
    async with TestClient(TestServer(submitted.app.web)) as client:
        response = await client.get(path, headers={"User-Agent": agent})
        assert response.status == 200 and await response.text() == PREVIEW_PAGE
    assert await downloads(submitted) == before


async def offered(teams, user=BUSINESS_SERVICES) -> str:
    return await files.offer(teams.app.ctx, filename="tracker.xlsx", content_type="application/x",
                             content=b"PK tracker", created_by=user.email)


@pytest.mark.parametrize("look", [{"method": "HEAD"}, {"method": "OPTIONS"}]
                         + [{"headers": {"User-Agent": a}} for a in PREVIEWERS]
                         + [{"headers": h} for h in PREFETCHES])
async def test_looking_at_a_single_use_file_link_does_not_use_it_up(teams, look):
    token = await offered(teams)
    async with TestClient(TestServer(teams.app.web)) as client:
        for _ in range(3):
            response = await client.request(look.get("method", "GET"), f"/files/{token}",
                                            headers=look.get("headers", {}))
            assert b"PK tracker" not in await response.read()
        first = await client.get(f"/files/{token}")  # a person's browser: this one uses it
        assert first.status == 200 and await first.read() == b"PK tracker"
        again = await client.get(f"/files/{token}")
        assert again.status == 404 and await again.text() == REFUSED_PAGE


async def test_a_file_link_is_refused_once_its_person_is_deactivated(teams):
    token = await offered(teams)
    await set_active(teams, BUSINESS_SERVICES, False)
    async with TestClient(TestServer(teams.app.web)) as client:
        response = await client.get(f"/files/{token}")
        assert response.status == 404 and await response.text() == REFUSED_PAGE
    refusal = (await refusals(teams))[-1]
    assert refusal["reason"] == "inactive" and refusal["purpose"] == "file"


async def test_a_file_link_expires_after_fifteen_minutes(teams):
    token = await offered(teams)
    teams.clock.set(teams.clock.now() + timedelta(minutes=16))
    async with TestClient(TestServer(teams.app.web)) as client:
        assert (await client.get(f"/files/{token}")).status == 404


async def confirmed_calendar_path(teams, user) -> str:
    propose = last_card(teams, QA_LEAD, "Arrange the Scoping meeting")
    await teams.submit(QA_LEAD, {**action(propose, "Send to participants")["data"],
                                 "day": "2026-11-26", "time": "10:00", "minutes": "60",
                                 "location": "Room 4"})
    invite = last_card(teams, AUTHOR, "Scoping meeting for DDSCP/CSPR/2026/014")
    await teams.submit(AUTHOR, action(invite, "Accept")["data"])
    invite = last_card(teams, LINE_MANAGER, "Scoping meeting for DDSCP/CSPR/2026/014")
    inner = action(invite, "Propose another time")["card"]["actions"][0]["data"]
    await teams.submit(LINE_MANAGER, {**inner, "day": "2026-11-27", "time": "14:00"})
    counter = last_card(teams, QA_LEAD, "Lena Manager proposes another time")
    await teams.submit(QA_LEAD, action(counter, "Confirm the new time")["data"])
    invite = last_card(teams, AUTHOR, "Scoping meeting for DDSCP/CSPR/2026/014")  # asked again
    await teams.submit(AUTHOR, action(invite, "Accept")["data"])
    url = action(last_card(teams, user, "Confirmed: Scoping meeting"), "Add to my calendar")["url"]
    return url[url.index("/calendar/"):]


async def test_a_calendar_link_is_bound_to_its_person_and_checked_when_used(allocated):  # noqa: F811
    path = await confirmed_calendar_path(allocated, AUTHOR)
    async with TestClient(TestServer(allocated.app.web)) as client:
        assert (await client.get(path)).status == 200
        assert (await client.head(path)).status == 200
        preview = await client.get(path, headers={"User-Agent": PREVIEWERS[0]})
        assert await preview.text() == PREVIEW_PAGE
        _purpose, meeting, person, expires = body_of(path).split(":")
        other = with_body(path, f"calendar:{meeting}:{int(person) + 1}:{expires}")
        assert await (await client.get(other)).text() == REFUSED_PAGE
        await set_active(allocated, AUTHOR, False)
        response = await client.get(path)
        assert response.status == 404 and await response.text() == REFUSED_PAGE
    reasons = [r["reason"] for r in await refusals(allocated)]
    assert reasons[-2:] == ["tampered", "inactive"]


async def test_refused_links_are_counted_in_the_metrics(teams):
    async with TestClient(TestServer(teams.app.web)) as client:
        for path in ("/documents/forged.token", "/calendar/x.ics", "/files/unknown"):
            await client.get(path)
        text = await (await client.get("/metrics")).text()
    assert 'imr_refused_requests_total{reason="link"} 3.0' in text


# names a person gave a file, as they reach the header that names the download
HOSTILE_NAMES = ["Ré­vision chronologie.docx", "报告.docx", "IMR\r\nSet-Cookie: a=b.docx",
                 'a"; filename="evil.exe', "a;filename*=UTF-8''evil.exe.docx", "..\\..\\boot.ini",
                 "%2e%2e%2fpasswd.docx", "\u202eexe.docx", "ǅ ² ٣.docx", "", "\t\x00", "x" * 400]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_download_header_is_plain_ascii_with_the_real_name_only_as_rfc_6266_filename_star(name):
    from email.message import Message
    from urllib.parse import unquote

    from imr_bot.teams.link_routes import attachment

    header = attachment(b"", "application/octet-stream", name).headers["Content-Disposition"]
    assert header.isascii() and header.isprintable()
    message = Message()
    message["Content-Disposition"] = header
    params = dict(message.get_params(header="content-disposition")[1:])
    assert set(params) <= {"filename", "filename*"}
    fallback = params["filename"]
    assert fallback and not any(c in fallback for c in '"\\/;%') and len(fallback) <= 200
    if "filename*" in params:
        shown = unquote(params["filename*"].removeprefix("UTF-8''"))
        assert shown.isprintable() and not any(c in shown for c in '"\\/;%\r\n')
