"""Through the bot: whoever acts is told once (by the reply, which says who else was told), and
everyone else the notification policy names is told once."""

from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Stage
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
from tests.teams.test_allocation import offer, offer_card, pool  # noqa: F401

REF = "DDSCP/CSPR/2026/014"


async def test_accepting_tells_the_qa_lead_the_line_manager_and_the_head_of_cp_and_says_so(
        pool):  # noqa: F811
    await offer(pool)
    accept = next(a for a in (await offer_card(pool))["actions"] if a["title"] == "Accept")
    reply = texts(await pool.submit(AUTHOR, {**accept["data"], "declaration": "true"})).strip()
    assert reply.endswith("I've told Quinn Lead (QA senior lead), Lena Manager (line manager) "
                          "and Harriet Head (Head of CP & IRO).")
    await pool.deliver()
    assert f"Arun Author accepted **{REF}**, with Quinn Lead" in texts(pool.inbox(HEAD_OF_CP))
    assert "who reports to you, has accepted" in texts(pool.inbox(LINE_MANAGER))
    assert "accepted" not in texts(pool.inbox(AUTHOR)).replace(reply, "")


async def test_the_qa_lead_who_records_a_meeting_reads_it_once_in_the_reply(pool):  # noqa: F811
    await offer(pool)
    accept = next(a for a in (await offer_card(pool))["actions"] if a["title"] == "Accept")
    await pool.submit(AUTHOR, {**accept["data"], "declaration": "true"})
    propose = [c for c in cards(pool.inbox(QA_LEAD))
               if "Arrange the Scoping meeting" in card_text(c)][-1]
    send = next(a for a in propose["actions"] if a["title"] == "Send to participants")["data"]
    await pool.submit(QA_LEAD, {**send, "day": "2026-11-26", "time": "10:00", "minutes": "60",
                                "location": "Room 4"})
    for user in (AUTHOR, LINE_MANAGER):
        invite = [c for c in cards(pool.inbox(user)) if "Scoping meeting for" in card_text(c)][-1]
        await pool.submit(user, next(a for a in invite["actions"] if a["title"] == "Accept")["data"])
    confirmed = [c for c in cards(pool.inbox(QA_LEAD))
                 if "Confirmed: Scoping meeting" in card_text(c)][-1]
    (form,) = cards(await pool.submit(QA_LEAD, next(
        a for a in confirmed["actions"] if a["title"] == "Record the outcome")["data"]))
    record = next(a for a in form["actions"] if a["title"] == "Record the outcome")["data"]
    pool.clock.set(pool.clock.now().replace(day=26, hour=16))
    reply = texts(await pool.submit(QA_LEAD, {
        **record, "held_on": "2026-11-26", "attendees": "", "notes": "",
        "due_midway_review": "2026-12-11", "due_report_to_qa": "2027-01-15",
        "due_qa_complete": "2027-01-29", "due_ddscp_submission": "2027-02-12"})).strip()
    assert reply.endswith("I've told Arun Author (report author) and Lena Manager (line "
                          "manager).")
    await pool.deliver()
    assert texts(pool.inbox(QA_LEAD)).count("Dates now:") == 1  # the reply, not a notice too
    for user in (AUTHOR, LINE_MANAGER):
        assert texts(pool.inbox(user)).count("Dates now:") == 1


async def test_closing_a_review_tells_everyone_on_it_the_head_of_cp_and_the_sd_qpp(
        pool):  # noqa: F811
    await pool.place(REF, {Role.AUTHOR: AUTHOR, Role.QA_LEAD: QA_LEAD,
                           Role.LINE_MANAGER: LINE_MANAGER, Role.SD_EHS: SD}, Stage.SD_APPROVED)
    (asked,) = cards(await pool.say(BUSINESS_SERVICES, f"imr submitted {REF}"))
    confirm = next(a for a in asked["actions"] if a["title"].startswith("Confirm"))
    reply = card_text(await pool.execute(BUSINESS_SERVICES, "ddscp.confirm", confirm["data"]))
    assert "everyone involved" not in reply
    assert (
        "The review is closed. I've told Arun Author (report author), Lena Manager (line "
        "manager), Quinn Lead (QA senior lead), Sam Director (Service Director EH&S), Harriet "
        "Head (Head of CP & IRO) and Pat Performance (Service Director QPP)." in reply)
    await pool.deliver()
    for user in (AUTHOR, LINE_MANAGER, QA_LEAD, SD, HEAD_OF_CP, SD_QPP):
        assert texts(pool.inbox(user)).count(f"**{REF}** was submitted to DDSCP on") == 1, user
    assert "was submitted to DDSCP on" not in texts(pool.inbox(BUSINESS_SERVICES)).replace(
        reply, "")
