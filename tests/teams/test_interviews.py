"""Interviews through the bot, as an author and two interviewees would do them: the author
records them on the card, attaches each record sheet; one interviewee agrees, the other asks
for corrections and agrees the next version; someone with no part in the review can neither
see nor agree a record; `imr status` counts them."""

import io

import pytest
from docx import Document

from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Stage
from imr_bot.services.access import REFUSAL
from tests.teams.harness import (
    AUTHOR,
    LINE_MANAGER,
    QA_LEAD,
    User,
    card_text,
    cards,
    texts,
)
from tests.teams.test_approvals import FileHost, approval_card, submit_files
from tests.teams.test_tracker import log_review

REF = "DDSCP/CSPR/2026/014"
NURSE = User("nurse", "Nia Nurse", "nia.nurse@council.test", frozenset())
SOCIAL = User("social", "Sol Worker", "sol.worker@council.test", frozenset())
OTHER = User("other", "Una Related", "una.related@council.test", frozenset({Role.AUTHOR}))


def sheet(text: str) -> bytes:
    document = Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture
async def host():
    files = FileHost()
    await files.server.start_server()
    yield files
    await files.server.close()


@pytest.fixture
async def review(teams, monkeypatch):
    await teams.add_people((NURSE, SOCIAL, OTHER))
    await log_review(teams, REF)
    await teams.place(REF, {Role.AUTHOR: AUTHOR, Role.LINE_MANAGER: LINE_MANAGER,
                            Role.QA_LEAD: QA_LEAD}, Stage.MIDWAY_HELD)
    for user in (AUTHOR, NURSE, SOCIAL, OTHER, QA_LEAD):
        await teams.say(user, "hello")
    await teams.deliver()
    return teams


def button(card: dict, title: str) -> dict:
    for candidate in card["actions"]:
        if candidate["title"] == title:
            return candidate
    raise AssertionError(f"no button {title!r} in {[a['title'] for a in card['actions']]}")


async def record(teams, interviewee: User) -> int:
    (form,) = cards(await teams.say(AUTHOR, f"imr interview add {REF}"))
    replies = await teams.submit(AUTHOR, {**button(form, "Record the interview")["data"],
                                          "interviewee": interviewee.email, "on": "2026-11-20"})
    said = card_text(cards(replies)[-1])
    assert f"with {interviewee.name}" in said
    return int(said.split(f"{REF}\nInterview ")[1].split(" ")[0])


async def attach(teams, host, number: int, text: str) -> list:
    name = f"record-{number}-{len(text)}.docx"
    replies = await teams.send_files(AUTHOR, [host.url(name, sheet(text))],
                                     text=f"imr interview attach {number}")
    await teams.deliver()
    return replies


def said_in(replies) -> str:
    return texts(replies).strip()


def agreement_card(teams, user) -> dict:
    return [c for c in cards(teams.inbox(user)) if "Interview record for" in card_text(c)][-1]


async def test_two_interviews_agreed_one_after_corrections_and_nobody_else_can_see_or_agree(
        review, host):
    teams = review
    first = await record(teams, NURSE)
    second = await record(teams, SOCIAL)
    said = await attach(teams, host, first, "The nurse visited weekly.")
    assert "Version 1 of the record is sent for agreement" in said_in(said)
    await attach(teams, host, second, "The social worker saw the child alone.")

    # the third person is refused, whatever they press or type
    card = agreement_card(teams, NURSE)
    replies = await teams.submit(OTHER, button(card, "Agree")["data"])
    assert "Only the interviewee and the interviewers" in said_in(replies)
    assert "That interview no longer exists" in said_in(await teams.say(
        OTHER, f"imr interview record {first}"))
    listing = said_in(await teams.say(OTHER, f"imr interviews {REF}"))
    assert "Nia Nurse" not in listing and REFUSAL not in listing

    # the nurse agrees; the author agrees: agreed
    replies = await teams.submit(NURSE, button(card, "Agree")["data"])
    assert said_in(replies).endswith("Thank you: your agreement is recorded.")
    (own,) = cards(await teams.say(AUTHOR, f"imr interview agree {first}"))
    replies = await teams.submit(AUTHOR, button(own, "Agree")["data"])
    assert "now agreed by the interviewer and the interviewee" in said_in(replies)

    # the social worker asks for corrections; version 2 goes out and is agreed
    card = agreement_card(teams, SOCIAL)
    corrections = button(card, "Ask for corrections")["card"]["actions"][0]["data"]
    replies = await teams.submit(SOCIAL, {**corrections, "comment": "I saw the child at school."})
    assert "your corrections are recorded" in said_in(replies)
    replies = await teams.submit(SOCIAL, button(card, "Agree")["data"])  # the old card
    assert "already been answered" in said_in(replies)
    await attach(teams, host, second, "The social worker saw the child alone at school.")
    card = agreement_card(teams, SOCIAL)
    assert "Version 2" in card_text(card)
    await teams.submit(SOCIAL, button(card, "Agree")["data"])

    (status,) = cards(await teams.say(QA_LEAD, f"imr status {REF}"))
    assert "Interviews\n1 agreed, 1 outstanding" in card_text(status)
    (table,) = cards(await teams.say(QA_LEAD, f"imr interviews {REF}"))
    assert "Nia Nurse" in card_text(table) and "Sol Worker" in card_text(table)
    (mine,) = cards(await teams.say(NURSE, f"imr interviews {REF}"))  # only their own
    assert "Nia Nurse" in card_text(mine) and "Sol Worker" not in card_text(mine)


async def test_only_a_word_record_is_taken(review, host):
    teams = review
    number = await record(teams, NURSE)
    replies = await teams.send_files(AUTHOR, [host.url("record.pdf", b"%PDF-1.4")],
                                     text=f"imr interview attach {number}")
    await teams.deliver()
    assert all("Interview record for" not in card_text(c) for c in cards(teams.inbox(NURSE)))
    assert "is not a .docx file; I only take .docx here." in said_in(replies)


async def test_the_qa_lead_sees_on_the_approval_card_which_interviews_are_not_yet_agreed(review,
                                                                                         host):
    teams = review
    first = await record(teams, NURSE)
    await record(teams, SOCIAL)
    await attach(teams, host, first, "The nurse visited weekly.")
    await teams.submit(NURSE, button(agreement_card(teams, NURSE), "Agree")["data"])
    (own,) = cards(await teams.say(AUTHOR, f"imr interview agree {first}"))
    await teams.submit(AUTHOR, button(own, "Agree")["data"])
    await submit_files(teams, host)
    await teams.deliver()
    said = card_text(approval_card(teams, QA_LEAD, 1))
    assert "Interviews\n1 agreed, 1 outstanding: check the records not yet agreed" in said
    assert "Nia Nurse\nAgreed" in said
    assert "Sol Worker\nNot yet agreed: Planned" in said


async def test_a_record_waiting_for_agreement_is_on_the_todo_of_those_who_must_agree_it(review,
                                                                                        host):
    teams = review
    first = await record(teams, NURSE)
    assert f"Attach the record of the interview with Nia Nurse (interview {first})" in card_text(
        cards(await teams.say(AUTHOR, "imr todo"))[-1])
    await attach(teams, host, first, "The nurse visited weekly.")
    nurse = card_text(cards(await teams.say(NURSE, "imr todo"))[-1])
    assert f"Agree the record of your interview (interview {first})" in nurse
    assert f"imr interview agree {first}" in nurse
    author = card_text(cards(await teams.say(AUTHOR, "imr todo"))[-1])
    assert f"Agree the record of your interview with Nia Nurse (interview {first})" in author
    await teams.submit(NURSE, button(agreement_card(teams, NURSE), "Agree")["data"])
    replies = await teams.say(NURSE, "imr todo")
    assert "Agree the record" not in said_in(replies) + "".join(card_text(c)
                                                                for c in cards(replies))


def interview_reminders(teams, user) -> list[str]:
    return [a.text for a in teams.inbox(user)
            if a.text and a.text.startswith("Reminder: the record of your interview")]


async def test_a_record_waiting_is_reminded_to_its_interviewee_on_working_days_only(review, host):
    """Sent on Christmas Eve 2026: Christmas Day and the Boxing Day holiday (Mon 28 Dec) remind
    nobody; Tue 29 Dec reminds the nurse once; once agreed, no more."""
    from datetime import UTC, datetime

    from imr_bot.services import reminders

    teams = review
    first = await record(teams, NURSE)
    teams.clock.set(datetime(2026, 12, 24, 10, tzinfo=UTC))
    await attach(teams, host, first, "The nurse visited weekly.")

    async def sweep(day: int, hour: int = 11) -> list[str]:
        teams.clock.set(datetime(2026, 12, day, hour, tzinfo=UTC))
        await reminders.sweep(teams.app.ctx)
        await teams.deliver()
        return interview_reminders(teams, NURSE)

    assert await sweep(24, 14) == []  # the day it was sent
    assert await sweep(25) == [] and await sweep(28) == []  # bank holidays
    (said,) = await sweep(29)
    assert said == (f"Reminder: the record of your interview for **{REF}** is waiting for you "
                    "to agree it or ask for corrections (sent 1 working day ago). Type "
                    f"`imr interview agree {first}` to see it.")
    assert len(await sweep(29, 15)) == 1  # once a day
    await teams.submit(NURSE, button(agreement_card(teams, NURSE), "Agree")["data"])
    assert len(await sweep(30)) == 1  # agreed: no more
    assert interview_reminders(teams, AUTHOR) == []  # the author's is on their todo
