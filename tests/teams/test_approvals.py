"""Submission and approval (Days 25-35): exactly one decision per version, on cards."""

import asyncio
import contextvars

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from imr_bot.domain.people import Actor
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Stage
from imr_bot.domain.submissions import Decision, Level
from imr_bot.services import approvals
from imr_bot.services.access import REFUSAL
from imr_bot.store.unit_of_work import UnitOfWork
from tests.teams.harness import (
    AUTHOR,
    BUSINESS_SERVICES,
    HEAD_OF_CP,
    LINE_MANAGER,
    QA_LEAD,
    SD,
    SD_QPP,
    card_text,
    cards,
    texts,
)
from tests.teams.test_allocation import DEV
from tests.teams.test_tracker import log_review

REF = "DDSCP/CSPR/2026/014"


class FileHost:
    """Serves files on loopback, as Teams serves an attachment's short-lived download URL."""

    def __init__(self):
        self.files: dict[str, bytes] = {}
        app = web.Application()
        app.router.add_get("/f/{name}", self.get)
        self.server = TestServer(app)

    async def get(self, request):
        name = request.match_info["name"]
        if name not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[name])

    def url(self, name: str, content: bytes) -> tuple[str, str]:
        self.files[name] = content
        return name, str(self.server.make_url(f"/f/{name}"))


@pytest.fixture
async def host():
    files = FileHost()
    await files.server.start_server()
    yield files
    await files.server.close()


@pytest.fixture
async def midway(teams):
    """A review whose midway review is held, with its author, line manager and QA lead."""
    await teams.add_people((DEV, SD_QPP))
    for user in (AUTHOR, LINE_MANAGER, QA_LEAD, SD, SD_QPP, HEAD_OF_CP, BUSINESS_SERVICES, DEV):
        await teams.say(user, "hello")
    await log_review(teams, REF)
    await teams.place(REF, {Role.AUTHOR: AUTHOR, Role.LINE_MANAGER: LINE_MANAGER,
                            Role.QA_LEAD: QA_LEAD}, Stage.MIDWAY_HELD)
    await teams.deliver()
    return teams


def word(text: bytes) -> bytes:
    """A small Word document saying `text`."""
    import io

    from docx import Document

    document, out = Document(), io.BytesIO()
    document.add_paragraph(text.decode())
    document.save(out)
    return out.getvalue()


async def submit_files(teams, host, version_note=b"v"):
    await teams.say(AUTHOR, f"imr submit {REF}")
    replies = await teams.send_files(AUTHOR, [
        host.url("IMR report.docx", word(b"report " + version_note)),
        host.url("Chronology.docx", word(b"chronology " + version_note))])
    (confirm,) = cards(replies)
    return await teams.submit(AUTHOR, confirm["actions"][0]["data"])


def approval_card(teams, user, version: int, level="QA senior lead") -> dict:
    return [c for c in cards(teams.inbox(user))
            if f"version {version} for the {level}" in card_text(c)][-1]


def execute_data(card: dict) -> dict:
    return card["refresh"]["action"]["data"]


async def stage(teams) -> Stage:
    async with UnitOfWork(teams.app.database) as uow:
        return (await uow.reviews.get(REF)).stage


async def test_submitting_needs_both_documents_of_the_right_type(midway, host):
    reply = texts(await midway.say(AUTHOR, f"imr submit {REF}"))
    assert "Send me the report and the chronology" in reply
    reply = texts(await midway.send_files(AUTHOR, [host.url("notes.txt", b"x")]))
    assert "not a Word document (.docx) or a PDF" in reply
    reply = texts(await midway.send_files(AUTHOR, [host.url("report.docx", word(b"report"))]))
    assert "Send me the chronology" in reply and "report: report.docx" in reply
    assert await stage(midway) == Stage.MIDWAY_HELD
    assert "Only the report author" in texts(await midway.say(LINE_MANAGER, f"imr submit {REF}"))
    # someone with no part in the review is told what an unknown reference gets
    assert texts(await midway.say(DEV, f"imr submit {REF}")) == f"There is no review {REF}."


async def test_the_qa_lead_alone_sees_the_buttons(midway, host):
    reply = texts(await submit_files(midway, host))
    assert f"Submitted **{REF}** version 1 to the QA senior lead" in reply
    card = approval_card(midway, QA_LEAD, 1)
    assert card["refresh"]["userIds"] == [QA_LEAD.teams_id]
    assert "Guidance checklist" in card_text(card) and "Approve" in str(card["actions"])
    assert "Automated check:" in card_text(card)  # the document check travels with the card
    seen_by_qa = await midway.execute(QA_LEAD, "approval.refresh", execute_data(card))
    assert [a["title"] for a in seen_by_qa["actions"]] == ["Approve", "Request amendments"]
    seen_by_other = await midway.execute(BUSINESS_SERVICES, "approval.refresh", execute_data(card))
    assert not seen_by_other.get("actions") and "Waiting for a decision" in card_text(seen_by_other)


async def test_requesting_amendments_needs_a_comment_shown_on_the_card(midway, host):
    await submit_files(midway, host)
    data = execute_data(approval_card(midway, QA_LEAD, 1))
    card = await midway.execute(QA_LEAD, "approval.amend", {**data, "comment": "  "})
    assert "a comment is required" in card_text(card)
    assert await stage(midway) == Stage.SUBMITTED_TO_QA


async def test_the_whole_loop_with_two_qa_rounds_and_one_sd_round(midway, host):
    teams = midway
    await submit_files(teams, host, b"1")
    card = await teams.execute(QA_LEAD, "approval.amend", {
        **execute_data(approval_card(teams, QA_LEAD, 1)), "comment": "Section 7 needs analysis"})
    assert "Amendments requested by Quinn Lead" in card_text(card) and not card.get("actions")
    amendments = [c for c in cards(teams.inbox(AUTHOR)) if "Amendments requested" in card_text(c)][-1]
    assert "Section 7 needs analysis" in card_text(amendments)
    assert await stage(teams) == Stage.QA_AMENDMENTS

    await submit_files(teams, host, b"2")
    await teams.execute(QA_LEAD, "approval.amend", {
        **execute_data(approval_card(teams, QA_LEAD, 2)), "comment": "Dates out of order"})
    await submit_files(teams, host, b"3")
    card = await teams.execute(QA_LEAD, "approval.approve", {
        **execute_data(approval_card(teams, QA_LEAD, 3)), "check_0": "true"})
    assert "Approved by Quinn Lead" in card_text(card)
    assert await stage(teams) == Stage.SD_REVIEW
    assert "passed QA" in texts(teams.inbox(SD_QPP))

    sd_card = approval_card(teams, SD, 3, "Service Director (EH&S)")
    await teams.execute(SD, "approval.amend", {**execute_data(sd_card), "comment": "Tone"})
    assert await stage(teams) == Stage.SD_AMENDMENTS
    assert "Service Director asked for amendments" in texts(teams.inbox(QA_LEAD))
    reply = texts(await submit_files(teams, host, b"4"))
    assert "version 4 to the Service Director (EH&S)" in reply
    card = await teams.execute(SD, "approval.approve", {
        **execute_data(approval_card(teams, SD, 4, "Service Director (EH&S)")), "check_0": "true"})
    assert "Approved by Sam Director" in card_text(card)
    assert await stage(teams) == Stage.SD_APPROVED
    assert f"**{REF}** is signed off and ready for DDSCP" in texts(teams.inbox(BUSINESS_SERVICES))

    (asked,) = cards(await teams.say(BUSINESS_SERVICES, f"imr submitted {REF}"))
    assert await stage(teams) == Stage.SD_APPROVED  # asked first: closing cannot be undone
    reply = card_text(await teams.execute(BUSINESS_SERVICES, "ddscp.confirm",
                                          asked["actions"][0]["data"]))
    assert "The review is closed" in reply
    assert await stage(teams) == Stage.SUBMITTED_TO_DDSCP
    for user in (AUTHOR, QA_LEAD, LINE_MANAGER):
        assert "was submitted to DDSCP" in texts(teams.inbox(user))
    (history,) = cards(await teams.say(QA_LEAD, f"imr history {REF}"))
    shown = card_text(history)
    assert "QA senior lead asked for amendments to version 1: \u201cSection 7 needs analysis\u201d" in shown
    assert "Service Director (EH&S) signed off version 4" in shown and "imr-bot" not in shown


async def test_a_late_click_gets_the_current_card_with_who_decided(midway, host):
    await submit_files(midway, host)
    data = {**execute_data(approval_card(midway, QA_LEAD, 1)), "check_3": "true"}
    await midway.execute(QA_LEAD, "approval.approve", data)
    again = await midway.execute(QA_LEAD, "approval.approve", data)
    assert "Already decided by Quinn Lead" in card_text(again) and not again.get("actions")
    async with UnitOfWork(midway.app.database) as uow:
        review = await uow.reviews.get(REF)
        decisions = [e for e in await uow.audit.for_review(review.id) if e.action.startswith("decision.")]
    assert len(decisions) == 1


async def test_a_click_on_an_older_version_records_nothing(midway, host):
    await submit_files(midway, host, b"1")
    old = execute_data(approval_card(midway, QA_LEAD, 1))
    await midway.execute(QA_LEAD, "approval.amend", {**old, "comment": "fix"})
    await submit_files(midway, host, b"2")
    card = await midway.execute(QA_LEAD, "approval.approve", old)
    assert "Already decided" in card_text(card)
    assert await stage(midway) == Stage.SUBMITTED_TO_QA


async def test_someone_else_replaying_the_payload_cannot_approve(midway, host):
    await submit_files(midway, host)
    data = execute_data(approval_card(midway, QA_LEAD, 1))
    # a Service Director may see it (and is told whose decision it is); the others may not decide
    assert "Only Quinn Lead can decide this" in card_text(
        await midway.execute(SD, "approval.approve", data))
    for intruder in (AUTHOR, HEAD_OF_CP, DEV):
        card = await midway.execute(intruder, "approval.approve", data)
        assert card_text(card) == REFUSAL
    assert await stage(midway) == Stage.SUBMITTED_TO_QA


async def test_a_delegate_named_by_the_head_of_cp_can_decide(midway, host):
    await submit_files(midway, host)
    reply = texts(await midway.say(HEAD_OF_CP, f"imr delegate {REF} {DEV.email}"))
    assert "Dev Author may now make the QA senior lead's decision" in reply
    card = await midway.execute(DEV, "approval.approve", {
        **execute_data(approval_card(midway, DEV, 1)), "check_0": "true"})
    assert "Approved by Dev Author" in card_text(card)


async def test_many_simultaneous_clicks_record_exactly_one_decision(midway, host):
    await submit_files(midway, host)
    async with UnitOfWork(midway.app.database) as uow:
        review = await uow.reviews.get(REF)
        qa = await uow.people.by_email(QA_LEAD.email)
    actor = Actor(qa.email, qa.name, qa)

    async def click(decision):
        try:
            await approvals.decide(midway.app.ctx, actor, review.id, 1, Level.QA, decision,
                                   "comment", [])
            return "decided"
        except Exception as error:  # noqa: BLE001 - every loser must fail politely
            return type(error).__name__

    tasks = [asyncio.create_task(click(Decision.APPROVED if n % 2 else Decision.AMENDMENTS),
                                 context=contextvars.Context()) for n in range(12)]
    outcomes = await asyncio.gather(*tasks)
    assert outcomes.count("decided") == 1
    assert set(outcomes) - {"decided"} <= {"AlreadyDecided", "ConcurrentChange"}
    async with UnitOfWork(midway.app.database) as uow:
        decided = await uow.submissions.decision(review.id, 1, "qa")
        entries = [e for e in await uow.audit.for_review(review.id) if e.action.startswith("decision.")]
    assert decided is not None and len(entries) == 1


async def test_documents_are_downloaded_through_signed_links_and_audited(midway, host):
    await submit_files(midway, host, b"content")
    card = approval_card(midway, QA_LEAD, 1)
    urls = [a["url"] for s in card["body"] if s.get("type") == "ActionSet" for a in s["actions"]]
    async with TestClient(TestServer(midway.app.web)) as client:
        response = await client.get(urls[0][urls[0].index("/documents/"):])
        assert response.status == 200 and (await response.read()).startswith(b"PK")
        bad = await client.get("/documents/forged.token")
        assert bad.status == 404
    async with UnitOfWork(midway.app.database) as uow:
        review = await uow.reviews.get(REF)
        assert any(e.action == "document.downloaded" for e in await uow.audit.for_review(review.id))
