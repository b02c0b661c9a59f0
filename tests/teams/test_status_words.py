"""What the status card, the history and the board say after a whole review: people's words."""

import re
from datetime import UTC, datetime

from tests.teams.harness import (
    AUTHOR,
    BUSINESS_SERVICES,
    LINE_MANAGER,
    QA_LEAD,
    SD,
    card_text,
    cards,
)
from tests.teams.test_allocation import offer, offer_card, pool  # noqa: F401
from tests.teams.test_approvals import FileHost, approval_card, execute_data, host, submit_files  # noqa: F401
from tests.teams.test_meetings import action, last_card
from tests.teams.test_tracker import log_review

REF = "DDSCP/CSPR/2026/014"


async def hold_meeting(teams, title, day, time, held, extra=None):
    propose = last_card(teams, QA_LEAD, f"Arrange the {title}")
    await teams.submit(QA_LEAD, {**action(propose, "Send to participants")["data"],
                                 "day": day, "time": time, "minutes": "60", "location": ""})
    for user in (AUTHOR, LINE_MANAGER):
        await teams.submit(user, action(last_card(teams, user, f"{title} for"), "Accept")["data"])
    teams.clock.set(held)
    (form,) = cards(await teams.submit(QA_LEAD, action(
        last_card(teams, QA_LEAD, f"Confirmed: {title}"), "Record the outcome")["data"]))
    await teams.submit(QA_LEAD, {**action(form, "Record the outcome")["data"],
                                 "held_on": day, **(extra or {})})


def codes_in(text: str) -> list[str]:
    """Anything in `text` that is the code's words, not a person's."""
    return [*re.findall(r"\b[a-z]+\.[a-z_]+\b", text), *re.findall(r"\b\w+_\w+\b", text),
            *re.findall(r"\d{4}-\d\d-\d\d", text), *re.findall(r"imr-bot|\(s\)", text)]


def facts(card: dict) -> dict[str, str]:
    return {f["title"]: f["value"] for f in card["body"][1]["facts"]}


def timeline(card: dict) -> list[tuple[str, ...]]:
    (table,) = [e for e in card["body"] if e["type"] == "Table"]
    return [tuple(cell["items"][0]["text"] for cell in row["cells"]) for row in table["rows"][1:]]


def history_rows(card: dict) -> list[tuple[str, str]]:
    (table,) = [e for e in card["body"] if e["type"] == "Table"]
    return [(row["cells"][1]["items"][0]["text"], row["cells"][2]["items"][0]["text"])
            for row in table["rows"][1:]]


async def status(teams, user=QA_LEAD) -> dict:
    (card,) = cards(await teams.say(user, f"imr status {REF}"))
    return card


async def test_a_whole_review_reads_in_peoples_words_and_its_days_left_never_jump(pool, host):  # noqa: F811
    teams = pool
    await offer(teams)
    accept = next(a for a in (await offer_card(teams))["actions"] if a["title"] == "Accept")
    await teams.submit(AUTHOR, {**accept["data"], "declaration": "true"})
    await hold_meeting(teams, "Scoping meeting", "2026-11-26", "10:00",
                       datetime(2026, 11, 26, 15, tzinfo=UTC))
    await hold_meeting(teams, "Midway review", "2026-12-11", "09:30",
                       datetime(2026, 12, 11, 12, tzinfo=UTC))
    await submit_files(teams, host, b"1")
    await teams.execute(QA_LEAD, "approval.amend", {
        **execute_data(approval_card(teams, QA_LEAD, 1)), "comment": "Section 7"})
    await submit_files(teams, host, b"2")
    before = facts(await status(teams))
    # Fri 11 Dec 2026 to the deadline, Wed 13 Jan 2027 (Day 35): 20 working days
    deadline = "Submission to DDSCP by Wed 13 Jan 2027 (20 working days left)"
    assert before["Deadline"] == deadline
    assert before["Next"] == "QA complete by Wed 6 Jan 2027"
    decided = await teams.execute(QA_LEAD, "approval.approve", {
        **execute_data(approval_card(teams, QA_LEAD, 2)), "check_0": "true"})
    after = facts(await status(teams))
    assert after["Deadline"] == deadline  # QA approval moves the next milestone, not the count
    assert after["Next"] == "Submission to DDSCP (the deadline)"
    assert f"QA complete by Wed 6 Jan 2027; s{deadline[1:]}" in card_text(decided)
    assert "Approved by Quinn Lead on Fri 11 Dec 2026, 12:00" in card_text(decided)

    await teams.execute(SD, "approval.approve", {
        **execute_data(approval_card(teams, SD, 2, "Service Director (EH&S)")), "check_0": "true"})
    (asked,) = cards(await teams.say(BUSINESS_SERVICES, f"imr submitted {REF}"))
    confirm = next(a for a in asked["actions"] if a["title"].startswith("Confirm"))
    await teams.execute(BUSINESS_SERVICES, "ddscp.confirm", confirm["data"])
    card = await status(teams)
    rows = timeline(card)
    assert rows[0] == ("1", "Request logged", "Mon 23 Nov 2026", "received Mon 23 Nov 2026")
    titles = [row[1] for row in rows]
    # every decision that ended a stage has its row, in its place
    assert titles == ["Request logged", "Author and QA lead allocated", "Scoping meeting",
                      "Midway review", "Report and chronology to QA lead",
                      "QA senior lead asked for amendments to version 1", "QA complete",
                      "Signed off by the Service Director (EH&S): version 2",
                      "Submission to DDSCP"]
    assert rows[7] == ("", titles[7], "", "Fri 11 Dec 2026")
    recent = [f["value"] for f in card["body"][-1]["facts"]]
    assert "Sam Director signed off version 2 as Service Director (EH&S)" in recent
    assert "Quinn Lead approved version 2 as QA senior lead" in recent
    assert all(at["title"].endswith(", 12:00") for at in card["body"][-1]["facts"])
    assert codes_in(card_text(card)) == []

    (history,) = cards(await teams.say(QA_LEAD, f"imr history {REF}"))
    lines = history_rows(history)
    assert ("Scoping meeting confirmed for Thu 26 Nov 2026, 10:00: everyone accepted",
            "The IMR bot (automatic)") in lines
    assert ("Accepted the midway review", "Lena Manager") in lines
    assert ("QA senior lead asked for amendments to version 1: \u201cSection 7\u201d",
            "Quinn Lead") in lines
    assert ("Recorded as submitted to DDSCP on Fri 11 Dec 2026", "Bea Services") in lines
    for what, who in lines:
        assert what[0].isupper() and who and codes_in(what + " " + who) == [], (what, who)
    assert f"{len(lines)} entries, oldest first." in card_text(history)


async def test_a_request_received_on_a_saturday_shows_when_it_came_in_and_when_day_one_is(pool):  # noqa: F811
    await log_review(pool, "DDSCP/CSPR/2026/020", received="2026-11-21")  # a Saturday
    (card,) = cards(await pool.say(BUSINESS_SERVICES, "imr status DDSCP/CSPR/2026/020"))
    assert timeline(card)[0] == ("1", "Request logged", "Mon 23 Nov 2026", "received Sat 21 Nov 2026")


def test_a_reference_keeps_to_one_line_in_the_boards_first_column():
    """A Table column's number is a share of the card's width, which on a narrow client broke
    DDSCP/CSPR/2026/009 into "DDSCP/CSPR/2026/00" and "9"; a width in pixels holds it whole."""
    import json
    from pathlib import Path

    for name in ("status_board", "digest"):
        card = json.loads((Path(__file__).resolve().parents[2] / "cards" / f"{name}.json")
                          .read_text())
        tables = [e for e in card["body"] if e["type"] == "Table"]
        assert tables, name
        for table in tables:  # (the digest's second: reviews with overdue actions)
            width = table["columns"][0]["width"]
            # Small bold capitals and digits are at most 8px wide in Teams' Segoe UI
            assert isinstance(width, str) and width.endswith("px"), name
            assert int(width[:-2]) >= 8 * len("DDSCP/CSPR/2026/009"), name


async def test_the_board_says_what_can_be_done_next(pool):  # noqa: F811
    (board,) = cards(await pool.say(BUSINESS_SERVICES, "imr status"))
    assert "Select a reference to see its timeline and people" in card_text(board)
    assert "1 open review, most urgent first" in card_text(board)
    (table,) = [e for e in board["body"] if e["type"] == "Table"]
    opened = table["rows"][1]["cells"][0]["selectAction"]["data"]
    assert opened == {"verb": "status.review", "reference": REF}
    (card,) = cards(await pool.submit(BUSINESS_SERVICES, opened))
    assert card["body"][0]["text"] == REF and "Timeline" in card_text(card)
    assert [a["title"] for a in board["actions"]] == ["My IMRs", "Overdue IMRs", "Open in the tab"]
