"""`imr check` and the approval card show the document check from its data: every finding named
by its section, row and date, initials or term; the chronology's own words only to the review's
role holders."""

from imr_bot.domain.people import Actor
from imr_bot.domain.roles import Role
from imr_bot.services import approvals
from imr_bot.store.unit_of_work import UnitOfWork
from tests.cardcheck import assert_valid_card
from tests.documents.test_checker import DERBYSHIRE, ROWS, chronology, report
from tests.teams.harness import AUTHOR, BUSINESS_SERVICES, QA_LEAD, card_text, cards, texts
from tests.teams.test_allocation import DEV
from tests.teams.test_approvals import REF, midway  # noqa: F401 - the review at its midway

OUTSIDE = ("03/11/2024", "Police", "AB seen at the address late at night.", "NFA")


async def submitted(teams, chronology_rows):
    async with UnitOfWork(teams.app.database) as uow:
        person = await uow.people.by_email(AUTHOR.email)
    author = Actor(person.email, person.name, person)
    await approvals.add_file(teams.app.ctx, author, REF, "IMR report.docx", report(DERBYSHIRE))
    await approvals.add_file(teams.app.ctx, author, REF, "Chronology.docx",
                             chronology(chronology_rows))
    await approvals.submit(teams.app.ctx, author, REF)
    await teams.deliver()


async def test_a_role_holder_sees_each_finding_with_the_entrys_words(midway):  # noqa: F811
    await submitted(midway, [OUTSIDE, *ROWS])
    (card,) = cards(await midway.say(QA_LEAD, f"imr check {REF}"))
    assert_valid_card(card)
    shown = card_text(card)
    assert "row 1 (Sun 3 Nov 2024): outside Wed 1 Jan 2025 to Tue 30 Jun 2026" in shown
    assert "AB seen at the address" in shown
    assert "NFA (row 1, Sun 3 Nov 2024): not explained" in shown


async def test_someone_without_a_role_on_the_review_sees_rows_and_dates_but_no_words(midway):  # noqa: F811
    await submitted(midway, [OUTSIDE, *ROWS])
    # Business Services see every review, but hold no role on this one
    (card,) = cards(await midway.say(BUSINESS_SERVICES, f"imr check {REF}"))
    assert_valid_card(card)
    shown = card_text(card)
    assert "row 1 (Sun 3 Nov 2024): outside Wed 1 Jan 2025 to Tue 30 Jun 2026" in shown
    assert "AB seen at the address" not in shown
    assert "shown only to people with a role on this review" in shown


async def test_someone_who_may_not_see_the_review_is_told_it_does_not_exist(midway):  # noqa: F811
    await submitted(midway, [OUTSIDE, *ROWS])
    said = await midway.say(DEV, f"imr check {REF}")  # in the directory, no part in this review
    assert not cards(said) and texts(said) == f"There is no review {REF}."


async def test_the_approval_card_takes_its_colour_from_the_result(midway):  # noqa: F811
    await submitted(midway, ROWS)
    card = [c for c in cards(midway.inbox(QA_LEAD)) if "Automated check" in card_text(c)][-1]
    check = next(b for b in card["body"] if "Automated check" in str(b.get("text", "")))
    assert check["text"].startswith("Automated check: all 14 checks passed")
    assert check["color"] == "Good"
    async with UnitOfWork(midway.app.database) as uow:
        review = await uow.reviews.get(REF)
    assert Role.QA_LEAD in review.people


async def test_a_check_with_findings_is_not_green_on_the_approval_card(midway):  # noqa: F811
    await submitted(midway, [OUTSIDE, *ROWS])
    card = [c for c in cards(midway.inbox(QA_LEAD)) if "Automated check" in card_text(c)][-1]
    check = next(b for b in card["body"] if "Automated check" in str(b.get("text", "")))
    assert check["color"] == "Warning" and "row 1 (Sun 3 Nov 2024)" in check["text"]
    assert "AB seen" not in check["text"]
